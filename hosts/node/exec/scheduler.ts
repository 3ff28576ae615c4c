/**
 * Runs a graph of nodes with bounded pools: "net" (downloads, their own slots), "cpu" (one slot
 * per core) and "full" (runs alone: no other cpu/full node beside it). Ready nodes start in
 * critical-path order (graph.ts). A failure skips everything that depends on it; with keepGoing
 * the rest continues, without it nothing new starts and running nodes finish.
 * With `substitute`, a ready node first goes to the "subst" pool (downloads from binary caches,
 * their own slots beside the builds); only when that gives no outcome is it queued in its own
 * pool to be built. Dependency order is kept for substitutes too, so a path's references are in
 * the store before the path.
 *
 * Generic over the work done per node, so it is tested with a recording fake.
 * Must not depend on: the store, the sandbox, the terminal.
 */
import type { PlanNode } from '../../../engine/api';
import type { Graph } from './graph';

export type Outcome = 'built' | 'substituted' | 'cached' | 'failed';

export interface ScheduleOptions {
  /** Parallel slots per pool; "full" is always alone; "subst" (default 4) only with `substitute`. */
  slots: { cpu: number; net: number; subst?: number };
  keepGoing: boolean;
  /** Does the node; resolves to its outcome (a rejection counts as failed). */
  work(node: PlanNode): Promise<Outcome>;
  /**
   * Tried first, in the "subst" pool: an outcome ends the node; undefined (or a rejection)
   * sends it on to `work` in its own pool.
   */
  substitute?(node: PlanNode): Promise<Outcome | undefined>;
  /** A node will not run because `cause` failed (or the run stopped: cause undefined). */
  skip?(node: PlanNode, cause: PlanNode | undefined): void;
}

export interface ScheduleResult {
  outcome: Map<string, Outcome | 'skipped'>;
}

function poolOf(n: PlanNode): 'cpu' | 'net' | 'full' {
  return n.pool === 'net' || n.pool === 'full' ? n.pool : 'cpu';
}

export async function schedule(g: Graph, opts: ScheduleOptions): Promise<ScheduleResult> {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const waiting = new Map<string, number>();
  for (const n of g.nodes) waiting.set(n.id, g.deps.get(n.id)!.length);
  const ready: PlanNode[] = g.nodes.filter((n) => waiting.get(n.id) === 0);
  const outcome = new Map<string, Outcome | 'skipped'>();
  const running = { cpu: 0, net: 0, full: 0, subst: 0 };
  // Ready nodes wait here for a substitution attempt before they join `ready` (to be built).
  const substReady: PlanNode[] = opts.substitute ? ready.splice(0) : [];
  const substSlots = Math.max(1, opts.slots.subst ?? 4);
  let stop = false;

  const order = (a: PlanNode, b: PlanNode) => g.priority.get(b.id)! - g.priority.get(a.id)! || (a.out < b.out ? -1 : a.out > b.out ? 1 : 0);

  const skipUsers = (failed: PlanNode) => {
    const stack = [...g.users.get(failed.id)!];
    while (stack.length) {
      const id = stack.pop()!;
      if (outcome.has(id)) continue;
      outcome.set(id, 'skipped');
      opts.skip?.(byId.get(id)!, failed);
      stack.push(...g.users.get(id)!);
    }
  };

  return new Promise<ScheduleResult>((resolve) => {
    const finish = (n: PlanNode, o: Outcome, pool: keyof typeof running = poolOf(n)) => {
      running[pool]--;
      outcome.set(n.id, o);
      if (o === 'failed') {
        skipUsers(n);
        if (!opts.keepGoing) stop = true;
      } else {
        for (const u of g.users.get(n.id)!) {
          const left = waiting.get(u)! - 1;
          waiting.set(u, left);
          if (left === 0 && !outcome.has(u)) (opts.substitute ? substReady : ready).push(byId.get(u)!);
        }
      }
      pump();
    };

    const afterSubst = (n: PlanNode, o: Outcome | undefined) => {
      if (o !== undefined) return finish(n, o, 'subst');
      running.subst--;
      ready.push(n);
      pump();
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
          opts.work(n).then((o) => finish(n, o), () => finish(n, 'failed'));
        }
      }
      if (running.cpu + running.net + running.full + running.subst === 0) {
        for (const n of g.nodes) {
          if (!outcome.has(n.id)) {
            outcome.set(n.id, 'skipped');
            opts.skip?.(n, undefined);
          }
        }
        resolve({ outcome });
      }
    };
    pump();
  });
}
