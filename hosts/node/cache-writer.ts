/**
 * The disk cache's writer (format in hosts/node/cache-pack.ts): one append-only pack per cache
 * directory per process, opened at the first put. A put appends the record to the pack, then
 * its line to the pack's index, both with positioned writes from the calling thread: no file is
 * created per entry (a cold plan of a whole IX tree once made ~22,000, whose creation cost ~20% of
 * the main thread), so no worker thread is needed to overlap them.
 * While writes are held (holdWrites: the CLI holds them during a core call), records under
 * GATHER_BYTES are gathered in memory and written GATHER_BYTES at a time, with their index lines
 * after them: a cold single-package plan made ~1,600 puts, two write calls each, which cost more
 * than writing their bytes. Gathered records are written before this process reads its own pack,
 * before a cache of the same directory reads the indexes, and when the last hold is released; a
 * process killed meanwhile loses them (a miss later, as for a torn tail). Same bytes either way.
 * appendWith lets the caller write a record straight into the gathering buffer (the core's text
 * puts, encoded and sealed in place: cache-pack.ts writeTextRecord) instead of handing it over.
 *
 * Nothing is ever rewritten in place, and no two processes write one file (pack names carry the
 * pid and random bits, created with O_EXCL), so concurrent processes need no lock. A process
 * killed mid-put leaves a torn record or index line at the end of its own files, which readers
 * ignore (the seal and the line rule of cache-pack.ts) and compaction drops. Every failure
 * disables this writer (later puts are dropped): the cache is best-effort.
 *
 * Must not depend on: the engine; anything but node:fs/crypto and ./cache-pack.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { INDEX_HEADER, PACK_HEADER, type Span } from './cache-pack';

/** A new pack name: `<base36 ms>-<pid>-<random hex>` (pid: this process's, or 0 for a finished pack). */
export function newPackId(pid = process.pid): string {
  return `${Date.now().toString(36)}-${pid}-${randomBytes(4).toString('hex')}`;
}

/** Records under this size are gathered while writes are held; gathered bytes are written at this size. */
export const GATHER_BYTES = 1 << 20;

let holds = 0;
/** Writers with gathered records. */
const gathering = new Set<PackWriter>();

/**
 * Holds writes: until the returned release is called (once), every writer of this process
 * gathers small records (see the header). Holds nest; the last release writes what was gathered.
 */
export function holdWrites(): () => void {
  holds++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holds === 0) for (const w of [...gathering]) w.flush();
  };
}

/** Appends records to this process's pack in one cache directory. */
export class PackWriter {
  readonly id = newPackId();
  private pack = -1;
  private index = -1;
  /** The pack's length, gathered records included. */
  private pos = 0;
  private broken = false;
  /** Gathered records (the pack's bytes from `pos - gathered`), and their index lines. */
  private gather: Buffer | undefined;
  private gathered = 0;
  private lines = '';

  constructor(private readonly base: string) {}

  /** The open pack's descriptor for reading back this process's own records (gathered ones written first), or -1. */
  readFd(): number {
    this.flush();
    return this.pack;
  }

  /** Writes the gathered records, then their index lines. */
  flush(): void {
    gathering.delete(this);
    if (this.gathered === 0) return;
    const bytes = this.gather!.subarray(0, this.gathered);
    const at = this.pos - this.gathered;
    const lines = this.lines;
    this.gathered = 0;
    this.lines = '';
    if (this.pack < 0) return;
    try {
      for (let done = 0; done < bytes.length;) done += writeSync(this.pack, bytes, done, bytes.length - done, at + done);
      writeSync(this.index, lines, null, 'latin1');
    } catch {
      this.fail();
    }
  }

  private open(): boolean {
    if (this.pack >= 0) return true;
    if (this.broken) return false;
    try {
      mkdirSync(this.base, { recursive: true });
      this.pack = openSync(`${this.base}/${this.id}.pack`, 'wx+');
      this.pos = writeSync(this.pack, PACK_HEADER, 0, 'latin1');
      this.index = openSync(`${this.base}/${this.id}.idx`, 'wx');
      writeSync(this.index, INDEX_HEADER, null, 'latin1');
      return true;
    } catch {
      this.fail();
      return false;
    }
  }

  private fail(): void {
    this.broken = true;
    for (const fd of [this.pack, this.index]) {
      try {
        if (fd >= 0) closeSync(fd);
      } catch {
        // nothing left to do: the cache is best-effort
      }
    }
    this.pack = this.index = -1;
  }

  /**
   * Appends the record for `key` that `fill(out, at)` writes into `out` from `at` (at most `bound`
   * bytes; it returns their number) straight into the gathered bytes, no copy: gathered while
   * writes are held, else written at once. Its span; undefined when nothing was written; null when
   * `bound` exceeds GATHER_BYTES (then encode the record and append it).
   */
  appendWith(key: string, bound: number, fill: (out: Buffer, at: number) => number): Span | undefined | null {
    if (bound > GATHER_BYTES) return null;
    if (!this.open()) return undefined;
    if (this.gathered + bound > GATHER_BYTES) this.flush();
    if (this.broken) return undefined;
    this.gather ??= Buffer.allocUnsafe(GATHER_BYTES);
    const length = fill(this.gather, this.gathered);
    const span: Span = { pack: this.id, offset: this.pos, length, stamp: Date.now() };
    this.gathered += length;
    this.pos += length;
    this.lines += `${key} ${span.offset} ${length} ${span.stamp.toString(36)}\n`;
    if (holds > 0) gathering.add(this);
    else this.flush();
    return this.broken ? undefined : span;
  }

  /** Appends one encoded record for `key`; its span, or undefined when nothing was written. */
  append(key: string, record: readonly Uint8Array[]): Span | undefined {
    if (!this.open()) return undefined;
    const length = record.reduce((n, p) => n + p.length, 0);
    const span: Span = { pack: this.id, offset: this.pos, length, stamp: Date.now() };
    const line = `${key} ${span.offset} ${span.length} ${span.stamp.toString(36)}\n`;
    if (holds > 0 && length < GATHER_BYTES) {
      if (this.gathered + length > GATHER_BYTES) this.flush();
      if (this.broken) return undefined;
      this.gather ??= Buffer.allocUnsafe(GATHER_BYTES);
      for (const part of record) {
        this.gather.set(part, this.gathered);
        this.gathered += part.length;
      }
      this.lines += line;
      this.pos += length;
      gathering.add(this);
      return span;
    }
    this.flush(); // records land in the pack in the order of their spans
    if (this.broken) return undefined;
    try {
      let at = this.pos;
      for (const part of record) {
        let done = 0;
        while (done < part.length) done += writeSync(this.pack, part, done, part.length - done, at + done);
        at += part.length;
      }
      this.pos += length;
      writeSync(this.index, line, null, 'latin1');
      return span;
    } catch {
      this.fail();
      return undefined;
    }
  }
}
