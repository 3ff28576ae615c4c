/**
 * Writes a plan's kept graph (its format: kept.ts): the walked instances with what their renders
 * read, the reused kept instances carried over under their new indices, the plan's nodes by their
 * node memo keys, and the planned roots (a failed one with what its walk read). A graph read back
 * and kept as it was, with new file digests, is written by kept-rewrite.ts. Its parts: kept-tables.ts
 * (interning), kept-write.ts (fields), kept-store-roots.ts (the R section), kept-store-nodes.ts (the
 * nodes entry), kept-store-size.ts (each builder's length, so none is doubled).
 *
 * Must not depend on: abi/, the reader (kept-load.ts) or the planner: it writes what it is given.
 */
import * as host from '../host';
import { KeyTable, StrBuilder, writeStr, digestBuilder, toHex } from '../hash/index';
import { FileHashes } from './cache';
import { Instance, PNode } from './instance';
import { FORMAT, Kept, keptNodesKey } from './kept';
import { writeFetches, writeKeptFetches } from './kept-fetch';
import { KeptRootOut, writeRoots } from './kept-store-roots';
import { nodesText } from './kept-store-nodes';
import { headLen, instLen, sectionLen } from './kept-store-size';
import { ListTable, PathTable, StrTable, idOf, internKey, keptIdOf } from './kept-tables';
import { descDigest, idxOf, writeBuilder, writeExt, writeInt, writeKey, writeKeptExt } from './kept-write';

// what the planner and the rechecks take from here, kept where they import it
export { KeptRootOut } from './kept-store-roots';
export { descDigest } from './kept-write';

/**
 * Writes the kept graph of a plan: the walked instances, the reused kept instances `reused`, the
 * plan's nodes `all` and its planned roots. Nothing is stored if a node has no memo key.
 */
export function keptStore(key: string, walked: Array<Instance>, k: Kept | null, reused: Array<i32>, all: Array<PNode>, roots: Array<KeptRootOut>, files: FileHashes, listing: string): void {
  // each node's index by its out: a KeyTable, looked up with one hash (a Map's has-then-get
  // hashed each reference of every node twice), sized for all of them at once
  const nodeIdx = new KeyTable<i32>(1 << (32 - clz(max(8, all.length * 2) - 1)));
  const fetchIdx = new Map<string, i32>();
  for (let i = 0; i < all.length; i++) {
    const n = all[i];
    const at = nodeIdx.findStr(n.out);
    // two nodes with one out (a pinned seed's id covers only its name and output hash, not
    // its target) are ordered by the walk that built them: such a plan keeps no graph, and an
    // older one must not be used
    if (n.fetchUrls !== null) fetchIdx.set(n.id, i);
    else if (n.memoKey == '' || at >= 0) {
      keptNone(key);
      return;
    }
    if (at >= 0) nodeIdx.setAt(at, i);
    else nodeIdx.add(n.out, i);
  }
  const pt = new PathTable();
  // sized from the graph read back (a re-plan's graph is about as large) and the walked
  // instances (kept-store-size.ts): no doubling's copies
  let ilen = sectionLen(k, true);
  for (let i = 0; i < walked.length; i++) ilen += instLen(walked[i]);
  const ib = new StrBuilder(max(1 << 16, ilen));
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
        if (walked[wi].node === null && x.node >= 0 && nodeIdx.findStr(k.instNode(x.node).out) >= 0 && !mergeFrom.has(wi)) mergeFrom.set(wi, reused[i]);
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
  const listOf = new Map<usize, i32>();
  for (let i = 0; i < walked.length; i++) {
    const x = walked[i];
    const nd = x.node;
    const from = k !== null && mergeFrom.has(i) ? k.insts[mergeFrom.get(i)] : null;
    const ni = nd !== null ? nodeIdx.findStr(nd.out) : -1;
    if (ni >= 0) writeInt(ib, nodeIdx.valueAt(ni));
    else if (from !== null) writeInt(ib, nodeIdx.valueAt(nodeIdx.findStr(k!.instNode(from.node).out)));
    else ib.str('-1');
    ib.ch(9);
    // the instances of one render share its files list (an array nobody changes, alive while
    // `walked` is): its F index is made once (interning is the same for the same paths)
    const fl = changetype<usize>(x.files);
    if (from === null && listOf.has(fl)) writeInt(ib, listOf.get(fl));
    else {
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
      const li = lt.of();
      if (from === null) listOf.set(fl, li);
      writeInt(ib, li);
    }
    ib.ch(9);
    let first = true;
    // loads repeat (each task loads its lists again): each use is written once
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
      // a descriptor remembers its digest; renders of one text made apart (other flags) have
      // descriptors of their own, the same digest by package and text digest
      const dd = x.desc;
      if (dd.canonHex == '' && x.digest != '') {
        const tk = x.name + '\x00' + x.digest;
        if (descs.has(tk)) dd.canonHex = descs.get(tk);
        else descs.set(tk, descDigest(dd));
      }
      ib.str(descDigest(dd));
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
        const oi = nodeIdx.findStr(o);
        writeInt(ib, oi >= 0 ? nodeIdx.valueAt(oi) : -2);
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
  const nr = writeRoots(rb, roots, k, pt, keptNew);
  for (let i = 0; i < walked.length; i++) walked[i].mark = 0;
  const paths = pt.paths;
  files.prefetch(paths);
  // the nodes: an entry of their own, named by its text's digest (kept.ts)
  const nb = nodesText(all, nodeIdx);
  // made once at its length: the head's (no escapes), the sections', their I and R lines
  const sb = new StrBuilder(headLen(FORMAT, listing, paths, files, st.strs) + lt.lines.len + ib.len + rb.len + 32);
  sb.str(FORMAT);
  sb.str('\nL ');
  sb.str(listing);
  sb.str('\nP ');
  writeInt(sb, paths.length);
  sb.ch(10);
  for (let i = 0; i < paths.length; i++) {
    writeStr(sb, paths[i]);
    sb.ch(9);
    const d = files.get(paths[i]);
    sb.str(d === null ? '-' : d!);
    sb.ch(10);
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
