/**
 * Runs a graph of nodes with bounded pools: "net" (downloads, their own slots), "cpu" (one slot
 * per core) and "full" (runs alone: no other cpu/full node beside it). Ready nodes start in
 * critical-path order (graph.ts). A failure skips everything that depends on it; with keepGoing
 * the rest continues, without it nothing new starts and running nodes finish.
 *
 * Generic over the work done per node, so it is tested with a recording fake.
 * Must not depend on: the store, the sandbox, the terminal.
 */
import type { PlanNode } from '../../../engine/api';
import type { Graph } from './graph';

export type Outcome = 'built' | 'cached' | 'failed';

export interface ScheduleOptions {
  /** Parallel slots per pool; "full" is always alone. */
  slots: { cpu: number; net: number };
  keepGoing: boolean;
  /** Does the node; resolves to its outcome (a rejection counts as failed, after `rejected`). */
  work(node: PlanNode): Promise<Outcome>;
  /** `work` rejected for `node`: its cause, so it is reported rather than lost. */
  rejected?(node: PlanNode, cause: unknown): void;
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
  const running = { cpu: 0, net: 0, full: 0 };
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
    const finish = (n: PlanNode, o: Outcome) => {
      running[poolOf(n)]--;
      outcome.set(n.id, o);
      if (o === 'failed') {
        skipUsers(n);
        if (!opts.keepGoing) stop = true;
      } else {
        for (const u of g.users.get(n.id)!) {
          const left = waiting.get(u)! - 1;
          waiting.set(u, left);
          if (left === 0 && !outcome.has(u)) ready.push(byId.get(u)!);
        }
      }
      pump();
    };

    const pump = () => {
      if (!stop) {
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
      if (running.cpu + running.net + running.full === 0) {
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
