/**
 * Compaction of the disk cache's packs (format: hosts/node/cache-pack.ts), run by `ix gc`: in each
 * cache directory, the packs of processes that are gone are merged into one new pack holding the
 * latest record of every key whose seal still checks; shadowed, torn and corrupt records are
 * dropped. Earlier layouts' directories (`<dir>/v1`..`v3`, which nothing reads) are removed.
 *
 * Safe beside running ix processes without a lock: a pack whose writer is alive (its pid, from
 * the pack's name, answers signal 0 on this host) is left alone; the merged pack (named with pid 0:
 * it has no writer once it appears, so the next gc may merge it again) is written under
 * temporary names and renamed into place (pack first, then index), and only then are the inputs'
 * indexes and packs removed. A reader that loaded an input's index before that reads the input
 * through its open descriptor or gets a miss; the merged records keep their stamps, so the latest
 * record of a key stays the latest. Two compactions at once may both merge the same inputs: each
 * writes a complete pack, and the duplicate is merged by the next one.
 *
 * Must not depend on: the engine; anything but node:fs/path and ./cache-pack, ./cache-writer.
 */
import { openSync, closeSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_LAYOUT, decodeRecord, INDEX_HEADER, PACK_HEADER, packPid, parseIndex, readSpan, type Span } from './cache-pack';
import { newPackId } from './cache-writer';

export const COMPACT_FORMAT = 'ix-cache-compact/1';

/** What a compaction did, over every cache directory under one root. */
export interface CompactReport {
  format: typeof COMPACT_FORMAT;
  /** Files and bytes of the cache (all layouts) before and after. */
  filesBefore: number;
  filesAfter: number;
  bytesBefore: number;
  bytesAfter: number;
  /** Packs merged, records kept, and packs left alone because their process still runs. */
  packsMerged: number;
  entries: number;
  busy: number;
}

/** Whether process `pid` runs on this host (signal 0: exists, ours or not). */
function alive(pid: number): boolean {
  if (pid === 0) return false; // a compaction's output: complete when it appears
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Files and bytes under `dir` (apparent sizes). */
export function cacheUsage(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const walk = (d: string): void => {
    let es;
    try {
      es = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of es) {
      if (e.isDirectory()) walk(join(d, e.name));
      else {
        files++;
        try {
          bytes += statSync(join(d, e.name)).size;
        } catch {
          // removed meanwhile
        }
      }
    }
  };
  walk(dir);
  return { files, bytes };
}

/** Merges the idle packs of one cache directory (namespace `ns`); returns [packs merged, entries kept, busy]. */
function compactBase(base: string, ns: string): [number, number, number] {
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return [0, 0, 0];
  }
  const ids = new Set<string>();
  let busy = 0;
  for (const n of names) {
    const id = n.replace(/\.(pack|idx)(\.tmp)?$/, '');
    const pid = packPid(id);
    if (pid === undefined || id === n) continue;
    if (alive(pid)) {
      if (n.endsWith('.idx')) busy++;
      continue;
    }
    if (n.endsWith('.tmp')) rmSync(join(base, n), { force: true }); // a compaction that died
    else ids.add(id);
  }
  const inputs = [...ids].sort();
  if (inputs.length === 0) return [0, 0, busy];
  const latest = new Map<string, Span>();
  for (const id of inputs) {
    try {
      parseIndex(id, readFileSync(join(base, `${id}.idx`), 'latin1'), latest);
    } catch {
      // a pack without an index (its process died before creating it): nothing to keep
    }
  }
  const fds = new Map<string, number>();
  const out = newPackId(0);
  const packTmp = join(base, `${out}.pack.tmp`);
  const idxTmp = join(base, `${out}.idx.tmp`);
  let kept = 0;
  let pack = -1;
  let idx = -1;
  try {
    const keys = [...latest.keys()].sort();
    let pos = 0;
    for (const key of keys) {
      const span = latest.get(key)!;
      let fd = fds.get(span.pack);
      if (fd === undefined) {
        try {
          fd = openSync(join(base, `${span.pack}.pack`), 'r');
        } catch {
          fd = -1;
        }
        fds.set(span.pack, fd);
      }
      const rec = fd >= 0 ? readSpan(fd, span) : undefined;
      if (!rec || !decodeRecord(ns, key, rec)) continue; // torn or corrupt: dropped
      if (pack < 0) {
        pack = openSync(packTmp, 'wx');
        pos = writeSync(pack, PACK_HEADER, 0, 'latin1');
        idx = openSync(idxTmp, 'wx');
        writeSync(idx, INDEX_HEADER, null, 'latin1');
      }
      writeSync(pack, rec, 0, rec.length, pos);
      writeSync(idx, `${key} ${pos} ${rec.length} ${span.stamp.toString(36)}\n`, null, 'latin1');
      pos += rec.length;
      kept++;
    }
    if (pack >= 0) {
      closeSync(pack);
      closeSync(idx);
      pack = idx = -1;
      renameSync(packTmp, join(base, `${out}.pack`));
      renameSync(idxTmp, join(base, `${out}.idx`));
    }
  } catch {
    // the inputs stay as they are; a later gc tries again
    for (const fd of [pack, idx]) if (fd >= 0) closeSync(fd);
    rmSync(packTmp, { force: true });
    rmSync(idxTmp, { force: true });
    for (const fd of fds.values()) if (fd >= 0) closeSync(fd);
    return [0, 0, busy];
  }
  for (const fd of fds.values()) if (fd >= 0) closeSync(fd);
  for (const id of inputs) rmSync(join(base, `${id}.idx`), { force: true });
  for (const id of inputs) rmSync(join(base, `${id}.pack`), { force: true });
  return [inputs.length, kept, busy];
}

/** Compacts every cache directory under the cache root `dir` (see the header). */
export function compactCache(dir: string): CompactReport {
  const before = cacheUsage(dir);
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    // no cache yet
  }
  for (const e of entries) if (/^v\d+$/.test(e) && e !== CACHE_LAYOUT) rmSync(join(dir, e), { recursive: true, force: true });
  const top = join(dir, CACHE_LAYOUT);
  let merged = 0;
  let kept = 0;
  let busy = 0;
  const add = ([m, k, b]: [number, number, number]) => {
    merged += m;
    kept += k;
    busy += b;
  };
  add(compactBase(top, ''));
  let subs: string[] = [];
  try {
    subs = readdirSync(top, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    // no packs yet
  }
  for (const s of subs.sort()) add(compactBase(join(top, s), s));
  const after = cacheUsage(dir);
  return { format: COMPACT_FORMAT, filesBefore: before.files, filesAfter: after.files, bytesBefore: before.bytes, bytesAfter: after.bytes, packsMerged: merged, entries: kept, busy };
}
