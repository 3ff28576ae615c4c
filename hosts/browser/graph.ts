/**
 * Draws a plan's dependency graph as SVG: nodes in layers by their longest distance from the
 * requested package (inputs to the right), an edge from a node to each node whose output it reads
 * directly (transitively reduced: inputs hold whole closures, which would draw every pair), the
 * root's own sources as fetch nodes in their own colour (the toolchain's pinned Debian packages
 * are left out). A plain layered layout: enough for a closure of tens of nodes.
 *
 * Must not depend on: Node APIs, the DOM (it returns SVG text), the engine's code (types only).
 */
import type { Plan } from '../../engine/api';

const W = 150;
const H = 24;
const GAP_X = 24;
const GAP_Y = 10;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** SVG markup of the graph of `plan` (nodes reachable from its roots). */
export function graphSvg(plan: Plan): string {
  const rootOuts = new Set(plan.roots.map((r) => r.out).filter((o): o is string => o !== undefined));
  const all = new Map(plan.nodes.map((n) => [n.out, n]));
  const shown = plan.nodes.filter((n) => !n.fetch || plan.nodes.some((r) => rootOuts.has(r.out) && r.inputs.includes(n.out)));
  const byOut = new Map(shown.map((n) => [n.out, n]));
  const direct = new Map(shown.map((n) => [n.out, n.inputs.filter((i) => byOut.has(i))]));
  // transitive reduction: drop a -> c when some other input b of a already reaches c
  const reach = new Map<string, Set<string>>();
  const reachOf = (out: string): Set<string> => {
    let r = reach.get(out);
    if (!r) {
      r = new Set<string>();
      reach.set(out, r);
      for (const i of all.get(out)?.inputs ?? []) {
        if (!all.has(i)) continue;
        r.add(i);
        for (const j of reachOf(i)) r.add(j);
      }
    }
    return r;
  };
  const edges = new Map([...direct].map(([out, ins]) => [out, ins.filter((c) => !ins.some((b) => b !== c && reachOf(b).has(c)))]));
  // longest distance from a root: a node sits to the right of everything that needs it
  const layer = new Map<string, number>();
  const order = [...shown].reverse(); // dependents first (nodes come inputs first)
  for (const r of plan.roots) if (r.out) layer.set(r.out, 0);
  for (const n of order) {
    const l = layer.get(n.out);
    if (l === undefined) continue;
    for (const i of edges.get(n.out) ?? []) layer.set(i, Math.max(layer.get(i) ?? 0, l + 1));
  }
  const columns: string[][] = [];
  for (const n of shown) {
    const l = layer.get(n.out);
    if (l === undefined) continue;
    (columns[l] ??= []).push(n.out);
  }
  for (const c of columns) c.sort((a, b) => (byOut.get(a)!.name < byOut.get(b)!.name ? -1 : 1));
  const pos = new Map<string, { x: number; y: number }>();
  columns.forEach((c, x) => c.forEach((out, y) => pos.set(out, { x: 10 + x * (W + GAP_X), y: 10 + y * (H + GAP_Y) })));
  const width = 20 + columns.length * (W + GAP_X);
  const height = 20 + Math.max(1, ...columns.map((c) => c.length)) * (H + GAP_Y);
  const parts: string[] = [];
  for (const [from, tos] of edges) {
    const a = pos.get(from);
    if (!a) continue;
    for (const to of tos) {
      const b = pos.get(to);
      if (!b) continue;
      const x1 = a.x + W;
      const y1 = a.y + H / 2;
      const x2 = b.x;
      const y2 = b.y + H / 2;
      const mx = (x1 + x2) / 2;
      parts.push(`<path class="edge" d="M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}"/>`);
    }
  }
  for (const [out, p] of pos) {
    const n = byOut.get(out)!;
    const label = n.fetch ? n.fetch.file : n.name;
    const cls = n.fetch ? 'node fetch' : rootOuts.has(out) ? 'node root' : 'node';
    parts.push(`<g class="${cls}" data-out="${esc(out)}"><title>${esc(out)}</title><rect x="${p.x}" y="${p.y}" width="${W}" height="${H}" rx="4"/>` +
      `<text x="${p.x + 6}" y="${p.y + 16}">${esc(label.length > 23 ? `${label.slice(0, 22)}…` : label)}</text></g>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
}
