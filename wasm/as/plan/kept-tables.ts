/**
 * The interning tables a kept graph is written with (kept.ts, the P, S and F sections): paths,
 * key strings and file lists, each given its index once, and instance keys' ids from them.
 *
 * Must not depend on: abi/, the reader (kept-load.ts) or the planner.
 */
import { KeyTable, StrBuilder } from '../hash/index';
import { Kept } from './kept';

/** The paths of the written graph (kept.ts, the P section), each once. */
export class PathTable {
  idx: KeyTable<i32> = new KeyTable<i32>();
  paths: Array<string> = [];
  of(p: string): i32 {
    const at = this.idx.findStr(p);
    if (at >= 0) return this.idx.valueAt(at);
    const i = this.paths.length;
    this.idx.add(p, i);
    this.paths.push(p);
    return i;
  }
}

/** The names and flag objects of the written instance keys (kept.ts, the S section), each once. */
export class StrTable {
  idx: KeyTable<i32> = new KeyTable<i32>();
  strs: Array<string> = [];
  /** The new index of each string of the graph read back (-1: not interned yet). */
  old: Array<i32> = [];
  of(s: string): i32 {
    const at = this.idx.findStr(s);
    if (at >= 0) return this.idx.valueAt(at);
    const i = this.strs.length;
    this.idx.add(s, i);
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
export class ListTable {
  idx: KeyTable<i32> = new KeyTable<i32>();
  lines: StrBuilder = new StrBuilder(1 << 16);
  /** The list being made, then interned by its text (of(): a list met before makes no string). */
  cur: StrBuilder = new StrBuilder(256);
  /** The F index of the list in `cur`. */
  of(): i32 {
    const at = this.idx.find(this.cur);
    if (at >= 0) {
      this.cur.clear();
      return this.idx.valueAt(at);
    }
    const t = this.cur.toString();
    this.cur.clear();
    const i = this.idx.size;
    this.idx.add(t, i);
    this.lines.str(t);
    this.lines.ch(10);
    return i;
  }
}

/** A key's id from its name's and flags' indices (-1: no flags), as KeptInst.keyId makes it. */
export function idOf(n: i32, f: i32): i64 {
  return (<i64>n << 32) | <i64>(f + 1);
}

/** The id of `key` in `t` (interned), and its indices in `out`. */
export function internKey(t: StrTable, key: string, out: StaticArray<i32>): i64 {
  const z = key.indexOf('\x00');
  out[0] = t.of(z < 0 ? key : key.substring(0, z));
  out[1] = z < 0 ? -1 : t.of(key.substring(z + 1));
  return idOf(out[0], out[1]);
}

/** The id of `key` among a kept graph's strings (`at`: each string's index), or -1 if it has none. */
export function keptIdOf(at: Map<string, i32>, key: string): i64 {
  const z = key.indexOf('\x00');
  const n = z < 0 ? key : key.substring(0, z);
  if (!at.has(n)) return -1;
  if (z < 0) return idOf(at.get(n), -1);
  const f = key.substring(z + 1);
  return at.has(f) ? idOf(at.get(n), at.get(f)) : -1;
}
