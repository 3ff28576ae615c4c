/**
 * The CLI's side of remote builders: `--builders=` (or the config file's "builders") turned into the
 * executor's remote Builders for one plan, and whether this machine can build at all (with
 * `--jobs=0` it builds only when every builder has failed, and only if its sandbox works).
 *
 * Must not depend on: the engine's code (types only).
 */
import type { Plan } from '../../../engine/api';
import type { Context } from '../context';
import { configReader } from './config';
import type { Builder } from '../exec';
import { RemoteBuilder, resolveBuilders } from '../remote';
import type { Store } from '../store';
import { requireSandbox } from '../../linux-sandbox';
import { builderSettings, configFiles } from '../subst';

/** The builder specs of this run (--builders, else the config file), checked: UsageError when bad. */
export function builderSpecs(ctx: Pick<Context, 'env' | 'memo'>, x: { builders?: string }): ReturnType<typeof resolveBuilders> {
  return resolveBuilders(x.builders, x.builders === undefined ? builderSettings(ctx.env, configFiles(ctx.env), configReader(ctx)) : undefined);
}

export function remoteBuilders(ctx: Context, x: { builders?: string; timeoutMs?: number }, plan: Plan, store: Store): Builder[] {
  const specs = builderSpecs(ctx, x);
  if (!specs.length) return [];
  const paths = [...new Set(plan.nodes.flatMap((n) => [n.out, ...n.inputs]))].sort();
  return specs.map((s) => new RemoteBuilder(s, { store, paths, env: ctx.env, timeoutMs: x.timeoutMs }));
}

/** True when this machine's sandbox works for the invocation (probed once). */
export function sandboxHere(ctx: Pick<Context, 'env'>): boolean {
  try {
    requireSandbox(ctx.env);
    return true;
  } catch {
    return false;
  }
}
