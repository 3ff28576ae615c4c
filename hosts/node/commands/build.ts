/**
 * `ix build PKG... [--target=T] [--k=v] [--keep-going] [--check] [--jobs=N] [--timeout=S] [--json]
 *  [--substituters=URL,...] [--no-substitute] [--push-to=URL] [--secret-key=FILE]`:
 * plans through the core, runs the plan in the Linux sandbox (hosts/node/exec), substituting
 * from binary caches (hosts/node/subst) what they hold, and prints the store paths it built or
 * found. Only what the requested outputs need is realised (top-down: an output a cache holds
 * needs none of its build inputs). --dry-run (build-dry-run.ts) prints exactly that set. --check rebuilds
 * the requested packages and reports whether the output is bit-identical. --json turns the
 * progress into an "ix-events/1" stream on stdout (one JSON object per line).
 * Exit: 0 all built, 1 a node failed or a check differed, 2 bad input, 3 a host that cannot build.
 *
 * Must not depend on: the engine's code (types only).
 */
import type { Plan, PlanNode } from '../../../engine/api';
import { numberOption } from '../options';
import { once, planOf, planRequest, type Context, type Invocation } from '../context';
import type { PlanSummary } from '../plan-summary';
import { configReader } from './config';
import { rootPaths } from '../plan-view';
import { withHold } from '../gc';
import { execute, checkRebuild, jsonReporter, pickReporter, wantedOutputs, type FetchNode, type Reporter, type ExecuteResult } from '../exec';
import { recoverStore, Store } from '../store';
import { fetchSource, formatProgress } from '../fetch';
import { requireSandbox, sandboxRunner } from '../../linux-sandbox';
import { remoteBuilders, sandboxHere } from './remote';
import { cachesFor, cacheSettings, configFiles, urlList, type CacheOptions } from '../subst';
import { safeText, UsageError, resolveRoot } from '../../common';

/** Bounds of --jobs and --timeout (seconds: Node's timers hold at most 2**31 - 1 ms). */
export const MAX_JOBS = 4096;
export const MAX_TIMEOUT_S = 2_147_483;

/** The executor's options (options.ts: execution options, never part of a plan). */
export interface ExecArgs {
  keepGoing: boolean;
  check: boolean;
  jobs?: number;
  timeoutMs?: number;
  /** `--builders=SPECS` as given (undefined: the config file's "builders" decides). */
  builders?: string;
  /** Binary-cache options from the command line (hosts/node/subst/config.ts merges the config files). */
  cache: CacheOptions;
}

/** The binary-cache options of the command line (options.ts), checked (ConfigError: exit 2). */
export function cacheOptions(options: ReadonlyMap<string, string | readonly string[]>): CacheOptions {
  const get = (k: string): string | undefined => {
    const v = options.get(k);
    return typeof v === 'string' ? v : v?.at(-1);
  };
  const subst = get('substituters');
  const push = get('push-to');
  return {
    substituters: subst !== undefined ? urlList('--substituters', subst) : undefined,
    noSubstitute: options.has('no-substitute'),
    pushTo: push !== undefined ? urlList('--push-to', push) : undefined,
    secretKey: get('secret-key'),
  };
}

/** The executor's options among the verb's options (`options`: name -> value, '' for a switch). */
export function execArgs(options: ReadonlyMap<string, string | readonly string[]>): ExecArgs {
  const get = (k: string): string | undefined => {
    const v = options.get(k);
    return typeof v === 'string' ? v : v?.at(-1);
  };
  const on = (k: string) => options.has(k);
  // --jobs=0: build nothing here (remote builders only).
  const jobs = get('jobs') === undefined ? undefined : numberOption('jobs', get('jobs')!, { min: 0, max: MAX_JOBS, integer: true });
  // Node's timers hold at most 2**31 - 1 ms; a longer one would fire at once
  const t = get('timeout') === undefined ? undefined : numberOption('timeout', get('timeout')!, { min: 0, max: MAX_TIMEOUT_S, minExclusive: true });
  const b = get('builders');
  return {
    keepGoing: on('keep-going'), check: on('check'), jobs, timeoutMs: t !== undefined ? t * 1000 : undefined, cache: cacheOptions(options),
    ...(b !== undefined ? { builders: b } : {}),
  };
}

/** The executor's fetcher: the host's own downloader, progress into the node's log. */
export function fetcher(env: Record<string, string | undefined>): FetchNode {
  return async (node, tmpOut, log) => {
    const r = await fetchSource(node.fetch!, tmpOut, { name: node.name, env, onProgress: (p) => log(formatProgress(p)), onRetry: log });
    log(`fetched ${node.fetch!.file} from ${r.source}${r.url ? ` ${r.url}` : ''} (${r.bytes} bytes)`);
  };
}

/** The invocation's one Store object over its ix root (made once; nothing created or repaired yet). */
function storeObject(ctx: Invocation): Store {
  return once(ctx, 'store-object', () => new Store({ root: resolveRoot(ctx.env), onWait: (m) => ctx.stderr(`ix: ${m}\n`) }));
}

/**
 * The store of this invocation's ix root, ready to write: its directories made and what crashed
 * processes left cleaned (store/recover.ts), once; waits for other processes' locks are noted.
 */
export function storeFor(ctx: Invocation): Promise<Store> {
  return once(ctx, 'store', async () => {
    const store = storeObject(ctx);
    await store.init();
    await recoverStore(store.layout.root);
    return store;
  });
}

/**
 * The same store read-only, for what only looks (`ix build --dry-run`): the Store object storeFor
 * gives, before or after it is opened, but asking for it creates, repairs and locks nothing, so
 * a missing or read-only root answers "not built".
 */
export function storeView(ctx: Invocation): Pick<Store, 'isBuilt' | 'record' | 'layout'> {
  return storeObject(ctx);
}

/** Progress display: --json events on stdout, else a live display (terminal) or lines on stderr. */
export function reporterFor(ctx: Invocation, json: boolean): Reporter {
  if (json) return jsonReporter({ write: (s) => ctx.stdout(s) });
  // IX_PROGRESS=plain|live overrides the guess (a terminal on stderr and not CI means live).
  const live = ctx.env.IX_PROGRESS ? ctx.env.IX_PROGRESS === 'live' : ctx.terminal?.isTTY === true && !ctx.env.CI;
  return pickReporter({ write: (s) => ctx.stderr(s), isTTY: live, columns: ctx.terminal?.columns }, false);
}


/** True when a node with a command is not built yet (the sandbox is needed). */
async function someToRun(store: Store, plan: Plan): Promise<boolean> {
  for (const n of plan.nodes) if (n.cmd && !(await store.isBuilt(n.out))) return true;
  return false;
}

/**
 * What a build of `plan` must leave in the store: its roots and their declared runtime closure
 * (the executor realises only what they need); with `check`, the roots' inputs too, since
 * --check rebuilds the roots from them.
 */
export function wantedOf(plan: PlanSummary, check = false): string[] {
  const roots = rootPaths(plan);
  const wanted = wantedOutputs(plan.nodes, roots, plan.refTable);
  if (!check) return wanted;
  const byOut = new Map(plan.nodes.map((n) => [n.out, n]));
  return [...new Set([...wanted, ...roots.flatMap((r) => byOut.get(r)?.inputs ?? [])])].sort();
}

/** Runs a plan into the store (errors go to the CLI's one error path, hosts/node/errors.ts). */
export async function realisePlan(ctx: Context, plan: Plan, x: ExecArgs, reporter: Reporter): Promise<ExecuteResult> {
  try {
    const store = await storeFor(ctx);
    const remote = remoteBuilders(ctx, x, plan, store);
    if (x.jobs === 0 && !remote.length) throw new UsageError('--jobs=0 builds nothing here, and no builder is configured (--builders=ssh://host, or "builders" in the config file)');
    // Probe the sandbox (a bubblewrap start, ~0.1-0.3 s) only when some node has to be built:
    // a run that finds or downloads everything it needs starts nothing (a no-op `ix mut`, a
    // build from a binary cache). Without builders the executor says so once it has decided
    // what is needed (`prepare`), and a missing sandbox is then an error. With remote builders,
    // a machine that cannot build (macOS, no user namespaces) leaves every node to them (and
    // with --jobs=0 builds only if every builder fails, and only if it can).
    let here = true;
    if (remote.length && (await someToRun(store, plan))) here = sandboxHere(ctx);
    // Hold every path of the plan for the whole run, so a concurrent `ix gc` keeps the inputs of
    // nodes that have not started yet and the outputs already built, not only the running node.
    const held = [...new Set(plan.nodes.flatMap((n) => [n.out, ...n.inputs, ...n.runtime]))].sort();
    const caches = await cachesFor(store, cacheSettings(ctx.env, x.cache, ctx.cwd, configFiles(ctx.env), configReader(ctx)), (m) => ctx.stderr(`ix: ${safeText(m)}\n`));
    const r = await withHold(store.layout, held, 'ix build', () => execute(plan.nodes, {
      store, run: sandboxRunner(ctx.env), fetch: fetcher(ctx.env), keepGoing: x.keepGoing, cores: x.jobs || undefined, timeoutMs: x.timeoutMs, reporter,
      substituter: caches.substituter, push: caches.push, builders: remote, localSlots: here ? x.jobs : 0, fallbackHere: here, wanted: wantedOf(plan, x.check),
      prepare: (toBuild) => { if (!remote.length && toBuild.some((n) => n.cmd)) requireSandbox(ctx.env); },
    }, plan.host), (m) => ctx.stderr(`ix: ${safeText(m)}\n`));
    reporter.close();
    for (const f of r.pushFailures) ctx.stderr(`ix: push failed: ${safeText(f)}\n`);
    return r;
  } finally {
    reporter.close();
  }
}

/** `--check`: rebuild each requested node and compare with the store. */
async function checkRoots(ctx: Context, plan: Plan, x: ExecArgs, reporter: Reporter): Promise<boolean> {
  const store = await storeFor(ctx);
  const byOut = new Map<string, PlanNode>(plan.nodes.map((n) => [n.out, n]));
  let ok = true;
  for (const out of rootPaths(plan)) {
    const n = byOut.get(out);
    if (!n) continue;
    const r = await checkRebuild(n, store, sandboxRunner(ctx.env), { timeoutMs: x.timeoutMs, cores: x.jobs });
    ok &&= r.identical;
    reporter.emit({ event: 'check', id: n.id, name: n.name, out: n.out, ...r });
  }
  reporter.close();
  return ok;
}

/** A real build (`--dry-run` is build-dry-run.ts's runDryRun, which main.ts picks). */
export async function runBuild(ctx: Context): Promise<number> {
  const x = execArgs(ctx.args.options);
  if (!ctx.args.packages.length) throw new UsageError("'ix build' needs at least one package, e.g. ix build bin/zstd");
  const { plan } = await planOf(ctx, planRequest(ctx));
  const reporter = reporterFor(ctx, ctx.args.json);
  const r = await realisePlan(ctx, plan, x, reporter);
  if (!r.ok) {
    if (!ctx.args.json) ctx.stderr(`ix: build failed: ${safeText(r.failures.join('; ')) || 'nodes were skipped'}\n`);
    return 1;
  }
  if (r.pushFailures.length) return 1;
  let checked = true;
  if (x.check) checked = await checkRoots(ctx, plan, x, reporterFor(ctx, ctx.args.json));
  const paths = rootPaths(plan);
  if (ctx.args.json) ctx.stdout(`${JSON.stringify({ event: 'outputs', paths })}\n`);
  else ctx.stdout(paths.map((p) => `${p}\n`).join(''));
  return checked ? 0 : 1;
}
