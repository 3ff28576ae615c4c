/**
 * Views of a plan for the CLI: the dependency graph (edges from a node to the nodes whose outputs
 * it reads) as DOT or JSON, the shortest dependency path between two packages, and the store
 * paths of the plan's roots (the one place that turns roots into paths).
 * All output orders follow the plan's own order, so they are as deterministic as the plan.
 *
 * Must not depend on: the filesystem, the environment, the core.
 */
import canonicalize from 'canonicalize';
import type { Plan, PlanNode } from '../../engine/api';

/** The store paths of one plan root: its out, or a hub's members. */
export function rootOuts(r: Plan['roots'][number]): string[] {
  return r.out ? [r.out] : [...(r.members ?? [])];
}

/** Store paths of the plan's roots, in request order (a hub gives its members). */
export function rootPaths(plan: Pick<Plan, 'roots'>): string[] {
  return plan.roots.flatMap(rootOuts);
}

/** Format tag of `ix graph --format=json`. */
export const GRAPH_FORMAT = 'ix-graph/1';

/** Dependency edges [from, to] as store paths, in plan order, inputs in their sorted order. */
export function edges(plan: Plan): [string, string][] {
  const outs = new Set(plan.nodes.map((n) => n.out));
  const r: [string, string][] = [];
  for (const n of plan.nodes) for (const i of n.inputs) if (outs.has(i)) r.push([n.out, i]);
  return r;
}

/** The graph as canonical JSON text. */
export function graphJson(plan: Plan): string {
  return canonicalize({
    format: GRAPH_FORMAT,
    host: plan.host,
    target: plan.target,
    roots: plan.roots,
    nodes: plan.nodes.map((n) => ({ id: n.id, name: n.name, out: n.out })),
    edges: edges(plan),
  }) as string;
}

const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The graph in Graphviz DOT: one vertex per node (labelled with its package name), edges to inputs. */
export function graphDot(plan: Plan): string {
  const lines = ['digraph ix {', '  rankdir=LR;', '  node [shape=box];'];
  const roots = new Set(rootPaths(plan));
  for (const n of plan.nodes) lines.push(`  ${q(n.out)} [label=${q(n.name)}${roots.has(n.out) ? ', style=bold' : ''}];`);
  for (const [a, b] of edges(plan)) lines.push(`  ${q(a)} -> ${q(b)};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** The name part of a selector ("bin/x(k=v)" -> "bin/x"). */
export const bareName = (selector: string) => selector.replace(/\(.*\)$/, '');

/**
 * Shortest path of nodes from any of `from` (store paths) to a node matching `to` (a package
 * name or a store path), following inputs in sorted order; undefined when there is none.
 */
export function shortestPath(plan: Plan, from: string[], to: string): PlanNode[] | undefined {
  const byOut = new Map(plan.nodes.map((n) => [n.out, n]));
  const target = bareName(to);
  const hit = (n: PlanNode) => n.name === target || n.out === to;
  const prev = new Map<string, string | null>();
  const queue: string[] = [];
  for (const f of from) {
    if (byOut.has(f) && !prev.has(f)) {
      prev.set(f, null);
      queue.push(f);
    }
  }
  for (let i = 0; i < queue.length; i++) {
    const n = byOut.get(queue[i]) as PlanNode;
    if (hit(n)) {
      const path: PlanNode[] = [];
      for (let c: string | null | undefined = n.out; c; c = prev.get(c)) path.unshift(byOut.get(c) as PlanNode);
      return path;
    }
    for (const inp of n.inputs) {
      if (byOut.has(inp) && !prev.has(inp)) {
        prev.set(inp, n.out);
        queue.push(inp);
      }
    }
  }
  return undefined;
}
