/**
 * The planner's side of the kept graph (its model and format: kept.ts): the request settings it
 * is keyed by, what the current files leave reusable (keepKept, before the walk) and the merge of
 * the reused roots' nodes and sources into the walk's, which is then kept for the next plan
 * (mergeKept, after the walk). planner.ts's walk decides per root whether to reuse or walk it.
 * An instance whose files changed is rendered again here (RenderCheck) for kept.ts's early cutoff;
 * the render goes through the graph's descriptor cache and render sharing, so a walk that meets
 * the instance later does not render it twice.
 *
 * Must not depend on: abi/, or the kept graph's text (kept-load.ts and kept-store.ts read and
 * write it).
 */
import { JValue, hexOfText, parseJson, J_OBJ, J_STR } from '../hash/index';
import { Graph, PNode } from './graph';
import { Flags } from './flags';
import { mergeFetch } from './node';
import { storeName } from './names';
import { Kept, KeptInst, Recheck, keptKey } from './kept';
import { KeptFetch, keptFetches } from './kept-fetch';
import { keptLoad, keptNode } from './kept-load';
import { KeptRootOut, descDigest, keptNone, keptRewrite, keptStore } from './kept-store';
import { NodeSet } from './node-set';

/** What a plan keeps for the next one (plan/kept.ts): the kept graph read back and what is reused. */
export class KeepPlan {
  key: string = '';
  kept: Kept | null = null;
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

  /** Drops what was to be reused (a kept record or node is missing): every root is walked. */
  reuseNothing(): KeepPlan {
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
export function keepKept(g: Graph, nodes: NodeSet, settings: string, items: Array<JValue>, refsOnly: bool = false): KeepPlan {
  const k = new KeepPlan();
  k.key = keptKey(settings);
  const kept = keptLoad(k.key);
  if (kept === null) return k;
  const requests = new Array<string>();
  for (let i = 0; i < items.length; i++) if (items[i].kind == J_STR) requests.push(items[i].s);
  const cands = kept.rootsOf(requests);
  if (kept.needsListing(cands)) kept.listingOk = kept.listing == listingDigest(g);
  kept.validate(g.files, cands, new RenderCheck(g));
  const reused = new Array<i32>();
  for (let i = 0; i < requests.length; i++) {
    const r = kept.reusable(requests[i]);
    if (r >= 0) reused.push(r);
  }
  // one entry per instance key (a key kept twice, walked once and reused once, is one
  // instance; a record with a node wins over one a failed walk left without)
  // every candidate reused (a re-plan after an edit that reaches no root): validate's scope
  k.reachAll = sameInts(reused, kept.scopeOf) ? kept.scope : kept.reach(reused);
  const all = kept.reach(reused, true);
  const keys = new Map<string, i32>();
  for (let i = 0; i < all.length; i++) {
    const x = kept.insts[all[i]];
    if (keys.has(x.key)) {
      const at = keys.get(x.key);
      if (kept.insts[k.reach[at]].node < 0 && x.node >= 0) k.reach[at] = all[i];
      continue;
    }
    keys.set(x.key, k.reach.length);
    k.reach.push(all[i]);
  }
  // with refsOnly the sources are read back only when a graph is written from them (mergeKept)
  for (let i = 0; i < k.reach.length && !refsOnly; i++) {
    const fs = keptFetches(kept, kept.insts[k.reach[i]]);
    if (fs === null) {
      return k.reuseNothing();
    }
    k.fetches.push(fs);
  }
  const loaded = new Map<i32, PNode>();
  for (let i = 0; i < k.reach.length; i++) {
    const ni = kept.insts[k.reach[i]].node;
    if (ni == -2) {
      // a node only a failed root looked up: not known here, so nothing kept is used
      return k.reuseNothing();
    }
    if (ni < 0 || refsOnly) {
      k.nodes.push(null);
      if (refsOnly) k.refs.push(ni);
      continue;
    }
    if (loaded.has(ni)) {
      k.nodes.push(loaded.get(ni));
      continue;
    }
    const n = keptNode(kept, ni, k.scripts);
    if (n === null) {
      return k.reuseNothing();
    }
    if (!k.scripts.has(n.script) && !nodes.scripts.has(n.script)) k.scripts.set(n.script, n.scriptText);
    n.scriptText = '';
    loaded.set(ni, n);
    k.nodes.push(n);
  }
  k.kept = kept;
  return k;
}

/**
 * Adds the reused roots' nodes to the walk's (a node the walk built too is the same node) and
 * their packages' sources to the fetch nodes, then keeps the merged graph for the next plan.
 */
export function mergeKept(g: Graph, nodes: NodeSet, k: KeepPlan): void {
  const kept = k.kept;
  const walked = g.instances.values();
  // every kept root reused and nothing walked: the graph is the kept one (see below)
  const same = kept !== null && walked.length == 0 && sameRoots(kept, k.out);
  if (kept !== null && k.refs.length > 0) {
    if (same) k.reach = [];
    else {
      const made = new Map<i32, PNode>();
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
        if (!made.has(ni)) made.set(ni, keptRef(kept, ni));
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

/**
 * A kept node as the kept graph's writer needs it (memo key, out, script, references), without
 * its JSON: for a plan that writes no node. Its id is the one its out path names.
 */
function keptRef(k: Kept, i: i32): PNode {
  const kn = k.node(i);
  const n = new PNode();
  n.out = kn.out;
  const base = kn.out.lastIndexOf('/') + 1;
  n.id = kn.out.substring(base, base + 32);
  n.script = kn.script;
  n.memoKey = kn.memoKey;
  for (let j = 0; j < kn.refs.length; j++) n.refs.push(k.node(kn.refs[j]).out);
  return n;
}

/** kept.ts's Recheck through the graph's renderer: the instance's key gives its name and flags. */
class RenderCheck extends Recheck {
  g: Graph;
  /** Descriptor digests by package and text digest: instances sharing a render share its digest. */
  digests: Map<string, string> = new Map<string, string>();
  constructor(g: Graph) {
    super();
    this.g = g;
  }

  same(k: Kept, x: KeptInst): bool {
    const z = x.key.indexOf('\x00');
    if (z <= 0) return false;
    const name = x.key.substring(0, z);
    const v = parseJson(x.key.substring(z + 1)).value;
    if (v === null || v.kind != J_OBJ) return false;
    const flags = new Flags();
    const ks = v.keys!;
    const vs = v.items!;
    for (let i = 0; i < ks.length; i++) {
      if (vs[i].kind != J_STR) return false;
      flags.set(ks[i], vs[i].s);
    }
    const target = flags.get('target');
    if (target === null || flags.get('kind') === null) return false;
    const r = this.g.renderCached(name, flags, target!);
    if (r.err !== null || r.desc === null || r.intros.length > 0) return false;
    const tk = name + '\x00' + r.digest;
    let d: string;
    if (r.digest != '' && this.digests.has(tk)) d = this.digests.get(tk);
    else {
      d = descDigest(r.desc!);
      if (r.digest != '') this.digests.set(tk, d);
    }
    if (d != x.desc) return false;
    const fs = new Array<i32>();
    for (let i = 0; i < r.files.length; i++) fs.push(k.pathIndex(r.files[i]));
    x.files = fs;
    return true;
  }
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
