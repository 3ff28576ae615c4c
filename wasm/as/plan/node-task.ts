/**
 * The plan's node task: for a buildable instance, its closures first, then its buildable
 * dependencies' nodes, then its own node (node.ts), taken from the node memo when an earlier
 * plan saw the same inputs; fetch nodes are merged by id. Fills the walk's NodeSet.
 *
 * Must not depend on: abi/, session.ts, planner.ts, the request's JSON.
 */
import { IxErr } from '../errors';
import { Closures } from './closures';
import { Graph } from './graph';
import { directInto, directNeeds, targetLibItems } from './graph-steps';
import { Instance, PNode, T_BIN, T_DATA, T_HLIB, T_LDIR, T_NODE, T_RDIR, T_TLIB } from './instance';
import { buildNode, NodeParts } from './node';
import { fetchNode, mergeFetch } from './node-fetch';
import { nodeMemoKey, nodeMemoLookup, nodeMemoStore } from './node-memo';
import { NodeSet } from './node-set';

/** The node task (plan/index.ts nodeTask): closures first, then buildable deps' nodes, then this node. */
export class Nodes extends NodeSet {
  /** The plan answers with its roots only (writeRoots): nodes are not readied for writing. */
  rootsOnly: bool = false;
  /** The node's parts, one set reused by every step (buildNode and the node memo keep none). */
  private parts: NodeParts = new NodeParts();

  step(g: Graph, p: Instance): IxErr | null {
    // closures (the environment lists them) and direct references (the node lists them)
    const kinds = KINDS;
    let wait = false;
    for (let i = 0; i < 6; i++) {
      if (!g.cl.has(p, kinds[i])) {
        g.need(p, kinds[i]);
        wait = true;
      }
    }
    if (wait) return null;
    const d = p.desc;
    const runItems = runBuf;
    runItems.length = 0;
    const bi = g.load(p, d.deps, g.binFlags(p, g.hostName));
    if (g.loadErr !== null) return g.loadErr;
    for (let i = 0; i < bi.length; i++) runItems.push(unchecked(bi[i]));
    const di = g.load(p, d.data, g.dataFlags());
    if (g.loadErr !== null) return g.loadErr;
    for (let i = 0; i < di.length; i++) runItems.push(unchecked(di[i]));
    const libItems = libBuf;
    libItems.length = 0;
    targetLibItems(g, p, libItems);
    if (g.loadErr !== null) return g.loadErr;
    const hl = g.load(p, d.hostLibs, g.hostLibFlags());
    if (g.loadErr !== null) return g.loadErr;
    for (let i = 0; i < hl.length; i++) libItems.push(unchecked(hl[i]));
    const w1 = directNeeds(g, runItems, T_RDIR);
    const w2 = directNeeds(g, libItems, T_LDIR);
    if (w1 || w2) return null;
    const deps = depBuf;
    directInto(g, runItems, T_RDIR, deps);
    const libs = dirLibBuf;
    directInto(g, libItems, T_LDIR, libs);
    // one missing node at a time (as the oracle): the first member's node brings its own
    // references' nodes, so a chain does not put every member on the stack again at each level
    for (let i = 0; i < 8; i++) {
      const k = i < 6 ? kinds[i] : -1;
      const l = i == 6 ? deps : libs;
      const n = k >= 0 ? g.cl.length(p, k) : l.length;
      const at = k >= 0 ? g.cl.from(p, k) : 0;
      for (let j = 0; j < n; j++) {
        const x = k >= 0 ? g.cl.item(at + j) : unchecked(l[j]);
        if (x.buildable && x.node === null) {
          g.need(x, T_NODE);
          return null;
        }
        if (x.buildable) g.noteNeeded(x);
      }
    }
    const parts = this.parts;
    parts.clear();
    parts.inst = p;
    refs(g.cl, p, T_BIN, parts.tools);
    refs(g.cl, p, T_DATA, parts.data);
    refs(g.cl, p, T_TLIB, parts.targetLibs);
    refs(g.cl, p, T_HLIB, parts.hostLibs);
    outs(deps, parts.deps);
    outs(libs, parts.libs);
    closureOuts(g.cl, p, T_RDIR, parts.runDeps);
    closureOuts(g.cl, p, T_LDIR, parts.libDeps);
    const fetch = p.desc.fetch;
    this.errs.length = 0;
    for (let i = 0; i < fetch.length; i++) {
      const f = fetchNode(fetch[i], p.name, this.errs);
      if (f === null) return this.errs[0];
      // the kept graph keeps each package's own URLs: merged ones would outlive an edit
      const own = new PNode();
      own.id = f.id;
      own.fetchUrls = f.fetchUrls!.slice(0);
      p.addFetchSrc(own);
      if (this.fetchIds.has(f.id)) {
        const old = this.fetchIds.get(f.id);
        mergeFetch(old, f);
        parts.sources.push(old);
      } else {
        this.fetchIds.set(f.id, f);
        this.fetches.push(f);
        this.outs.add(f.out);
        parts.sources.push(f);
      }
    }
    // the node memo (node-memo.ts): a node whose inputs an earlier plan saw is not built again
    const key = g.useCache && p.digest != '' ? nodeMemoKey(parts, p.digest) : '';
    let n = key != '' ? nodeMemoLookup(key, parts, this.scripts, !this.rootsOnly) : null;
    let built = false;
    if (n === null) {
      n = buildNode(parts, this.errs);
      if (n === null) return this.errs[0];
      built = true;
    }
    // whether the plan has seen its script: looked up once (a 64-character key, hashed whole)
    const seen = this.scripts.has(n.script);
    if (built && key != '') nodeMemoStore(key, n, !seen);
    n.memoKey = key;
    p.node = n;
    this.built.push(n);
    const u = n.utf8;
    // an answer of roots only writes no node: its JSON is not kept (the node memo has it)
    if (this.rootsOnly) n.utf8 = null;
    else if (u !== null && !n.raw) {
      this.outs.add(n.out);
      n.size = u.length;
      n.utf8 = this.outs.pack(u);
    }
    if (!seen) {
      this.scripts.set(n.script, n.scriptText);
      this.scriptKeys.push(n.script);
    }
    // the table holds the text now (a node's own copy, with its id filled in, is garbage)
    n.scriptText = '';
    return null;
  }
}

/** The closures the node's environment lists, and so its task needs first. */
const KINDS: StaticArray<i32> = [T_BIN, T_DATA, T_TLIB, T_HLIB, T_RDIR, T_LDIR];

/**
 * The node task's items, gathered once per step (a step runs no other step, and nothing
 * keeps them): its tools and data, and its target and host libs.
 */
const runBuf = new Array<Instance>();
const libBuf = new Array<Instance>();
/** Their direct references (graph-steps directInto). */
const depBuf = new Array<Instance>();
const dirLibBuf = new Array<Instance>();

function outs(l: Array<Instance>, out: Array<string>): void {
  for (let i = 0; i < l.length; i++) out.push(unchecked(l[i]).node!.out);
}

/** The out of each member of the list `k` of `p` (every member is buildable: a direct list). */
function closureOuts(cl: Closures, p: Instance, k: i32, out: Array<string>): void {
  const n = cl.length(p, k);
  const at = cl.from(p, k);
  for (let i = 0; i < n; i++) out.push(cl.item(at + i).node!.out);
}

/** The node of each buildable member of the closure `k` of `p`. */
function refs(cl: Closures, p: Instance, k: i32, out: Array<PNode>): void {
  const n = cl.length(p, k);
  const at = cl.from(p, k);
  for (let i = 0; i < n; i++) {
    const x = cl.item(at + i);
    if (x.buildable) out.push(x.node!);
  }
}
