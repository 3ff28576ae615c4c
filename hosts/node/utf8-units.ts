/**
 * UTF-8 bytes of UTF-16 code units (the compiled core's strings, viewed in its memory), as
 * Buffer.from(<their string>, 'utf8') gives them, lone surrogates as U+FFFD included: the cache puts
 * of a cold whole-tree plan hand over ~280 MB of text (~41,000 values of ~7 KB on average).
 *
 * Must not depend on: the engine; anything but node:buffer.
 */
import { transcode } from 'node:buffer';

const utf16 = new TextDecoder('utf-16le');

/**
 * A fresh buffer of the UTF-8 of `units`: their bytes transcoded natively (the core's memory is
 * little-endian, as 'utf16le'). A lone surrogate, which transcode refuses, goes through the string.
 */
export function utf8Of(units: Uint16Array): Buffer {
  try {
    return transcode(Buffer.from(units.buffer, units.byteOffset, units.byteLength), 'utf16le', 'utf8');
  } catch {
    return Buffer.from(utf16.decode(units), 'utf8');
  }
}

/**
 * Writes the UTF-8 of `units` from `out[at]` (room for 3 bytes a unit is enough); the bytes
 * written. ASCII, the bulk of a cache value, goes four units per 32-bit store when the units and
 * `out[at]` are 4-byte aligned (the scratch buffer is), else two units per 32-bit load.
 */
export function encodeUtf8Into(units: Uint16Array, out: Uint8Array, at = 0): number {
  const n = units.length;
  let i = 0;
  let j = at;
  if ((units.byteOffset & 3) === 0) {
    const words = new Uint32Array(units.buffer, units.byteOffset, n >>> 1);
    const m = words.length;
    let w = 0;
    if (((out.byteOffset + at) & 3) === 0) {
      const quads = new Uint32Array(out.buffer, out.byteOffset + at, (out.length - at) >>> 2);
      const pairs = m & ~1;
      let k = 0;
      for (; w < pairs; w += 2) {
        const x = words[w];
        const y = words[w + 1];
        if (((x | y) & 0xff80ff80) !== 0) break; // little-endian: a word's first unit is its low half
        quads[k++] = (x & 0x7f) | ((x >>> 8) & 0x7f00) | ((y & 0x7f) << 16) | ((y >>> 16) << 24);
      }
      j += k << 2;
    }
    for (; w < m; w++) {
      const x = words[w];
      if ((x & 0xff80ff80) !== 0) break;
      out[j++] = x & 0x7f;
      out[j++] = x >>> 16;
    }
    i = w << 1;
  }
  for (; i < n; i++) {
    let c = units[i];
    if (c < 0x80) {
      out[j++] = c;
      continue;
    }
    if (c < 0x800) {
      out[j++] = 0xc0 | (c >> 6);
      out[j++] = 0x80 | (c & 63);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? units[i + 1] : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        i++;
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        out[j++] = 0xf0 | (c >> 18);
        out[j++] = 0x80 | ((c >> 12) & 63);
        out[j++] = 0x80 | ((c >> 6) & 63);
        out[j++] = 0x80 | (c & 63);
        continue;
      }
      c = 0xfffd; // a lone surrogate
    }
    out[j++] = 0xe0 | (c >> 12);
    out[j++] = 0x80 | ((c >> 6) & 63);
    out[j++] = 0x80 | (c & 63);
  }
  return j - at;
}

/**
 * Values over this many code units are transcoded by utf8Of, never made a string: the two
 * kept-instance entries of a whole-tree plan are ~9 M units each, and their strings (18 MB each,
 * alive until the next full collection) raised that plan's peak memory by ~28 MB.
 */
export const TEXT_UNITS = 1 << 18;

/**
 * The string of `units` (lone surrogates kept, so its UTF-8 write gives U+FFFD for them, as
 * encodeUtf8Into does), made natively from their bytes (the core's memory is little-endian, as
 * 'utf16le'): for a consumer that writes its UTF-8 itself, as DiskCache.putText does straight into
 * the pack's gathered bytes (up to TEXT_UNITS). Natively through a short-lived string rather than
 * encodeUtf8Into: on a whole tree's 41,346 values (185 M code units, 11 of them not ASCII) 107-126
 * ms of CPU against 126-162 ms, the young strings' collection included.
 */
export function textOf(units: Uint16Array): string {
  return Buffer.from(units.buffer, units.byteOffset, units.byteLength).toString('utf16le');
}
