/**
 * What every CLI command gets: one invocation (environment, cwd, output sinks, the terminal's
 * facts, the process's streams, all read from `process` by the entry files alone), the parsed
 * arguments, and lazy access to what an invocation computes at most once: the core's manifest,
 * the config files, the store, the plan memo's answers (so `ix --version` or a usage error never
 * loads the core, and the fast path's work is not done again by main.ts).
 *
 * Must not depend on: the engine's code (types only).
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { UsageError } from '../common';
import type { HostIO, Plan, PlanRequest, PlanWire } from '../../engine/api';
import { expandPlan } from '../../engine/plan/expand';
import { selection, type ParsedArgs } from './args';
import { cacheDir, diskCache, type DiskCache } from './cache';
import { loadCore, readManifest, type Core, type CoreManifest } from './core';
import { loadDigest } from './digest';
import { fsHostIO } from './io';
import { coreOutDir, defaultRecipes } from './paths';
import { lookupPlan, recordingIO, storePlan, type MemoSite } from './plan-memo';
import type { PlanSummary } from './plan-summary';

/** What the entry file knows of a terminal on an output stream. */
export interface Terminal {
  isTTY: boolean;
  columns?: number;
}

export interface Context {
  args: ParsedArgs;
  env: Record<string, string | undefined>;
  cwd: string;
  stdout(data: string | Uint8Array): void;
  stderr(data: string): void;
  /** stderr's terminal (absent: not a terminal, as in tests). */
  terminal?: Terminal;
  /** The process's streams, for verbs that speak a protocol on stdio (ix store serve, ix lsp). */
  stdio?: { stdin: Readable; stdout: Writable };
  /** Adds a handler of a signal the process gets; returns its removal (ix run forwards them). */
  onSignal?(signal: NodeJS.Signals, handler: () => void): () => void;
  /** What this invocation computed once (see `once`); shared by the fast path and main.ts. */
  memo?: Map<string, unknown>;
}

/** An invocation before its arguments are read. */
export type Invocation = Omit<Context, 'args'>;

/**
 * `make()` computed once per invocation under `key` (every time when the context has no memo,
 * as in a test's hand-made context). A throw is not remembered: the next caller throws again.
 */
export function once<T>(ctx: Pick<Context, 'memo'>, key: string, make: () => T): T {
  const m = ctx.memo;
  if (!m) return make();
  if (m.has(key)) return m.get(key) as T;
  const v = make();
  m.set(key, v);
  return v;
}

/** The built core's manifest, read once per invocation. */
export function manifestOf(ctx: Pick<Context, 'env' | 'memo'>): CoreManifest {
  return once(ctx, 'manifest', () => readManifest(ctx.env.IX_CORE_DIR ?? coreOutDir));
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
  return coreFor(ctx.env, manifestOf(ctx));
}

/** The one way a Node process (the CLI, `ix lsp`) loads the core: $IX_CORE_DIR or the built one. */
export function coreFor(env: Context['env'], manifest?: CoreManifest): Promise<Core> {
  return loadCore(env.IX_CORE_DIR ?? coreOutDir, { liftoffOnly: env.IX_WASM_TIERUP !== '1', ...(manifest ? { manifest } : {}) });
}

/** The on-disk cache the core's cache imports use, namespaced by the built core's hash. */
export function coreCacheFor(env: Context['env'], manifest = readManifest(env.IX_CORE_DIR ?? coreOutDir)): DiskCache {
  return diskCache(cacheDir(env), 'core-' + manifest.coreWasmBlake3.slice(0, 16));
}

function cacheOf(ctx: Context): DiskCache {
  return coreCacheFor(ctx.env, manifestOf(ctx));
}

/** The filesystem HostIO for this invocation, over the disk cache. */
export async function hostIO(ctx: Context): Promise<HostIO> {
  return fsHostIO(recipeRoots(ctx), { digest: await loadDigest(), cache: cacheOf(ctx) });
}

/** Where this invocation's plan memo lives (hosts/node/plan-memo.ts). */
export function memoSite(ctx: Context): MemoSite {
  return { cache: cacheOf(ctx), roots: recipeRoots(ctx) };
}

/** The plan memo's answer for `reqJson`, looked up once per invocation (the fast path's lookup included). */
export function memoLookup(ctx: Pick<Context, 'memo'>, site: MemoSite, reqJson: string): ReturnType<typeof lookupPlan> {
  return once(ctx, `plan-memo ${reqJson}`, () => lookupPlan(site, reqJson));
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
 * What `ix build --dry-run` decides from: the memo's summary of the plan when the memo answers
 * the request (the plan itself is not read), else the plan, planned as planOf does. A valid memo
 * entry whose summary is missing or unreadable gets it written again from its plan bytes.
 */
export async function planSummaryOf(ctx: Context, req: PlanRequest): Promise<PlanSummary> {
  const hit = await memoLookup(ctx, memoSite(ctx), JSON.stringify(req));
  const summary = hit?.summary();
  if (summary) return summary;
  const bytes = hit?.bytes();
  if (!hit || !bytes) return (await planOf(ctx, req)).plan;
  const plan = expandPlan(JSON.parse(new TextDecoder().decode(bytes)) as PlanWire);
  hit.putSummary(plan);
  return plan;
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
  const hit = await memoLookup(ctx, site, reqJson);
  const cached = hit?.bytes();
  if (cached) return { bytes: cached, plan: expandPlan(JSON.parse(new TextDecoder().decode(cached)) as PlanWire) };
  const [c, io] = await Promise.all([core(ctx), hostIO(ctx)]);
  const { io: recording, rec } = recordingIO(io);
  const started = Date.now();
  const bytes = c.plan(recording, req);
  const plan = expandPlan(JSON.parse(new TextDecoder().decode(bytes)) as PlanWire);
  storePlan(site, reqJson, bytes, plan, rec, started);
  ctx.memo?.delete(`plan-memo ${reqJson}`); // the next lookup of this request finds what was stored
  return { bytes, plan };
}
