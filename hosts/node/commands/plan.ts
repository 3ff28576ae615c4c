/**
 * `ix plan PKG... [--target=T] [--host=T] [--k=v] [--json]`: prints each requested package's
 * store path (a hub prints its members' paths), or with --json the whole plan as the core's
 * canonical JSON bytes plus a newline.
 *
 * Must not depend on: the engine's code (types only).
 */
import { UsageError } from '../args';
import { only, planOf, planRequest, type Context } from '../context';

export async function runPlan(ctx: Context, verb = 'plan'): Promise<number> {
  // `ix plan` never touches the network: binary-cache options belong to ix build / ix mut.
  const cacheOpt = [...ctx.args.cache.keys()][0];
  if (cacheOpt !== undefined) throw new UsageError(`'ix ${verb}' does not take --${cacheOpt} (it never asks a binary cache; see ix build --dry-run)`);
  only(ctx, verb, ['json', 'target', 'host', 'dry-run']);
  if (!ctx.args.packages.length) throw new UsageError(`'ix ${verb}' needs at least one package, e.g. ix ${verb} bin/zstd`);
  const { bytes, plan } = await planOf(ctx, planRequest(ctx));
  if (ctx.args.json) {
    ctx.stdout(bytes);
    ctx.stdout('\n');
    return 0;
  }
  const lines: string[] = [];
  for (const r of plan.roots) {
    if (r.out) lines.push(r.out);
    else for (const m of r.members ?? []) lines.push(m);
  }
  ctx.stdout(lines.map((l) => l + '\n').join(''));
  return 0;
}
