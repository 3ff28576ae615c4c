/**
 * The kept graph: what a plan leaves in the cache so the next plan of the same request settings
 * walks only the roots an edit reaches. Per package instance of the plan it keeps the recipe
 * files its render read (with their BLAKE3), the instances it loaded or whose ids its render read
 * through intro(), its node (by the node memo's key, out, script and references) and its own
 * sources (fetch nodes with the URLs its descriptor gives); per requested root, its instance and
 * its entry in the plan's `roots`, or, for a root that failed, its error entry and what its walk
 * read (Graph.rec): the files it consulted, the instances it looked up, the nodes it needed.
 *
 * Why a kept root equals a fresh walk of it: a root's walk is a function of the request settings
 * (the key), the root's selector and the descriptors of the instances it reaches; each descriptor
 * is a function of its files and its instance's flags, and the flags of every reached instance
 * follow from the root's and the descriptors above it. So when no file read by any instance the
 * root reaches (through loads and intro()) changed, the walk would reach the same instances and
 * build the same nodes: the root's entry and the nodes of those instances are reused. An instance
 * is stale if one of its files changed, and so is every instance that reaches it. A failed root
 * is reused when none of the files its walk consulted changed (a missing recipe is kept as "-"),
 * none of the instances it looked up or needed is stale and, if its error suggested a name, the
 * package list has the kept digest: its walk would stop at the same place with the same error,
 * and the nodes it needed (with what they reach) are its part of the plan. A walk that met a
 * failed render or a mount fault is not kept (a render's files do not name the paths it probed
 * and found missing). Only the files of the roots a plan asks for are hashed: a host records what
 * a plan read (the LSP's users of a file, the plan memo's validation).
 * A fetch node's URLs are the union over every package that names it, so they are rebuilt from
 * the kept sources of the reused instances plus the walked ones, never copied merged.
 *
 * Value, versioned, under "as-kept2-" + BLAKE3(engine version, request settings): text lines
 *   ix-as-kept-graph/2
 *   L <hex BLAKE3 of the package list, or empty when no kept error read it>
 *   P <n>, then n lines: JSON path TAB hex BLAKE3 or "-" (no such file)
 *   N <n>, then n lines: "n" TAB memo key TAB JSON out TAB script hex TAB refs (node indices, comma separated)
 *                     or "f" TAB id TAB JSON out TAB JSON file name TAB sha256
 *   I <n>, then n lines: node index, -1 (none) or -2 (not in that plan) TAB files TAB uses
 *                        (indices, comma separated) TAB JSON [[fetch node, [urls]], ...] TAB JSON instance key
 *   R <n>, then n lines: JSON request TAB instance index TAB the root's JSON entry
 *                     or JSON request TAB "e" TAB files TAB instances looked up TAB nodes needed
 *                        TAB 1 if its error read the package list, else 0 TAB its JSON error entry
 * Anything else is a miss (so is "none", written for a plan whose graph cannot be kept): the
 * plan then walks every root.
 *
 * Must not depend on: abi/.
 */
import * as host from '../host';
import { StrBuilder, writeStr, hexOfText, parseJson, utf8DecodeAt, J_ARR, J_STR, JValue } from '../hash/index';
import { FileHashes, ENGINE_VERSION } from './cache';
import { Instance, PNode, RootRec } from './graph';
import { scriptLookup } from './node-memo';

const FORMAT = 'ix-as-kept-graph/2';
const NODE_HEADER = 'ix-as-node-memo/2\n';

export function keptKey(settings: string): string {
  return 'as-kept2-' + hexOfText(ENGINE_VERSION + '\x00' + settings);
}

export class KeptNode {
  fetch: bool = false;
  memoKey: string = '';
  id: string = '';
  out: string = '';
  script: string = '';
  refs: Array<i32> = [];
  file: string = '';
  sha: string = '';
}

export class KeptInst {
  node: i32 = -1;
  files: Array<i32> = [];
  uses: Array<i32> = [];
  /** [fetch node, URLs] of its own sources, as JSON (parsed only for reused instances). */
  fetchJson: string = '';
  /**
   * Its instance key: a plan lists one node per instance, so two instances with the same node
   * are two entries, and an instance both walked and reused is one.
   */
  key: string = '';
}

function jstr(text: string): string | null {
  const v = parseJson(text).value;
  return v !== null && v.kind == J_STR ? v.s : null;
}

function ints(text: string, n: i32): Array<i32> | null {
  const out = new Array<i32>();
  if (text.length == 0) return out;
  const parts = text.split(',');
  for (let i = 0; i < parts.length; i++) {
    const v = I32.parseInt(parts[i]);
    if (v < 0 || v >= n) return null;
    out.push(v);
  }
  return out;
}

/** A kept graph read back, with what the current files make stale. */
export class Kept {
  paths: Array<string> = [];
  digests: Array<string> = [];
  nodes: Array<KeptNode> = [];
  insts: Array<KeptInst> = [];
  rootReq: Map<string, i32> = new Map<string, i32>();
  /** Per kept root: its instance, or -1 for a root that failed, */
  rootInst: Array<i32> = [];
  rootJson: Array<string> = [];
  /** and for a failed one what its walk read (RootRec): files, instances looked up, nodes needed, */
  rootFiles: Array<Array<i32>> = [];
  rootUses: Array<Array<i32>> = [];
  rootNeeded: Array<Array<i32>> = [];
  /** and whether its error read the package list (kept under `listing`, its BLAKE3, or ''). */
  rootListed: Array<bool> = [];
  listing: string = '';
  /** Set by the planner: the package list still has the kept digest. */
  listingOk: bool = false;
  stale: Array<bool> = [];
  changed: Array<bool> = [];

  /** Whether a failed kept root among `roots` depends on the package list. */
  needsListing(roots: Array<i32>): bool {
    for (let i = 0; i < roots.length; i++) if (this.rootInst[roots[i]] < 0 && this.rootListed[roots[i]]) return true;
    return false;
  }

  /**
   * Marks stale every instance in `scope` (closed under uses) that read a changed file or reaches
   * one that did. Only the files of `scope` are hashed: a host that records what a plan read (the
   * LSP's users of a file, the plan memo) must not see files of roots this plan does not ask for.
   */
  validate(files: FileHashes, roots: Array<i32>): void {
    const scope = this.reach(roots);
    const n = this.insts.length;
    const inScope = new Array<bool>(n);
    const want = new Array<bool>(this.paths.length);
    const paths = new Array<string>();
    for (let k = 0; k < roots.length; k++) {
      const r = roots[k];
      if (this.rootInst[r] >= 0) continue;
      const fs = this.rootFiles[r];
      for (let j = 0; j < fs.length; j++) {
        if (want[fs[j]]) continue;
        want[fs[j]] = true;
        paths.push(this.paths[fs[j]]);
      }
    }
    for (let k = 0; k < scope.length; k++) {
      const x = this.insts[scope[k]];
      inScope[scope[k]] = true;
      for (let j = 0; j < x.files.length; j++) {
        const f = x.files[j];
        if (want[f]) continue;
        want[f] = true;
        paths.push(this.paths[f]);
      }
    }
    files.prefetch(paths);
    const changed = new Array<bool>(this.paths.length);
    for (let i = 0; i < this.paths.length; i++) {
      if (!want[i]) continue;
      const d = files.get(this.paths[i]);
      changed[i] = (d === null ? '-' : d!) != this.digests[i];
    }
    this.changed = changed;
    const users = new Array<Array<i32>>(n);
    for (let i = 0; i < n; i++) users[i] = [];
    // outside the scope nothing is known: stale, so nothing there is reused
    const stale = new Array<bool>(n);
    const todo = new Array<i32>();
    for (let i = 0; i < n; i++) {
      if (!inScope[i]) {
        stale[i] = true;
        continue;
      }
      const x = this.insts[i];
      for (let j = 0; j < x.uses.length; j++) users[x.uses[j]].push(i);
      let s = false;
      for (let j = 0; j < x.files.length && !s; j++) if (changed[x.files[j]]) s = true;
      stale[i] = s;
      if (s) todo.push(i);
    }
    while (todo.length > 0) {
      const us = users[todo.pop()];
      for (let j = 0; j < us.length; j++) {
        if (!stale[us[j]]) {
          stale[us[j]] = true;
          todo.push(us[j]);
        }
      }
    }
    this.stale = stale;
  }

  /** The kept instances of the requested roots the graph holds, whatever their state. */
  rootsOf(requests: Array<string>): Array<i32> {
    const out = new Array<i32>();
    for (let i = 0; i < requests.length; i++) if (this.rootReq.has(requests[i])) out.push(this.rootReq.get(requests[i]));
    return out;
  }

  /**
   * The kept root of `request` that may be reused, or -1. A failed root is reused when none of
   * the files its walk read changed, none of the instances it looked up or needed is stale and,
   * if its error listed the packages, the list is the same: its walk would fail the same way.
   */
  reusable(request: string): i32 {
    if (!this.rootReq.has(request)) return -1;
    const r = this.rootReq.get(request);
    const ri = this.rootInst[r];
    if (ri >= 0) return this.stale[ri] ? -1 : r;
    if (this.rootListed[r] && !this.listingOk) return -1;
    const fs = this.rootFiles[r];
    for (let j = 0; j < fs.length; j++) if (this.changed[fs[j]]) return -1;
    const us = this.rootUses[r];
    for (let j = 0; j < us.length; j++) if (this.stale[us[j]]) return -1;
    const ns = this.rootNeeded[r];
    for (let j = 0; j < ns.length; j++) if (this.stale[ns[j]]) return -1;
    return r;
  }

  /**
   * Every instance the given roots reach, each once, in a first-visit order: from a failed root,
   * what it looked up and needed; with `nodesOnly`, only what it needed (its nodes in the plan).
   */
  reach(roots: Array<i32>, nodesOnly: bool = false): Array<i32> {
    const seen = new Array<bool>(this.insts.length);
    const out = new Array<i32>();
    for (let i = 0; i < roots.length; i++) {
      const ri = this.rootInst[roots[i]];
      if (ri >= 0) {
        if (seen[ri]) continue;
        seen[ri] = true;
        out.push(ri);
        continue;
      }
      for (let w = nodesOnly ? 1 : 0; w < 2; w++) {
        const l = w == 0 ? this.rootUses[roots[i]] : this.rootNeeded[roots[i]];
        for (let j = 0; j < l.length; j++) {
          if (seen[l[j]]) continue;
          seen[l[j]] = true;
          out.push(l[j]);
        }
      }
    }
    for (let k = 0; k < out.length; k++) {
      const u = this.insts[out[k]].uses;
      for (let j = 0; j < u.length; j++) {
        if (!seen[u[j]]) {
          seen[u[j]] = true;
          out.push(u[j]);
        }
      }
    }
    return out;
  }
}

class Lines {
  lines: Array<string>;
  at: i32 = 1;
  constructor(lines: Array<string>) {
    this.lines = lines;
  }
  /** The count of a section headed `tag`, or -1. */
  count(tag: string): i32 {
    const l = this.lines;
    if (this.at >= l.length || !l[this.at].startsWith(tag + ' ')) return -1;
    const v = I32.parseInt(l[this.at].substring(2));
    this.at++;
    return v >= 0 && this.at + v <= l.length ? v : -1;
  }
}

class PathTable {
  idx: Map<string, i32> = new Map<string, i32>();
  paths: Array<string> = [];
  of(p: string): i32 {
    if (this.idx.has(p)) return this.idx.get(p);
    const i = this.paths.length;
    this.idx.set(p, i);
    this.paths.push(p);
    return i;
  }
}

/** The kept graph under `key`, or null (a miss or anything malformed). */
export function keptLoad(key: string): Kept | null {
  const raw = host.cacheGet(key);
  if (raw === null) return null;
  const lines = utf8DecodeAt(raw.dataStart, raw.length).split('\n');
  if (lines.length < 1 || lines[0] != FORMAT) return null;
  const k = new Kept();
  if (lines.length < 2 || !lines[1].startsWith('L ')) return null;
  k.listing = lines[1].substring(2);
  const rd = new Lines(lines);
  rd.at = 2;
  const np = rd.count('P');
  if (np < 0) return null;
  for (let i = 0; i < np; i++) {
    const f = lines[rd.at++].split('\t');
    if (f.length != 2) return null;
    const p = jstr(f[0]);
    if (p === null) return null;
    k.paths.push(p!);
    k.digests.push(f[1]);
  }
  const nn = rd.count('N');
  if (nn < 0) return null;
  for (let i = 0; i < nn; i++) {
    const f = lines[rd.at++].split('\t');
    const n = new KeptNode();
    if (f.length == 5 && f[0] == 'n') {
      n.memoKey = f[1];
      const o = jstr(f[2]);
      const r = ints(f[4], nn);
      if (o === null || r === null) return null;
      n.out = o!;
      n.script = f[3];
      n.refs = r!;
    } else if (f.length == 5 && f[0] == 'f') {
      n.fetch = true;
      n.id = f[1];
      const o = jstr(f[2]);
      const fl = jstr(f[3]);
      if (o === null || fl === null) return null;
      n.out = o!;
      n.file = fl!;
      n.sha = f[4];
    } else return null;
    k.nodes.push(n);
  }
  const ni = rd.count('I');
  if (ni < 0) return null;
  for (let i = 0; i < ni; i++) {
    const f = lines[rd.at++].split('\t');
    if (f.length != 5) return null;
    const x = new KeptInst();
    const key = jstr(f[4]);
    if (key === null) return null;
    x.key = key!;
    x.node = I32.parseInt(f[0]);
    const fs = ints(f[1], np);
    const us = ints(f[2], ni);
    if (fs === null || us === null || x.node < -2 || x.node >= nn) return null;
    if (x.node >= 0 && k.nodes[x.node].fetch) return null;
    x.files = fs!;
    x.uses = us!;
    x.fetchJson = f[3];
    k.insts.push(x);
  }
  const nr = rd.count('R');
  if (nr < 0) return null;
  for (let i = 0; i < nr; i++) {
    const line = lines[rd.at++];
    const t1 = line.indexOf('\t');
    const t2 = t1 < 0 ? -1 : line.indexOf('\t', t1 + 1);
    if (t2 < 0) return null;
    const req = jstr(line.substring(0, t1));
    if (req === null) return null;
    k.rootReq.set(req!, i);
    if (line.substring(t1 + 1, t2) == 'e') {
      // a failed root: files, uses, needed, listed, then its entry (JSON has no raw tab)
      const f = line.substring(t2 + 1).split('\t');
      if (f.length != 5) return null;
      const fs = ints(f[0], np);
      const us = ints(f[1], ni);
      const ns = ints(f[2], ni);
      if (fs === null || us === null || ns === null) return null;
      k.rootInst.push(-1);
      k.rootFiles.push(fs!);
      k.rootUses.push(us!);
      k.rootNeeded.push(ns!);
      k.rootListed.push(f[3] == '1');
      k.rootJson.push(f[4]);
      continue;
    }
    const inst = I32.parseInt(line.substring(t1 + 1, t2));
    if (inst < 0 || inst >= ni) return null;
    k.rootInst.push(inst);
    k.rootFiles.push([]);
    k.rootUses.push([]);
    k.rootNeeded.push([]);
    k.rootListed.push(false);
    k.rootJson.push(line.substring(t2 + 1));
  }
  return k;
}

/** A fetch contribution of a kept instance: its fetch node and the URLs it gives. */
export class KeptFetch {
  node: i32 = 0;
  urls: Array<string> = [];
}

/** The [fetch node, URLs] pairs of a kept instance, or null if malformed. */
export function keptFetches(k: Kept, x: KeptInst): Array<KeptFetch> | null {
  const out = new Array<KeptFetch>();
  if (x.fetchJson.length == 0) return out;
  const v = parseJson(x.fetchJson).value;
  if (v === null || v.kind != J_ARR) return null;
  const it = v.items!;
  for (let i = 0; i < it.length; i++) {
    const p = it[i];
    if (p.kind != J_ARR || p.items!.length != 2) return null;
    const f = new KeptFetch();
    const idx = p.items![0];
    const us = p.items![1];
    f.node = <i32>idx.n;
    if (f.node < 0 || f.node >= k.nodes.length || !k.nodes[f.node].fetch || us.kind != J_ARR) return null;
    for (let j = 0; j < us.items!.length; j++) {
      const u: JValue = us.items![j];
      if (u.kind != J_STR) return null;
      f.urls.push(u.s);
    }
    out.push(f);
  }
  return out;
}

/**
 * A kept node as the plan writes it: its JSON from the node memo, written as is. Null when the
 * memo no longer has it (or its script, if the plan has not seen that yet): then nothing kept is used.
 */
export function keptNode(k: Kept, i: i32, scripts: Map<string, string>): PNode | null {
  const kn = k.nodes[i];
  const raw = host.cacheGet(kn.memoKey);
  if (raw === null) return null;
  const h = NODE_HEADER.length;
  if (raw.length < h) return null;
  for (let j = 0; j < h; j++) if (<i32>raw[j] != NODE_HEADER.charCodeAt(j)) return null;
  let e1 = -1;
  let e2 = -1;
  for (let j = h; j < raw.length; j++) {
    if (unchecked(raw[j]) == 10) {
      if (e1 < 0) e1 = j;
      else {
        e2 = j;
        break;
      }
    }
  }
  if (e2 < 0) return null;
  if (utf8DecodeAt(raw.dataStart + <usize>(e1 + 1), e2 - e1 - 1) != kn.script) return null;
  const n = new PNode();
  n.id = utf8DecodeAt(raw.dataStart + <usize>h, e1 - h);
  n.out = kn.out;
  n.script = kn.script;
  n.memoKey = kn.memoKey;
  if (!scripts.has(n.script)) {
    const text = scriptLookup(n.script);
    if (text === null) return null;
    n.scriptText = text!;
  }
  n.utf8 = raw.slice(e2 + 1);
  n.size = n.utf8!.length;
  n.raw = true;
  for (let j = 0; j < kn.refs.length; j++) n.refs.push(k.nodes[kn.refs[j]].out);
  return n;
}

/** One root of the new kept graph: a walked instance or a reused kept one, and its entry. */
export class KeptRootOut {
  request: string = '';
  inst: Instance | null = null;
  kept: i32 = -1;
  json: string = '';
  /** A failed walked root: what its walk read (null: none, or not keepable). */
  rec: RootRec | null = null;
}

/** The walk's indices (marks) of `l`, each once. */
function writeMarks(sb: StrBuilder, l: Array<Instance>): void {
  const seen = new Set<i32>();
  let first = true;
  for (let j = 0; j < l.length; j++) {
    const u = -1 - l[j].mark;
    if (u < 0 || seen.has(u)) continue;
    seen.add(u);
    if (!first) sb.ch(44);
    first = false;
    sb.str(u.toString());
  }
}

/**
 * Writes the kept graph of a plan: the walked instances, the reused kept instances `reused`, the
 * plan's nodes `all` and its planned roots. Nothing is stored if a node has no memo key.
 */
export function keptStore(key: string, walked: Array<Instance>, k: Kept | null, reused: Array<i32>, all: Array<PNode>, roots: Array<KeptRootOut>, files: FileHashes, listing: string): void {
  const nodeIdx = new Map<string, i32>();
  const fetchIdx = new Map<string, i32>();
  for (let i = 0; i < all.length; i++) {
    const n = all[i];
    // two nodes with one out (a boot package's node does not hash its target) are ordered by
    // the walk that built them: such a plan keeps no graph, and an older one must not be used
    if (n.fetchUrls !== null) fetchIdx.set(n.id, i);
    else if (n.memoKey == '' || nodeIdx.has(n.out)) {
      host.cachePut(key, FORMAT + '\nnone\n');
      return;
    }
    nodeIdx.set(n.out, i);
  }
  const pt = new PathTable();
  const ib = new StrBuilder(1 << 20);
  let ninst = 0;
  for (let i = 0; i < walked.length; i++) walked[i].mark = -1 - i;
  // One record per instance key: a reused kept instance the walk made too is the walked one;
  // among kept records of one key, one with a node wins (a failed walk may have left it
  // without). A walked instance without a node (a failed root only looked it up) whose kept
  // record has one takes that record's node, files, uses and sources too: same key, same files.
  const base = walked.length;
  const byKey = new Map<string, i32>();
  for (let i = 0; i < walked.length; i++) byKey.set(walked[i].key, i);
  const keptNew = new Map<i32, i32>();
  const order = new Array<i32>();
  const mergeFrom = new Map<i32, i32>();
  if (k !== null) {
    const pick = new Map<string, i32>();
    for (let i = 0; i < reused.length; i++) {
      const x = k.insts[reused[i]];
      if (byKey.has(x.key)) {
        const wi = byKey.get(x.key);
        if (walked[wi].node === null && x.node >= 0 && nodeIdx.has(k.nodes[x.node].out) && !mergeFrom.has(wi)) mergeFrom.set(wi, reused[i]);
        continue;
      }
      if (!pick.has(x.key)) {
        pick.set(x.key, reused[i]);
        order.push(reused[i]);
      } else if (k.insts[pick.get(x.key)].node < 0 && x.node >= 0) {
        order[order.indexOf(pick.get(x.key))] = reused[i];
        pick.set(x.key, reused[i]);
      }
    }
    for (let i = 0; i < order.length; i++) byKey.set(k.insts[order[i]].key, base + i);
    for (let i = 0; i < reused.length; i++) keptNew.set(reused[i], byKey.get(k.insts[reused[i]].key));
  }
  const seen = new StaticArray<i32>(walked.length + order.length);
  for (let i = 0; i < walked.length; i++) {
    const x = walked[i];
    const nd = x.node;
    const from = k !== null && mergeFrom.has(i) ? k.insts[mergeFrom.get(i)] : null;
    if (nd !== null && nodeIdx.has(nd.out)) ib.str(nodeIdx.get(nd.out).toString());
    else if (from !== null) ib.str(nodeIdx.get(k!.nodes[from.node].out).toString());
    else ib.str('-1');
    ib.ch(9);
    let first = true;
    const fset = new Set<i32>();
    for (let j = 0; j < x.files.length; j++) {
      const f = pt.of(x.files[j]);
      fset.add(f);
      if (!first) ib.ch(44);
      first = false;
      ib.str(f.toString());
    }
    if (from !== null) {
      for (let j = 0; j < from.files.length; j++) {
        const f = pt.of(k!.paths[from.files[j]]);
        if (fset.has(f)) continue;
        fset.add(f);
        if (!first) ib.ch(44);
        first = false;
        ib.str(f.toString());
      }
    }
    ib.ch(9);
    // loads repeat (each task loads its lists again): each use is written once
    first = true;
    for (let j = 0; j < x.uses.length; j++) {
      const u = -1 - x.uses[j].mark;
      if (u < 0 || unchecked(seen[u]) == i + 1) continue;
      unchecked((seen[u] = i + 1));
      if (!first) ib.ch(44);
      first = false;
      ib.str(u.toString());
    }
    if (from !== null) {
      for (let j = 0; j < from.uses.length; j++) {
        const u = keptNew.get(from.uses[j]);
        if (unchecked(seen[u]) == i + 1) continue;
        unchecked((seen[u] = i + 1));
        if (!first) ib.ch(44);
        first = false;
        ib.str(u.toString());
      }
    }
    ib.ch(9);
    if (from !== null) {
      if (!writeKeptFetches(ib, k!, from, fetchIdx)) return;
    } else writeFetches(ib, x.fetchSrc, fetchIdx);
    ib.ch(9);
    writeStr(ib, x.key);
    ib.ch(10);
    ninst++;
  }
  if (k !== null) {
    for (let i = 0; i < order.length; i++) {
      const x = k.insts[order[i]];
      if (x.node >= 0) {
        const o = k.nodes[x.node].out;
        // looked up by a failed root only, its node left with the root that built it: -2
        ib.str(nodeIdx.has(o) ? nodeIdx.get(o).toString() : '-2');
      } else ib.str(x.node.toString());
      ib.ch(9);
      for (let j = 0; j < x.files.length; j++) {
        if (j > 0) ib.ch(44);
        ib.str(pt.of(k.paths[x.files[j]]).toString());
      }
      ib.ch(9);
      for (let j = 0; j < x.uses.length; j++) {
        if (j > 0) ib.ch(44);
        ib.str(keptNew.get(x.uses[j]).toString());
      }
      ib.ch(9);
      if (!writeKeptFetches(ib, k, x, fetchIdx)) return;
      ib.ch(9);
      writeStr(ib, x.key);
      ib.ch(10);
      ninst++;
    }
  }
  const rb = new StrBuilder(1 << 16);
  let nr = 0;
  for (let i = 0; i < roots.length; i++) {
    const r = roots[i];
    const rec = r.rec;
    if (rec !== null) {
      // a failed walked root: what it read, its instances by their walk's marks
      writeStr(rb, r.request);
      rb.str('\te\t');
      const fset = new Set<i32>();
      let first = true;
      for (let j = 0; j < rec.files.length; j++) {
        const f = pt.of(rec.files[j]);
        if (fset.has(f)) continue;
        fset.add(f);
        if (!first) rb.ch(44);
        first = false;
        rb.str(f.toString());
      }
      rb.ch(9);
      writeMarks(rb, rec.touched);
      rb.ch(9);
      writeMarks(rb, rec.needed);
      rb.ch(9);
      rb.str(rec.listed ? '1' : '0');
      rb.ch(9);
      rb.str(r.json);
      rb.ch(10);
      nr++;
      continue;
    }
    if (r.kept >= 0 && k !== null && k.rootInst[r.kept] < 0) {
      // a failed root reused: its record carried over
      const kr = r.kept;
      writeStr(rb, r.request);
      rb.str('\te\t');
      const fs = k.rootFiles[kr];
      for (let j = 0; j < fs.length; j++) {
        if (j > 0) rb.ch(44);
        rb.str(pt.of(k.paths[fs[j]]).toString());
      }
      for (let w = 0; w < 2; w++) {
        rb.ch(9);
        const l = w == 0 ? k.rootUses[kr] : k.rootNeeded[kr];
        for (let j = 0; j < l.length; j++) {
          if (j > 0) rb.ch(44);
          rb.str(keptNew.get(l[j]).toString());
        }
      }
      rb.ch(9);
      rb.str(k.rootListed[kr] ? '1' : '0');
      rb.ch(9);
      rb.str(r.json);
      rb.ch(10);
      nr++;
      continue;
    }
    let idx = -1;
    if (r.inst !== null) idx = -1 - r.inst!.mark;
    else if (r.kept >= 0 && k !== null && keptNew.has(k.rootInst[r.kept])) idx = keptNew.get(k.rootInst[r.kept]);
    if (idx < 0) continue;
    writeStr(rb, r.request);
    rb.ch(9);
    rb.str(idx.toString());
    rb.ch(9);
    rb.str(r.json);
    rb.ch(10);
    nr++;
  }
  for (let i = 0; i < walked.length; i++) walked[i].mark = 0;
  const sb = new StrBuilder(ib.len + (1 << 20));
  const paths = pt.paths;
  sb.str(FORMAT);
  sb.str('\nL ');
  sb.str(listing);
  sb.str('\nP ');
  sb.str(paths.length.toString());
  sb.ch(10);
  files.prefetch(paths);
  for (let i = 0; i < paths.length; i++) {
    writeStr(sb, paths[i]);
    sb.ch(9);
    const d = files.get(paths[i]);
    sb.str(d === null ? '-' : d!);
    sb.ch(10);
  }
  sb.str('N ');
  sb.str(all.length.toString());
  sb.ch(10);
  for (let i = 0; i < all.length; i++) {
    const n = all[i];
    if (n.fetchUrls !== null) {
      sb.str('f\t');
      sb.str(n.id);
      sb.ch(9);
      writeStr(sb, n.out);
      sb.ch(9);
      writeStr(sb, n.fetchFile);
      sb.ch(9);
      sb.str(n.fetchSha);
    } else {
      sb.str('n\t');
      sb.str(n.memoKey);
      sb.ch(9);
      writeStr(sb, n.out);
      sb.ch(9);
      sb.str(n.script);
      sb.ch(9);
      let first = true;
      for (let j = 0; j < n.refs.length; j++) {
        if (!nodeIdx.has(n.refs[j])) continue;
        if (!first) sb.ch(44);
        first = false;
        sb.str(nodeIdx.get(n.refs[j]).toString());
      }
    }
    sb.ch(10);
  }
  sb.str('I ');
  sb.str(ninst.toString());
  sb.ch(10);
  sb.sub(ib.toString(), 0, ib.len);
  sb.str('R ');
  sb.str(nr.toString());
  sb.ch(10);
  sb.sub(rb.toString(), 0, rb.len);
  host.cachePut(key, sb.toString());
}

/** A kept instance's sources, by the new plan's fetch nodes; false when one is not in the plan. */
function writeKeptFetches(ib: StrBuilder, k: Kept, x: KeptInst, fetchIdx: Map<string, i32>): bool {
  const fs = keptFetches(k, x);
  if (fs === null) return false;
  if (fs.length == 0) return true;
  ib.ch(91);
  for (let j = 0; j < fs.length; j++) {
    if (j > 0) ib.ch(44);
    const id = k.nodes[fs[j].node].id;
    if (!fetchIdx.has(id)) return false;
    ib.ch(91);
    ib.str(fetchIdx.get(id).toString());
    ib.str(',');
    writeUrls(ib, fs[j].urls);
    ib.ch(93);
  }
  ib.ch(93);
  return true;
}

function writeUrls(sb: StrBuilder, urls: Array<string>): void {
  sb.ch(91);
  for (let i = 0; i < urls.length; i++) {
    if (i > 0) sb.ch(44);
    writeStr(sb, urls[i]);
  }
  sb.ch(93);
}

function writeFetches(sb: StrBuilder, src: Array<PNode>, fetchIdx: Map<string, i32>): void {
  if (src.length == 0) return;
  sb.ch(91);
  for (let i = 0; i < src.length; i++) {
    if (i > 0) sb.ch(44);
    sb.ch(91);
    sb.str((fetchIdx.has(src[i].id) ? fetchIdx.get(src[i].id) : -1).toString());
    sb.ch(44);
    writeUrls(sb, src[i].fetchUrls!);
    sb.ch(93);
  }
  sb.ch(93);
}
