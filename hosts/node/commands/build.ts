/**
 * `ix build PKG... [--target=T] [--k=v] [--keep-going] [--check] [--jobs=N] [--timeout=S] [--json]
 *  [--substituters=URL,...] [--no-substitute] [--push-to=URL] [--secret-key=FILE]`:
 * plans through the core, runs the plan in the Linux sandbox (hosts/node/exec), substituting
 * from binary caches (hosts/node/subst) what they hold, and prints the store paths it built or
 * found. --dry-run says for each node whether it is there, would be downloaded (from which
 * cache, how many bytes) or built, and asks the caches but changes nothing. --check rebuilds
 * the requested packages and reports whether the output is bit-identical. --json turns the
 * progress into an "ix-events/1" stream on stdout (one JSON object per line).
 * Exit: 0 all built, 1 a node failed or a check differed, 2 bad input or a host that cannot build.
 *
 * Must not depend on: the engine's code (types and IxError only).
 */
import type { Plan, PlanNode } from '../../../engine/api';
import { IxError } from '../../../engine/errors';
import { UsageError, type ParsedArgs } from '../args';
import { only, planOf, planRequest, type Context } from '../context';
import { withHold } from '../gc';
import { execute, checkRebuild, jsonReporter, pickReporter, type FetchNode, type Reporter, type ExecuteResult } from '../exec';
import { openStore, resolveRoot, Store } from '../store';
import { fetchSource, formatProgress } from '../fetch';
import { requireSandbox, SandboxUnavailable } from '../../linux-sandbox/sandbox';
import { remoteBuilders, sandboxHere } from './remote';
import { cacheSettings, ConfigError, urlList, type CacheOptions } from '../subst/config';
import { cachesFor, dryRun } from '../subst';

/** Executor options written like flags (`--keep-going`); the CLI parser has no options for them yet. */
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

/** The binary-cache options of the command line (ParsedArgs.cache), checked. */
export function cacheOptions(a: ParsedArgs): CacheOptions {
  const c = a.cache;
  try {
    return {
      substituters: c.has('substituters') ? urlList('--substituters', c.get('substituters')!) : undefined,
      noSubstitute: c.has('no-substitute'),
      pushTo: c.has('push-to') ? urlList('--push-to', c.get('push-to')!) : undefined,
      secretKey: c.get('secret-key'),
    };
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
}

const EXEC_KEYS = ['keep-going', 'check', 'jobs', 'timeout', 'builders'];

/** Take the executor's options out of the parsed flags (global or attached to a package). */
export function takeExecArgs(a: ParsedArgs): ExecArgs {
  const found = new Map<string, string | null>();
  for (const m of [a.flags, ...a.packages.map((p) => p.flags)]) {
    for (const k of EXEC_KEYS) {
      if (m.has(k)) { found.set(k, m.get(k)!); m.delete(k); }
    }
  }
  const num = (k: string): number | undefined => {
    const v = found.get(k);
    if (v === undefined || v === null) return undefined;
    const n = Number(v);
    // --jobs=0: build nothing here (remote builders only).
    if (!(n > 0) && !(k === 'jobs' && v === '0')) throw new UsageError(`--${k} needs a positive number, got '${v}'`);
    return n;
  };
  const on = (k: string) => found.has(k) && found.get(k) !== null && found.get(k) !== '0';
  const t = num('timeout');
  const b = found.get('builders');
  return {
    keepGoing: on('keep-going'), check: on('check'), jobs: num('jobs'), timeoutMs: t !== undefined ? t * 1000 : undefined, cache: cacheOptions(a),
    ...(b !== undefined ? { builders: b === '1' ? '' : b ?? '' } : {}),
  };
}

/** The executor's fetcher: the host's own downloader, progress into the node's log. */
export function fetcher(env: Record<string, string | undefined>): FetchNode {
  return async (node, tmpOut, log) => {
    const r = await fetchSource(node.fetch!, tmpOut, { name: node.name, env, onProgress: (p) => log(formatProgress(p)), onRetry: log });
    log(`fetched ${node.fetch!.file} from ${r.source}${r.url ? ` ${r.url}` : ''} (${r.bytes} bytes)`);
  };
}

/** Open the store of this invocation's ix root, noting waits for other processes' locks. */
export function storeFor(ctx: Context): Promise<Store> {
  return openStore({ root: resolveRoot(ctx.env), onWait: (m) => ctx.stderr(`ix: ${m}\n`) });
}

/** Progress display: --json events on stdout, else a live display (terminal) or lines on stderr. */
export function reporterFor(ctx: Context, json: boolean): Reporter {
  if (json) return jsonReporter({ write: (s) => ctx.stdout(s) });
  // IX_PROGRESS=plain|live overrides the guess (a terminal on stderr and not CI means live).
  const live = ctx.env.IX_PROGRESS ? ctx.env.IX_PROGRESS === 'live' : !!process.stderr.isTTY && !ctx.env.CI;
  return pickReporter({ write: (s) => ctx.stderr(s), isTTY: live, columns: process.stderr.columns }, false);
}

/** Store paths of the plan's roots, in request order (a hub gives its members). */
export function rootPaths(plan: Plan): string[] {
  const out: string[] = [];
  for (const r of plan.roots) {
    if (r.out) out.push(r.out);
    else out.push(...(r.members ?? []));
  }
  return out;
}

/** Runs a plan into the store; sandbox and plan problems become one-line UsageErrors (exit 2). */
export async function realisePlan(ctx: Context, plan: Plan, x: ExecArgs, reporter: Reporter): Promise<ExecuteResult> {
  try {
    const store = await storeFor(ctx);
    const remote = remoteBuilders(ctx, x, plan, store);
    if (x.jobs === 0 && !remote.length) throw new UsageError('--jobs=0 builds nothing here, and no builder is configured (--builders=ssh://host, or "builders" in the config file)');
    // With remote builders and --jobs=0 this machine builds only if every builder fails, and only if it can.
    // With remote builders, a machine that cannot build (macOS, no user namespaces) leaves every
    // node to them; without, it is an error as before.
    let here = true;
    if (plan.nodes.some((n) => n.cmd)) {
      if (remote.length) here = sandboxHere();
      else requireSandbox();
    }
    // Hold every path of the plan for the whole run, so a concurrent `ix gc` keeps the inputs of
    // nodes that have not started yet and the outputs already built, not only the running node.
    const held = [...new Set(plan.nodes.flatMap((n) => [n.out, ...n.inputs, ...n.runtime]))].sort();
    const caches = await cachesFor(store, cacheSettings(ctx.env, x.cache, ctx.cwd), (m) => ctx.stderr(`ix: ${m}\n`));
    const r = await withHold(store.layout, held, 'ix build', () => execute(plan.nodes, {
      store, fetch: fetcher(ctx.env), keepGoing: x.keepGoing, cores: x.jobs || undefined, timeoutMs: x.timeoutMs, reporter,
      substituter: caches.substituter, push: caches.push, builders: remote, localSlots: here ? x.jobs : 0, fallbackHere: here,
    }, plan.host), (m) => ctx.stderr(`ix: ${m}\n`));
    reporter.close();
    for (const f of r.pushFailures) ctx.stderr(`ix: push failed: ${f}\n`);
    return r;
  } catch (e) {
    if (e instanceof IxError || e instanceof SandboxUnavailable || e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
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
    const r = await checkRebuild(n, store, { timeoutMs: x.timeoutMs, cores: x.jobs });
    ok &&= r.identical;
    reporter.emit({ event: 'check', id: n.id, name: n.name, out: n.out, ...r });
  }
  reporter.close();
  return ok;
}

export async function runBuild(ctx: Context): Promise<number> {
  only(ctx, 'build', ['json', 'target', 'host', 'dry-run', 'cache']);
  const x = takeExecArgs(ctx.args);
  if (!ctx.args.packages.length) throw new UsageError("'ix build' needs at least one package, e.g. ix build bin/zstd");
  const { bytes, plan } = await planOf(ctx, planRequest(ctx));
  if (ctx.args.dryRun) {
    // stdout: the same view as `ix plan`; stderr: what a build would do with each node.
    if (ctx.args.json) ctx.stdout(`${new TextDecoder().decode(bytes)}\n`);
    else ctx.stdout(rootPaths(plan).map((p) => `${p}\n`).join(''));
    try {
      const store = new Store({ root: resolveRoot(ctx.env), onWait: (m) => ctx.stderr(`ix: ${m}\n`) });
      await dryRun(store, plan.nodes, cacheSettings(ctx.env, x.cache, ctx.cwd), (l) => ctx.stderr(`${l}\n`));
    } catch (e) {
      if (e instanceof ConfigError) throw new UsageError(e.message);
      throw e;
    }
    return 0;
  }
  const reporter = reporterFor(ctx, ctx.args.json);
  const r = await realisePlan(ctx, plan, x, reporter);
  if (!r.ok) {
    if (!ctx.args.json) ctx.stderr(`ix: build failed: ${r.failures.join('; ') || 'nodes were skipped'}\n`);
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
