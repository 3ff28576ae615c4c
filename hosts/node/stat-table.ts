/**
 * What a command learned about recipe files and directories, remembered across commands by their
 * stat: a file's digest (the core's cache validation asks, in `fileDigests`, for every file a
 * cached descriptor was made from: 1,332 files for a stal-ix set/pg re-plan, each opened, read
 * and hashed again) and a directory's listing (a keep-going plan of a whole IX tree lists ~4,000
 * directories, `readdir` ~0.2 s). A stat each is a few microseconds.
 *
 * The rule is the plan memo's (hosts/node/plan-memo.ts): a value is remembered with the
 * (device, inode, size, mtime, ctime) of what it was read from, taken before the read (a file's
 * fstat on the descriptor then read, a directory's stat before its `readdir`), and only when that
 * mtime and ctime were older than the table's start minus MARGIN_MS. A later change moves ctime
 * (and a directory's mtime, when an entry is added, removed or renamed) to a later time, which no
 * user call can set back (`utimes` sets ctime to now), and a replaced file has another inode or
 * ctime; a change during the read also moves them, so that record never matches. A stat that is
 * not exactly the recorded one means the value is read again. A listing that holds a symbolic
 * link is never remembered: the link's target can turn from a file into a directory without the
 * listed directory changing. Assumes the recipe tree's filesystem clock is within MARGIN_MS of
 * this host's.
 *
 * One DiskCache entry per kind, recipe root and salt (the digest function), `fstat1-<h>`:
 *   "ix-stat-table/1 " + JSON [kind, root, salt] + "\n", then one line per path
 *   `<stat>\t<value>\t<path>\n` (value: no tab or newline; path: logical, no newline).
 * <h> is a SHA-256 prefix of that first line; a lookup compares the whole line. Rows not used
 * stay (a plan of another package uses them) until the table passes MAX_ROWS.
 *
 * Must not depend on: the engine; anything but node:fs/crypto and ./cache.
 */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import type { DiskCache } from './cache';

const FORMAT = 'ix-stat-table/1';
/** How old a file's mtime and ctime must be, before the command started, to trust its stat. */
export const MARGIN_MS = 2000;
/** Past this many rows, a save keeps only the rows this process used. */
const MAX_ROWS = 100_000;

/**
 * The stat fields a remembered value is checked against (the plan memo keeps the same text). Times
 * are float milliseconds: any change moves ctime to "now", seconds away from a settled ctime.
 */
export const statKey = (st: Stats) => `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
/** Whether `st` is old enough, at `sinceMs`, for a value read under it to be trusted later. */
export const settled = (st: Stats, sinceMs: number) => st.mtimeMs < sinceMs - MARGIN_MS && st.ctimeMs < sinceMs - MARGIN_MS;

/** Remembered values of one kind for one recipe root's paths. */
export class StatTable {
  private readonly head: string;
  private readonly key: string;
  private rows: Map<string, [stat: string, value: string]> | undefined;
  private readonly used = new Set<string>();
  private changed = false;

  /** `startedMs`: when this command started (Date.now()); things changed after it minus the margin are not remembered. */
  constructor(
    private readonly cache: DiskCache,
    kind: string,
    root: string,
    salt: string,
    private readonly startedMs = Date.now(),
  ) {
    this.head = `${FORMAT} ${JSON.stringify([kind, root, salt])}\n`;
    this.key = `fstat1-${createHash('sha256').update(this.head).digest('hex').slice(0, 32)}`;
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
      const t2 = t1 < 0 || t1 > nl ? -1 : text.indexOf('\t', t1 + 1);
      if (t2 > 0 && t2 < nl) this.rows.set(text.slice(t2 + 1, nl), [text.slice(at, t1), text.slice(t1 + 1, t2)]);
      at = nl + 1;
    }
    return this.rows;
  }

  /** The remembered value of `path` when `st` (its stat now) is exactly the recorded one. */
  get(path: string, st: Stats): string | undefined {
    const row = this.table().get(path);
    if (!row || row[0] !== statKey(st)) return undefined;
    this.used.add(path);
    return row[1];
  }

  /** Remembers `value` of `path`, read from what had stat `st` just before, if `st` is settled. */
  note(path: string, st: Stats, value: string): void {
    if (path.includes('\n') || value.includes('\n') || value.includes('\t')) return; // a line per path
    const rows = this.table();
    const row = rows.get(path);
    if (!settled(st, this.startedMs)) {
      // changed since: its old row can never match again, drop it
      if (row) {
        rows.delete(path);
        this.touch();
      }
      return;
    }
    this.used.add(path);
    const stat = statKey(st);
    if (row && row[0] === stat && row[1] === value) return;
    rows.set(path, [stat, value]);
    this.touch();
  }

  /**
   * Marks the table changed; it is written once, when the event loop next turns (the core asks
   * in hundreds of batches during one synchronous plan call: a write per batch was a write of
   * the whole table per batch).
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
    for (const [path, [stat, value]] of this.rows) {
      if (all || this.used.has(path)) parts.push(`${stat}\t${value}\t${path}\n`);
    }
    this.cache.put(this.key, Buffer.from(parts.join(''), 'utf8'));
  }
}
