/**
 * Runs a graph of nodes with bounded pools: "net" (downloads, their own slots), "cpu" (one slot
 * per core) and "full" (runs alone: no other cpu/full node beside it). Ready nodes start in
 * critical-path order (graph.ts). A failure skips everything that depends on it; with keepGoing
 * the rest continues, without it nothing new starts and running nodes finish.
 *
 * What runs is a set of tasks, each a node with the nodes it waits for. By default every node
 * of the graph is a task waiting for its inputs; `tasks` gives another set (top-down
 * realisation: only the needed nodes, a download waiting only for its references). A task
 * marked `subst` goes to the "subst" pool first (downloads from binary caches, their own slots
 * beside the builds); when that gives no outcome, `fallback` may add tasks and give the node
 * new dependencies (the inputs a build needs), and the node is built once they are done.
 * Dependency order is kept for downloads too, so a path's references are in the store first.
 *
 * Generic over the work done per node, so it is tested with a recording fake.
 * Must not depend on: the store, the sandbox, the terminal.
 */
import type { PlanNode } from '../../../engine/api';
import type { Graph } from './graph';

export type Outcome = 'built' | 'substituted' | 'cached' | 'failed';

/** A node to run, the ids of the nodes it waits for, and whether a download is tried first. */
export interface Task {
  node: PlanNode;
  deps: readonly string[];
  subst: boolean;
}

export interface ScheduleOptions {
  /** Parallel slots per pool; "full" is always alone; "subst" (default 4) only with `substitute`. */
  slots: { cpu: number; net: number; subst?: number };
  keepGoing: boolean;
  /** Does the node; resolves to its outcome (a rejection counts as failed, after `rejected`). */
  work(node: PlanNode): Promise<Outcome>;
  /**
   * Tried first for `subst` tasks (without `tasks`: for every node), in the "subst" pool: an
   * outcome ends the node; undefined (or a rejection) sends it on to `work` in its own pool.
   */
  substitute?(node: PlanNode): Promise<Outcome | undefined>;
  /**
   * After `substitute` gave no outcome: tasks to add (ones already known are ignored) and the
   * ids `node` now waits for before `work`. Calls are not overlapped.
   */
  fallback?(node: PlanNode): Promise<{ add: Task[]; deps: readonly string[] }>;
  /** `work` (or `fallback`) rejected for `node`: its cause, so it is reported rather than lost. */
  rejected?(node: PlanNode, cause: unknown): void;
  /** A node will not run because `cause` failed (or the run stopped: cause undefined). */
  skip?(node: PlanNode, cause: PlanNode | undefined): void;
}

export interface ScheduleResult {
  /** An outcome for every task (nodes that were never tasks are absent). */
  outcome: Map<string, Outcome | 'skipped'>;
}

function poolOf(n: PlanNode): 'cpu' | 'net' | 'full' {
  return n.pool === 'net' || n.pool === 'full' ? n.pool : 'cpu';
}

export async function schedule(g: Graph, opts: ScheduleOptions, tasks?: readonly Task[]): Promise<ScheduleResult> {
  const byId = new Map<string, PlanNode>();
  const subst = new Map<string, boolean>();
  const waiting = new Map<string, number>();
  const users = new Map<string, string[]>();
  const outcome = new Map<string, Outcome | 'skipped'>();
  const ready: PlanNode[] = [];
  const substReady: PlanNode[] = [];
  const running = { cpu: 0, net: 0, full: 0, subst: 0, fallback: 0 };
  const substSlots = Math.max(1, opts.slots.subst ?? 4);
  let stop = false;
  let fallbacks: Promise<unknown> = Promise.resolve();

  const order = (a: PlanNode, b: PlanNode) => (g.priority.get(b.id) ?? 0) - (g.priority.get(a.id) ?? 0) || (a.out < b.out ? -1 : a.out > b.out ? 1 : 0);

  const skipUsers = (failed: PlanNode) => {
    const stack = [...users.get(failed.id)!];
    while (stack.length) {
      const id = stack.pop()!;
      if (outcome.has(id)) continue;
      outcome.set(id, 'skipped');
      opts.skip?.(byId.get(id)!, failed);
      stack.push(...users.get(id)!);
    }
  };

  const enqueue = (id: string) => (subst.get(id) && opts.substitute ? substReady : ready).push(byId.get(id)!);

  /** Known tasks first (so deps among them resolve), then their dependencies. */
  const addTasks = (ts: readonly Task[]): Task[] => {
    const fresh = ts.filter((t) => !byId.has(t.node.id));
    for (const t of fresh) {
      byId.set(t.node.id, t.node);
      subst.set(t.node.id, t.subst);
      users.set(t.node.id, []);
    }
    return fresh;
  };
  /** `id` waits for `deps`; a dep that failed skips it; none left: it is ready. */
  const setDeps = (id: string, deps: readonly string[]) => {
    let left = 0;
    for (const d of new Set(deps)) {
      const o = outcome.get(d);
      if (o === 'failed' || o === 'skipped') {
        outcome.set(id, 'skipped');
        opts.skip?.(byId.get(id)!, byId.get(d));
        skipUsers(byId.get(id)!);
        return;
      }
      if (o !== undefined) continue;
      if (!users.has(d)) throw new Error(`scheduler: ${byId.get(id)!.name} waits for an unknown node ${d}`);
      users.get(d)!.push(id);
      left++;
    }
    waiting.set(id, left);
    if (left === 0) enqueue(id);
  };
  const start = (ts: readonly Task[]) => {
    for (const t of addTasks(ts)) if (!outcome.has(t.node.id)) setDeps(t.node.id, t.deps);
  };

  start(tasks ?? g.nodes.map((n) => ({ node: n, deps: g.deps.get(n.id)!, subst: true })));

  return new Promise<ScheduleResult>((resolve) => {
    const finish = (n: PlanNode, o: Outcome, pool: 'cpu' | 'net' | 'full' | 'subst' = poolOf(n)) => {
      running[pool]--;
      outcome.set(n.id, o);
      if (o === 'failed') {
        skipUsers(n);
        if (!opts.keepGoing) stop = true;
      } else {
        for (const u of users.get(n.id)!) {
          const left = waiting.get(u)! - 1;
          waiting.set(u, left);
          if (left === 0 && !outcome.has(u)) enqueue(u);
        }
      }
      pump();
    };

    const toBuild = (n: PlanNode) => {
      subst.set(n.id, false);
      if (!opts.fallback) {
        ready.push(n);
        return pump();
      }
      running.fallback++;
      const run = fallbacks.then(() => opts.fallback!(n));
      fallbacks = run.catch(() => undefined);
      run.then((r) => {
        running.fallback--;
        start(r.add);
        if (!outcome.has(n.id)) setDeps(n.id, r.deps);
        pump();
      }, (e: unknown) => {
        running.fallback--;
        opts.rejected?.(n, e);
        running.cpu++; // finish() counts it out of a pool
        finish(n, 'failed', 'cpu');
      });
    };

    const afterSubst = (n: PlanNode, o: Outcome | undefined) => {
      if (o !== undefined) return finish(n, o, 'subst');
      running.subst--;
      toBuild(n);
    };

    const pump = () => {
      if (!stop) {
        substReady.sort(order);
        while (substReady.length && running.subst < substSlots) {
          const n = substReady.shift()!;
          running.subst++;
          opts.substitute!(n).then((o) => afterSubst(n, o), () => afterSubst(n, undefined));
        }
        ready.sort(order);
        let fullWaiting = false;
        for (let i = 0; i < ready.length;) {
          const n = ready[i];
          const p = poolOf(n);
          let can: boolean;
          if (p === 'net') can = running.net < opts.slots.net;
          else if (p === 'full') {
            can = running.cpu === 0 && running.full === 0;
            // Reserve the machine for the most urgent full node: no new cpu node jumps ahead of it.
            if (!can) fullWaiting = true;
          } else can = running.full === 0 && !fullWaiting && running.cpu < opts.slots.cpu;
          if (!can) { i++; continue; }
          ready.splice(i, 1);
          running[p]++;
          opts.work(n).then((o) => finish(n, o), (e: unknown) => {
            opts.rejected?.(n, e);
            finish(n, 'failed');
          });
        }
      }
      if (running.cpu + running.net + running.full + running.subst + running.fallback === 0) {
        for (const [id, n] of byId) {
          if (!outcome.has(id)) {
            outcome.set(id, 'skipped');
            opts.skip?.(n, undefined);
          }
        }
        resolve({ outcome });
      }
    };
    pump();
  });
}
