/**
 * The kept graph's fields (its format: kept.ts), read in place from a span of the entry: a JSON
 * string (taken as it is when it has nothing to unescape, else unescaped here), a decimal integer
 * and comma-separated indices. Anything malformed is null (i32.MIN_VALUE for an integer), never a
 * trap. A span is of a string (code units) or of the entry's UTF-8 bytes as read (Uint8Array):
 * the graph entry is read as bytes, a string made only of each field used (kept-load.ts); its
 * delimiters are ASCII, which no byte of a longer UTF-8 sequence is, so both find the same fields.
 *
 * Must not depend on: anything of the plan (kept.ts and kept-load.ts use it).
 */
import { StrBuilder, utf8DecodeAt } from '../hash/index';

/** One builder for every unescaped string: a whole tree's graph has ~30,000 instance keys. */
const unesc = new StrBuilder(256);

function hexDigit(c: i32): i32 {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** The code unit (string) or byte (Uint8Array) at `i` of `s`, which holds it. */
// @ts-ignore: decorator
@inline function cu<T>(s: T, i: i32): i32 {
  if (isString<T>()) return <i32>load<u16>(changetype<usize>(s) + (<usize>i << 1));
  return <i32>load<u8>(changetype<Uint8Array>(s).dataStart + <usize>i);
}

/** The text of s[from, to): a substring, or the bytes decoded. */
export function textIn<T>(s: T, from: i32, to: i32): string {
  if (isString<T>()) return changetype<string>(s).substring(from, to);
  return utf8DecodeAt(changetype<Uint8Array>(s).dataStart + <usize>from, to - from);
}

/** The length of `s` (code units or bytes). */
export function lenOf<T>(s: T): i32 {
  if (isString<T>()) return changetype<string>(s).length;
  return changetype<Uint8Array>(s).length;
}

/**
 * The index of the ASCII `c` in `s` at or after `from`, or -1: a plain scan (String#indexOf
 * matches a needle at every position; an entry's ~110,000 lines and their fields are found by this).
 */
export function chAt<T>(s: T, c: i32, from: i32): i32 {
  const n = lenOf<T>(s);
  for (let i = from < 0 ? 0 : from; i < n; i++) if (cu<T>(s, i) == c) return i;
  return -1;
}

/** The JSON string s[from, to) decoded, or null (not one JSON string). */
export function jstrIn<T>(s: T, from: i32, to: i32): string | null {
  if (to - from < 2 || cu<T>(s, from) != 34 || cu<T>(s, to - 1) != 34) return null;
  let plain = true;
  for (let i = from + 1; i < to - 1 && plain; i++) {
    const c = cu<T>(s, i);
    if (c == 92 || c == 34 || c < 32) plain = false;
  }
  if (plain) return textIn<T>(s, from + 1, to - 1);
  // escapes in bytes: unescaped from their text (a byte of a longer UTF-8 sequence is no escape)
  if (!isString<T>()) return jstr(textIn<T>(s, from, to));
  return unescape(changetype<string>(s), from, to);
}

/** The JSON string s[from, to), which has escapes, unescaped, or null. */
function unescape(s: string, from: i32, to: i32): string | null {
  // escapes (an instance key's \u0000 separators): unescaped as JSON defines them
  const out = unesc;
  out.clear();
  for (let i = from + 1; i < to - 1; i++) {
    const c = s.charCodeAt(i);
    if (c == 34 || c < 32) return null;
    if (c != 92) {
      out.ch(c);
      continue;
    }
    if (++i >= to - 1) return null;
    const e = s.charCodeAt(i);
    if (e == 34 || e == 92 || e == 47) out.ch(e);
    else if (e == 98) out.ch(8);
    else if (e == 102) out.ch(12);
    else if (e == 110) out.ch(10);
    else if (e == 114) out.ch(13);
    else if (e == 116) out.ch(9);
    else if (e == 117) {
      if (i + 4 >= to - 1) return null;
      let v = 0;
      for (let j = 1; j <= 4; j++) {
        const d = hexDigit(s.charCodeAt(i + j));
        if (d < 0) return null;
        v = (v << 4) | d;
      }
      out.ch(v);
      i += 4;
    } else return null;
  }
  return out.toString();
}

/** The JSON string `text` decoded, or null. */
export function jstr(text: string): string | null {
  return jstrIn<string>(text, 0, text.length);
}

/** The decimal integer s[from, to) (an optional '-', then 1 to 9 digits), or i32.MIN_VALUE. */
export function intIn<T>(s: T, from: i32, to: i32): i32 {
  let i = from;
  const neg = i < to && cu<T>(s, i) == 45;
  if (neg) i++;
  if (i >= to || to - i > 9) return i32.MIN_VALUE;
  let v = 0;
  for (; i < to; i++) {
    const c = cu<T>(s, i);
    if (c < 48 || c > 57) return i32.MIN_VALUE;
    v = v * 10 + (c - 48);
  }
  return neg ? -v : v;
}

/** Comma-separated indices below `n` in s[from, to) ("" is none), or null when malformed. */
export function intsIn<T>(s: T, from: i32, to: i32, n: i32): Array<i32> | null {
  if (to <= from) return new Array<i32>();
  // sized once: a whole tree's graph has ~60,000 of these lists
  let count = 1;
  for (let i = from; i < to; i++) if (cu<T>(s, i) == 44) count++;
  const out = new Array<i32>(count);
  let k = 0;
  let v = 0;
  let digits = 0;
  for (let i = from; i <= to; i++) {
    const c = i < to ? cu<T>(s, i) : 44;
    if (c == 44) {
      if (digits == 0 || v >= n) return null;
      unchecked((out[k++] = v));
      v = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 9) {
      v = v * 10 + (c - 48);
      digits++;
    } else return null;
  }
  return out;
}

/** Comma-separated indices below `n` ("" is none), or null when malformed. */
export function ints(text: string, n: i32): Array<i32> | null {
  return intsIn<string>(text, 0, text.length, n);
}
