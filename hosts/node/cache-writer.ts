/**
 * The disk cache's writer (format in hosts/node/cache-pack.ts): one append-only pack per cache
 * directory per process, opened at the first put. A put appends the record to the pack, then
 * its line to the pack's index, both with positioned writes from the calling thread: no file is
 * created per entry (a cold plan of a whole IX tree once made ~22,000, whose creation cost ~20% of
 * the main thread; two appends into the page cache cost a few microseconds), so no worker thread
 * is needed to overlap them.
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

/** Appends records to this process's pack in one cache directory. */
export class PackWriter {
  readonly id = newPackId();
  private pack = -1;
  private index = -1;
  private pos = 0;
  private broken = false;

  constructor(private readonly base: string) {}

  /** The open pack's descriptor (for reading back this process's own records), or -1. */
  get fd(): number {
    return this.pack;
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

  /** Appends one encoded record for `key`; its span, or undefined when nothing was written. */
  append(key: string, record: readonly Uint8Array[]): Span | undefined {
    if (!this.open()) return undefined;
    const length = record.reduce((n, p) => n + p.length, 0);
    const span: Span = { pack: this.id, offset: this.pos, length, stamp: Date.now() };
    try {
      let at = this.pos;
      for (const part of record) {
        let done = 0;
        while (done < part.length) done += writeSync(this.pack, part, done, part.length - done, at + done);
        at += part.length;
      }
      this.pos += length;
      writeSync(this.index, `${key} ${span.offset} ${span.length} ${span.stamp.toString(36)}\n`, null, 'latin1');
      return span;
    } catch {
      this.fail();
      return undefined;
    }
  }
}
