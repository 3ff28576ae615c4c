/**
 * The executor: runs a plan's nodes into the store, top-down (topdown.ts). First it decides,
 * from the wanted outputs down, which nodes are needed: a node already in the store or held by
 * a binary cache (`substituter`; asked in waves, a bounded number at once) needs only its
 * runtime references, a node to build needs its inputs; the rest of the plan is not needed and
 * never runs. Then, in critical-path order within the pools (scheduler.ts): a download ("subst"
 * pool) goes under the output lock into a pending output that commits only when its tree hash
 * is the one the signed record names; a build, under the output lock (fetch nodes through the
 * fetcher, command nodes with the Runner the caller hands in), into a pending output with a log file, committed
 * (the store normalises and checks the output) or aborted. A download refused or broken
 * halfway (one line says why) turns its node into a build: its inputs are decided the same way
 * and brought in, while other downloads go on. A failure reports the log's last lines and the
 * command that reproduces the node. With `push`, every path built here is uploaded as soon as
 * it is committed (beside the builds; the run waits for uploads).
 * When the store, a lock or the machine fails around a node (not its build), execute() throws
 * that cause after the run.
 *
 * Must not depend on: the CLI, the terminal (output goes through a Reporter), the planner.
 */
import { availableParallelism } from 'node:os';
import type { PlanNode } from '../../../engine/api';
import type { PendingOutput, Store } from '../store';
import { buildGraph } from './graph';
import { schedule, type Outcome, type Task } from './scheduler';
import { TopDown, type Decision } from './topdown';
import { openLog, reproduceCommand, tailFile, type NodeLog } from './logs';
import { formatBytes, type ExecEvent, type NodeStatus, type Reporter } from './events';
import { checkPlanRunnable } from './preflight';
import { DiskFullError, diskWatch } from './disk-full';
import { builderPool, buildIO, emptyPending, type Builder } from './builders';
import { isEnvironmentFailure, safeText, type Runner } from '../../common';

/** What the executor needs of the store (hosts/node/store Store satisfies it). */
export type ExecStore = Pick<Store, 'layout' | 'isBuilt' | 'realise'>;

/** Performs a fetch node: puts node.fetch.file into `tmpOut` (verified by sha256). */
export type FetchNode = (node: PlanNode, tmpOut: string, log: (line: string) => void, signal: AbortSignal) => Promise<void>;

/** A cache that offers a node's output: found by Substituter.lookup, used by Substituter.fetch. */
export interface SubstituteHit {
  /** The cache's URL (for messages, events and the log). */
  cache: string;
  /** Size of the compressed archive to download. */
  bytes: number;
  /** The store paths the output refers to (its record's references; absent: the node's runtime). */
  refs?: string[];
}

export interface SubstituteHooks {
  /** A cache's copy was refused: one line naming the cache, the path and the reason. */
  onRefused(line: string): void;
  /** Bytes downloaded so far (of `total`, when known). */
  onProgress(bytes: number, total?: number): void;
  signal: AbortSignal;
}

/** Binary caches as the executor sees them (hosts/node/subst implements it over hosts/node/cache). */
export interface Substituter {
  /**
   * The first cache (in priority order) with a trusted record for node.out; no download. The
   * record's references need not be in the store yet: they are realised before `fetch`.
   */
  lookup(node: Pick<PlanNode, 'id' | 'out' | 'name' | 'inputs' | 'runtime' | 'fixed'>, hooks: SubstituteHooks): Promise<SubstituteHit | undefined>;
  /**
   * Download, verify and unpack node.out from `hit` into `o.tmpOut`. Resolves to the tree hash
   * the signed record names (the store's commit checks it), or undefined when refused.
   */
  fetch(node: PlanNode, hit: SubstituteHit, o: PendingOutput, hooks: SubstituteHooks): Promise<{ cache: string; bytes: number; expectHash: string } | undefined>;
}

/** Uploads a path built by this run; one entry per target cache, `error` when that upload failed. */
export type Pusher = (node: PlanNode) => Promise<{ cache: string; error?: string }[]>;

export interface ExecuteOptions {
  store: ExecStore;
  fetch?: FetchNode;
  /** Cores to use (cpu slots and make_thrs); default: all. */
  cores?: number;
  /** Parallel downloads; default 4. */
  netSlots?: number;
  keepGoing?: boolean;
  /** Per-node timeout in ms (0 = none); default run-node's. */
  timeoutMs?: number;
  reporter?: Reporter;
  /** Lines of the log shown with a failure; default 20. */
  tailLines?: number;
  /**
   * Runs command nodes here (the command line hands in the host's: hosts/linux-sandbox's on
   * Linux; tests hand in fakes). None: a command node to build here fails with one line.
   */
  run?: Runner;
  /**
   * Remote builders (builders.ts): command nodes then go to a pool of them plus this machine
   * with `localSlots` slots (default `cores`; 0 builds here only when every builder has failed).
   */
  builders?: Builder[];
  localSlots?: number;
  /** With localSlots 0: build here when every remote builder has failed (default true). */
  fallbackHere?: boolean;
  /** Binary caches to try before building a node (none: build everything). */
  substituter?: Substituter;
  /**
   * Outputs the run must leave in the store (default: every node's). Only what they need is
   * realised: see topdown.ts.
   */
  wanted?: string[];
  /** Cache lookups in flight at once while deciding what is needed; default 16. */
  lookups?: number;
  /**
   * Called once what is needed is decided, before anything runs, with the nodes to build (a
   * throw stops the run: e.g. no sandbox here although something must be built).
   */
  prepare?(toBuild: PlanNode[]): void | Promise<void>;
  /** Parallel downloads from caches; default 4. */
  substSlots?: number;
  /** Upload each path built here (`--push-to`). */
  push?: Pusher;
}

export interface ExecuteResult {
  ok: boolean;
  status: Map<string, RunStatus>;
  /** One line per failed node: "bin/x: exit code 2". */
  failures: string[];
  /** One line per failed upload (`push`): the build itself may still be ok. */
  pushFailures: string[];
}

/** Statuses of a run's nodes: a node the wanted outputs did not need is `unneeded` (no event). */
export type RunStatus = NodeStatus | 'unneeded';

/** The first line of an error's message. */
function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

export async function execute(nodes: PlanNode[], opts: ExecuteOptions, host?: string): Promise<ExecuteResult> {
  checkPlanRunnable(nodes, host);
  const t0 = performance.now();
  const store = opts.store;
  const layout = store.layout;
  const cores = opts.cores ?? availableParallelism();
  const emit = (e: ExecEvent) => opts.reporter?.emit(e);
  const run = opts.run;
  const status = new Map<string, RunStatus>();
  const failures: string[] = [];
  const pushFailures: string[] = [];
  const abort = new AbortController();
  const uploads: Promise<void>[] = [];


  // Command nodes go to a pool of builders when remote ones are given (builders.ts); else here.
  const pool = opts.builders?.length ? builderPool(opts, cores, host ?? 'linux-x86_64', (n, o, log) => runHere(n, o, log), emit) : undefined;
  const expectHash = new Map<string, string>();

  const failed = (n: PlanNode, reason: string, log?: NodeLog, ms?: number): Outcome => {
    failures.push(`${n.name}: ${reason}`);
    const tail = log ? tailFile(log.path, opts.tailLines ?? 20) : undefined;
    log?.write(`\n# ix: ${reason}\n`);
    log?.close();
    emit({
      event: 'done', id: n.id, name: n.name, out: n.out, status: 'failed', ms, reason, log: log?.path, tail,
      reproduce: n.cmd ? reproduceCommand(layout.logs, n.id, layout.root) : undefined,
    });
    return 'failed';
  };

  /** Makes n's output into `o` (a builder of the pool, the fetcher or the runner); why not, or undefined. */
  const make = async (n: PlanNode, o: PendingOutput, log: NodeLog): Promise<string | undefined> => {
    if (pool && !n.fetch && !n.net) { // network nodes build here: builders refuse them (remote/serve.ts)
      const r = await pool.build(n, o, buildIO(n, log, abort.signal, emit), () => emptyPending(o));
      if (r.ok && r.expectHash) expectHash.set(n.id, r.expectHash);
      return r.ok ? undefined : r.reason ?? 'failed';
    }
    return runHere(n, o, log);
  };

  const runHere = async (n: PlanNode, o: PendingOutput, log: NodeLog): Promise<string | undefined> => {
    if (n.fetch) {
      if (!opts.fetch) return 'no fetcher configured for fetch nodes';
      await opts.fetch(n, o.tmpOut, (line) => {
        log.write(`${line}\n`);
        emit({ event: 'step', id: n.id, name: n.name, line });
      }, abort.signal);
      return undefined;
    }
    if (!run) return 'no runner for command nodes on this host';
    let lastStep = '';
    const disk = diskWatch(layout.root);
    const r = await run(n, {
      layout, outDir: o.tmpOut, tmpDir: o.tmpBuild, cores, timeoutMs: opts.timeoutMs, signal: abort.signal,
      output: (c) => {
        disk.watch(c);
        log.write(c);
        const line = log.lastLine();
        if (line !== lastStep) { lastStep = line; emit({ event: 'step', id: n.id, name: n.name, line }); }
      },
    });
    // the machine's trouble, not the node's: rethrown after the run (see `rejections`), exit 3
    if (!r.ok && disk.full) throw new DiskFullError(layout.root, n.name, r.reason ?? 'failed');
    return r.ok ? undefined : r.reason ?? 'failed';
  };

  /** Step one: n is in the store already (say so). */
  const present = (n: PlanNode): Outcome => {
    emit({ event: 'done', id: n.id, name: n.name, out: n.out, status: 'cached' });
    return 'cached';
  };

  const hooksFor = (n: PlanNode, log?: NodeLog) => {
    const t = performance.now();
    let shown = 0;
    return {
      signal: abort.signal,
      onRefused: (line: string) => {
        log?.write(`# ix: ${safeText(line)}\n`);
        emit({ event: 'refused', id: n.id, name: n.name, out: n.out, line });
      },
      onProgress: (bytes: number, total?: number) => {
        const now = performance.now();
        if (now - shown < 250) return; // a step line at most 4 times a second
        shown = now;
        const of = total ? ` of ${formatBytes(total)}` : '';
        const rate = now > t ? ` at ${formatBytes(Math.round((bytes * 1000) / (now - t)))}/s` : '';
        emit({ event: 'step', id: n.id, name: n.name, line: `downloading ${formatBytes(bytes)}${of}${rate}` });
      },
    };
  };

  /** Step two, in the "subst" pool: realise n from the cache that offered it, or undefined to build it. */
  const substitute = async (n: PlanNode): Promise<Outcome | undefined> => {
    const d = td.decided.get(n.id);
    if (d?.mode !== 'download') return (await store.isBuilt(n.out)) ? present(n) : undefined;
    const hit = d.hit;
    let t = 0;
    let log: NodeLog | undefined;
    let got: { cache: string; bytes: number; expectHash: string } | undefined;
    try {
      const how = await store.realise(n, async (o) => {
        got = await opts.substituter!.fetch(n, hit, o, hooksFor(n, log));
        return got ? { expectHash: got.expectHash } : { failed: 'refused' };
      }, {
        start: () => {
          t = performance.now();
          log = openLog(layout.logs, n);
          emit({ event: 'start', id: n.id, name: n.name, out: n.out, pool: 'subst', log: log.path });
        },
      });
      if (how === 'present') return present(n);
      if (how !== 'built' || !got) {
        log?.close();
        return undefined;
      }
    } catch (e) {
      if (!log) throw e; // the store or its lock failed, not this cache's copy (see `rejected`)
      const line = `cache ${hit.cache}: ${n.out}: ${oneLine(e)}`;
      log?.write(`# ix: ${safeText(line)}\n`);
      log?.close();
      emit({ event: 'refused', id: n.id, name: n.name, out: n.out, line });
      return undefined;
    }
    log!.write(`# ix: substituted from ${got.cache} (${got.bytes} bytes downloaded, tree hash ${got.expectHash} verified); built elsewhere, so there is no build log here\n`);
    log!.close();
    emit({ event: 'done', id: n.id, name: n.name, out: n.out, status: 'substituted', ms: Math.round(performance.now() - t), log: log!.path, cache: got.cache, bytes: got.bytes });
    return 'substituted';
  };

  const pushBuilt = (n: PlanNode) => {
    uploads.push(opts.push!(n).then((rs) => {
      for (const r of rs) {
        if (r.error) pushFailures.push(`${n.out} to ${r.cache}: ${r.error}`);
        emit({ event: 'pushed', name: n.name, out: n.out, cache: r.cache, ...(r.error ? { error: r.error } : {}) });
      }
    }, (e) => {
      pushFailures.push(`${n.out}: ${oneLine(e)}`);
      emit({ event: 'pushed', name: n.name, out: n.out, cache: '?', error: oneLine(e) });
    }));
  };

  /** Step three, in the node's pool: build n under its lock into a pending output, with a log. */
  const build = async (n: PlanNode): Promise<Outcome> => {
    let t = 0;
    let log: NodeLog | undefined;
    const ms = () => Math.round(performance.now() - t);
    try {
      const how = await store.realise(n, async (o) => {
        const why = await make(n, o, log!);
        if (log!.error !== undefined) throw log!.error;
        if (why !== undefined) return { failed: why };
        // the commit throws a one-line OutputCheckError when the output breaks a store rule
        return { expectHash: expectHash.get(n.id) };
      }, {
        start: () => {
          t = performance.now();
          log = openLog(layout.logs, n);
          emit({ event: 'start', id: n.id, name: n.name, out: n.out, pool: n.pool, log: log.path });
        },
      });
      if (how === 'present') return present(n);
      if (how !== 'built') return failed(n, how.failed, log, ms());
    } catch (e) {
      if (!log) throw e; // the store or its lock failed around the node (see `rejected`)
      if (isEnvironmentFailure(e)) {
        log?.close();
        throw e; // disk full, read-only store, missing tool: not this node's fault (see `rejected`)
      }
      return failed(n, e instanceof Error ? e.message : String(e), log, ms());
    }
    log!.close();
    emit({ event: 'done', id: n.id, name: n.name, out: n.out, status: 'built', ms: ms(), log: log!.path });
    if (opts.push) pushBuilt(n);
    return 'built';
  };

  // Top-down: which nodes the wanted outputs need, and whether each is there, downloaded or built.
  const sub = opts.substituter;
  const td = new TopDown<SubstituteHit>(nodes, {
    isBuilt: (out) => store.isBuilt(out),
    concurrency: opts.lookups,
    lookup: sub ? async (n) => {
      try {
        return await sub.lookup(n, hooksFor(n));
      } catch (e) {
        emit({ event: 'refused', id: n.id, name: n.name, out: n.out, line: `${n.out}: cache lookup failed: ${oneLine(e)}` });
        return undefined;
      }
    } : undefined,
  });
  await td.need(opts.wanted ?? nodes.map((n) => n.out));
  await opts.prepare?.([...td.decided].filter(([, d]) => d.mode === 'build').map(([id]) => td.node(id)));
  emit({ event: 'begin', format: 'ix-events/1', total: nodes.length, cores, needed: td.decided.size });
  const task = (id: string, d: Decision<SubstituteHit>): Task => ({ node: td.node(id), deps: d.deps, subst: d.mode === 'download' });

  // A rejected `work` is not a build failure but the store, a lock or the machine failing
  // around it: after the run it is rethrown, so the CLI reports its cause (hosts/node/errors.ts).
  const rejections: unknown[] = [];
  const r = await schedule(buildGraph(nodes), {
    slots: { cpu: pool ? pool.slots : Math.max(1, cores), net: opts.netSlots ?? 4, subst: opts.substSlots ?? 4 },
    keepGoing: opts.keepGoing ?? false,
    work: build,
    substitute: sub ? substitute : undefined,
    // A download that failed: the node is built, so its inputs are needed after all.
    async fallback(n) {
      const added = await td.rebuild(n.id);
      if (added.length) emit({ event: 'needed', id: n.id, name: n.name, out: n.out, added: added.length });
      return { add: added.map((id) => task(id, td.decided.get(id)!)), deps: td.decided.get(n.id)!.deps };
    },
    rejected(n, e) {
      rejections.push(e);
      failed(n, e instanceof Error ? e.message.split('\n')[0] : String(e));
    },
    skip(n, cause) {
      const reason = cause ? `needs ${cause.name}, which failed` : 'not started: the run stopped at the first failure (use --keep-going)';
      emit({ event: 'done', id: n.id, name: n.name, out: n.out, status: 'skipped', reason });
    },
  }, [...td.decided].map(([id, d]) => task(id, d)));
  await Promise.all(uploads);
  await pool?.close();
  for (const n of nodes) status.set(n.id, r.outcome.get(n.id) ?? 'unneeded');
  const count = (s: RunStatus) => [...status.values()].filter((x) => x === s).length;
  const ok = count('failed') === 0 && count('skipped') === 0;
  emit({
    event: 'end', ok, built: count('built'), substituted: count('substituted'), cached: count('cached'), failed: count('failed'), skipped: count('skipped'),
    unneeded: count('unneeded'), ms: Math.round(performance.now() - t0),
  });
  if (rejections.length) {
    // A write that failed on a file descriptor names no path: name the ix root it writes under.
    const e = rejections[0] as { code?: unknown; path?: string };
    if (e instanceof Error && typeof e.code === 'string' && e.path === undefined) e.path = layout.root;
    throw e;
  }
  return { ok, status, failures, pushFailures };
}
