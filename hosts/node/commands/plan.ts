/**
 * `ix plan PKG... [--target=T] [--host=T] [--k=v] [--json]`: prints each requested package's
 * store path (a hub prints its members' paths), or with --json the whole plan as the core's
 * canonical JSON bytes plus a newline.
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
  const { bytes, plan } = await planOf(ctx, planRequest(ctx));
  printPlan(ctx, bytes, plan.roots);
  return 0;
}
