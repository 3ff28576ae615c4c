/**
 * Orders plan nodes: dependencies first (Kahn's algorithm), ties broken by out path through a
 * binary heap, so the order depends only on the graph, never on insertion or map iteration order.
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import type { WireNode } from '../api';

/**
 * Nodes sorted so each comes after every node it references (deps, libs, runDeps, libDeps). Direct
 * references give the same order as closures would: a node is ready exactly when everything it
 * reaches is placed, and the heap picks among ready nodes by out path alone.
 */
export function orderNodes<N extends Pick<WireNode, 'out' | 'deps' | 'libs' | 'runDeps' | 'libDeps'>>(nodes: N[]): N[] {
  const byOut = new Map<string, number>();
  nodes.forEach((n, i) => byOut.set(n.out, i));
  const pending = new Int32Array(nodes.length);
  const users: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    const deps = new Set<number>();
    for (const l of [n.deps, n.libs, n.runDeps, n.libDeps]) for (const p of l) addDep(p);
    function addDep(p: string): void {
      const j = byOut.get(p);
      if (j !== undefined && j !== i && !deps.has(j)) {
        deps.add(j);
        users[j].push(i);
      }
    }
    pending[i] = deps.size;
  });
  const heap = new OutHeap(nodes);
  nodes.forEach((_, i) => {
    if (pending[i] === 0) heap.push(i);
  });
  const out: N[] = [];
  while (heap.size) {
    const i = heap.pop();
    out.push(nodes[i]);
    for (const u of users[i]) if (--pending[u] === 0) heap.push(u);
  }
  if (out.length !== nodes.length) throw new Error('orderNodes: cycle among plan nodes (the graph walk should have caught it)');
  return out;
}

/** Min-heap of node indices by out path (code-unit order). */
class OutHeap {
  private readonly a: number[] = [];
  constructor(private readonly nodes: { out: string }[]) {}
  get size(): number {
    return this.a.length;
  }
  private less(i: number, j: number): boolean {
    return this.nodes[this.a[i]].out < this.nodes[this.a[j]].out;
  }
  private swap(i: number, j: number): void {
    const t = this.a[i];
    this.a[i] = this.a[j];
    this.a[j] = t;
  }
  push(v: number): void {
    const a = this.a;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!this.less(i, up)) break;
      this.swap(i, up);
      i = up;
    }
  }
  pop(): number {
    const a = this.a;
    const top = a[0];
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(l, m)) m = l;
        if (r < a.length && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}
