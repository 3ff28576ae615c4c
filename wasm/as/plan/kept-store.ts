/**
 * Writes a plan's kept graph (its format: kept.ts): the walked instances with what their renders
 * read, the reused kept instances carried over under their new indices, the plan's nodes by their
 * node memo keys, and the planned roots (a failed one with what its walk read). A graph read back
 * and kept as it was, with new file digests, is written by kept-rewrite.ts.
 *
 * Must not depend on: abi/, the reader (kept-load.ts) or the planner: it writes what it is given.
 */
import * as host from '../host';
import { StrBuilder, writeStr, digestBuilder, toHex } from '../hash/index';
import { FileHashes } from './cache';
import { Descriptor, writeDescriptor } from './descriptor';
import { RootRec } from './graph';
import { Instance, PNode } from './instance';
import { FORMAT, NODES_FORMAT, Kept, keptNodesKey } from './kept';
import { writeFetches, writeKeptFetches } from './kept-fetch';

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

/** The names and flag objects of the written instance keys (kept.ts, the S section), each once. */
class StrTable {
  idx: Map<string, i32> = new Map<string, i32>();
  strs: Array<string> = [];
  /** The new index of each string of the graph read back (-1: not interned yet). */
  old: Array<i32> = [];
  of(s: string): i32 {
    if (this.idx.has(s)) return this.idx.get(s);
    const i = this.strs.length;
    this.idx.set(s, i);
    this.strs.push(s);
    return i;
  }
  /** Kept string `i` of `k`, interned. */
  ofKept(k: Kept, i: i32): i32 {
    if (this.old.length == 0) this.old = new Array<i32>(k.strs.length).fill(-1);
    let v = this.old[i];
    if (v < 0) {
      v = this.of(k.strs[i]);
      this.old[i] = v;
    }
    return v;
  }
}

/** The distinct file lists of the written instances (kept.ts, the F section), each once. */
class ListTable {
  idx: Map<string, i32> = new Map<string, i32>();
  lines: StrBuilder = new StrBuilder(1 << 16);
  /** The list being made, then interned by its text (of()). */
  cur: StrBuilder = new StrBuilder(256);
  /** The F index of the list in `cur`. */
  of(): i32 {
    const t = this.cur.toString();
    this.cur.clear();
    if (this.idx.has(t)) return this.idx.get(t);
    const i = this.idx.size;
    this.idx.set(t, i);
    this.lines.str(t);
    this.lines.ch(10);
    return i;
  }
}

/** A key's id from its name's and flags' indices (-1: no flags), as KeptInst.keyId makes it. */
function idOf(n: i32, f: i32): i64 {
  return (<i64>n << 32) | <i64>(f + 1);
}

/** The id of `key` in `t` (interned), and its indices in `out`. */
function internKey(t: StrTable, key: string, out: StaticArray<i32>): i64 {
  const z = key.indexOf('\x00');
  out[0] = t.of(z < 0 ? key : key.substring(0, z));
  out[1] = z < 0 ? -1 : t.of(key.substring(z + 1));
  return idOf(out[0], out[1]);
}

/** The id of `key` among a kept graph's strings (`at`: each string's index), or -1 if it has none. */
function keptIdOf(at: Map<string, i32>, key: string): i64 {
  const z = key.indexOf('\x00');
  const n = z < 0 ? key : key.substring(0, z);
  if (!at.has(n)) return -1;
  if (z < 0) return idOf(at.get(n), -1);
  const f = key.substring(z + 1);
  return at.has(f) ? idOf(at.get(n), at.get(f)) : -1;
}

/** Appends integer `v` in decimal (no string is made: a whole tree's graph writes ~1 M of them). */
function writeInt(sb: StrBuilder, v: i32): void {
  if (v < 0) sb.ch(45);
  sb.uint(<u64>(v < 0 ? -(<i64>v) : <i64>v));
}

/** Appends the text of builder `b` (a section, copied once into the entry without a string of it). */
function writeBuilder(sb: StrBuilder, b: StrBuilder): void {
  sb.reserve(b.len);
  memory.copy(sb.ptr + (<usize>sb.len << 1), b.ptr, <usize>b.len << 1);
  sb.len += b.len;
}

/** The length of the I section (`inst`) or the R section of kept graph `k` as read, or 0. */
function sectionLen(k: Kept | null, inst: bool): i32 {
  if (k === null || k.rAt < k.iAt || k.rAt >= k.starts.length) return 0;
  const st = k.starts;
  return inst ? st[k.rAt] - st[k.iAt] : st[st.length - 1] - st[k.rAt];
}

/** Writes key indices (kept.ts I line): name "," flags, or name alone. */
function writeKey(sb: StrBuilder, n: i32, f: i32): void {
  writeInt(sb, n);
  if (f < 0) return;
  sb.ch(44);
  writeInt(sb, f);
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

/** Hex BLAKE3 of a normalised descriptor's canonical JSON (what early cutoff compares). */
export function descDigest(d: Descriptor): string {
  // one builder for every call: a whole tree's plan computes ~30,000 of these
  const sb = descBuf;
  sb.clear();
  writeDescriptor(sb, d);
  return toHex(digestBuilder(sb, 0));
}
const descBuf = new StrBuilder(1 << 14);

/**
 * The new index of `x`: a walked instance's from its mark (-1 - index), one taken from the kept
 * graph from its record's (keptNew); -1 if it has none.
 */
function idxOf(x: Instance, keptNew: Map<i32, i32>): i32 {
  if (x.kept >= 0) return keptNew.has(x.kept) ? keptNew.get(x.kept) : -1;
  return -1 - x.mark;
}

/** Indices of `l` (idxOf), comma separated, or "-" for null or when one has none. */
function writeItems(sb: StrBuilder, l: Array<Instance> | null, keptNew: Map<i32, i32>): void {
  if (l === null) {
    sb.ch(45);
    return;
  }
  const at = sb.len;
  for (let j = 0; j < l.length; j++) {
    const u = idxOf(l[j], keptNew);
    if (u < 0) {
      sb.len = at;
      sb.ch(45);
      return;
    }
    if (j > 0) sb.ch(44);
    writeInt(sb, u);
  }
}

/** A walked instance's ext field (kept.ts KeptInst.ext). */
function writeExt(sb: StrBuilder, x: Instance, keptNew: Map<i32, i32>): void {
  sb.ch(x.buildable ? 49 : 48);
  sb.ch(59);
  writeItems(sb, x.libItems, keptNew);
  sb.ch(59);
  writeItems(sb, x.runPre, keptNew);
  sb.ch(59);
  writeItems(sb, x.runPost, keptNew);
  sb.ch(59);
  const d = x.desc;
  sb.str('[[');
  for (let j = 0; j < d.indDeps.length; j++) {
    if (j > 0) sb.ch(44);
    writeStr(sb, d.indDeps[j]);
  }
  sb.str('],[');
  for (let j = 0; j < d.runData.length; j++) {
    if (j > 0) sb.ch(44);
    writeStr(sb, d.runData[j]);
  }
  sb.str(']]');
}

/** A carried kept record's ext with its indices renumbered (keptNew); "-" lists stay. */
function writeKeptExt(sb: StrBuilder, ext: string, keptNew: Map<i32, i32>): void {
  let at = 0;
  for (let part = 0; part < 4; part++) {
    const e = ext.indexOf(';', at);
    if (e < 0) {
      // malformed: nothing is taken from it (every list unknown)
      sb.str('0;-;-;-;[[],[]]');
      return;
    }
    if (part > 0) sb.ch(59);
    const f = ext.substring(at, e);
    if (part == 0 || f == '-' || f == '') sb.str(f);
    else {
      const l = f.split(',');
      const m = sb.len;
      for (let j = 0; j < l.length; j++) {
        const v = I32.parseInt(l[j]);
        if (!keptNew.has(v)) {
          sb.len = m;
          sb.ch(45);
          break;
        }
        if (j > 0) sb.ch(44);
        writeInt(sb, keptNew.get(v));
      }
    }
    at = e + 1;
  }
  sb.ch(59);
  sb.sub(ext, at, ext.length);
}

/** The walk's indices (marks) of `l`, each once. */
function writeMarks(sb: StrBuilder, l: Array<Instance>, keptNew: Map<i32, i32>): void {
  const seen = new Set<i32>();
  let first = true;
  for (let j = 0; j < l.length; j++) {
    const u = idxOf(l[j], keptNew);
    if (u < 0 || seen.has(u)) continue;
    seen.add(u);
    if (!first) sb.ch(44);
    first = false;
    writeInt(sb, u);
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
    // two nodes with one out (a pinned seed's id covers only its name and output hash, not
    // its target) are ordered by the walk that built them: such a plan keeps no graph, and an
    // older one must not be used
    if (n.fetchUrls !== null) fetchIdx.set(n.id, i);
    else if (n.memoKey == '' || nodeIdx.has(n.out)) {
      keptNone(key);
      return;
    }
    nodeIdx.set(n.out, i);
  }
  const pt = new PathTable();
  // sized from the graph read back (a re-plan's graph is about as large): no doubling's copies
  const ib = new StrBuilder(max(1 << 20, sectionLen(k, true)));
  let ninst = 0;
  for (let i = 0; i < walked.length; i++) walked[i].mark = -1 - i;
  // One record per instance key: a reused kept instance the walk made too is the walked one;
  // among kept records of one key, one with a node wins (a failed walk may have left it
  // without). A walked instance without a node (a failed root only looked it up) whose kept
  // record has one takes that record's node, files, uses and sources too: same key, same files.
  // Keys are compared by their ids in the new string table (`st`).
  const base = walked.length;
  const st = new StrTable();
  const kix = new StaticArray<i32>(2);
  const walkedKn = new Array<i32>(walked.length);
  const walkedKf = new Array<i32>(walked.length);
  const byKey = new Map<i64, i32>();
  for (let i = 0; i < walked.length; i++) {
    byKey.set(internKey(st, walked[i].key, kix), i);
    walkedKn[i] = kix[0];
    walkedKf[i] = kix[1];
  }
  const keptNew = new Map<i32, i32>();
  const order = new Array<i32>();
  const mergeFrom = new Map<i32, i32>();
  if (k !== null) {
    const pick = new Map<i64, i32>();
    const ids = new Array<i64>(reused.length);
    for (let i = 0; i < reused.length; i++) {
      const x = k.insts[reused[i]];
      const id = idOf(st.ofKept(k, x.kn), x.kf < 0 ? -1 : st.ofKept(k, x.kf));
      ids[i] = id;
      if (byKey.has(id)) {
        const wi = byKey.get(id);
        if (walked[wi].node === null && x.node >= 0 && nodeIdx.has(k.instNode(x.node).out) && !mergeFrom.has(wi)) mergeFrom.set(wi, reused[i]);
        continue;
      }
      if (!pick.has(id)) {
        pick.set(id, reused[i]);
        order.push(reused[i]);
      } else if (k.insts[pick.get(id)].node < 0 && x.node >= 0) {
        order[order.indexOf(pick.get(id))] = reused[i];
        pick.set(id, reused[i]);
      }
    }
    for (let i = 0; i < order.length; i++) {
      const x = k.insts[order[i]];
      byKey.set(idOf(st.ofKept(k, x.kn), x.kf < 0 ? -1 : st.ofKept(k, x.kf)), base + i);
    }
    for (let i = 0; i < reused.length; i++) keptNew.set(reused[i], byKey.get(ids[i]));
  }
  // the kept records by key (their ids among the kept strings), for their descriptor digests
  const keptAt = new Map<i64, i32>();
  const keptStr = new Map<string, i32>();
  if (k !== null) {
    for (let i = 0; i < k.insts.length; i++) if (k.insts[i].hasDesc()) keptAt.set(k.insts[i].keyId(), i);
    for (let i = 0; i < k.strs.length; i++) keptStr.set(k.strs[i], i);
  }
  const lt = new ListTable();
  const seen = new StaticArray<i32>(walked.length + order.length);
  const descs = new Map<string, string>();
  for (let i = 0; i < walked.length; i++) {
    const x = walked[i];
    const nd = x.node;
    const from = k !== null && mergeFrom.has(i) ? k.insts[mergeFrom.get(i)] : null;
    if (nd !== null && nodeIdx.has(nd.out)) writeInt(ib, nodeIdx.get(nd.out));
    else if (from !== null) writeInt(ib, nodeIdx.get(k!.instNode(from.node).out));
    else ib.str('-1');
    ib.ch(9);
    let first = true;
    const fset = new Set<i32>();
    const lb = lt.cur;
    for (let j = 0; j < x.files.length; j++) {
      const f = pt.of(x.files[j]);
      fset.add(f);
      if (!first) lb.ch(44);
      first = false;
      writeInt(lb, f);
    }
    if (from !== null) {
      for (let j = 0; j < from.files.length; j++) {
        const f = pt.of(k!.paths[from.files[j]]);
        if (fset.has(f)) continue;
        fset.add(f);
        if (!first) lb.ch(44);
        first = false;
        writeInt(lb, f);
      }
    }
    writeInt(ib, lt.of());
    ib.ch(9);
    // loads repeat (each task loads its lists again): each use is written once
    first = true;
    for (let j = 0; j < x.uses.length; j++) {
      const u = idxOf(x.uses[j], keptNew);
      if (u < 0 || unchecked(seen[u]) == i + 1) continue;
      unchecked((seen[u] = i + 1));
      if (!first) ib.ch(44);
      first = false;
      writeInt(ib, u);
    }
    if (from !== null) {
      for (let j = 0; j < from.uses.length; j++) {
        const u = keptNew.get(from.uses[j]);
        if (unchecked(seen[u]) == i + 1) continue;
        unchecked((seen[u] = i + 1));
        if (!first) ib.ch(44);
        first = false;
        writeInt(ib, u);
      }
    }
    ib.ch(9);
    if (from !== null) {
      if (!writeKeptFetches(ib, k!, from, fetchIdx)) return;
    } else writeFetches(ib, x.fetchSrc, fetchIdx);
    ib.ch(9);
    writeKey(ib, walkedKn[i], walkedKf[i]);
    ib.ch(9);
    // a render shared by several instances has one descriptor: its digest is computed once; an
    // instance whose kept record's files did not change has its kept digest (Kept.sameDesc)
    const kid = k !== null ? keptIdOf(keptStr, x.key) : -1;
    const same = kid >= 0 && keptAt.has(kid) ? k!.sameDesc(keptAt.get(kid)) : '';
    if (x.introduced || (from !== null && !from.hasDesc())) {
      // never cut off: no digest
    } else if (same != '') ib.str(same);
    else {
      const tk = x.name + '\x00' + x.digest;
      if (x.digest == '' || !descs.has(tk)) {
        const d = descDigest(x.desc);
        if (x.digest != '') descs.set(tk, d);
        ib.str(d);
      } else ib.str(descs.get(tk));
    }
    ib.ch(9);
    writeExt(ib, x, keptNew);
    ib.ch(10);
    ninst++;
  }
  if (k !== null) {
    for (let i = 0; i < order.length; i++) {
      const x = k.insts[order[i]];
      if (x.node >= 0) {
        const o = k.instNode(x.node).out;
        // looked up by a failed root only, its node left with the root that built it: -2
        writeInt(ib, nodeIdx.has(o) ? nodeIdx.get(o) : -2);
      } else writeInt(ib, x.node);
      ib.ch(9);
      for (let j = 0; j < x.files.length; j++) {
        if (j > 0) lt.cur.ch(44);
        writeInt(lt.cur, pt.of(k.paths[x.files[j]]));
      }
      writeInt(ib, lt.of());
      ib.ch(9);
      for (let j = 0; j < x.uses.length; j++) {
        if (j > 0) ib.ch(44);
        writeInt(ib, keptNew.get(x.uses[j]));
      }
      ib.ch(9);
      if (!writeKeptFetches(ib, k, x, fetchIdx)) return;
      ib.ch(9);
      writeKey(ib, st.ofKept(k, x.kn), x.kf < 0 ? -1 : st.ofKept(k, x.kf));
      ib.ch(9);
      ib.str(x.desc);
      ib.ch(9);
      writeKeptExt(ib, x.ext, keptNew);
      ib.ch(10);
      ninst++;
    }
  }
  const rb = new StrBuilder(max(1 << 16, sectionLen(k, false)));
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
        writeInt(rb, f);
      }
      rb.ch(9);
      writeMarks(rb, rec.touched, keptNew);
      rb.ch(9);
      writeMarks(rb, rec.needed, keptNew);
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
        writeInt(rb, pt.of(k.paths[fs[j]]));
      }
      for (let w = 0; w < 2; w++) {
        rb.ch(9);
        const l = w == 0 ? k.rootUses[kr] : k.rootNeeded[kr];
        for (let j = 0; j < l.length; j++) {
          if (j > 0) rb.ch(44);
          writeInt(rb, keptNew.get(l[j]));
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
    if (r.inst !== null) idx = idxOf(r.inst!, keptNew);
    else if (r.kept >= 0 && k !== null && keptNew.has(k.rootInst[r.kept])) idx = keptNew.get(k.rootInst[r.kept]);
    if (idx < 0) continue;
    writeStr(rb, r.request);
    rb.ch(9);
    writeInt(rb, idx);
    rb.ch(9);
    rb.str(r.json);
    rb.ch(10);
    nr++;
  }
  for (let i = 0; i < walked.length; i++) walked[i].mark = 0;
  const sb = new StrBuilder(ib.len + lt.lines.len + rb.len + (1 << 20));
  const paths = pt.paths;
  sb.str(FORMAT);
  sb.str('\nL ');
  sb.str(listing);
  sb.str('\nP ');
  writeInt(sb, paths.length);
  sb.ch(10);
  files.prefetch(paths);
  for (let i = 0; i < paths.length; i++) {
    writeStr(sb, paths[i]);
    sb.ch(9);
    const d = files.get(paths[i]);
    sb.str(d === null ? '-' : d!);
    sb.ch(10);
  }
  // the nodes: an entry of their own, named by its text's digest (kept.ts)
  const nb = new StrBuilder(1 << 20);
  nb.str(NODES_FORMAT);
  nb.ch(10);
  for (let i = 0; i < all.length; i++) {
    const n = all[i];
    if (n.fetchUrls !== null) {
      nb.str('f\t');
      nb.str(n.id);
      nb.ch(9);
      writeStr(nb, n.out);
      nb.ch(9);
      writeStr(nb, n.fetchFile);
      nb.ch(9);
      nb.str(n.fetchSha);
    } else {
      nb.str('n\t');
      nb.str(n.memoKey);
      nb.ch(9);
      writeStr(nb, n.out);
      nb.ch(9);
      nb.str(n.script);
      nb.ch(9);
      let first = true;
      for (let j = 0; j < n.refs.length; j++) {
        if (!nodeIdx.has(n.refs[j])) continue;
        if (!first) nb.ch(44);
        first = false;
        writeInt(nb, nodeIdx.get(n.refs[j]));
      }
    }
    nb.ch(10);
  }
  sb.str('N ');
  writeInt(sb, all.length);
  sb.ch(32);
  sb.str(toHex(digestBuilder(nb, 0)));
  sb.str('\nS ');
  writeInt(sb, st.strs.length);
  sb.ch(10);
  for (let i = 0; i < st.strs.length; i++) {
    writeStr(sb, st.strs[i]);
    sb.ch(10);
  }
  sb.str('F ');
  writeInt(sb, lt.idx.size);
  sb.ch(10);
  writeBuilder(sb, lt.lines);
  sb.str('I ');
  writeInt(sb, ninst);
  sb.ch(10);
  writeBuilder(sb, ib);
  sb.str('R ');
  writeInt(sb, nr);
  sb.ch(10);
  writeBuilder(sb, rb);
  // a kept node line read above was malformed: what was written from it is not kept
  if (k !== null && k.broken) keptNone(key);
  else {
    // the nodes first: a graph names its nodes' digest, so one torn write (new nodes, the old
    // graph) only costs the next plan the walk the nodes were needed for
    host.cachePutUtf16(keptNodesKey(key), nb.ptr, nb.len);
    host.cachePutUtf16(key, sb.ptr, sb.len);
  }
}

/** Keeps "none" under `key`: the next plan of these settings walks every root. */
export function keptNone(key: string): void {
  host.cachePut(key, FORMAT + '\nnone\n');
}
