/**
 * A build node's environment (node.ts): its entries in the order they were set, each key's last
 * entry in key order, and the values joined from the node's dependency lists, written straight
 * into the node's JSON. One node is built at a time: `nodeEnv` and `envOrder` are its scratch.
 *
 * Must not depend on: abi/, node.ts (which writes these values into a node).
 */
import { StrBuilder, writeStrBody } from '../hash/index';
import { PNode } from './instance';

/** The env name of a dependency node ('-' as '_' in its store name), made once per node. */
export function envName(r: PNode): string {
  let k = r.envName;
  if (k == '') {
    k = r.storeName.replaceAll('-', '_');
    r.envName = k;
  }
  return k;
}

/**
 * Env values joined from a node's dependency lists are written straight into the node's JSON
 * (twice: the draft and the node), never made as strings: on a whole tree they are most of the
 * plan's bytes and were most of the garbage node building made.
 */
export const V_STR: i32 = 0;
/** MIX_B_DIR, MIX_T_DIR, MIX_H_DIR: the outs of tools, target libs, host libs, last first, ':'. */
export const V_TOOLS_REV: i32 = 1;
export const V_TLIBS_REV: i32 = 2;
export const V_HLIBS_REV: i32 = 3;
/** PATH: each tool's out + '/bin', in order, ':'. */
export const V_PATH: i32 = 4;
/** src: the sources' outs, ' '. */
export const V_SRC: i32 = 5;
/**
 * A dependency's out, as a string: a build node's out holds no PLACEHOLDER (nodeOut replaced
 * each), so it is written as it is, never filled (V_STR values are).
 */
export const V_OUT: i32 = 6;

/**
 * Env entries in the order they were set: key, value (or what it is joined from). A key set again
 * overrides the earlier value; `sorted` gives each key's last entry in key order. Entries are
 * never looked up one by one (a node sets one per dependency, and a scan per set was quadratic).
 */
export class Env {
  keys: Array<string> = [];
  vals: Array<string> = [];
  codes: Array<i32> = [];
  /** Each key's sortKey: most comparisons of `sorted` are of these, not of the strings. */
  pres: Array<u64> = [];
  clear(): void {
    this.keys.length = 0;
    this.vals.length = 0;
    this.codes.length = 0;
    this.pres.length = 0;
  }
  set(k: string, v: string, code: i32 = V_STR): void {
    this.keys.push(k);
    this.vals.push(v);
    this.codes.push(code);
    this.pres.push(sortKey(k));
  }
  /** Into `order`: the index of each key's last entry, by key (code-unit order). */
  sorted(order: Array<i32>): void {
    const ks = this.keys;
    const ps = this.pres;
    const n = ks.length;
    order.length = n;
    for (let i = 0; i < n; i++) unchecked((order[i] = i));
    // bottom-up merge sort: stable, so equal keys stay in the order they were set
    const tmp = sortTmp;
    tmp.length = n;
    let a = order;
    let b = tmp;
    for (let w = 1; w < n; w <<= 1) {
      for (let lo = 0; lo < n; lo += w << 1) {
        const mid = min(lo + w, n);
        const hi = min(lo + (w << 1), n);
        let i = lo;
        let j = mid;
        let o = lo;
        while (i < mid && j < hi) {
          const x = unchecked(a[i]);
          const y = unchecked(a[j]);
          const px = unchecked(ps[x]);
          const py = unchecked(ps[y]);
          if (py < px || (py == px && unchecked(ks[y]) < unchecked(ks[x]))) {
            unchecked((b[o++] = y));
            j++;
          } else {
            unchecked((b[o++] = x));
            i++;
          }
        }
        while (i < mid) unchecked((b[o++] = a[i++]));
        while (j < hi) unchecked((b[o++] = a[j++]));
      }
      const t = a;
      a = b;
      b = t;
    }
    // each run of equal keys: keep its last entry
    let m = 0;
    for (let i = 0; i < n; i++) {
      const x = unchecked(a[i]);
      if (i + 1 < n) {
        const y = unchecked(a[i + 1]);
        if (unchecked(ps[y]) == unchecked(ps[x]) && unchecked(ks[y]) == unchecked(ks[x])) continue;
      }
      unchecked((order[m++] = x));
    }
    order.length = m;
  }
}

/**
 * A u64 whose order agrees with the code-unit order of strings where two differ (equal ones
 * say nothing: compare the strings): the first 8 code units as bytes, a string's end as 0 bytes.
 * A unit >= 0xFF is written as 0xFF and ends the key (0 bytes after it): up to the first such
 * unit, bytes are the units themselves, so the first byte two keys differ in is a unit where the
 * strings first differ, or the end of the shorter one. Env keys are ASCII store names, most of
 * them told apart in their first 8 units past a shared "lib_" or "bin_".
 */
export function sortKey(s: string): u64 {
  const p = changetype<usize>(s);
  if (s.length >= 8) {
    // eight ASCII units (the usual key): their low bytes packed four by four, then swapped so
    // the first unit is the most significant byte
    const lo = load<u64>(p);
    const hi = load<u64>(p + 8);
    if (((lo | hi) & 0xff80ff80ff80ff80) == 0) return bswap<u64>(packLanes(lo) | (packLanes(hi) << 32));
  }
  const n = min(s.length, 8);
  let key: u64 = 0;
  let i = 0;
  for (; i < n; i++) {
    const u = <u64>load<u16>(p + (<usize>i << 1));
    if (u >= 0xff) {
      key = (key << 8) | 0xff;
      i++;
      break;
    }
    key = (key << 8) | u;
  }
  return key << (<u64>(8 - i) << 3);
}

/** The low bytes of the four 16-bit lanes of `w` (each below 0x100), lane 0 lowest, in 32 bits. */
@inline function packLanes(w: u64): u64 {
  const x = (w | (w >> 8)) & 0x0000ffff0000ffff;
  return (x | (x >> 16)) & 0xffffffff;
}

/** The env and key order of the node being built (one node at a time), and the sort's scratch. */
export const nodeEnv = new Env();
export const envOrder = new Array<i32>();
const sortTmp = new Array<i32>();

/** The outs of `l` last first, joined by ':', as the body of a JSON string. */
export function writeRev(b: StrBuilder, l: Array<PNode>): void {
  for (let i = l.length - 1; i >= 0; i--) {
    writeStrBody(b, unchecked(l[i]).out);
    if (i > 0) b.ch(58);
  }
}
