/**
 * What every CLI command gets: parsed arguments, output sinks, and lazy access to the core and
 * to the filesystem HostIO (so `ix --version` or a usage error never loads the core).
 *
 * Must not depend on: the engine's code (types only).
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { HostIO, Plan, PlanRequest, PlanWire } from '../../engine/api';
import { expandPlan } from '../../engine/plan/expand';
import { selection, UsageError, type ParsedArgs } from './args';
import { cacheDir, diskCache, type DiskCache } from './cache';
import { loadCore, readManifest, type Core } from './core';
import { loadDigest } from './digest';
import { fsHostIO } from './io';
import { coreOutDir, defaultRecipes } from './paths';
import { lookupPlan, recordingIO, storePlan, type MemoSite } from './plan-memo';

export interface Context {
  args: ParsedArgs;
  env: Record<string, string | undefined>;
  cwd: string;
  stdout(data: string | Uint8Array): void;
  stderr(data: string): void;
}

/**
 * Recipe roots, highest priority first: each --recipes DIR (relative to cwd), then pkgs/.
 * A DIR that is missing or not a directory is a UsageError: ignoring it would plan the stock
 * recipe of the same name instead of the user's.
 */
export function recipeRoots(ctx: Context): string[] {
  const dirs = ctx.args.recipes.map((d) => {
    const abs = resolve(ctx.cwd, d);
    let st;
    try {
      st = statSync(abs, { throwIfNoEntry: false });
    } catch (e) {
      throw new UsageError(`--recipes=${d}: cannot read it (${(e as { code?: string }).code ?? 'error'})`);
    }
    if (!st) throw new UsageError(`--recipes=${d}: no such directory`);
    if (!st.isDirectory()) throw new UsageError(`--recipes=${d}: not a directory`);
    return abs;
  });
  return [...dirs, defaultRecipes];
}

/**
 * The loaded core (once per process), on V8's baseline tier only (see LoadOptions) unless
 * IX_WASM_TIERUP=1. Letting V8 tier the core up saves ~23% CPU on a 10,000-node synthetic plan
 * (BENCHMARKS.md), but on a real IX tree a plan that renders every recipe overflows the native
 * stack with tier-up ("Maximum call stack size exceeded" from the QuickJS interpreter's frames,
 * exit 70) and passes with the baseline tier, so the CLI no longer tiers up on its own (it did when
 * the request's last plan had 2,000 nodes or more: an edit of a `die/` template then broke every
 * later plan of the tree; BENCHMARKS.md "Whole-IX-tree speed").
 */
export function core(ctx: Context): Promise<Core> {
  return coreFor(ctx.env);
}

/** The one way a Node process (the CLI, `ix lsp`) loads the core: $IX_CORE_DIR or the built one. */
export function coreFor(env: Context['env']): Promise<Core> {
  return loadCore(env.IX_CORE_DIR ?? coreOutDir, { liftoffOnly: env.IX_WASM_TIERUP !== '1' });
}

/** The on-disk cache the core's cache imports use, namespaced by the built core's hash. */
export function coreCacheFor(env: Context['env']): DiskCache {
  const coreId = 'core-' + readManifest(env.IX_CORE_DIR ?? coreOutDir).coreWasmBlake3.slice(0, 16);
  return diskCache(cacheDir(env), coreId);
}

function cacheOf(ctx: Context): DiskCache {
  return coreCacheFor(ctx.env);
}

/** The filesystem HostIO for this invocation, over the disk cache. */
export async function hostIO(ctx: Context): Promise<HostIO> {
  return fsHostIO(recipeRoots(ctx), { digest: await loadDigest(), cache: cacheOf(ctx) });
}

/** Where this invocation's plan memo lives (hosts/node/plan-memo.ts). */
export function memoSite(ctx: Context): MemoSite {
  return { cache: cacheOf(ctx), roots: recipeRoots(ctx) };
}

/** The plan request the arguments describe. */
export function planRequest(ctx: Context): PlanRequest {
  const sel = selection(ctx.args);
  const req: PlanRequest = { packages: sel.packages };
  if (Object.keys(sel.flags).length) req.flags = sel.flags;
  if (ctx.args.target !== undefined) req.target = ctx.args.target;
  if (ctx.args.host !== undefined) req.host = ctx.args.host;
  const boot = bootOf(ctx);
  if (boot !== undefined) req.boot = boot;
  return req;
}

/**
 * `--boot=FILE`: the build host as IX's bootstrap recipes see it (engine/eval/boot-env.ts: `path`,
 * `tools`, `extract`, `files`, `ix_dir`), a JSON object read from FILE (relative to cwd); the
 * engine checks its fields. Never detected: without the option the fixed defaults hold.
 */
export function bootOf(ctx: Context): PlanRequest['boot'] {
  const file = ctx.args.options.get('boot')?.at(-1);
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(resolve(ctx.cwd, file), 'utf8');
  } catch (e) {
    throw new UsageError(`--boot=${file}: cannot read it (${(e as { code?: string }).code ?? 'error'})`);
  }
  try {
    return JSON.parse(text) as PlanRequest['boot'];
  } catch {
    throw new UsageError(`--boot=${file}: not JSON (expected an object such as {"path": "/usr/bin:/bin", "tools": {"gcc": "/usr/bin/gcc"}})`);
  }
}

/**
 * Plans through the core: canonical bytes (ix-plan/4) and the plan with its closures
 * (engine/plan/expand.ts, computed when first read). A request whose memoised answer
 * is still valid (plan-memo.ts) is answered without loading the core; every other answer the core
 * gives is memoised.
 */
export async function planOf(ctx: Context, req: PlanRequest): Promise<{ bytes: Uint8Array; plan: Plan }> {
  const site = memoSite(ctx);
  const reqJson = JSON.stringify(req);
  const hit = await lookupPlan(site, reqJson);
  const cached = hit?.bytes();
  if (cached) return { bytes: cached, plan: expandPlan(JSON.parse(new TextDecoder().decode(cached)) as PlanWire) };
  const [c, io] = await Promise.all([core(ctx), hostIO(ctx)]);
  const { io: recording, rec } = recordingIO(io);
  const started = Date.now();
  const bytes = c.plan(recording, req);
  const plan = expandPlan(JSON.parse(new TextDecoder().decode(bytes)) as PlanWire);
  storePlan(site, reqJson, bytes, plan, rec, started);
  return { bytes, plan };
}
