/**
 * Byte/text helpers the evaluator needs: strict UTF-8 decoding and base64 (RFC 4648),
 * written out so the engine does not rely on atob/btoa, which some WASM JS engines lack.
 *
 * Must not depend on: Node (no Buffer), host modules.
 */

// TextEncoder/TextDecoder are globals in every JS engine ix runs on (a polyfill in QuickJS);
// the engine's tsconfig has no DOM types, hence the narrow local typing.
interface Codecs {
  TextDecoder: new (label: string, opts: { fatal: boolean }) => { decode(b: Uint8Array): string };
  TextEncoder: new () => { encode(s: string): Uint8Array };
}
const g = globalThis as unknown as Codecs;
const dec = new g.TextDecoder('utf-8', { fatal: true });
const enc = new g.TextEncoder();

/**
 * The 0-based offset of the first byte of the first ill-formed sequence in `bytes` (a byte that
 * cannot start a character, a lead byte whose continuation is missing or wrong, an overlong form,
 * a surrogate, a code point above U+10FFFF), or -1 when `bytes` is valid UTF-8. Checked here, not
 * left to TextDecoder's `fatal`, because the QuickJS core's decoder stand-in replaces bad bytes.
 */
export function invalidUtf8At(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return i;
    if (i + need >= n) return i;
    const c = bytes[i + 1];
    if (c < lo || c > hi) return i;
    for (let k = 2; k <= need; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return -1;
}

/** UTF-8 text of bytes; throws on invalid UTF-8 (the caller turns it into an IxError). */
export function decodeUtf8(bytes: Uint8Array): string {
  const bad = invalidUtf8At(bytes);
  if (bad >= 0) throw new Utf8Error(bad);
  return dec.decode(bytes);
}

/** Invalid UTF-8 at byte `offset` (0-based). */
export class Utf8Error extends Error {
  constructor(readonly offset: number) {
    super(`invalid UTF-8 at byte ${offset}`);
  }
}

export function encodeUtf8(s: string): Uint8Array {
  return enc.encode(s);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX: Record<string, number> = {};
for (let i = 0; i < B64.length; i++) B64_INDEX[B64[i]] = i;

export function base64Encode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += B64[n >> 18] + B64[(n >> 12) & 63] + '==';
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + '=';
  }
  return out;
}

/** Strict base64 decoding (whitespace ignored, padding optional); undefined when invalid. */
export function base64Decode(text: string): Uint8Array | undefined {
  const s = text.replace(/[\s]/g, '').replace(/=+$/, '');
  if (s.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (const ch of s) {
    const v = B64_INDEX[ch];
    if (v === undefined) return undefined;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  return out;
}
