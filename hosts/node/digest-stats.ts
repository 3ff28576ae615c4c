/**
 * Digests of recipe files remembered across commands by their stat, so that the core's cache
 * validation (`fileDigests`: one batch of every file a cached descriptor was made from) does not
 * open, read and hash every file again when only one changed: a stal-ix set/pg re-plan asks for
 * 1,332 files, and reading them was ~40-90 ms of its host time, a stat each is a few ms.
 *
 * The rule is the plan memo's (hosts/node/plan-memo.ts): a file's digest is remembered with its
 * (device, inode, size, mtime, ctime), taken by fstat on the descriptor its bytes were then read
 * from, and only when its mtime and ctime were older than this table's start minus MARGIN_MS. A
 * later change of the file moves its ctime to a later time, which no user call can set back
 * (`utimes` sets it to now), and a replaced file has another inode or ctime; a change between the
 * fstat and the read also moves ctime, so that record never matches. A stat that is not exactly
 * the recorded one means the file is read and hashed. Assumes the recipe tree's filesystem clock
 * is within MARGIN_MS of this host's.
 *
 * One DiskCache entry per recipe root and digest function, `fdig1-<h>`:
 *   "ix-file-digests/1 " + JSON [root, digest of no bytes (hex)] + "\n", then one line per file
 *   `<stat>\t<hex digest>\t<path>\n` (path: logical, relative to the root).
 * <h> is a SHA-256 prefix of that first line; a lookup compares the whole line. Rows of files
 * not asked for stay (a plan of another package reuses them) until the table passes MAX_ROWS.
 *
 * Must not depend on: the engine; anything but node:fs/crypto and ./cache, ./digest.
 */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import type { DiskCache } from './cache';
import type { Digest } from './digest';

const FORMAT = 'ix-file-digests/1';
/** How old a file's mtime and ctime must be, before this table was made, to trust its stat. */
export const MARGIN_MS = 2000;
/** Past this many rows, a save keeps only the rows this process used. */
const MAX_ROWS = 100_000;

const statKey = (st: Stats) => `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
const hex = (d: Uint8Array) => Buffer.from(d.buffer, d.byteOffset, d.length).toString('hex');

/** The remembered digests of one recipe root's files. */
export class StatDigests {
  private readonly head: string;
  private readonly key: string;
  private rows: Map<string, [stat: string, digest: string]> | undefined;
  private readonly used = new Set<string>();
  private changed = false;

  /** `startedMs`: when this command started (Date.now()); files changed after it minus the margin are not remembered. */
  constructor(
    private readonly cache: DiskCache,
    root: string,
    digest: Digest,
    private readonly startedMs = Date.now(),
  ) {
    this.head = `${FORMAT} ${JSON.stringify([root, hex(digest(new Uint8Array(0)))])}\n`;
    this.key = `fdig1-${createHash('sha256').update(this.head).digest('hex').slice(0, 32)}`;
  }

  private table(): Map<string, [string, string]> {
    if (this.rows) return this.rows;
    this.rows = new Map();
    const b = this.cache.get(this.key);
    if (!b) return this.rows;
    const text = Buffer.from(b.buffer, b.byteOffset, b.length).toString('utf8');
    if (!text.startsWith(this.head)) return this.rows;
    for (let at = this.head.length; ;) {
      const nl = text.indexOf('\n', at);
      if (nl < 0) break;
      const t1 = text.indexOf('\t', at);
      const t2 = t1 < 0 ? -1 : text.indexOf('\t', t1 + 1);
      if (t2 > 0 && t2 < nl && t2 - t1 === 65) this.rows.set(text.slice(t2 + 1, nl), [text.slice(at, t1), text.slice(t1 + 1, t2)]);
      at = nl + 1;
    }
    return this.rows;
  }

  /** The remembered digest of `path` when `st` (its file's stat now) is exactly the recorded one. */
  get(path: string, st: Stats): Uint8Array | undefined {
    const row = this.table().get(path);
    if (!row || row[0] !== statKey(st)) return undefined;
    this.used.add(path);
    return new Uint8Array(Buffer.from(row[1], 'hex'));
  }

  /** Remembers digest `d` of `path`'s bytes, read from a descriptor whose fstat gave `st`, if `st` is settled. */
  note(path: string, st: Stats, d: Uint8Array): void {
    if (path.includes('\n')) return; // a line per file
    const limit = this.startedMs - MARGIN_MS;
    const rows = this.table();
    const row = rows.get(path);
    if (!(st.mtimeMs < limit && st.ctimeMs < limit)) {
      // a file changed since: its old row can never match again, drop it
      if (row) {
        rows.delete(path);
        this.touch();
      }
      return;
    }
    this.used.add(path);
    const stat = statKey(st);
    const digest = hex(d);
    if (row && row[0] === stat && row[1] === digest) return;
    rows.set(path, [stat, digest]);
    this.touch();
  }

  /**
   * Marks the table changed; it is written once, when the event loop next turns (the core asks
   * for digests in hundreds of batches during one synchronous plan call: a write per batch was
   * a write of the whole table per batch).
   */
  private touch(): void {
    if (this.changed) return;
    this.changed = true;
    setImmediate(() => this.save());
  }

  /** Writes the table when it changed (best-effort, like every cache write); also run by itself after a change. */
  save(): void {
    if (!this.changed || !this.rows) return;
    this.changed = false;
    const parts = [this.head];
    const all = this.rows.size <= MAX_ROWS;
    for (const [path, [stat, digest]] of this.rows) {
      if (all || this.used.has(path)) parts.push(`${stat}\t${digest}\t${path}\n`);
    }
    this.cache.put(this.key, Buffer.from(parts.join(''), 'utf8'));
  }
}
