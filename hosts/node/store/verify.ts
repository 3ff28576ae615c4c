/**
 * `ix store verify`: re-hash every recorded store path and compare with its record; also report
 * paths not in their normal form (writable, setuid, wrong mtime), records without a path and
 * paths without a record. Read-only: it repairs nothing.
 *
 * Must not depend on: the engine's evaluator, the sandbox or executor modules.
 */
import fs from 'node:fs/promises';
import { STORE_ENTRY, STORE_PREFIX, parseStorePath, type Layout } from '../../common';
import { readRecord } from './record';
import { processTree, TreeViolation } from './tree';

export type VerifyStatus = 'ok' | 'modified' | 'missing' | 'unrecorded' | 'abnormal';

export interface VerifyEntry {
  /** Logical store path. */
  path: string;
  status: VerifyStatus;
  /** Recorded hash (absent for unrecorded paths). */
  expected?: string;
  /** Hash found now (absent for missing paths). */
  actual?: string;
  /** Human-readable details: mode/mtime deviations, unreadable entries. */
  problems: string[];
}

/** One entry per recorded or present store path, sorted by path. */
export async function verifyStore(layout: Layout): Promise<VerifyEntry[]> {
  const out: VerifyEntry[] = [];
  const seen = new Set<string>();
  const dbNames = (await fs.readdir(layout.db).catch(() => [] as string[])).sort();
  for (const n of dbNames) {
    const m = /^([0-9a-z]{32})\.json$/.exec(n);
    if (!m) continue;
    const rec = await readRecord(layout, m[1]);
    const sp = rec ? parseStorePath(rec.path) : undefined;
    if (!rec || !sp || sp.id !== m[1]) {
      out.push({ path: `(record ${n})`, status: 'modified', problems: ['unreadable record'] });
      continue;
    }
    seen.add(sp.base);
    const dir = layout.physical(sp);
    if (!(await fs.lstat(dir).catch(() => undefined))) {
      out.push({ path: rec.path, status: 'missing', expected: rec.hash, problems: [] });
      continue;
    }
    try {
      const t = await processTree(dir, { normalise: false });
      const status: VerifyStatus = t.hash !== rec.hash ? 'modified' : t.deviations.length ? 'abnormal' : 'ok';
      out.push({ path: rec.path, status, expected: rec.hash, actual: t.hash, problems: t.deviations });
    } catch (e) {
      const msg = e instanceof TreeViolation ? e.message : (e as Error).message;
      out.push({ path: rec.path, status: 'modified', expected: rec.hash, problems: [msg] });
    }
  }
  for (const n of (await fs.readdir(layout.store).catch(() => [] as string[])).sort()) {
    if (STORE_ENTRY.test(n) && !seen.has(n)) out.push({ path: `${STORE_PREFIX}${n}`, status: 'unrecorded', problems: [] });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
