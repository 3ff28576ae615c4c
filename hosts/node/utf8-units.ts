/**
 * UTF-8 bytes of UTF-16 code units (the compiled core's strings, viewed in its memory), as
 * Buffer.from(<their string>, 'utf8') gives them, lone surrogates as U+FFFD included, without
 * making the string: the cache puts of a cold whole-tree plan hand over ~280 MB of text (~41,000
 * values of ~7 KB on average).
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

/** Values up to this many code units are encoded into the shared scratch buffer; larger ones get their own. */
const SCRATCH_UNITS = 1 << 18;
let scratch: Buffer | undefined;

/**
 * The UTF-8 of `units` in a scratch buffer that the next call overwrites (so only for a consumer
 * that copies or writes it before then, as DiskCache.put does), or in a fresh one when large.
 * No buffer per value: a cold whole-tree plan's ~280 MB of values were that much garbage for
 * the collector, held in the process's peak memory until collected.
 *
 * Transcoded natively, through a short-lived string (Buffer's 'utf16le' decode, then its UTF-8
 * write, lone surrogates as U+FFFD as encodeUtf8Into writes them): on a whole tree's 41,346
 * values (185 M code units, 11 of them not ASCII) 107-126 ms of CPU against encodeUtf8Into's
 * 126-162 ms here, the young strings' collection included; on ASCII-only ~7 KB values ~2x.
 */
export function utf8Scratch(units: Uint16Array): Uint8Array {
  if (units.length > SCRATCH_UNITS) return utf8Of(units);
  scratch ??= Buffer.allocUnsafe(3 * SCRATCH_UNITS);
  const text = Buffer.from(units.buffer, units.byteOffset, units.byteLength).toString('utf16le');
  return scratch.subarray(0, scratch.write(text, 0, 'utf8'));
}
