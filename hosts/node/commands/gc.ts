/**
 * `ix gc [--dry-run] [--keep-generations=N] [--json]`: delete every store path that no root keeps
 * (realm generations, explicit roots, running builds; see hosts/node/gc) and report the
 * bytes freed (disk usage: st_blocks * 512). --dry-run only lists them, with the same byte
 * count. --keep-generations=N first drops all but the newest N generations of every realm. It
 * then compacts the plan cache (hosts/node/cache-compact.ts; not with --dry-run).
 *
 * Must not depend on: the engine's code.
 */
import { UsageError } from '../../common';
import type { Invocation } from '../context';
import { storeFor } from './build';
import { noEdits } from './mut';
import { collectGarbage } from '../gc';
import { numberOption } from '../options';
import { cacheDir } from '../cache';
import { compactCache, type CompactReport } from '../cache-compact';
import type { RealmArgs } from './realm-grammar';

export async function runGc(a: RealmArgs, base: Invocation): Promise<number> {
  noEdits('gc', a);
  if (a.realms.length) throw new UsageError(`'ix gc' takes no realm name (got '${a.realms[0]}')`);
  let keep: number | undefined;
  if (a.options.has('keep-generations')) {
    keep = numberOption('keep-generations', String(a.options.get('keep-generations')), { min: 1, max: 1_000_000, integer: true });
  }
  const dryRun = a.options.has('dry-run');
  const store = await storeFor(base);
  const r = await collectGarbage(store.layout, { dryRun, keepGenerations: keep, onWait: (m) => base.stderr(`ix: ${m}\n`) });
  // the plan cache's packs of finished processes are merged into one (hosts/node/cache-compact.ts)
  let c: CompactReport | undefined;
  try {
    if (!dryRun) c = compactCache(cacheDir(base.env));
  } catch (e) {
    base.stderr(`ix: gc: plan cache ${cacheDir(base.env)} not compacted: ${(e as Error).message}\n`);
  }
  if (a.options.has('json')) {
    base.stdout(`${JSON.stringify(c ? { ...r, cache: c } : r)}\n`);
    return 0;
  }
  for (const g of r.generations) base.stdout(`${dryRun ? 'would drop' : 'dropped'} realm ${g.realm} generation ${g.generation}\n`);
  for (const p of r.paths) base.stdout(`${dryRun ? 'would delete' : 'deleted'} ${p.path} (${p.bytes} bytes)\n`);
  for (const p of r.busy) base.stderr(`ix: gc: skipped ${p}: in use by another process\n`);
  base.stdout(`${r.paths.length} store paths, ${r.bytes} bytes ${dryRun ? 'would be freed' : 'freed'}\n`);
  if (c) base.stdout(`plan cache: ${c.filesBefore} files, ${c.bytesBefore} bytes -> ${c.filesAfter} files, ${c.bytesAfter} bytes (${c.packsMerged} packs merged, ${c.entries} entries kept, ${c.busy} in use)\n`);
  return 0;
}
