/**
 * Plan nodes kept small until the plan is written. A node's canonical JSON names the out paths of
 * the nodes it uses again and again (env entries, PATH, MIX_*_DIR, the reference lists): on a
 * whole IX tree ~80% of its bytes. Each out path of a known node ("/ix/store/<id>-<name>") is
 * replaced by a 4-byte token (0x01, then the node's index, 24 bits little-endian) and expanded
 * again when the plan is written; nothing else changes, so the round trip is exact.
 *
 * Why 0x01 is free: canonical JSON escapes every control character inside strings and has none
 * outside them, so no node's UTF-8 holds the byte. A would-be path that does not match a known
 * out byte for byte stays as it is.
 *
 * Must not depend on: anything of the core but hash/bytes.ts.
 */
import { ByteBuilder } from '../hash/bytes';

const MARK: u8 = 0x01;
/** "/ix/store/" as UTF-8. */
const PREFIX = '/ix/store/';
const PREFIX_LEN: i32 = 10;
const ID_LEN: i32 = 32;
/** The token's index field holds 24 bits. */
const MAX_OUTS: i32 = 1 << 24;
/** Where a token is put together. */
const TOKEN: usize = memory.data(4, 4);

function idHash(p: usize): u32 {
  // the id is a hash already: mixing its 32 bytes keeps the table's buckets even
  let h = load<u64>(p) * 0x9e3779b97f4a7c15;
  h ^= load<u64>(p + 8) + (h >> 29);
  h ^= load<u64>(p + 16) * 0xbf58476d1ce4e5b9;
  h ^= load<u64>(p + 24) + (h >> 31);
  h *= 0x94d049bb133111eb;
  return <u32>(h >> 32);
}

/** Appends the `n` bytes at `p` to `bb`, growing it by half when full. */
function append(bb: ByteBuilder, p: usize, n: i32): void {
  const need = bb.len + n;
  if (need > bb.buf.length) {
    let cap = bb.buf.length;
    while (cap < need) cap = cap + (cap >> 1) + 16;
    const nb = new Uint8Array(cap);
    memory.copy(nb.dataStart, bb.buf.dataStart, <usize>bb.len);
    bb.buf = nb;
  }
  memory.copy(bb.buf.dataStart + <usize>bb.len, p, <usize>n);
  bb.len = need;
}

/** Known out paths (UTF-8) by index, found by their id through an open-addressing table. */
export class OutTable {
  outs: Array<Uint8Array> = [];
  private slots: StaticArray<i32> = new StaticArray<i32>(1 << 12);
  private scratch: ByteBuilder = new ByteBuilder(1 << 16);

  /** Registers an out path (an ASCII "/ix/store/<32 chars>-<name>"; others are left alone). */
  add(out: string): void {
    const n = out.length;
    if (n < PREFIX_LEN + ID_LEN + 1 || !out.startsWith(PREFIX) || this.outs.length >= MAX_OUTS) return;
    for (let i = 0; i < n; i++) if (out.charCodeAt(i) >= 0x80) return;
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) unchecked((b[i] = <u8>out.charCodeAt(i)));
    if (this.find(b.dataStart, n) >= 0) return;
    if ((this.outs.length + 1) * 2 > this.slots.length) this.rehash(this.slots.length << 1);
    this.outs.push(b);
    this.put(this.outs.length - 1);
  }

  private put(idx: i32): void {
    const mask = this.slots.length - 1;
    let s = <i32>idHash(unchecked(this.outs[idx]).dataStart + <usize>PREFIX_LEN) & mask;
    while (unchecked(this.slots[s]) != 0) s = (s + 1) & mask;
    unchecked((this.slots[s] = idx + 1));
  }

  private rehash(size: i32): void {
    this.slots = new StaticArray<i32>(size);
    for (let i = 0; i < this.outs.length; i++) this.put(i);
  }

  /** The index of the known out that the `avail` bytes at `p` start with, or -1. */
  private find(p: usize, avail: i32): i32 {
    if (avail < PREFIX_LEN + ID_LEN + 1) return -1;
    const mask = this.slots.length - 1;
    let s = <i32>idHash(p + <usize>PREFIX_LEN) & mask;
    let v = unchecked(this.slots[s]);
    while (v != 0) {
      const o = unchecked(this.outs[v - 1]);
      if (o.length <= avail && memory.compare(o.dataStart, p, <usize>o.length) == 0) return v - 1;
      s = (s + 1) & mask;
      v = unchecked(this.slots[s]);
    }
    return -1;
  }

  /** `utf8` with each known out path replaced by its token (a fresh array of the exact size). */
  pack(utf8: Uint8Array): Uint8Array {
    const bb = this.scratch;
    bb.len = 0;
    const base = utf8.dataStart;
    const n = utf8.length;
    let run = 0;
    let i = 0;
    // "/ix/store/" starts with '/', then 'i': test the two bytes before comparing the rest
    while (i + PREFIX_LEN + ID_LEN < n) {
      if (load<u8>(base + <usize>i) != 47 || load<u8>(base + <usize>i + 1) != 105) {
        i++;
        continue;
      }
      const k = this.find(base + <usize>i, n - i);
      if (k < 0) {
        i++;
        continue;
      }
      if (i > run) append(bb, base + <usize>run, i - run);
      store<u32>(TOKEN, <u32>MARK | (<u32>k << 8));
      append(bb, TOKEN, 4);
      i += unchecked(this.outs[k]).length;
      run = i;
    }
    if (run == 0) return utf8.slice(0);
    if (n > run) append(bb, base + <usize>run, n - run);
    const out = new Uint8Array(bb.len);
    memory.copy(out.dataStart, bb.buf.dataStart, <usize>bb.len);
    return out;
  }

  /** Appends the bytes `packed` stands for to `bb`. */
  unpackInto(bb: ByteBuilder, packed: Uint8Array): void {
    const base = packed.dataStart;
    const n = packed.length;
    let run = 0;
    let i = 0;
    while (i < n) {
      if (load<u8>(base + <usize>i) != MARK) {
        i++;
        continue;
      }
      if (i > run) append(bb, base + <usize>run, i - run);
      const k = <i32>(load<u32>(base + <usize>i) >> 8);
      const o = unchecked(this.outs[k]);
      append(bb, o.dataStart, o.length);
      i += 4;
      run = i;
    }
    if (n > run) append(bb, base + <usize>run, n - run);
  }
}
