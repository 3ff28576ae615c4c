/**
 * `ix graph PKG... [--format=dot|json] [--target=T] [--k=v]`: the plan's dependency graph.
 * `--json` is the same as `--format=json`.
 *
 * Must not depend on: the engine's code (types only).
 */
import { UsageError } from '../../common';
import { planOf, planRequest, type Context } from '../context';
import { graphDot, graphJson } from '../plan-view';

export async function runGraph(ctx: Context): Promise<number> {
  const format = ctx.args.format ?? (ctx.args.json ? 'json' : 'dot');
  if (format !== 'dot' && format !== 'json') throw new UsageError(`unknown graph format '${format}' (dot or json)`);
  if (ctx.args.json && format !== 'json') throw new UsageError('--json conflicts with --format=dot');
  if (!ctx.args.packages.length) throw new UsageError("'ix graph' needs at least one package");
  const { plan } = await planOf(ctx, planRequest(ctx));
  ctx.stdout(format === 'json' ? graphJson(plan) + '\n' : graphDot(plan));
  return 0;
}
