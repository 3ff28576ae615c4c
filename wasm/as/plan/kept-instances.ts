/**
 * The walk's side of the kept graph's clean instances (graph.ts KeptSource): a clean instance is
 * taken from its kept record without a render (KeptInstances), and a kept node is made from its
 * record alone for a plan that writes no node (keptRef). What a plan reuses and keeps (KeepPlan)
 * is reuse.ts's; why a clean record may stand for a render, kept.ts's header.
 *
 * Must not depend on: abi/, or the kept graph's text (kept-load.ts reads it).
 */
import { parseJson, J_ARR, J_STR } from '../hash/index';
import { Graph } from './graph';
import { KeptSource } from './graph-hooks';
import { Instance, PNode } from './instance';
import { Descriptor } from './descriptor';
import { Kept } from './kept';
import { keyFlags } from './kept-recheck';
import { keptNode } from './kept-load';
import { NodeSet } from './node-set';
import { KeepPlan } from './reuse';

/**
 * A kept node as the kept graph's writer needs it (memo key, out, script, references), without
 * its JSON: for a plan that writes no node. Its id is the one its out path names.
 */
export function keptRef(k: Kept, i: i32): PNode | null {
  const kn = k.instNode(i);
  if (kn.bad) return null;
  const n = new PNode();
  n.out = kn.out;
  const base = kn.out.lastIndexOf('/') + 1;
  n.id = kn.out.substring(base, base + 32);
  n.script = kn.script;
  n.memoKey = kn.memoKey;
  for (let j = 0; j < kn.refs.length; j++) {
    const r = k.node(kn.refs[j]);
    if (r.bad) return null;
    n.refs.push(r.out);
  }
  return n;
}

/**
 * The clean instances of the kept graph, taken by the walk without a render (graph.ts
 * KeptSource): an instance in validate's scope that is not stale read no changed file and reaches
 * none that did, so its descriptor is the kept one (or early cutoff found it the same), and so
 * are its loads, the direct items of its closures and its node (kept.ts's header).
 */
export class KeptInstances extends KeptSource {
  kept: Kept;
  k: KeepPlan;
  nodes: NodeSet;
  /** The clean record of each key (one with a node wins), built on first use. */
  private byKey: Map<string, i32> | null = null;
  /** Instances taken, by key, and their kept indices in the order taken. */
  private got: Map<string, Instance> = new Map<string, Instance>();
  taken: Array<i32> = [];

  constructor(kept: Kept, k: KeepPlan, nodes: NodeSet) {
    super();
    this.kept = kept;
    this.k = k;
    this.nodes = nodes;
  }

  private keys(): Map<string, i32> {
    let m = this.byKey;
    if (m !== null) return m!;
    m = new Map<string, i32>();
    const scope = this.kept.scope;
    for (let j = 0; j < scope.length; j++) {
      const i = scope[j];
      if (!this.kept.clean(i)) continue;
      const x = this.kept.insts[i];
      if (m.has(x.key) && (x.node < 0 || this.kept.insts[m.get(x.key)].node >= 0)) continue;
      m.set(x.key, i);
    }
    this.byKey = m;
    return m!;
  }

  instanceOf(g: Graph, key: string): Instance | null {
    if (this.got.has(key)) return this.got.get(key);
    const m = this.keys();
    if (!m.has(key)) return null;
    const i = m.get(key);
    const x = this.kept.insts[i];
    const z = key.indexOf('\x00');
    if (z <= 0) return null;
    const f = keyFlags(key, z);
    if (f === null) return null;
    const flags = f!;
    const kind = flags.get('kind');
    const target = flags.get('target');
    if (kind === null || target === null) return null;
    // what dependants read of its descriptor: ind.deps and run.data (the ext's JSON)
    const e = x.ext;
    let at = 0;
    for (let part = 0; part < 4 && at >= 0; part++) at = e.indexOf(';', at) + (part < 3 ? 1 : 0);
    if (at < 0 || e.length < 2) return null;
    const dj = parseJson(e.substring(at + 1)).value;
    if (dj === null || dj.kind != J_ARR || dj.items!.length != 2) return null;
    const d = new Descriptor();
    for (let w = 0; w < 2; w++) {
      const l = dj.items![w];
      if (l.kind != J_ARR) return null;
      const out = w == 0 ? d.indDeps : d.runData;
      for (let j = 0; j < l.items!.length; j++) {
        if (l.items![j].kind != J_STR) return null;
        out.push(l.items![j].s);
      }
    }
    const name = key.substring(0, z);
    const p = new Instance(key, name, flags, kind!, target!, '', d);
    p.buildable = e.charCodeAt(0) == 49;
    p.kept = i;
    this.got.set(key, p);
    this.taken.push(i);
    return p;
  }

  items(g: Graph, p: Instance): bool {
    const e = this.kept.insts[p.kept].ext;
    const f = e.split(';', 4);
    if (f.length < 4) return false;
    for (let w = 1; w < 4; w++) {
      if (f[w] == '-') continue;
      const l = new Array<Instance>();
      if (f[w] != '') {
        const ix = f[w].split(',');
        for (let j = 0; j < ix.length; j++) {
          const x = this.at(g, I32.parseInt(ix[j]));
          if (x === null) return false;
          l.push(x!);
        }
      }
      if (w == 1) p.libItems = l;
      else if (w == 2) p.runPre = l;
      else p.runPost = l;
    }
    return true;
  }

  /** The kept indices of the instances taken whose node the walk got (taken or built), in order. */
  takenWithNode(): Array<i32> {
    const out = new Array<i32>();
    for (let t = 0; t < this.taken.length; t++) {
      const i = this.taken[t];
      const p = this.got.get(this.kept.insts[i].key);
      if (p.node !== null) out.push(i);
    }
    return out;
  }

  /** The instance of kept record `i`: the one taken (or rendered) for its key. */
  private at(g: Graph, i: i32): Instance | null {
    if (i < 0 || i >= this.kept.insts.length) return null;
    const key = this.kept.insts[i].key;
    if (this.got.has(key)) return this.got.get(key);
    const w = g.instanceOfKey(key);
    if (w !== null) return w;
    const x = this.instanceOf(g, key);
    if (x !== null) g.adopt(x!);
    return x;
  }

  node(g: Graph, p: Instance): PNode | null {
    const ni = this.kept.insts[p.kept].node;
    if (ni < 0) return null;
    const k = this.k;
    let n: PNode | null = null;
    if (k.made.has(ni)) n = k.made.get(ni);
    else if (k.refsOnly) {
      n = keptRef(this.kept, ni);
      if (n === null) return null;
    } else {
      n = keptNode(this.kept, ni, k.scripts);
      if (n === null) return null;
      if (!k.scripts.has(n.script) && !this.nodes.scripts.has(n.script)) k.scripts.set(n.script, n.scriptText);
      n.scriptText = '';
    }
    n!.storeName = p.storeName;
    k.made.set(ni, n!);
    return n;
  }

  uses(g: Graph, p: Instance): Array<Instance> {
    const us = this.kept.insts[p.kept].uses;
    const out = new Array<Instance>();
    for (let j = 0; j < us.length; j++) {
      const x = this.at(g, us[j]);
      if (x !== null) out.push(x!);
    }
    return out;
  }
}
