/**
 * The plan as a graph for the executor: which nodes each node waits for (an input that is another
 * node's output), who waits for it, and its critical-path priority: the estimated cost of the
 * longest chain from the node to the end of the plan, so the scheduler starts long chains first.
 * Costs are guesses by pool (a download is cheap, a "full" build is big); only the order matters.
 *
 * Must not depend on: the store, the sandbox, the clock, the terminal.
 */
import type { PlanNode } from '../../../engine/api';

/** Relative cost guesses by pool, used only to order ready nodes. */
export const POOL_COST: Record<string, number> = { net: 1, cpu: 4, full: 16 };

export interface Graph {
  nodes: PlanNode[];
  /** node id -> ids of plan nodes it needs. */
  deps: Map<string, string[]>;
  /** node id -> ids of plan nodes that need it. */
  users: Map<string, string[]>;
  /** node id -> critical-path priority (cost of the node plus its longest chain of users). */
  priority: Map<string, number>;
}

export function buildGraph(nodes: PlanNode[]): Graph {
  const byOut = new Map<string, PlanNode>();
  for (const n of nodes) byOut.set(n.out, n);
  const deps = new Map<string, string[]>();
  const users = new Map<string, string[]>();
  for (const n of nodes) users.set(n.id, []);
  for (const n of nodes) {
    const d = [...new Set(n.inputs.map((i) => byOut.get(i)?.id).filter((x): x is string => x !== undefined))];
    deps.set(n.id, d);
    for (const x of d) users.get(x)!.push(n.id);
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const priority = new Map<string, number>();
  // Reverse topological order without recursion (plans can be deep): Kahn on the user edges.
  const pending = new Map<string, number>();
  for (const n of nodes) pending.set(n.id, users.get(n.id)!.length);
  const stack = nodes.filter((n) => pending.get(n.id) === 0).map((n) => n.id);
  while (stack.length) {
    const id = stack.pop()!;
    const n = byId.get(id)!;
    let best = 0;
    for (const u of users.get(id)!) best = Math.max(best, priority.get(u) ?? 0);
    priority.set(id, (POOL_COST[n.pool] ?? POOL_COST.cpu) + best);
    for (const d of deps.get(id)!) {
      const left = pending.get(d)! - 1;
      pending.set(d, left);
      if (left === 0) stack.push(d);
    }
  }
  if (priority.size !== nodes.length) throw new Error('plan has a dependency cycle');
  return { nodes, deps, users, priority };
}
