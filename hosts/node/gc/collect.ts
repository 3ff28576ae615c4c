/**
 * The collection: under the gc lock (exclusive), find every recorded store path not reachable
 * from a root (roots.ts) through the records' references, measure it, and (unless dry-run)
 * delete it. Bytes are DISK USAGE: the sum of st_blocks * 512 over every entry of the tree
 * (directories and symlinks included, each inode once per run), i.e. what `du -B1 -s` reports;
 * the dry run and the real run use the same function, so their totals agree.
 * Deletion is crash-safe: under the path's output lock, its directory is first renamed to
 * <root>/build/trash-<pid>-<random> (it stops counting as built at once), then its record is
 * removed, then the tree is deleted. A crash leaves a trash-* entry and perhaps a record without
 * a directory; the store's recovery removes both. No trash is left behind by a finished run.
 *
 * Must not depend on: the engine's evaluator, the sandbox, the CLI.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseStorePath, STORE_ENTRY, STORE_PREFIX, type Layout, removeTree } from '../../common';
import { syncDir, tryLock, readRecord, flockWait } from '../store';
import { RealmLayout, dropGenerations, listRealms, lockRealm } from '../realm';
import { GcLayout } from './layout';
import { allRoots, type Root } from './roots';

export const GC_REPORT_FORMAT = 'ix-gc/1';

export interface GcOptions {
  dryRun: boolean;
  /** Drop all but the newest N generations of every realm first (the active one always stays). */
  keepGenerations?: number;
  onWait?: (m: string) => void;
}

export interface GcReport {
  format: typeof GC_REPORT_FORMAT;
  dryRun: boolean;
  /** Generations dropped (or that would be), per realm. */
  generations: { realm: string; generation: number }[];
  /** Paths deleted (or that would be), sorted, with their disk usage. */
  paths: { path: string; bytes: number }[];
  /** Total disk usage freed (or that would be). */
  bytes: number;
  /** Paths left because another process holds their output lock. */
  busy: string[];
  /** Number of roots and of live paths. */
  roots: number;
  live: number;
}

/** Disk usage of a tree: st_blocks * 512 over every entry, each (dev, ino) counted once in `seen`. */
export async function diskUsage(p: string, seen: Set<string>): Promise<number> {
  const st = await fs.lstat(p, { bigint: true });
  const key = `${st.dev}:${st.ino}`;
  let total = 0;
  if (!seen.has(key)) {
    seen.add(key);
    total += Number(st.blocks) * 512;
  }
  if (st.isDirectory()) {
    for (const n of (await fs.readdir(p)).sort()) total += await diskUsage(path.join(p, n), seen);
  }
  return total;
}

/** Every path reachable from `roots` through records' refs, with the edge that first reached it. */
export async function reachable(layout: Layout, roots: Root[]): Promise<Map<string, { from?: string; root: Root }>> {
  const seen = new Map<string, { from?: string; root: Root }>();
  const queue: string[] = [];
  for (const r of roots) {
    if (!seen.has(r.path)) { seen.set(r.path, { root: r }); queue.push(r.path); }
  }
  for (let i = 0; i < queue.length; i++) {
    const p = queue[i];
    const sp = parseStorePath(p)!;
    const rec = await readRecord(layout, sp.id);
    if (!rec || rec.path !== p) continue;
    for (const ref of rec.refs) {
      if (!seen.has(ref) && parseStorePath(ref)) { seen.set(ref, { from: p, root: seen.get(p)!.root }); queue.push(ref); }
    }
  }
  return seen;
}

/** Recorded store paths present on disk, sorted. */
async function storePaths(layout: Layout): Promise<string[]> {
  const out: string[] = [];
  for (const n of (await fs.readdir(layout.store).catch(() => [] as string[])).sort()) {
    const m = STORE_ENTRY.exec(n);
    if (!m) continue;
    const rec = await readRecord(layout, m[1]);
    if (rec && rec.path === `${STORE_PREFIX}${n}`) out.push(rec.path);
  }
  return out;
}

async function deletePath(layout: Layout, p: string): Promise<boolean> {
  const sp = parseStorePath(p)!;
  const l = await tryLock(layout.lock(sp.id));
  if (!l) return false;
  try {
    // removeTree renames into build/ first (atomic: the path stops existing), then deletes.
    const doomed = path.join(layout.build, `trash-${process.pid}-gc-${sp.id}`);
    const phys = layout.physical(sp);
    await fs.chmod(phys, 0o755);
    await fs.rename(phys, doomed);
    await syncDir(layout.store);
    await fs.rm(layout.record(sp.id), { force: true });
    await removeTree(doomed);
    return true;
  } finally {
    await l.release();
  }
}

export async function collectGarbage(layout: Layout, opts: GcOptions): Promise<GcReport> {
  const gl = new GcLayout(layout);
  const g = await flockWait(gl.gcLock, 'exclusive', () => opts.onWait?.('waiting for running builds to register their paths'));
  try {
    const rl = new RealmLayout(layout);
    const dropped: { realm: string; generation: number }[] = [];
    const skip = new Map<string, Set<number>>();
    if (opts.keepGenerations !== undefined) {
      for (const name of await listRealms(rl)) {
        const rlock = await lockRealm(rl, name, opts.onWait);
        try {
          const d = await dropGenerations(rl, name, opts.keepGenerations, opts.dryRun);
          skip.set(name, new Set(d));
          for (const n of d) dropped.push({ realm: name, generation: n });
        } finally {
          await rlock.release();
        }
      }
    }
    const roots = await allRoots(layout, skip);
    const live = await reachable(layout, roots);
    const seen = new Set<string>();
    const report: GcReport = { format: GC_REPORT_FORMAT, dryRun: opts.dryRun, generations: dropped, paths: [], bytes: 0, busy: [], roots: roots.length, live: live.size };
    for (const p of await storePaths(layout)) {
      if (live.has(p)) continue;
      const bytes = await diskUsage(layout.physical(parseStorePath(p)!), seen);
      if (!opts.dryRun && !(await deletePath(layout, p))) {
        report.busy.push(p);
        continue;
      }
      report.paths.push({ path: p, bytes });
      report.bytes += bytes;
    }
    return report;
  } finally {
    await g.release();
  }
}
