/**
 * `ix build --dry-run PKG...`: what `ix build` would do, changing nothing. stdout shows the
 * same view as `ix plan` (with --json the plan itself); stderr has one line per node a build
 * would need, decided top-down as the executor decides (exec/topdown.ts): present, downloaded
 * (from which cache, how many bytes) or built, then the totals (subst/index.ts dryRun).
 *
 * It reads only what it prints. Without --json the plan comes from the plan memo's summary
 * (ids, names, outputs, direct references: plan-summary.ts), not from the plan with its scripts
 * and build environments (~200 MB for a whole IX tree); only a memo miss plans. The store is the
 * invocation's one Store object (build.ts storeView), read-only: the record directory is listed
 * once, and only paths with a record are checked further, so a whole tree costs one directory
 * read, not one failed open per node. It asks the caches for records, never archives.
 * Refused exactly when the build would be: the same builder specs, trusted keys and push key.
 *
 * Must not depend on: the engine's code (types only), the executor's runner, the sandbox.
 */
import { readdirSync } from 'node:fs';
import { once, planOf, planRequest, planSummaryOf, type Context } from '../context';
import type { PlanSummary } from '../plan-summary';
import { rootPaths } from '../plan-view';
import type { Store } from '../store';
import { cacheSettings, configFiles, dryRun, secretKey, trustedKeys, type CacheSettings } from '../subst';
import { safeText, storePathId, UsageError } from '../../common';
import { wantedAt } from '../exec';
import { execArgs, storeView, wantedOf, type ExecArgs } from './build';
import { configReader } from './config';
import { builderSpecs } from './remote';

/** The binary-cache settings of this run (command line over the config files), read once. */
function settingsOf(ctx: Context, x: ExecArgs): CacheSettings {
  return once(ctx, 'cache-settings', () => cacheSettings(ctx.env, x.cache, ctx.cwd, configFiles(ctx.env), configReader(ctx)));
}

/**
 * What a real run checks before it starts: the builder specs, the trusted keys, the push
 * targets' secret key (read), so a dry run is refused exactly when the run would be.
 */
async function checkRunSettings(ctx: Context, x: ExecArgs): Promise<void> {
  const settings = settingsOf(ctx, x);
  builderSpecs(ctx, x);
  if (settings.substituters.length) trustedKeys(settings);
  if (settings.pushTo.length) await secretKey(settings);
}

/**
 * The store's presence answers for many paths of one moment: the record directory is listed at
 * the first question; a path whose record was not there is absent (`absentNow`, no waiting), any
 * other is asked of the store (record and directory). A root with no record directory has
 * nothing built; when the listing fails otherwise, every path is asked of the store.
 */
export function builtSnapshot(store: Pick<Store, 'isBuilt' | 'layout'>): { isBuilt(path: string): Promise<boolean>; absentNow(path: string): boolean } {
  let records: Set<string> | null | undefined;
  const absentNow = (path: string): boolean => {
    if (records === undefined) {
      try {
        records = new Set(readdirSync(store.layout.db));
      } catch (e) {
        records = (e as { code?: string }).code === 'ENOENT' ? new Set() : null;
      }
    }
    if (records === null) return false;
    const id = storePathId(path);
    return id !== undefined && (records.size === 0 || !records.has(`${id}.json`));
  };
  return { absentNow, isBuilt: async (path) => !absentNow(path) && store.isBuilt(path) };
}

/** `ix build --dry-run` (see the header). */
export async function runDryRun(ctx: Context): Promise<number> {
  const x = execArgs(ctx.args.options);
  if (!ctx.args.packages.length) throw new UsageError("'ix build' needs at least one package, e.g. ix build bin/zstd");
  const req = planRequest(ctx);
  let plan: PlanSummary;
  if (ctx.args.json) {
    const r = await planOf(ctx, req);
    plan = r.plan;
    await checkRunSettings(ctx, x);
    ctx.stdout(`${new TextDecoder().decode(r.bytes)}\n`);
  } else {
    plan = await planSummaryOf(ctx, req);
    await checkRunSettings(ctx, x);
  }
  // the roots' paths once (3,559 roots for a whole tree): printed here, walked from below
  const roots = rootPaths(plan);
  if (!ctx.args.json) ctx.stdout(roots.map((p) => `${p}\n`).join(''));
  const store = storeView(ctx);
  const lines: string[] = [];
  // positions straight from the summary's references where --check adds nothing (same nodes)
  const wanted = !x.check && plan.refTable ? wantedAt(plan.nodes, roots, plan.refTable) : wantedOf(plan, x.check);
  await dryRun(builtSnapshot(store), plan.nodes, wanted, settingsOf(ctx, x), (l) => lines.push(l), plan.refTable);
  // one write: a whole tree gives ~30,000 lines (safeText keeps newlines and works within lines)
  ctx.stderr(safeText(lines.length ? `${lines.join('\n')}\n` : ''));
  return 0;
}
