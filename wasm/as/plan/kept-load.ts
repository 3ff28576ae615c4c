/**
 * Reads a kept graph entry back (its format: kept.ts) into the model, and a kept node's bytes from
 * the node memo as the plan writes them. Anything malformed is a miss (null), never a trap.
 *
 * Must not depend on: abi/, the writer (kept-store.ts) or the planner.
 */
import * as host from '../host';
import { parseJson, utf8DecodeAt, J_STR } from '../hash/index';
import { PNode } from './graph';
import { scriptLookup } from './node-memo';
import { FORMAT, Kept, KeptInst, KeptNode } from './kept';

const NODE_HEADER = 'ix-as-node-memo/2\n';

function jstr(text: string): string | null {
  // most strings have nothing to unescape: taken as they are
  const n = text.length;
  if (n >= 2 && text.charCodeAt(0) == 34 && text.charCodeAt(n - 1) == 34) {
    let plain = true;
    for (let i = 1; i < n - 1 && plain; i++) {
      const c = text.charCodeAt(i);
      if (c == 92 || c == 34 || c < 32) plain = false;
    }
    if (plain) return text.substring(1, n - 1);
  }
  const v = parseJson(text).value;
  return v !== null && v.kind == J_STR ? v.s : null;
}

/** Comma-separated indices below `n` ("" is none), or null when malformed. */
function ints(text: string, n: i32): Array<i32> | null {
  const out = new Array<i32>();
  const len = text.length;
  if (len == 0) return out;
  let v = 0;
  let digits = 0;
  for (let i = 0; i <= len; i++) {
    const c = i < len ? text.charCodeAt(i) : 44;
    if (c == 44) {
      if (digits == 0 || v >= n) return null;
      out.push(v);
      v = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 9) {
      v = v * 10 + (c - 48);
      digits++;
    } else return null;
  }
  return out;
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

/** The kept graph under `key`, or null (a miss or anything malformed). */
export function keptLoad(key: string): Kept | null {
  const raw = host.cacheGet(key);
  if (raw === null) return null;
  const lines = utf8DecodeAt(raw.dataStart, raw.length).split('\n');
  if (lines.length < 1 || lines[0] != FORMAT) return null;
  const k = new Kept();
  k.lines = lines;
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
  k.nAt = rd.at;
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
  k.iAt = rd.at;
  const ni = rd.count('I');
  if (ni < 0) return null;
  for (let i = 0; i < ni; i++) {
    const f = lines[rd.at++].split('\t');
    if (f.length != 6) return null;
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
    x.desc = f[5];
    k.insts.push(x);
  }
  k.rAt = rd.at;
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
  if (rd.at != lines.length - 1 || lines[rd.at] != '') return null;
  return k;
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
  // a view, not a copy: the entry's bytes are this node's alone
  n.utf8 = raw.subarray(e2 + 1);
  n.size = n.utf8!.length;
  n.raw = true;
  for (let j = 0; j < kn.refs.length; j++) n.refs.push(k.nodes[kn.refs[j]].out);
  return n;
}
