/**
 * Orders plan nodes (engine/plan/order.ts): dependencies first (Kahn's algorithm), ties broken
 * by out path through a binary heap, so the order depends only on the graph.
 *
 * Must not depend on: abi/.
 */
import { PNode } from './instance';

class OutHeap {
  a: Array<i32> = [];
  nodes: Array<PNode>;
  constructor(nodes: Array<PNode>) {
    this.nodes = nodes;
  }
  // @ts-ignore: decorator
  @inline less(i: i32, j: i32): bool {
    return unchecked(this.nodes[unchecked(this.a[i])]).out < unchecked(this.nodes[unchecked(this.a[j])]).out;
  }
  // @ts-ignore: decorator
  @inline swap(i: i32, j: i32): void {
    const t = unchecked(this.a[i]);
    unchecked((this.a[i] = this.a[j]));
    unchecked((this.a[j] = t));
  }
  push(v: i32): void {
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
  pop(): i32 {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(l, m)) m = l;
        if (r < a.length && this.less(r, m)) m = r;
        if (m == i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}

/** Nodes sorted so each comes after every node it references (deps, libs, runDeps, libDeps); null on a cycle. */
export function orderNodes(nodes: Array<PNode>): Array<PNode> | null {
  const n = nodes.length;
  const byOut = new Map<string, i32>();
  for (let i = 0; i < n; i++) byOut.set(nodes[i].out, i);
  const pending = new StaticArray<i32>(n);
  const users = new Array<Array<i32>>(n);
  for (let i = 0; i < n; i++) users[i] = new Array<i32>();
  const seen = new StaticArray<i32>(n);
  for (let i = 0; i < n; i++) {
    const node = nodes[i];
    let count = 0;
    const stamp = i + 1;
    const l = node.refs;
    for (let k = 0; k < l.length; k++) {
      const p = unchecked(l[k]);
      if (!byOut.has(p)) continue;
      const j = byOut.get(p);
      if (j != i && unchecked(seen[j]) != stamp) {
        unchecked((seen[j] = stamp));
        count++;
        users[j].push(i);
      }
    }
    pending[i] = count;
  }
  const heap = new OutHeap(nodes);
  for (let i = 0; i < n; i++) if (pending[i] == 0) heap.push(i);
  const out = new Array<PNode>();
  while (heap.a.length > 0) {
    const i = heap.pop();
    out.push(nodes[i]);
    const us = users[i];
    for (let k = 0; k < us.length; k++) {
      const u = us[k];
      pending[u]--;
      if (pending[u] == 0) heap.push(u);
    }
  }
  return out.length == n ? out : null;
}
