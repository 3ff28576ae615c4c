/**
 * Byte encodings of ix: lower-case hex, Nix-style base32 (the store id alphabet), UTF-8 of a
 * string and the string of UTF-8 bytes (invalid sequences become U+FFFD, as TextDecoder does),
 * exactly as engine/hash/index.ts.
 *
 * Must not depend on: anything else of the core but its string builder.
 */
import { StrBuilder } from './builder';

const HEX = '0123456789abcdef';
const B32 = '0123456789abcdfghijklmnpqrsvwxyz';

/** Length of a store id in characters (32 x 5 = 160 bits). */
export const STORE_ID_CHARS: i32 = 32;

export function toHex(bytes: Uint8Array): string {
  const n = bytes.length;
  const s = changetype<string>(__new(<usize>n << 2, idof<string>()));
  const p = changetype<usize>(s);
  for (let i = 0; i < n; i++) {
    const b = <i32>unchecked(bytes[i]);
    store<u16>(p + (<usize>i << 2), HEX.charCodeAt(b >> 4));
    store<u16>(p + (<usize>i << 2) + 2, HEX.charCodeAt(b & 15));
  }
  return s;
}

/** Base32 of the first `chars*5` bits of `bytes`, most significant bits first (Nix's alphabet). */
export function base32(bytes: Uint8Array, chars: i32): string {
  const s = changetype<string>(__new(<usize>chars << 1, idof<string>()));
  const p = changetype<usize>(s);
  let acc: u32 = 0;
  let bits: i32 = 0;
  let i = 0;
  for (let k = 0; k < chars; k++) {
    if (bits < 5) {
      acc = ((acc << 8) | <u32>bytes[i++]) & 0xffff;
      bits += 8;
    }
    store<u16>(p + (<usize>k << 1), B32.charCodeAt((acc >> (bits - 5)) & 31));
    bits -= 5;
  }
  return s;
}

/** UTF-8 bytes of a string (lone surrogates as U+FFFD, as TextEncoder). */
export function utf8(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s, false, String.UTF8.ErrorMode.REPLACE));
}

/** True when the n bytes at ptr are all ASCII (below 0x80): 16 bytes a step with SIMD, then 8, then the tail. */
function allAscii(ptr: usize, n: i32): bool {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 16 <= n; i += 16) if (i8x16.bitmask(v128.load(ptr + <usize>i)) != 0) return false;
  }
  for (; i + 8 <= n; i += 8) if ((load<u64>(ptr + <usize>i) & 0x8080808080808080) != 0) return false;
  for (; i < n; i++) if (load<u8>(ptr + <usize>i) >= 0x80) return false;
  return true;
}

/**
 * Decodes the n UTF-8 bytes at ptr into UTF-16 code units at dst (room for n units: a text never
 * has more code units than bytes); returns the number of units written. Invalid sequences become
 * U+FFFD (maximal subparts, as TextDecoder).
 */
function utf8DecodeTo(ptr: usize, n: i32, dst: usize): i32 {
  let k = 0;
  let i = 0;
  while (i < n) {
    const c = <u32>load<u8>(ptr + i);
    if (c < 0x80) {
      store<u16>(dst + (<usize>(k++) << 1), <u16>c);
      i++;
      continue;
    }
    let need = 0;
    let cp: u32 = 0;
    let lo: u32 = 0x80;
    let hi: u32 = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      cp = c & 0xf;
      if (c == 0xe0) lo = 0xa0;
      else if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      cp = c & 7;
      if (c == 0xf0) lo = 0x90;
      else if (c == 0xf4) hi = 0x8f;
    } else {
      store<u16>(dst + (<usize>(k++) << 1), 0xfffd);
      i++;
      continue;
    }
    let j = 1;
    let ok = true;
    while (j <= need) {
      if (i + j >= n) {
        ok = false;
        break;
      }
      const d = <u32>load<u8>(ptr + i + j);
      if (d < lo || d > hi) {
        ok = false;
        break;
      }
      lo = 0x80;
      hi = 0xbf;
      cp = (cp << 6) | (d & 0x3f);
      j++;
    }
    if (!ok) {
      store<u16>(dst + (<usize>(k++) << 1), 0xfffd);
      i += j;
      continue;
    }
    i += j;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      store<u16>(dst + (<usize>(k++) << 1), <u16>(0xd800 + (cp >> 10)));
      store<u16>(dst + (<usize>(k++) << 1), <u16>(0xdc00 + (cp & 0x3ff)));
    } else store<u16>(dst + (<usize>(k++) << 1), <u16>cp);
  }
  return k;
}

/** Widens n ASCII bytes at ptr to code units at dst. */
function widenAscii(ptr: usize, n: i32, dst: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 16 <= n; i += 16) {
      const v = v128.load(ptr + <usize>i);
      v128.store(dst + (<usize>i << 1), i16x8.extend_low_i8x16_u(v));
      v128.store(dst + (<usize>i << 1), i16x8.extend_high_i8x16_u(v), 16);
    }
  }
  for (; i + 4 <= n; i += 4) {
    const w = <u64>load<u32>(ptr + <usize>i);
    store<u64>(dst + (<usize>i << 1), (w & 0xff) | ((w & 0xff00) << 8) | ((w & 0xff0000) << 16) | ((w & 0xff000000) << 24));
  }
  for (; i < n; i++) store<u16>(dst + (<usize>i << 1), load<u8>(ptr + <usize>i));
}

/**
 * The string of UTF-8 bytes at ptr (invalid sequences as U+FFFD, maximal subparts, as
 * TextDecoder). ASCII (most of what the core reads: JSON, ids, scripts) is widened straight into
 * the string; other text goes through one scratch buffer.
 */
export function utf8DecodeAt(ptr: usize, n: i32): string {
  if (allAscii(ptr, n)) {
    const a = changetype<string>(__new(<usize>n << 1, idof<string>()));
    widenAscii(ptr, n, changetype<usize>(a));
    return a;
  }
  const out = new StaticArray<u16>(n);
  const k = utf8DecodeTo(ptr, n, changetype<usize>(out));
  const s = changetype<string>(__new(<usize>k << 1, idof<string>()));
  memory.copy(changetype<usize>(s), changetype<usize>(out), <usize>k << 1);
  return s;
}

/** Appends the text of the n UTF-8 bytes at ptr to `sb` (as utf8DecodeAt, without the string). */
export function utf8AppendTo(sb: StrBuilder, ptr: usize, n: i32): void {
  sb.reserve(n);
  const dst = sb.ptr + (<usize>sb.len << 1);
  if (allAscii(ptr, n)) {
    widenAscii(ptr, n, dst);
    sb.len += n;
  } else sb.len += utf8DecodeTo(ptr, n, dst);
}

export function utf8Decode(b: Uint8Array): string {
  return utf8DecodeAt(b.dataStart, b.length);
}
