/**
 * Reads a kept graph entry back (its format: kept.ts) into the model, and a kept node's bytes from
 * the node memo as the plan writes them. Anything malformed is a miss (null), never a trap.
 *
 * Must not depend on: abi/, the writer (kept-store.ts) or the planner.
 */
import * as host from '../host';
import { hexOfBytes, utf8DecodeAt } from '../hash/index';
import { PNode } from './instance';
import { NODE_HEADER, scriptLookup } from './node-memo';
import { unpackNodeBody } from './node-memo-pack';
import { FORMAT, Kept, KeptInst, NodeEntry, keptNodesKey } from './kept';
import { chAt, intIn, ints, intsIn, jstr, jstrIn, textIn } from './kept-text';

class Lines {
  k: Kept;
  at: i32 = 1;
  constructor(k: Kept) {
    this.k = k;
  }
  /** The count of a section headed `tag`, or -1. */
  count(tag: string): i32 {
    const k = this.k;
    const last = k.starts.length - 1;
    if (this.at >= last) return -1;
    const l = k.line(this.at);
    if (!l.startsWith(tag + ' ')) return -1;
    const v = I32.parseInt(l.substring(2));
    this.at++;
    return v >= 0 && this.at + v <= last ? v : -1;
  }
}

/** The node entry through the host's cache (kept.ts Kept.node reads it on first use). */
class CachedNodes extends NodeEntry {
  text(key: string, digest: string): string | null {
    const raw = host.cacheGet(key);
    // another graph's nodes (a write of the graph that did not finish): none
    if (raw === null || hexOfBytes(raw) != digest) return null;
    return utf8DecodeAt(raw.dataStart, raw.length);
  }
}
const cachedNodes = new CachedNodes();

/**
 * The kept graph under `key`, or null (a miss or anything malformed). Its node entry is only
 * named here; it is read when a node is first used (Kept.node).
 */
export function keptLoad(key: string): Kept | null {
  const raw = host.cacheGet(key);
  if (raw === null) return null;
  // kept as bytes: a string is made only of each field used (kept-text.ts)
  const text = raw!;
  const k = new Kept();
  k.text = text;
  // line i runs from starts[i] to starts[i + 1] - 1 (its newline); as String#split('\n') cuts it
  const starts = k.starts;
  starts.push(0);
  for (let j = chAt<Uint8Array>(text, 10, 0); j >= 0; j = chAt<Uint8Array>(text, 10, j + 1)) starts.push(j + 1);
  starts.push(text.length + 1);
  const nl = starts.length - 1;
  if (nl < 2 || k.line(0) != FORMAT) return null;
  const l1 = k.line(1);
  if (!l1.startsWith('L ')) return null;
  k.listing = l1.substring(2);
  const rd = new Lines(k);
  rd.at = 2;
  const np = rd.count('P');
  if (np < 0) return null;
  for (let i = 0; i < np; i++) {
    const a = starts[rd.at];
    const b = starts[++rd.at] - 1;
    const t = chAt<Uint8Array>(text, 9, a);
    if (t < 0 || t >= b) return null;
    const t2 = chAt<Uint8Array>(text, 9, t + 1);
    if (t2 >= 0 && t2 < b) return null;
    const p = jstrIn<Uint8Array>(text, a, t);
    if (p === null) return null;
    k.paths.push(p!);
    k.digests.push(textIn<Uint8Array>(text, t + 1, b));
  }
  k.nAt = rd.at;
  if (rd.at >= nl) return null;
  const nline = k.line(rd.at++);
  const sp = nline.indexOf(' ', 2);
  if (!nline.startsWith('N ') || sp < 0) return null;
  const nn = intIn(nline, 2, sp);
  if (nn < 0) return null;
  k.nodeN = nn;
  k.nodeKey = keptNodesKey(key);
  k.nodeDigest = nline.substring(sp + 1);
  k.nodeSrc = cachedNodes;
  const nstr = rd.count('S');
  if (nstr < 0) return null;
  for (let i = 0; i < nstr; i++) {
    const a = starts[rd.at];
    const b = starts[++rd.at] - 1;
    const s = jstrIn<Uint8Array>(text, a, b);
    if (s === null) return null;
    k.strs.push(s!);
  }
  k.fAt = rd.at;
  const nf = rd.count('F');
  if (nf < 0) return null;
  for (let i = 0; i < nf; i++) {
    const a = starts[rd.at];
    const b = starts[++rd.at] - 1;
    const l = intsIn<Uint8Array>(text, a, b, np);
    if (l === null) return null;
    k.fileLists.push(l!);
  }
  k.iAt = rd.at;
  const ni = rd.count('I');
  if (ni < 0) return null;
  for (let i = 0; i < ni; i++) {
    // node TAB files TAB uses TAB fetches TAB key TAB descriptor digest TAB ext, read in place
    const a = starts[rd.at];
    const b = starts[++rd.at] - 1;
    const t1 = chAt<Uint8Array>(text, 9, a);
    const t2 = t1 < 0 ? -1 : chAt<Uint8Array>(text, 9, t1 + 1);
    const t3 = t2 < 0 ? -1 : chAt<Uint8Array>(text, 9, t2 + 1);
    const t4 = t3 < 0 ? -1 : chAt<Uint8Array>(text, 9, t3 + 1);
    const t5 = t4 < 0 ? -1 : chAt<Uint8Array>(text, 9, t4 + 1);
    const t6 = t5 < 0 ? -1 : chAt<Uint8Array>(text, 9, t5 + 1);
    if (t6 < 0 || t6 >= b) return null;
    const t7 = chAt<Uint8Array>(text, 9, t6 + 1);
    if (t7 >= 0 && t7 < b) return null;
    const x = new KeptInst();
    // the key: name "," flags, or name alone (S indices)
    const c = chAt<Uint8Array>(text, 44, t4 + 1);
    if (c >= 0 && c < t5) {
      x.kn = intIn<Uint8Array>(text, t4 + 1, c);
      x.kf = intIn<Uint8Array>(text, c + 1, t5);
      if (x.kf < 0 || x.kf >= nstr) return null;
    } else x.kn = intIn<Uint8Array>(text, t4 + 1, t5);
    if (x.kn < 0 || x.kn >= nstr) return null;
    x.strs = k.strs;
    x.node = intIn<Uint8Array>(text, a, t1);
    const fi = intIn<Uint8Array>(text, t1 + 1, t2);
    const us = intsIn<Uint8Array>(text, t2 + 1, t3, ni);
    // an instance's node being no fetch node is checked when it is used (Kept.instNode)
    if (fi < 0 || fi >= nf || us === null || x.node < -2 || x.node >= nn) return null;
    if (x.node == -2) k.unknownNode = true;
    // shared with the instances of the same list: replaced, never changed in place
    x.files = k.fileLists[fi];
    x.fi = fi;
    x.uses = us!;
    x.src = text;
    x.fa = t3 + 1;
    x.fb = t4;
    x.da = t5 + 1;
    x.db = t6;
    x.ea = t6 + 1;
    x.eb = b;
    k.insts.push(x);
  }
  k.rAt = rd.at;
  const nr = rd.count('R');
  if (nr < 0) return null;
  for (let i = 0; i < nr; i++) {
    const line = k.line(rd.at++);
    const t1 = line.indexOf('\t');
    const t2 = t1 < 0 ? -1 : line.indexOf('\t', t1 + 1);
    if (t2 < 0) return null;
    const req = jstr(line.substring(0, t1));
    if (req === null) return null;
    k.rootReq.set(req!, i);
    k.rootReqs.push(req!);
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
  if (rd.at != nl - 1 || k.line(rd.at) != '') return null;
  return k;
}

/**
 * A kept node as the plan writes it: its JSON from the node memo, written as is. Null when the
 * memo no longer has it (or its script, if the plan has not seen that yet): then nothing kept is used.
 */
export function keptNode(k: Kept, i: i32, scripts: Map<string, string>): PNode | null {
  const kn = k.instNode(i);
  if (kn.bad) return null;
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
  const json = unpackNodeBody(raw, e2 + 1);
  if (json === null) return null;
  n.utf8 = json;
  n.size = json.length;
  n.raw = true;
  for (let j = 0; j < kn.refs.length; j++) {
    const r = k.node(kn.refs[j]);
    if (r.bad) return null;
    n.refs.push(r.out);
  }
  return n;
}
