/**
 * The kept graph: what a plan leaves in the cache so the next plan of the same request settings
 * walks only the roots an edit reaches. Per package instance of the plan it keeps the recipe
 * files its render read (with their BLAKE3), the instances it loaded or whose ids its render read
 * through intro(), its node (by the node memo's key, out, script and references) and its own
 * sources (fetch nodes with the URLs its descriptor gives); per requested root that planned, its
 * instance and its entry in the plan's `roots`.
 *
 * Why a kept root equals a fresh walk of it: a root's walk is a function of the request settings
 * (the key), the root's selector and the descriptors of the instances it reaches; each descriptor
 * is a function of its files and its instance's flags, and the flags of every reached instance
 * follow from the root's and the descriptors above it. So when no file read by any instance the
 * root reaches (through loads and intro()) changed, the walk would reach the same instances and
 * build the same nodes: the root's entry and the nodes of those instances are reused. An instance
 * is stale if one of its files changed, and so is every instance that reaches it; a root whose
 * instance is stale, or that failed (its error may list the tree), is walked again.
 * A fetch node's URLs are the union over every package that names it, so they are rebuilt from
 * the kept sources of the reused instances plus the walked ones, never copied merged.
 *
 * Value, versioned, under "as-kept1-" + BLAKE3(engine version, request settings): text lines
 *   ix-as-kept-graph/1
 *   P <n>, then n lines: JSON path TAB hex BLAKE3 or "-" (no such file)
 *   N <n>, then n lines: "n" TAB memo key TAB JSON out TAB script hex TAB refs (node indices, comma separated)
 *                     or "f" TAB id TAB JSON out TAB JSON file name TAB sha256
 *   I <n>, then n lines: node index or -1 TAB files TAB uses (indices, comma separated) TAB JSON [[fetch node, [urls]], ...] TAB JSON instance key
 *   R <n>, then n lines: JSON request TAB instance index TAB the root's JSON entry
 * Anything else is a miss (so is "none", written for a plan whose graph cannot be kept): the
 * plan then walks every root.
 *
 * Must not depend on: abi/.
 */
import * as host from '../host';
import { StrBuilder, writeStr, hexOfText, parseJson, utf8DecodeAt, J_ARR, J_STR, JValue } from '../hash/index';
import { FileHashes, ENGINE_VERSION } from './cache';
import { Instance, PNode } from './graph';
import { scriptLookup } from './node-memo';

const FORMAT = 'ix-as-kept-graph/1';
const NODE_HEADER = 'ix-as-node-memo/2\n';

export function keptKey(settings: string): string {
  return 'as-kept1-' + hexOfText(ENGINE_VERSION + '\x00' + settings);
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
  rootInst: Array<i32> = [];
  rootJson: Array<string> = [];
  stale: Array<bool> = [];

  /**
   * Marks stale every instance in `scope` (closed under uses) that read a changed file or reaches
   * one that did. Only the files of `scope` are hashed: a host that records what a plan read (the
   * LSP's users of a file, the plan memo) must not see files of roots this plan does not ask for.
   */
  validate(files: FileHashes, scope: Array<i32>): void {
    const n = this.insts.length;
    const inScope = new Array<bool>(n);
    const want = new Array<bool>(this.paths.length);
    const paths = new Array<string>();
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

  /** The kept root of `request` that may be reused, or -1. */
  reusable(request: string): i32 {
    if (!this.rootReq.has(request)) return -1;
    const r = this.rootReq.get(request);
    return this.stale[this.rootInst[r]] ? -1 : r;
  }

  /** Every instance the given roots reach, each once, in a first-visit order. */
  reach(roots: Array<i32>): Array<i32> {
    const seen = new Array<bool>(this.insts.length);
    const out = new Array<i32>();
    for (let i = 0; i < roots.length; i++) {
      const r = this.rootInst[roots[i]];
      if (seen[r]) continue;
      seen[r] = true;
      out.push(r);
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
  const rd = new Lines(lines);
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
    if (fs === null || us === null || x.node < -1 || x.node >= nn) return null;
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
    const inst = I32.parseInt(line.substring(t1 + 1, t2));
    if (req === null || inst < 0 || inst >= ni) return null;
    k.rootReq.set(req!, i);
    k.rootInst.push(inst);
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
}

/**
 * Writes the kept graph of a plan: the walked instances, the reused kept instances `reused`, the
 * plan's nodes `all` and its planned roots. Nothing is stored if a node has no memo key.
 */
export function keptStore(key: string, walked: Array<Instance>, k: Kept | null, reused: Array<i32>, all: Array<PNode>, roots: Array<KeptRootOut>, files: FileHashes): void {
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
  const seen = new StaticArray<i32>(walked.length);
  for (let i = 0; i < walked.length; i++) {
    const x = walked[i];
    const nd = x.node;
    ib.str((nd !== null && nodeIdx.has(nd.out) ? nodeIdx.get(nd.out) : -1).toString());
    ib.ch(9);
    for (let j = 0; j < x.files.length; j++) {
      if (j > 0) ib.ch(44);
      ib.str(pt.of(x.files[j]).toString());
    }
    ib.ch(9);
    // loads repeat (each task loads its lists again): each use is written once
    let first = true;
    for (let j = 0; j < x.uses.length; j++) {
      const u = -1 - x.uses[j].mark;
      if (u < 0 || unchecked(seen[u]) == i + 1) continue;
      unchecked((seen[u] = i + 1));
      if (!first) ib.ch(44);
      first = false;
      ib.str(u.toString());
    }
    ib.ch(9);
    writeFetches(ib, x.fetchSrc, fetchIdx);
    ib.ch(9);
    writeStr(ib, x.key);
    ib.ch(10);
    ninst++;
  }
  // a use of an instance made by an earlier plan of the walk's graph is always in `walked`: every
  // instance the graph made is; marks are reset so the next walk's stamps start clean
  const base = walked.length;
  const keptNew = new Map<i32, i32>();
  if (k !== null) {
    for (let i = 0; i < reused.length; i++) keptNew.set(reused[i], base + i);
    for (let i = 0; i < reused.length; i++) {
      const x = k.insts[reused[i]];
      if (x.node >= 0) {
        const o = k.nodes[x.node].out;
        if (!nodeIdx.has(o)) return;
        ib.str(nodeIdx.get(o).toString());
      } else ib.str('-1');
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
      const fs = keptFetches(k, x);
      if (fs === null) return;
      if (fs.length > 0) {
        ib.ch(91);
        for (let j = 0; j < fs.length; j++) {
          if (j > 0) ib.ch(44);
          const id = k.nodes[fs[j].node].id;
          if (!fetchIdx.has(id)) return;
          ib.ch(91);
          ib.str(fetchIdx.get(id).toString());
          ib.str(',');
          writeUrls(ib, fs[j].urls);
          ib.ch(93);
        }
        ib.ch(93);
      }
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
