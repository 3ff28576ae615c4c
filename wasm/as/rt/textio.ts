/**
 * Bytes and text as the oracle's engine/eval/textio.ts handles them: UTF-8 encoding (lone
 * surrogates become U+FFFD, as TextEncoder), strict UTF-8 decoding (TextDecoder fatal, a
 * leading BOM dropped) and base64 (RFC 4648; decoding ignores whitespace and trailing '=').
 *
 * Must not depend on: anything of the core but errors.ts.
 */
import { isJsSpace } from '../errors';
import { StrBuf } from './strbuf';

export function encodeUtf8(s: string): Uint8Array {
  const out = new Array<u8>();
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      if (c <= 0xdbff && i + 1 < n) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        } else c = 0xfffd;
      } else c = 0xfffd;
    }
    if (c < 0x80) out.push(<u8>c);
    else if (c < 0x800) {
      out.push(<u8>(0xc0 | (c >> 6)));
      out.push(<u8>(0x80 | (c & 63)));
    } else if (c < 0x10000) {
      out.push(<u8>(0xe0 | (c >> 12)));
      out.push(<u8>(0x80 | ((c >> 6) & 63)));
      out.push(<u8>(0x80 | (c & 63)));
    } else {
      out.push(<u8>(0xf0 | (c >> 18)));
      out.push(<u8>(0x80 | ((c >> 12) & 63)));
      out.push(<u8>(0x80 | ((c >> 6) & 63)));
      out.push(<u8>(0x80 | (c & 63)));
    }
  }
  const b = new Uint8Array(out.length);
  for (let i = 0; i < out.length; i++) b[i] = out[i];
  return b;
}

/** Strict UTF-8 decoding; null when invalid. */
export function decodeUtf8(b: Uint8Array): string | null {
  const sb = new StrBuf();
  const n = b.length;
  let i = 0;
  if (n >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf) i = 3;
  while (i < n) {
    const c = <i32>b[i];
    if (c < 0x80) {
      sb.addCode(c);
      i++;
      continue;
    }
    let need = 0;
    let cp = 0;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      cp = c & 0xf;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      cp = c & 7;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else return null;
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return null;
      const d = <i32>b[i + k];
      if (k == 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf) return null;
      cp = (cp << 6) | (d & 63);
    }
    i += need + 1;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      sb.addCode(0xd800 + (cp >> 10));
      sb.addCode(0xdc00 + (cp & 0x3ff));
    } else sb.addCode(cp);
  }
  return sb.toString();
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function base64Encode(bytes: Uint8Array): string {
  const sb = new StrBuf();
  let i = 0;
  const len = bytes.length;
  for (; i + 2 < len; i += 3) {
    const n = (<i32>bytes[i] << 16) | (<i32>bytes[i + 1] << 8) | <i32>bytes[i + 2];
    sb.addCode(B64.charCodeAt(n >> 18));
    sb.addCode(B64.charCodeAt((n >> 12) & 63));
    sb.addCode(B64.charCodeAt((n >> 6) & 63));
    sb.addCode(B64.charCodeAt(n & 63));
  }
  const rest = len - i;
  if (rest == 1) {
    const n = <i32>bytes[i] << 16;
    sb.addCode(B64.charCodeAt(n >> 18));
    sb.addCode(B64.charCodeAt((n >> 12) & 63));
    sb.add('==');
  } else if (rest == 2) {
    const n = (<i32>bytes[i] << 16) | (<i32>bytes[i + 1] << 8);
    sb.addCode(B64.charCodeAt(n >> 18));
    sb.addCode(B64.charCodeAt((n >> 12) & 63));
    sb.addCode(B64.charCodeAt((n >> 6) & 63));
    sb.add('=');
  }
  return sb.toString();
}

function b64Index(c: i32): i32 {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  if (c == 43) return 62;
  if (c == 47) return 63;
  return -1;
}

/** Strict base64 decoding (whitespace ignored, trailing '=' dropped); null when invalid. */
export function base64Decode(text: string): Uint8Array | null {
  const sb = new StrBuf();
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isJsSpace(c)) sb.addCode(c);
  }
  let s = sb.toString();
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) == 61) e--;
  s = s.substring(0, e);
  if (s.length % 4 == 1) return null;
  const out = new Uint8Array(<i32>Math.floor(<f64>s.length * 3 / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    // a surrogate pair is one (invalid) character, like any other non-alphabet one
    const v = b64Index(c);
    if (v < 0) return null;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = <u8>((acc >> bits) & 255);
    }
  }
  return out;
}
