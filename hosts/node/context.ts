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
import type { HostIO, Plan, PlanRequest, PlanRoots, PlanWire } from '../../engine/api';
import { expandPlan } from '../../engine/plan/expand';
import { selection, type ParsedArgs } from './args';
import { cacheDir, diskCache, holdWrites, type DiskCache } from './cache';
import { loadCore, readManifest, type Core, type CoreManifest } from './core';
import { loadDigest } from './digest';
import { fsHostIO } from './io';
import { coreOutDir, defaultRecipes } from './paths';
import { lookupPlan, memoRequest, recordingIO, storePlan, storeRoots, type MemoHit, type MemoSite, type Recording } from './plan-memo';
import { decodeSummary, encodeSummary, type PlanSummary } from './plan-summary';
import { scanPlan, type PlanScan } from './plan-scan';

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

/** The filesystem HostIO for this invocation, over the disk cache; each recipe file is read once (io.ts `snapshot`). */
export async function hostIO(ctx: Context): Promise<HostIO> {
  return fsHostIO(recipeRoots(ctx), { digest: await loadDigest(), cache: cacheOf(ctx), snapshot: true });
}

/** Where this invocation's plan memo lives (hosts/node/plan-memo.ts). */
export function memoSite(ctx: Context): MemoSite {
  return { cache: cacheOf(ctx), roots: recipeRoots(ctx) };
}

/**
 * The plan memo's answer for `req`, looked up once per invocation (the fast path's lookup
 * included): a memoised whole plan answers any request, one of roots only (`whole` false) only a
 * request with `output: "roots"`.
 */
export async function memoLookup(ctx: Pick<Context, 'memo'>, site: MemoSite, req: PlanRequest): Promise<MemoHit | undefined> {
  const reqJson = memoRequest(req);
  const hit = await once(ctx, `plan-memo ${reqJson}`, () => lookupPlan(site, reqJson));
  return hit && (hit.whole || req.output === 'roots') ? hit : undefined;
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

/** The plan in `bytes` (ix-plan/4) with its closures (engine/plan/expand.ts). */
const parsePlan = (bytes: Uint8Array): Plan => expandPlan(JSON.parse(new TextDecoder().decode(bytes)) as PlanWire);

/**
 * What `ix build --dry-run` decides from: the memo's summary of the plan when the memo answers
 * the request (the plan itself is not read), else the summary of the plan's bytes as planOf gets
 * them (plan-scan.ts reads only what a summary holds; the plan is parsed only if that fails). A
 * valid memo entry whose summary is missing or unreadable gets it written again from its bytes.
 */
export async function planSummaryOf(ctx: Context, req: PlanRequest): Promise<PlanSummary> {
  const hit = await memoLookup(ctx, memoSite(ctx), req);
  const summary = hit?.summary();
  if (summary) return summary;
  const cached = hit?.bytes();
  if (!hit || !cached) {
    const { answer, scan } = await plannedByCore(ctx, req);
    return (scan && summaryOfScan(scan)) || answer.plan;
  }
  const scan = scanPlan(cached);
  const fromScan = scan && summaryOfScan(scan);
  const source = fromScan ? scan! : parsePlan(cached);
  hit.putSummary(source);
  return fromScan || (source as Plan);
}

/** The summary of what plan-scan.ts read, as a memo entry's summary reads back (decodeSummary). */
function summaryOfScan(scan: PlanScan): PlanSummary | undefined {
  const encoded = encodeSummary(scan);
  return encoded && decodeSummary(encoded, scan.roots, scan.nodes.map((n) => n.out));
}

/** A plan answer: the canonical bytes, the roots, and the plan itself, parsed when first read. */
export interface PlanAnswer {
  bytes: Uint8Array;
  roots: Plan['roots'];
  /** The plan with its closures (engine/plan/expand.ts), parsed from `bytes` when first read. */
  readonly plan: Plan;
}

function planAnswer(bytes: Uint8Array, roots?: Plan['roots']): PlanAnswer {
  let plan: Plan | undefined = roots ? undefined : parsePlan(bytes);
  return {
    bytes,
    roots: roots ?? plan!.roots,
    get plan() {
      return (plan ??= parsePlan(bytes));
    },
  };
}

/**
 * Plans through the core: canonical bytes (ix-plan/4), the roots, and the plan with its closures
 * (computed when first read: a whole IX tree's plan is ~200 MB of bytes and several times that
 * as objects, which `ix plan` and the memo never need). A request whose memoised answer is still
 * valid (plan-memo.ts) is answered without loading the core; every other answer the core gives is
 * memoised from what plan-scan.ts reads of its bytes (from the plan itself if that fails).
 */
export async function planOf(ctx: Context, req: PlanRequest): Promise<PlanAnswer> {
  const whole: PlanRequest = { ...req };
  delete whole.output;
  const hit = await memoLookup(ctx, memoSite(ctx), whole);
  const cached = hit?.bytes();
  if (cached) return planAnswer(cached, hit!.roots);
  return (await plannedByCore(ctx, whole)).answer;
}

/**
 * The roots of the plan of `req` (whatever its `output`), as planOf would give them: from the
 * memo (a whole plan's entry or one of roots only), else from the core asked for roots only
 * (engine/api.ts PlanRoots: no node is written or passed over), memoised as a head alone.
 */
export async function planRootsOf(ctx: Context, req: PlanRequest): Promise<Plan['roots']> {
  const roots: PlanRequest = { ...req, output: 'roots' };
  const hit = await memoLookup(ctx, memoSite(ctx), roots);
  if (hit) return hit.roots;
  return byCore(ctx, roots, (bytes, m) => {
    const answer = JSON.parse(new TextDecoder().decode(bytes)) as PlanRoots;
    if (answer.format !== 'ix-plan-roots/1' || !Array.isArray(answer.roots)) throw new Error(`the core answered a request for roots with format ${String(answer.format)}`);
    storeRoots(m.site, m.reqJson, answer.roots, m.rec, m.startedMs);
    return answer.roots;
  });
}

/** The core's answer to `req`, memoised, with what plan-scan.ts read of it (undefined: it could not). */
function plannedByCore(ctx: Context, req: PlanRequest): Promise<{ answer: PlanAnswer; scan?: PlanScan }> {
  return byCore(ctx, req, (bytes, m) => {
    const scan = scanPlan(bytes);
    const answer = planAnswer(bytes, scan?.roots);
    storePlan(m.site, m.reqJson, bytes, scan ?? answer.plan, m.rec, m.startedMs);
    return scan ? { answer, scan } : { answer };
  });
}

/** Where a core answer is memoised and with what: the site, the request's key, what the call read and when. */
interface MemoWrite {
  site: MemoSite;
  reqJson: string;
  rec: Recording;
  startedMs: number;
}

/**
 * Plans `req` through the core with the call's reads recorded; `answer` turns the core's bytes
 * into the result and stores what it keeps of them in the memo (storePlan, storeRoots). The
 * invocation's remembered memo lookup of `req` is dropped, so the next one finds what was stored.
 */
async function byCore<T>(ctx: Context, req: PlanRequest, answer: (bytes: Uint8Array, memo: MemoWrite) => T): Promise<T> {
  const site = memoSite(ctx);
  const reqJson = memoRequest(req);
  const [c, io] = await Promise.all([core(ctx), hostIO(ctx)]);
  const { io: recording, rec } = recordingIO(io);
  const startedMs = Date.now();
  // the core's many small puts (descriptors, nodes, scripts) and the memo's are written in large appends
  const release = holdWrites();
  let result: T;
  try {
    result = answer(c.plan(recording, req), { site, reqJson, rec, startedMs });
  } finally {
    release();
  }
  ctx.memo?.delete(`plan-memo ${reqJson}`);
  return result;
}
