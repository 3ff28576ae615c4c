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

/** UTF-8 text of bytes; throws on invalid UTF-8 (the caller turns it into an IxError). */
export function decodeUtf8(bytes: Uint8Array): string {
  return dec.decode(bytes);
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
