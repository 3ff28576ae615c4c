/**
 * The executor: runs a plan's nodes into the store, top-down (topdown.ts). First it decides,
 * from the wanted outputs down, which nodes are needed: a node already in the store or held by
 * a binary cache (`substituter`; asked in waves, a bounded number at once) needs only its
 * runtime references, a node to build needs its inputs; the rest of the plan is not needed and
 * never runs. Then, in critical-path order within the pools (scheduler.ts), each needed node
 * runs its job (node-job.ts) of three steps: present (step-present.ts), substitute from the
 * cache that offered it, in the "subst" pool (step-substitute.ts), or build, in its own pool
 * (step-build.ts; made by the fetcher, the Runner the caller hands in, or a remote builder:
 * make.ts). A download refused or broken halfway (one line says why) turns its node into a
 * build: its inputs are decided the same way and brought in, while other downloads go on. A
 * failure reports the log's last lines and the command that reproduces the node (failure.ts).
 * With `push`, every path built here is uploaded as soon as it is committed (uploads.ts).
 * When the store, a lock or the machine fails around a node (not its build), execute() throws
 * that cause after the run.
 *
 * Must not depend on: the CLI, the terminal (output goes through a Reporter), the planner.
 */
import { availableParallelism } from 'node:os';
import type { PlanNode } from '../../../engine/api';
import type { PendingOutput } from '../store';
import { buildGraph } from './graph';
import { schedule, type Task } from './scheduler';
import { TopDown, type Decision } from './topdown';
import type { NodeLog } from './logs';
import type { ExecEvent, NodeStatus, Reporter } from './events';
import { checkPlanRunnable } from './preflight';
import { builderPool, type Builder } from './builders';
import { makeHere, maker } from './make';
import { nodeJob } from './node-job';
import { downloadHooks } from './step-substitute';
import { oneLine } from './failure';
import { Uploads } from './uploads';
import type { Runner } from '../../common';
import type { ExecStore, FetchNode, Pusher, Substituter, SubstituteHit } from './types';

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

export async function execute(nodes: PlanNode[], opts: ExecuteOptions, host?: string): Promise<ExecuteResult> {
  checkPlanRunnable(nodes, host);
  const t0 = performance.now();
  const store = opts.store;
  const layout = store.layout;
  const cores = opts.cores ?? availableParallelism();
  const emit = (e: ExecEvent) => opts.reporter?.emit(e);
  const signal = new AbortController().signal;
  const failures: string[] = [];
  const uploads = opts.push ? new Uploads(opts.push, emit) : undefined;

  // Command nodes go to a pool of builders when remote ones are given (builders.ts); else here.
  const hereCtx = { layout, cores, timeoutMs: opts.timeoutMs, fetch: opts.fetch, run: opts.run, emit, signal };
  const here = (n: PlanNode, o: PendingOutput, log: NodeLog) => makeHere(hereCtx, n, o, log);
  const pool = opts.builders?.length ? builderPool(opts, cores, host ?? 'linux-x86_64', here, emit) : undefined;

  // Top-down: which nodes the wanted outputs need, and whether each is there, downloaded or built.
  const sub = opts.substituter;
  const td = new TopDown<SubstituteHit>(nodes, {
    isBuilt: (out) => store.isBuilt(out),
    concurrency: opts.lookups,
    lookup: sub ? async (n) => {
      try {
        return await sub.lookup(n, downloadHooks({ emit, signal }, n));
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

  const job = nodeJob({
    store, emit, signal, substituter: sub, make: maker(here, pool, { emit, signal }),
    failure: { emit, root: layout.root, logs: layout.logs, tailLines: opts.tailLines ?? 20, failures },
    decision: (id) => td.decided.get(id),
    built: uploads ? (n) => uploads.add(n) : undefined,
  });

  // A rejected `work` is not a build failure but the store, a lock or the machine failing
  // around it: after the run it is rethrown, so the CLI reports its cause (hosts/node/errors.ts).
  const rejections: unknown[] = [];
  const r = await schedule(buildGraph(nodes), {
    slots: { cpu: pool ? pool.slots : Math.max(1, cores), net: opts.netSlots ?? 4, subst: opts.substSlots ?? 4 },
    keepGoing: opts.keepGoing ?? false,
    work: job.build,
    substitute: job.substitute,
    // A download that failed: the node is built, so its inputs are needed after all.
    async fallback(n) {
      const added = await td.rebuild(n.id);
      if (added.length) emit({ event: 'needed', id: n.id, name: n.name, out: n.out, added: added.length });
      return { add: added.map((id) => task(id, td.decided.get(id)!)), deps: td.decided.get(n.id)!.deps };
    },
    rejected(n, e) {
      rejections.push(e);
      job.fail(n, oneLine(e));
    },
    skip(n, cause) {
      const reason = cause ? `needs ${cause.name}, which failed` : 'not started: the run stopped at the first failure (use --keep-going)';
      emit({ event: 'done', id: n.id, name: n.name, out: n.out, status: 'skipped', reason });
    },
  }, [...td.decided].map(([id, d]) => task(id, d)));
  await uploads?.done();
  await pool?.close();
  const status = new Map<string, RunStatus>();
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
  return { ok, status, failures, pushFailures: uploads?.failures ?? [] };
}
