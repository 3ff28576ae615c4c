/**
 * The planner's side of the kept graph (its model and format: kept.ts): the request settings it
 * is keyed by, what the current files leave reusable (keepKept, before the walk) and the merge of
 * the reused roots' nodes and sources into the walk's, which is then kept for the next plan
 * (mergeKept, after the walk). planner.ts's walk decides per root whether to reuse or walk it.
 * An instance whose files changed is rendered again (kept-recheck.ts RenderCheck) for kept.ts's
 * early cutoff before anything is reused.
 *
 * Must not depend on: abi/, or the kept graph's text (kept-load.ts and kept-store.ts read and
 * write it).
 */
import { JValue, hexOfText, J_STR } from '../hash/index';
import { Graph } from './graph';
import { PNode } from './instance';
import { mergeFetch } from './node-fetch';
import { storeName } from './names';
import { Kept, keptKey } from './kept';
import { reach, validate } from './kept-validate';
import { RenderCheck } from './kept-recheck';
import { KeptInstances, keptRef } from './kept-instances';
import { KeptFetch, keptFetches } from './kept-fetch';
import { keptLoad, keptNode } from './kept-load';
import { KeptRootOut, keptNone, keptStore } from './kept-store';
import { keptRewrite } from './kept-rewrite';
import { NodeSet } from './node-set';

/** What a plan keeps for the next one (plan/kept.ts): the kept graph read back and what is reused. */
export class KeepPlan {
  key: string = '';
  kept: Kept | null = null;
  /** The requested roots' selectors (keepKept). */
  requests: Array<string> = [];
  /** Kept instances the reused roots reach (one per key), and their nodes (null: none). */
  reach: Array<i32> = [];
  /** Every kept instance they reach (the next kept graph keeps them all). */
  reachAll: Array<i32> = [];
  /** The sources of each reached instance (kept-fetch.ts keptFetches). */
  fetches: Array<Array<KeptFetch>> = [];
  nodes: Array<PNode | null> = [];
  /**
   * With refsOnly, the kept node index of each reached instance (-1: none): its node is made
   * (keptRef) only when the next kept graph is written from it, since a roots-only answer that
   * reuses every kept root and walks nothing keeps the graph as it is and writes no node.
   */
  refs: Array<i32> = [];
  scripts: Map<string, string> = new Map<string, string>();
  out: Array<KeptRootOut> = [];
  /** Kept nodes made so far, by kept node index (one object per node). */
  made: Map<i32, PNode> = new Map<i32, PNode>();
  /** The clean instances the walk took from the kept graph (null: none may be taken). */
  src: KeptInstances | null = null;
  refsOnly: bool = false;

  /** The kept roots reused (their kept indices), and whether what they reach is still to be found (fillReach). */
  reused: Array<i32> = [];
  lazy: bool = false;

  /** Drops what was to be reused (a kept record or node is missing): every root is walked. */
  reuseNothing(): KeepPlan {
    this.kept = null;
    this.src = null;
    this.lazy = false;
    this.reach = [];
    this.reachAll = [];
    this.fetches = [];
    this.nodes = [];
    this.refs = [];
    this.scripts.clear();
    return this;
  }
}

/**
 * Reads the kept graph of these settings, finds what the current files leave valid and loads the
 * nodes the reusable roots need; if any of them is gone from the node memo, nothing is reused.
 * With `refsOnly` (a plan that writes no node) the nodes are not read back: each is made from its
 * kept record alone (keptRef), which is all the next kept graph is written from.
 */
export function keepKept(k: KeepPlan, g: Graph, nodes: NodeSet, settings: string, items: Array<JValue>, refsOnly: bool = false, collect: bool = false): KeepPlan {
  k.key = keptKey(settings);
  const kept = keptLoad(k.key);
  if (kept === null) return k;
  // with `collect`, validate's rechecks are safe points: `k` is held from a global, and through
  // it the Kept and the requests (validate holds the rest in the Kept's fields)
  k.kept = kept;
  const requests = new Array<string>();
  k.requests = requests;
  for (let i = 0; i < items.length; i++) if (items[i].kind == J_STR) requests.push(items[i].s);
  const cands = kept.rootsOf(requests);
  if (kept.needsListing(cands)) kept.listingOk = kept.listing == listingDigest(g);
  validate(kept, g.files, cands, new RenderCheck(g, collect));
  const reused = new Array<i32>();
  for (let i = 0; i < requests.length; i++) {
    const r = kept.reusable(requests[i]);
    if (r >= 0) reused.push(r);
  }
  k.refsOnly = refsOnly;
  k.reused = reused;
  k.src = new KeptInstances(kept, k, nodes);
  // a roots-only answer of reused roots only walks nothing: what they reach is needed only if
  // the graph is written again (mergeKept), so it is found then
  if (refsOnly && reused.length == requests.length && !kept.unknownNode) {
    k.lazy = true;
    return k;
  }
  return fillReach(k, kept, nodes) ? k : k.reuseNothing();
}

/**
 * What the reused roots reach (KeepPlan.reach, reachAll, nodes, refs, sources); false when a
 * kept record is malformed or the node memo lost a node: then nothing kept is used.
 */
function fillReach(k: KeepPlan, kept: Kept, nodes: NodeSet): bool {
  k.lazy = false;
  const reused = k.reused;
  const refsOnly = k.refsOnly;
  // one entry per instance key (a key kept twice, walked once and reused once, is one
  // instance; a record with a node wins over one a failed walk left without)
  // every candidate reused (a re-plan after an edit that reaches no root): validate's scope
  k.reachAll = sameInts(reused, kept.scopeOf) ? kept.scope : reach(kept, reused);
  const all = reach(kept, reused, true);
  const keys = new Map<i64, i32>();
  for (let i = 0; i < all.length; i++) {
    const x = kept.insts[all[i]];
    const id = x.keyId();
    if (keys.has(id)) {
      const at = keys.get(id);
      if (kept.insts[k.reach[at]].node < 0 && x.node >= 0) k.reach[at] = all[i];
      continue;
    }
    keys.set(id, k.reach.length);
    k.reach.push(all[i]);
  }
  // with refsOnly the sources are read back only when a graph is written from them (mergeKept)
  for (let i = 0; i < k.reach.length && !refsOnly; i++) {
    const fs = keptFetches(kept, kept.insts[k.reach[i]]);
    if (fs === null) return false;
    k.fetches.push(fs);
  }
  for (let i = 0; i < k.reach.length; i++) {
    const ni = kept.insts[k.reach[i]].node;
    if (ni == -2) {
      // a node only a failed root looked up: not known here, so nothing kept is used
      return false;
    }
    if (ni < 0 || refsOnly) {
      k.nodes.push(null);
      if (refsOnly) k.refs.push(ni);
      continue;
    }
    if (k.made.has(ni)) {
      k.nodes.push(k.made.get(ni));
      continue;
    }
    const n = keptNode(kept, ni, k.scripts);
    if (n === null) return false;
    if (!k.scripts.has(n.script) && !nodes.scripts.has(n.script)) k.scripts.set(n.script, n.scriptText);
    n.scriptText = '';
    k.made.set(ni, n);
    k.nodes.push(n);
  }
  return true;
}

/**
 * Adds the reused roots' nodes to the walk's (a node the walk built too is the same node) and
 * their packages' sources to the fetch nodes, then keeps the merged graph for the next plan.
 */
export function mergeKept(g: Graph, nodes: NodeSet, k: KeepPlan): void {
  const kept = k.kept;
  const walked = g.walked;
  // every kept root reused and nothing walked: the graph is the kept one (see below)
  const same = kept !== null && walked.length == 0 && sameRoots(kept, k.out);
  if (kept !== null && !same && k.lazy && !fillReach(k, kept, nodes)) {
    // the answer stands (the kept roots' entries), the graph is not kept
    keptNone(k.key);
    return;
  }
  if (kept !== null && k.refs.length > 0) {
    if (same) k.reach = [];
    else {
      const made = k.made;
      for (let i = 0; i < k.refs.length; i++) {
        const fs = keptFetches(kept, kept.insts[k.reach[i]]);
        if (fs === null) {
          // a malformed kept record: the answer stands (it is the kept roots' entries), the
          // graph is not kept
          keptNone(k.key);
          return;
        }
        k.fetches.push(fs);
        const ni = k.refs[i];
        if (ni < 0) continue;
        if (!made.has(ni)) {
          const r = keptRef(kept, ni);
          if (r === null) {
            // its node entry is gone or malformed: the answer stands, the graph is not kept
            keptNone(k.key);
            return;
          }
          made.set(ni, r!);
        }
        k.nodes[i] = made.get(ni);
      }
    }
  }
  if (kept !== null) {
    // an instance the walk built a node for gave its node and its sources already
    const built = new Set<string>();
    for (let i = 0; i < walked.length; i++) if (walked[i].node !== null) built.add(walked[i].key);
    for (let i = 0; i < k.reach.length; i++) {
      const n = k.nodes[i];
      if (n === null) continue;
      const x = kept.insts[k.reach[i]];
      if (built.has(x.key)) continue;
      nodes.built.push(n!);
      if (!nodes.scripts.has(n!.script) && k.scripts.has(n!.script)) {
        nodes.scripts.set(n!.script, k.scripts.get(n!.script));
        nodes.scriptKeys.push(n!.script);
      }
      const fs = k.fetches[i];
      for (let j = 0; j < fs.length; j++) {
        const kn = kept.node(fs[j].node);
        const f = new PNode();
        f.id = kn.id;
        f.out = kn.out;
        f.fetchFile = kn.file;
        f.fetchSha = kn.sha;
        f.storeName = storeName('fetch/' + kn.file, 'src');
        f.fetchUrls = fs[j].urls.slice(0);
        if (nodes.fetchIds.has(f.id)) mergeFetch(nodes.fetchIds.get(f.id), f);
        else {
          nodes.fetchIds.set(f.id, f);
          nodes.fetches.push(f);
          nodes.outs.add(f.out);
        }
      }
    }
  }
  if (same) {
    // every kept root reused and nothing walked: the graph is the kept one, its file digests and
    // the files of the instances cut off brought up to date. With a few cut off it is left as it
    // is: the next plan renders them again and cuts them off again, which costs less than
    // writing a whole graph (its files may well change again before then anyway)
    if (kept!.cut.length > REWRITE_AFTER) keptRewrite(k.key, kept!, g.files);
    return;
  }
  let listed = false;
  for (let i = 0; i < k.out.length; i++) {
    const r = k.out[i];
    if ((r.rec !== null && r.rec!.listed) || (kept !== null && r.kept >= 0 && kept.rootInst[r.kept] < 0 && kept.rootListed[r.kept])) listed = true;
  }
  keptStore(k.key, walked, kept, k.reachAll, nodes.built.concat(nodes.fetches), k.out, g.files, listed ? listingDigest(g) : '');
}

function sameInts(a: Array<i32>, b: Array<i32>): bool {
  if (a.length != b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] != b[i]) return false;
  return true;
}

/** Instances cut off above which a plan that walked nothing writes its kept graph again. */
const REWRITE_AFTER: i32 = 32;

/** Whether the plan's roots are the kept ones, in their order, each reused. */
function sameRoots(kept: Kept, out: Array<KeptRootOut>): bool {
  if (out.length != kept.rootReqs.length) return false;
  for (let i = 0; i < out.length; i++) if (out[i].kept != i || out[i].request != kept.rootReqs[i]) return false;
  return true;
}

/** BLAKE3 of the package list (an unknown package's suggestion reads it). */
function listingDigest(g: Graph): string {
  return hexOfText(g.packageNames().join('\n'));
}

/**
 * Adds what the instances taken from the kept graph reach to what the plan carries over, as a
 * reused root's: their records (the next kept graph keeps every one, a failed root's lookups
 * included) and, of those whose node the walk took and what they reach, the nodes and sources.
 * A taken instance whose node no walk asked for (a root that failed first only looked it up)
 * gives no node: a walk of it would have built none either. False when a record is malformed
 * or the node memo lost a node the plan must write: the planner then walks every root again
 * without the kept graph.
 */
export function takeReach(k: KeepPlan): bool {
  const kept = k.kept;
  const src = k.src;
  if (kept === null || src === null || src.taken.length == 0) return true;
  if (k.lazy && !fillReach(k, kept, src.nodes)) {
    keptNone(k.key);
    return false;
  }
  const inAll = new Set<i32>();
  for (let i = 0; i < k.reachAll.length; i++) inAll.add(k.reachAll[i]);
  // what the reused roots reach brings its nodes already
  const seen = new Set<i32>();
  for (let i = 0; i < k.reachAll.length; i++) seen.add(k.reachAll[i]);
  const todo = src.taken.slice(0);
  for (let t = 0; t < todo.length; t++) {
    const i = todo[t];
    if (inAll.has(i)) continue;
    inAll.add(i);
    k.reachAll.push(i);
    const x = kept.insts[i];
    for (let j = 0; j < x.uses.length; j++) if (!inAll.has(x.uses[j])) todo.push(x.uses[j]);
  }
  const keys = new Set<i64>();
  for (let i = 0; i < k.reach.length; i++) keys.add(kept.insts[k.reach[i]].keyId());
  const withNode = src.takenWithNode();
  for (let t = 0; t < withNode.length; t++) {
    const i = withNode[t];
    if (seen.has(i)) continue;
    seen.add(i);
    const x = kept.insts[i];
    for (let j = 0; j < x.uses.length; j++) if (!seen.has(x.uses[j])) withNode.push(x.uses[j]);
    if (keys.has(x.keyId()) || x.node < 0) continue;
    keys.add(x.keyId());
    // a roots-only plan reads the sources back in mergeKept (its refs), the others here
    let fs: Array<KeptFetch> | null = null;
    if (!k.refsOnly) {
      fs = keptFetches(kept, x);
      if (fs === null) {
        keptNone(k.key);
        return false;
      }
    }
    let n: PNode | null = null;
    if (k.made.has(x.node)) n = k.made.get(x.node);
    else if (k.refsOnly) {
      n = keptRef(kept, x.node);
      if (n === null) {
        keptNone(k.key);
        return false;
      }
    } else {
      n = keptNode(kept, x.node, k.scripts);
      if (n === null) {
        keptNone(k.key);
        return false;
      }
      if (!k.scripts.has(n.script) && !src.nodes.scripts.has(n.script)) k.scripts.set(n.script, n.scriptText);
      n.scriptText = '';
    }
    k.made.set(x.node, n!);
    k.reach.push(i);
    if (k.refsOnly) k.refs.push(x.node);
    else k.fetches.push(fs!);
    k.nodes.push(n);
  }
  return true;
}
