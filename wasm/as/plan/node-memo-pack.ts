/**
 * The node memo's body encoding (node-memo.ts, read back by the kept graph's kept-load.ts too): a
 * node's canonical JSON names the out paths of its closures again and again (an env entry each,
 * MIX_*_DIR, PATH, the reference lists), on a whole IX tree ~70% of the memo's bytes. Within one
 * body, each store path ("/ix/store/" and at least 33 path characters: letters, digits, '.', '_',
 * '+', '-', the longest such run) is written once, after a 0x02 byte, and each later occurrence
 * as 0x01 and three characters '0'..'o' (its index in order of first occurrence, 6 bits each, most
 * significant first). Decoding gives the JSON back byte for byte; it needs nothing but the body,
 * so a kept node is read without its inputs.
 *
 * Why 0x01 and 0x02 are free: canonical JSON escapes every control character inside strings and
 * has none outside them. Every byte written is the JSON's own or ASCII, so the body stays text
 * (the cache stores text). A body that does not decode (a bad token) is a miss.
 *
 * Must not depend on: anything of the core but hash/.
 */
import { StrBuilder, utf8AppendTo } from '../hash/index';
import { ByteBuilder } from '../hash/bytes';

const REF: i32 = 0x01;
const DEF: i32 = 0x02;
const PREFIX = '/ix/store/';
const PREFIX_LEN: i32 = 10;
/** The shortest path worth a token: the prefix, a 32-character id, '-' and one character. */
const MIN_PATH: i32 = PREFIX_LEN + 34;
/** Three 6-bit digits. */
const MAX_PATHS: i32 = 1 << 18;
/** "/ix/stor" and "e/" as little-endian words: the prefix compared in two loads. */
const PREFIX_LO: u64 = 0x726f74732f78692f;
const PREFIX_HI: u16 = 0x2f65;

/** 1 for each byte that is a path character: letters, digits, '.', '_', '+', '-'. */
const PATH_CHARS: usize = pathChars();

function pathChars(): usize {
  const t = memory.data(256);
  for (let c: u32 = 0; c < 256; c++) {
    const ok = (c - 97 < 26) || (c - 65 < 26) || (c - 48 < 10) || c == 46 || c == 95 || c == 43 || c == 45;
    store<u8>(t + <usize>c, ok ? 1 : 0);
  }
  return t;
}

@inline function isPathChar(c: u32): bool {
  return load<u8>(PATH_CHARS + <usize>c) != 0;
}

/** Whether the `n` bytes at `a` and `b` are equal (eight at a time, wherever they are aligned). */
function sameBytes(a: usize, b: usize, n: i32): bool {
  let i = 0;
  for (; i + 8 <= n; i += 8) if (load<u64>(a + <usize>i) != load<u64>(b + <usize>i)) return false;
  for (; i < n; i++) if (load<u8>(a + <usize>i) != load<u8>(b + <usize>i)) return false;
  return true;
}

/** The end of the path run that starts with "/ix/store/" at `i` (at most `n`). */
@inline function pathEnd(p: usize, i: i32, n: i32): i32 {
  let e = i + PREFIX_LEN;
  while (e < n && isPathChar(<u32>load<u8>(p + <usize>e))) e++;
  return e;
}

/** Whether "/ix/store/" starts at `p + i` (its caller knows ten bytes are there). */
@inline function hasPrefix(p: usize, i: i32): bool {
  return load<u64>(p + <usize>i) == PREFIX_LO && load<u16>(p + <usize>i + 8) == PREFIX_HI;
}

/**
 * The hash of a path by its first 16 characters past the prefix (its id's, a hash already; the
 * caller knows they are there): a later occurrence is looked up before its end is scanned.
 */
function pathHash(p: usize): u32 {
  let h: u64 = load<u64>(p + PREFIX_LEN) * 0xbf58476d1ce4e5b9;
  h ^= (load<u64>(p + PREFIX_LEN + 8) + (h >> 29)) * 0x94d049bb133111eb;
  h *= 0x9e3779b97f4a7c15;
  return <u32>(h >> 32);
}

/** The paths of the body being encoded: offsets and lengths in its JSON, and a table by hash. */
const pathAt = new Array<i32>();
const pathLen = new Array<i32>();
/** Slot: stamp of the body it belongs to (a new body needs no clearing) and path index. */
let slotStamp = new StaticArray<i32>(1 << 10);
let slotPath = new StaticArray<i32>(1 << 10);
let stamp: i32 = 0;

function slotPut(src: usize, k: i32): void {
  const mask = slotStamp.length - 1;
  let s = <i32>pathHash(src + <usize>unchecked(pathAt[k])) & mask;
  while (unchecked(slotStamp[s]) == stamp) s = (s + 1) & mask;
  unchecked((slotStamp[s] = stamp));
  unchecked((slotPath[s] = k));
}

/**
 * The index of the path met before in this body that the path run at `src + i` (body length `n`,
 * at least MIN_PATH bytes from `i` on) is, or -1: one whose bytes are there and are followed by
 * a byte that is no path character (or the end). That run is then exactly that path (a path is
 * all path characters), as if its end had been scanned first; it is not.
 */
function slotFind(src: usize, i: i32, n: i32): i32 {
  const mask = slotStamp.length - 1;
  const at = src + <usize>i;
  let s = <i32>pathHash(at) & mask;
  while (unchecked(slotStamp[s]) == stamp) {
    const k = unchecked(slotPath[s]);
    const len = unchecked(pathLen[k]);
    if (i + len <= n && (i + len == n || !isPathChar(<u32>load<u8>(at + <usize>len))) && sameBytes(src + <usize>unchecked(pathAt[k]), at, len)) return k;
    s = (s + 1) & mask;
  }
  return -1;
}

function grow(src: usize): void {
  const size = slotStamp.length << 1;
  slotStamp = new StaticArray<i32>(size);
  slotPath = new StaticArray<i32>(size);
  stamp = 1;
  for (let k = 0; k < pathAt.length; k++) slotPut(src, k);
}

/** Appends the encoding of the `n` bytes of node JSON at `src` to `sb` (as text). */
export function packNodeBody(sb: StrBuilder, src: usize, n: i32): void {
  pathAt.length = 0;
  pathLen.length = 0;
  stamp++;
  let run = 0;
  let i = 0;
  while (i + MIN_PATH <= n) {
    // to the next '/', eight bytes at a time (the lowest flagged byte of `z` is a '/': a false
    // flag only ever sits above a true one)
    const w = load<u64>(src + <usize>i) ^ 0x2f2f2f2f2f2f2f2f;
    const z = (w - 0x0101010101010101) & ~w & 0x8080808080808080;
    if (z == 0) {
      i += 8;
      continue;
    }
    i += <i32>(ctz(z) >> 3);
    if (i + MIN_PATH > n) break;
    if (!hasPrefix(src, i)) {
      i++;
      continue;
    }
    // no path character is '/': no other path starts inside this one. A path met before is
    // known by its id and bytes, without scanning for its end (most are met before)
    const k = slotFind(src, i, n);
    if (k >= 0) {
      if (i > run) utf8AppendTo(sb, src + <usize>run, i - run);
      sb.ch(REF);
      sb.ch(48 + (k >> 12));
      sb.ch(48 + ((k >> 6) & 63));
      sb.ch(48 + (k & 63));
      i += unchecked(pathLen[k]);
      run = i;
      continue;
    }
    const e = pathEnd(src, i, n);
    const len = e - i;
    if (len < MIN_PATH || pathAt.length >= MAX_PATHS) {
      i = e;
      continue;
    }
    if (i > run) utf8AppendTo(sb, src + <usize>run, i - run);
    pathAt.push(i);
    pathLen.push(len);
    if (pathAt.length * 2 > slotStamp.length) grow(src);
    else slotPut(src, pathAt.length - 1);
    sb.ch(DEF);
    utf8AppendTo(sb, src + <usize>i, len);
    i = e;
    run = e;
  }
  if (n > run) utf8AppendTo(sb, src + <usize>run, n - run);
}

/** Where a body is decoded (reused; unpackNodeBody copies out of it). */
const scratch = new ByteBuilder(1 << 16);

@inline function digit(c: u32): i32 {
  return c - 48 < 64 ? <i32>(c - 48) : -1;
}

/** The node JSON the body `raw[from..]` encodes (a fresh array), or null if it does not decode. */
export function unpackNodeBody(raw: Uint8Array, from: i32): Uint8Array | null {
  const bb = scratch;
  bb.len = 0;
  pathAt.length = 0;
  pathLen.length = 0;
  const p = raw.dataStart;
  const n = raw.length;
  let run = from;
  let i = from;
  while (i < n) {
    const c = <i32>load<u8>(p + <usize>i);
    if (c > DEF) {
      i++;
      continue;
    }
    if (c != REF && c != DEF) return null;
    if (i > run) bb.rawAt(p + <usize>run, i - run);
    if (c == DEF) {
      if (i + 1 + MIN_PATH > n || !hasPrefix(p, i + 1)) return null;
      const e = pathEnd(p, i + 1, n);
      if (e - i - 1 < MIN_PATH) return null;
      pathAt.push(bb.len);
      pathLen.push(e - i - 1);
      bb.rawAt(p + <usize>(i + 1), e - i - 1);
      i = e;
    } else {
      if (i + 4 > n) return null;
      const a = digit(load<u8>(p + <usize>(i + 1)));
      const b = digit(load<u8>(p + <usize>(i + 2)));
      const d = digit(load<u8>(p + <usize>(i + 3)));
      if (a < 0 || b < 0 || d < 0) return null;
      const k = (a << 12) | (b << 6) | d;
      if (k >= pathAt.length) return null;
      bb.copyWithin(unchecked(pathAt[k]), unchecked(pathLen[k]));
      i += 4;
    }
    run = i;
  }
  if (n > run) bb.rawAt(p + <usize>run, n - run);
  const out = new Uint8Array(bb.len);
  memory.copy(out.dataStart, bb.buf.dataStart, <usize>bb.len);
  return out;
}
