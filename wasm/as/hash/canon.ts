/**
 * RFC 8785 canonical JSON, exactly as engine/hash/index.ts canonicalJson writes it: object keys
 * sorted by UTF-16 code units, no whitespace, strings as JSON.stringify writes them (well-formed:
 * a lone surrogate as \udxxx), numbers as JS prints them. Everything is appended to one
 * StrBuilder; the planner also writes its nodes with these helpers directly, keys in order.
 *
 * Must not depend on: anything else of the core but builder.ts, json.ts and numfmt.ts.
 */
import { StrBuilder } from './builder';
import { JValue, J_NULL, J_BOOL, J_NUM, J_STR, J_ARR } from './json';
import { jsNumber } from './numfmt';

const HEX = '0123456789abcdef';

// @ts-ignore: decorator
@inline function hex4(sb: StrBuilder, c: i32): void {
  sb.ch(92);
  sb.ch(117);
  sb.ch(HEX.charCodeAt((c >> 12) & 15));
  sb.ch(HEX.charCodeAt((c >> 8) & 15));
  sb.ch(HEX.charCodeAt((c >> 4) & 15));
  sb.ch(HEX.charCodeAt(c & 15));
}

const LANES: u64 = 0x0001000100010001;
const HIGH: u64 = 0x8000800080008000;

/**
 * True when none of the four UTF-16 code units in `x` is below 0x20, a quote, a backslash or at
 * or above 0x8000 (which takes in the surrogates): each test is the exact "some lane is zero /
 * below n" bit trick over 16-bit lanes, exact because every lane is below 0x8000 by then.
 */
// @ts-ignore: decorator
@inline function plain4(x: u64): bool {
  if ((x & HIGH) != 0) return false;
  const q = x ^ (LANES * 0x22);
  const b = x ^ (LANES * 0x5c);
  return ((((x - LANES * 0x20) & ~x) | ((q - LANES) & ~q) | ((b - LANES) & ~b)) & HIGH) == 0;
}

/** Appends JSON.stringify(s). */
export function writeStr(sb: StrBuilder, s: string): void {
  if (ASC_FEATURE_SIMD) {
    writeWide(sb, s, true);
    return;
  }
  sb.ch(34);
  writeNarrow(sb, s);
  sb.ch(34);
}

/**
 * Appends JSON.stringify(s) without its quotes. Strings joined by ASCII separators may be written
 * piece by piece: each code unit's escape depends only on itself and, for a surrogate, on its
 * neighbour, which a separator never is.
 */
export function writeStrBody(sb: StrBuilder, s: string): void {
  if (ASC_FEATURE_SIMD) writeWide(sb, s, false);
  else writeNarrow(sb, s);
}

/** writeStrBody without SIMD: four code units a step while none needs a look, runs copied whole. */
function writeNarrow(sb: StrBuilder, s: string): void {
  const n = s.length;
  const p = changetype<usize>(s);
  let run = 0;
  for (let i = 0; i < n; i++) {
    // four code units at a time while none of them needs a look
    while (i + 4 <= n && plain4(load<u64>(p + (<usize>i << 1)))) i += 4;
    if (i >= n) break;
    const c = <i32>load<u16>(p + (<usize>i << 1));
    if (c >= 0x20 && c != 34 && c != 92 && (c < 0xd800 || c > 0xdfff)) continue;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = <i32>load<u16>(p + (<usize>(i + 1) << 1));
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    sb.sub(s, run, i);
    run = i + 1;
    if (c == 34) { sb.ch(92); sb.ch(34); }
    else if (c == 92) { sb.ch(92); sb.ch(92); }
    else if (c == 10) { sb.ch(92); sb.ch(110); }
    else if (c == 13) { sb.ch(92); sb.ch(114); }
    else if (c == 9) { sb.ch(92); sb.ch(116); }
    else if (c == 8) { sb.ch(92); sb.ch(98); }
    else if (c == 12) { sb.ch(92); sb.ch(102); }
    else hex4(sb, c);
  }
  sb.sub(s, run, n);
}

/** Lanes of eight UTF-16 code units that need a look: below 0x20, a quote, a backslash, a surrogate. */
// @ts-ignore: decorator
@inline function careLanes(v: v128): v128 {
  const ctl = i16x8.lt_u(v, i16x8.splat(0x20));
  const q = i16x8.eq(v, i16x8.splat(34));
  const b = i16x8.eq(v, i16x8.splat(92));
  const sur = i16x8.eq(v128.and(v, i16x8.splat(<i16>0xf800)), i16x8.splat(<i16>0xd800));
  return v128.or(v128.or(ctl, q), v128.or(b, sur));
}

/** The two-unit escape of `c` (\" \\ \n \r \t \b \f) as its second unit, or 0 for \u00XX / \udXXX. */
// @ts-ignore: decorator
@inline function shortEscape(c: i32): i32 {
  if (c == 34) return 34;
  if (c == 92) return 92;
  if (c == 10) return 110;
  if (c == 13) return 114;
  if (c == 9) return 116;
  if (c == 8) return 98;
  if (c == 12) return 102;
  return 0;
}

/**
 * writeStr / writeStrBody with SIMD: eight code units a step, each group stored to the builder
 * as it is read (the builder keeps one group of slack past the text for it), and at the first
 * lane that needs a look, that unit alone. Written straight into the buffer: the cursor `d` has
 * room for the rest of the text unescaped plus eight units, and an escape reserves again first.
 */
function writeWide(sb: StrBuilder, s: string, quoted: bool): void {
  const n = s.length;
  const p = changetype<usize>(s);
  sb.reserve(n + 10);
  let d = sb.ptr + (<usize>sb.len << 1);
  if (quoted) {
    store<u16>(d, 34);
    d += 2;
  }
  let i = 0;
  while (i < n) {
    if (i + 8 <= n) {
      const v = v128.load(p + (<usize>i << 1));
      v128.store(d, v);
      const bits = i16x8.bitmask(careLanes(v));
      if (bits == 0) {
        d += 16;
        i += 8;
        continue;
      }
      const k = <i32>ctz(bits);
      d += <usize>k << 1;
      i += k;
    } else if (i + 4 <= n) {
      const x = load<u64>(p + (<usize>i << 1));
      if (plain4(x)) {
        store<u64>(d, x);
        d += 8;
        i += 4;
        continue;
      }
    }
    const c = <i32>load<u16>(p + (<usize>i << 1));
    if (c >= 0x20 && c != 34 && c != 92 && (c < 0xd800 || c > 0xdfff)) {
      store<u16>(d, <u16>c);
      d += 2;
      i++;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const e = <i32>load<u16>(p + (<usize>(i + 1) << 1));
      if (e >= 0xdc00 && e <= 0xdfff) {
        store<u32>(d, <u32>c | (<u32>e << 16));
        d += 4;
        i += 2;
        continue;
      }
    }
    // an escape of up to six units: room for it, the rest of the text, the quote and the slack
    sb.len = <i32>((d - sb.ptr) >> 1);
    sb.reserve(n - i + 16);
    d = sb.ptr + (<usize>sb.len << 1);
    const t = shortEscape(c);
    if (t != 0) {
      store<u32>(d, 92 | (<u32>t << 16));
      d += 4;
    } else {
      store<u16>(d, 92);
      store<u16>(d, 117, 2);
      store<u16>(d, HEX.charCodeAt((c >> 12) & 15), 4);
      store<u16>(d, HEX.charCodeAt((c >> 8) & 15), 6);
      store<u16>(d, HEX.charCodeAt((c >> 4) & 15), 8);
      store<u16>(d, HEX.charCodeAt(c & 15), 10);
      d += 12;
    }
    i++;
  }
  if (quoted) {
    store<u16>(d, 34);
    d += 2;
  }
  sb.len = <i32>((d - sb.ptr) >> 1);
}

/** Code-unit order, as JS's default sort of strings. */
export function cmpStr(a: string, b: string): i32 {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Appends the canonical JSON of `v`; false when it holds a non-finite number (the oracle throws). */
export function writeCanonical(sb: StrBuilder, v: JValue): bool {
  switch (v.kind) {
    case J_NULL:
      sb.str('null');
      return true;
    case J_BOOL:
      sb.str(v.b ? 'true' : 'false');
      return true;
    case J_NUM:
      if (!isFinite(v.n)) return false;
      sb.str(jsNumber(v.n));
      return true;
    case J_STR:
      writeStr(sb, v.s);
      return true;
    case J_ARR: {
      sb.ch(91);
      const it = v.items!;
      for (let i = 0; i < it.length; i++) {
        if (i > 0) sb.ch(44);
        if (!writeCanonical(sb, unchecked(it[i]))) return false;
      }
      sb.ch(93);
      return true;
    }
    default: {
      const ks = v.keys!;
      const order = new Array<i32>(ks.length);
      for (let i = 0; i < ks.length; i++) unchecked((order[i] = i));
      // insertion sort of member indices by key (objects here are small)
      for (let i = 1; i < order.length; i++) {
        const x = unchecked(order[i]);
        const kx = unchecked(ks[x]);
        let j = i - 1;
        while (j >= 0 && unchecked(ks[unchecked(order[j])]) > kx) {
          unchecked((order[j + 1] = order[j]));
          j--;
        }
        unchecked((order[j + 1] = x));
      }
      sb.ch(123);
      for (let j = 0; j < order.length; j++) {
        if (j > 0) sb.ch(44);
        const i = unchecked(order[j]);
        writeStr(sb, unchecked(ks[i]));
        sb.ch(58);
        if (!writeCanonical(sb, unchecked(v.items![i]))) return false;
      }
      sb.ch(125);
      return true;
    }
  }
}

/** The canonical JSON text of `v`, or null when it holds a non-finite number. */
export function canonicalJson(v: JValue): string | null {
  const sb = new StrBuilder(256);
  return writeCanonical(sb, v) ? sb.toString() : null;
}
