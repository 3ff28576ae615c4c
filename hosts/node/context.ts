/**
 * What every CLI command gets: parsed arguments, output sinks, and lazy access to the core and
 * to the filesystem HostIO (so `ix --version` or a usage error never loads the core).
 *
 * Must not depend on: the engine's code (types only).
 */
import { resolve } from 'node:path';
import type { HostIO, Plan, PlanRequest } from '../../engine/api';
import { UsageError, selection, type ParsedArgs } from './args';
import { cacheDir, diskCache } from './cache';
import { loadCore, readManifest, type Core } from './core';
import { loadDigest } from './digest';
import { fsHostIO } from './io';
import { coreOutDir, defaultRecipes } from './paths';

export interface Context {
  args: ParsedArgs;
  env: Record<string, string | undefined>;
  cwd: string;
  stdout(data: string | Uint8Array): void;
  stderr(data: string): void;
}

/** Recipe roots, highest priority first: each --recipes DIR (relative to cwd), then pkgs/. */
export function recipeRoots(ctx: Context): string[] {
  return [...ctx.args.recipes.map((d) => resolve(ctx.cwd, d)), defaultRecipes];
}

/** The loaded core (once per process). */
export function core(ctx: Context): Promise<Core> {
  return loadCore(ctx.env.IX_CORE_DIR ?? coreOutDir);
}

/** The filesystem HostIO for this invocation. */
export async function hostIO(ctx: Context): Promise<HostIO> {
  const coreId = 'core-' + readManifest(ctx.env.IX_CORE_DIR ?? coreOutDir).coreWasmBlake3.slice(0, 16);
  return fsHostIO(recipeRoots(ctx), { digest: await loadDigest(), cache: diskCache(cacheDir(ctx.env), coreId) });
}

/** The plan request the arguments describe. */
export function planRequest(ctx: Context): PlanRequest {
  const sel = selection(ctx.args);
  const req: PlanRequest = { packages: sel.packages };
  if (Object.keys(sel.flags).length) req.flags = sel.flags;
  if (ctx.args.target !== undefined) req.target = ctx.args.target;
  if (ctx.args.host !== undefined) req.host = ctx.args.host;
  return req;
}

/** Plans through the core: canonical bytes and the parsed plan. */
export async function planOf(ctx: Context, req: PlanRequest): Promise<{ bytes: Uint8Array; plan: Plan }> {
  const [c, io] = await Promise.all([core(ctx), hostIO(ctx)]);
  const bytes = c.plan(io, req);
  return { bytes, plan: JSON.parse(new TextDecoder().decode(bytes)) as Plan };
}

/** Rejects CLI options a verb does not take. */
export function only(ctx: Context, verb: string, allowed: ('json' | 'format' | 'dry-run' | 'target' | 'host' | 'cache')[]): void {
  const a = ctx.args;
  // binary-cache options (issue 7): only for verbs that build
  const cacheOpt = [...a.cache.keys()][0];
  if (cacheOpt !== undefined && !allowed.includes('cache')) throw new UsageError(`'ix ${verb}' does not take --${cacheOpt}`);
  const used: [string, boolean][] = [
    ['json', a.json],
    ['format', a.format !== undefined],
    ['dry-run', a.dryRun],
    ['target', a.target !== undefined],
    ['host', a.host !== undefined],
  ];
  for (const [name, on] of used) {
    if (on && !allowed.includes(name as never)) throw new UsageError(`'ix ${verb}' does not take --${name}`);
  }
}
