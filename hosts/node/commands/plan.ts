/**
 * `ix plan PKG... [--target=T] [--host=T] [--k=v] [--json]`: prints each requested package's
 * store path (a hub prints its members' paths), or with --json the whole plan as the core's
 * canonical JSON bytes plus a newline.
 *
 * Must not depend on: the engine's code (types only).
 */
import { UsageError } from '../args';
import { planOf, planRequest, type Context } from '../context';
import { rootPaths } from '../plan-view';

export async function runPlan(ctx: Context, verb = 'plan'): Promise<number> {
  if (!ctx.args.packages.length) throw new UsageError(`'ix ${verb}' needs at least one package, e.g. ix ${verb} bin/zstd`);
  const { bytes, plan } = await planOf(ctx, planRequest(ctx));
  if (ctx.args.json) {
    ctx.stdout(bytes);
    ctx.stdout('\n');
    return 0;
  }
  ctx.stdout(rootPaths(plan).map((l) => l + '\n').join(''));
  return 0;
}
