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
  sb.ch(34);
  writeStrBody(sb, s);
  sb.ch(34);
}

/**
 * Appends JSON.stringify(s) without its quotes. Strings joined by ASCII separators may be written
 * piece by piece: each code unit's escape depends only on itself and, for a surrogate, on its
 * neighbour, which a separator never is.
 */
export function writeStrBody(sb: StrBuilder, s: string): void {
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
