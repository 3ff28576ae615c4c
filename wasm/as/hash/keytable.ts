/**
 * Values by string key, looked up by the text a StrBuilder holds without making a string of it:
 * a lookup that hits allocates nothing (the graph looks instances up by a key of name and flags
 * hundreds of thousands of times on a whole tree, and builds the key's string only for a new
 * instance). Open addressing over a power-of-two slot table kept at most half full; each key's
 * hash is kept beside it, so only an equal hash costs a comparison of the text. Keys are never
 * removed.
 *
 * Must not depend on: anything of the core but hash/builder.ts.
 */
import { StrBuilder } from './builder';

/** A 32-bit hash of the `n` UTF-16 code units at `p`, four units per step. */
export function hashUnits(p: usize, n: i32): u32 {
  let h: u64 = 0x9e3779b97f4a7c15 ^ <u64>n;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    h = (h ^ load<u64>(p + (<usize>i << 1))) * 0xbf58476d1ce4e5b9;
    h ^= h >> 29;
  }
  for (; i < n; i++) {
    h = (h ^ <u64>load<u16>(p + (<usize>i << 1))) * 0x94d049bb133111eb;
    h ^= h >> 31;
  }
  h *= 0xff51afd7ed558ccd;
  return <u32>(h >> 32);
}

export class KeyTable<V> {
  private keys: Array<string> = new Array<string>();
  private vals: Array<V> = new Array<V>();
  private hashes: Array<u32> = new Array<u32>();
  /** Index + 1 of the key in each slot, 0 for an empty slot. */
  private slots: StaticArray<i32>;

  /** `slots`: the first slot table's size, a power of two (a table of a few keys takes 8). */
  constructor(slots: i32 = 1024) {
    this.slots = new StaticArray<i32>(slots);
  }

  get size(): i32 {
    return this.keys.length;
  }

  /** Index of the key equal to the builder's text, or -1. */
  find(sb: StrBuilder): i32 {
    return this.findAt(sb.ptr, sb.len, hashUnits(sb.ptr, sb.len));
  }

  /** Index of the key equal to `s`, or -1 (one hash, unlike Map's has-then-get). */
  findStr(s: string): i32 {
    return this.findUnits(changetype<usize>(s), s.length);
  }

  /**
   * Index of the key equal to `s` whose hashUnits is `h`, or -1: one string looked up in several
   * tables (a block name along a template chain) is hashed once.
   */
  findHashed(s: string, h: u32): i32 {
    return this.findAt(changetype<usize>(s), s.length, h);
  }

  /** Index of the key equal to the `n` UTF-16 code units at `p` (part of a string or builder), or -1. */
  findUnits(p: usize, n: i32): i32 {
    return this.findAt(p, n, hashUnits(p, n));
  }

  /** findUnits with the hash given: a table whose keys were added with addHashed. */
  findUnitsHashed(p: usize, n: i32, h: u32): i32 {
    return this.findAt(p, n, h);
  }

  /**
   * Index of the key equal to `a`, the code unit `sep`, then `b` (a key in two parts, never put
   * together for a lookup), whose hash is `h`, or -1.
   */
  findJoined(a: string, sep: u16, b: string, h: u32): i32 {
    if (this.keys.length == 0) return -1;
    const na = a.length;
    const n = na + 1 + b.length;
    const pa = changetype<usize>(a);
    const pb = changetype<usize>(b);
    const mask = this.slots.length - 1;
    let s = <i32>h & mask;
    let v = unchecked(this.slots[s]);
    while (v != 0) {
      const i = v - 1;
      if (unchecked(this.hashes[i]) == h) {
        const k = unchecked(this.keys[i]);
        const pk = changetype<usize>(k);
        if (
          k.length == n &&
          load<u16>(pk + (<usize>na << 1)) == sep &&
          memory.compare(pk, pa, <usize>na << 1) == 0 &&
          memory.compare(pk + (<usize>(na + 1) << 1), pb, <usize>(n - na - 1) << 1) == 0
        )
          return i;
      }
      s = (s + 1) & mask;
      v = unchecked(this.slots[s]);
    }
    return -1;
  }

  private findAt(p: usize, n: i32, h: u32): i32 {
    if (this.keys.length == 0) return -1;
    const mask = this.slots.length - 1;
    let s = <i32>h & mask;
    let v = unchecked(this.slots[s]);
    while (v != 0) {
      const i = v - 1;
      if (unchecked(this.hashes[i]) == h) {
        const k = unchecked(this.keys[i]);
        if (k.length == n && memory.compare(changetype<usize>(k), p, <usize>n << 1) == 0) return i;
      }
      s = (s + 1) & mask;
      v = unchecked(this.slots[s]);
    }
    return -1;
  }

  keyAt(i: i32): string {
    return unchecked(this.keys[i]);
  }

  valueAt(i: i32): V {
    return unchecked(this.vals[i]);
  }

  /** Replaces the value of the key at index `i`. */
  setAt(i: i32, v: V): void {
    unchecked((this.vals[i] = v));
  }

  /** Adds `key`, which must not be present yet, with value `v`; returns its index. */
  add(key: string, v: V): i32 {
    const i = this.keys.length;
    this.keys.push(key);
    this.vals.push(v);
    this.hashes.push(hashUnits(changetype<usize>(key), key.length));
    if ((i + 1) * 2 > this.slots.length) this.rehash(this.slots.length << 1);
    else this.put(i);
    return i;
  }

  /**
   * add() of a key whose hash the caller computed its own way (such a table is searched with
   * the find methods that take a hash).
   */
  addHashed(key: string, v: V, h: u32): i32 {
    const i = this.keys.length;
    this.keys.push(key);
    this.vals.push(v);
    this.hashes.push(h);
    if ((i + 1) * 2 > this.slots.length) this.rehash(this.slots.length << 1);
    else this.put(i);
    return i;
  }

  private put(i: i32): void {
    const mask = this.slots.length - 1;
    let s = <i32>unchecked(this.hashes[i]) & mask;
    while (unchecked(this.slots[s]) != 0) s = (s + 1) & mask;
    unchecked((this.slots[s] = i + 1));
  }

  private rehash(size: i32): void {
    this.slots = new StaticArray<i32>(size);
    for (let i = 0; i < this.keys.length; i++) this.put(i);
  }
}
