/**
 * Byte/text helpers of the loader (engine/eval/textio.ts): strict UTF-8 decoding that reports
 * the offset of the first ill-formed sequence, UTF-8 encoding, base64 (RFC 4648) encoding.
 *
 * Must not depend on: anything else of the core.
 */

export class Decoded {
  text: string = '';
  /** 0-based offset of the first byte of the first ill-formed sequence, -1 when valid. */
  bad: i32 = -1;
}

/** UTF-8 to UTF-16 (as TextDecoder with fatal: true: no overlongs, surrogates or > U+10FFFF). */
export function decodeUtf8(b: Uint8Array): Decoded {
  const r = new Decoded();
  const n = b.length;
  const out = new StaticArray<u16>(n);
  let o = 0;
  let i = 0;
  while (i < n) {
    const c = <u32>b[i];
    if (c < 0x80) { out[o++] = <u16>c; i++; continue; }
    let need = 0;
    let cp: u32 = 0;
    let lo: u32 = 0x80;
    let hi: u32 = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) { need = 1; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { need = 2; cp = c & 0x0f; if (c == 0xe0) lo = 0xa0; if (c == 0xed) hi = 0x9f; }
    else if (c >= 0xf0 && c <= 0xf4) { need = 3; cp = c & 0x07; if (c == 0xf0) lo = 0x90; if (c == 0xf4) hi = 0x8f; }
    else { r.bad = i; return r; }
    if (i + need >= n) { r.bad = i; return r; }
    for (let k = 1; k <= need; k++) {
      const d = <u32>b[i + k];
      if (d < lo || d > hi) { r.bad = i; return r; }
      lo = 0x80; hi = 0xbf;
      cp = (cp << 6) | (d & 0x3f);
    }
    i += need + 1;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out[o++] = <u16>(0xd800 + (cp >> 10));
      out[o++] = <u16>(0xdc00 + (cp & 0x3ff));
    } else out[o++] = <u16>cp;
  }
  r.text = String.UTF16.decodeUnsafe(changetype<usize>(out), <usize>o << 1);
  return r;
}

/** UTF-16 to UTF-8 (lone surrogates become U+FFFD, as TextEncoder). */
export function encodeUtf8(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s, false, String.UTF8.ErrorMode.REPLACE));
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function base64Encode(bytes: Uint8Array): string {
  const n = bytes.length;
  const out = new StaticArray<u16>(((n + 2) / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (<u32>bytes[i] << 16) | (<u32>bytes[i + 1] << 8) | <u32>bytes[i + 2];
    out[o++] = <u16>B64.charCodeAt(v >> 18);
    out[o++] = <u16>B64.charCodeAt((v >> 12) & 63);
    out[o++] = <u16>B64.charCodeAt((v >> 6) & 63);
    out[o++] = <u16>B64.charCodeAt(v & 63);
  }
  const rest = n - i;
  if (rest == 1) {
    const v = <u32>bytes[i] << 16;
    out[o++] = <u16>B64.charCodeAt(v >> 18);
    out[o++] = <u16>B64.charCodeAt((v >> 12) & 63);
    out[o++] = 61; out[o++] = 61;
  } else if (rest == 2) {
    const v = (<u32>bytes[i] << 16) | (<u32>bytes[i + 1] << 8);
    out[o++] = <u16>B64.charCodeAt(v >> 18);
    out[o++] = <u16>B64.charCodeAt((v >> 12) & 63);
    out[o++] = <u16>B64.charCodeAt((v >> 6) & 63);
    out[o++] = 61;
  }
  return String.UTF16.decodeUnsafe(changetype<usize>(out), <usize>o << 1);
}
