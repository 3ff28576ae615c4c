/**
 * `ix plan PKG... [--target=T] [--host=T] [--k=v] [--json] [--keep-going]`: prints each requested
 * package's store path (a hub prints its members' paths), or with --json the whole plan as the
 * core's canonical JSON bytes plus a newline. With --keep-going each package plans or fails on its
 * own (one plan call, shared work: whole IX trees): the paths of those that plan are printed, each
 * failure is one stderr line naming file, line and package chain, and the exit code is 2 (bad
 * input) when any failed.
 *
 * Must not depend on: the engine's code (types only).
 */
import type { Plan } from '../../../engine/api';
import { UsageError } from '../args';
import { planOf, planRequest, type Context } from '../context';
import { rootPaths } from '../plan-view';

/** What `ix plan` prints: the plan bytes (--json), or each root's store path (a hub's members). */
export function printPlan(ctx: Context, bytes: Uint8Array, roots: Plan['roots']): void {
  if (ctx.args.json) {
    ctx.stdout(bytes);
    ctx.stdout('\n');
    return;
  }
  ctx.stdout(rootPaths({ roots } as Plan).map((l) => l + '\n').join(''));
}

export async function runPlan(ctx: Context, verb = 'plan'): Promise<number> {
  // `ix plan` never touches the network: binary-cache options are not in its table (options.ts).
  if (!ctx.args.packages.length) throw new UsageError(`'ix ${verb}' needs at least one package, e.g. ix ${verb} bin/zstd`);
  const req = planRequest(ctx);
  const keepGoing = verb === 'plan' && ctx.args.options.has('keep-going');
  if (keepGoing) req.keepGoing = true;
  const { bytes, plan } = await planOf(ctx, req);
  const failed = plan.roots.filter((r) => r.error !== undefined);
  printPlan(ctx, bytes, plan.roots);
  for (const r of failed) ctx.stderr(`ix: error: ${r.error}\n`);
  if (failed.length) ctx.stderr(`ix: ${failed.length} of ${plan.roots.length} packages failed to plan\n`);
  return failed.length ? 2 : 0;
}
