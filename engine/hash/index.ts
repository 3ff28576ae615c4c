/**
 * The one canonical encoding and the one hash function of ix, in one place.
 *  - canonicalJson: RFC 8785 (JCS): sorted keys by UTF-16 code units, no whitespace, ECMAScript
 *    number formatting (a direct writer, pinned to the `canonicalize` library by a differential
 *    test). Plans carry no floats.
 *  - blake3: BLAKE3-256. Pure JS (@noble/hashes) unless the host offers a digest, which must
 *    give the same bytes (test vectors in test/hash.test.ts pin both).
 *  - storeId: 32 characters of Nix-style base32 = 160 bits, the id part of /ix/store/<id>-<name>.
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import canonicalize from 'canonicalize';
import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js';

/** A function computing BLAKE3-256; hosts may provide a faster one. */
export type Digest = (data: Uint8Array) => Uint8Array;

export const pureBlake3: Digest = (data) => nobleBlake3(data);

/** The platform's TextEncoder when the runtime has one (not typed here: the engine has no DOM lib). */
interface Encoder {
  encode(s: string): Uint8Array;
}
const NativeEncoder = (globalThis as { TextEncoder?: new () => Encoder }).TextEncoder;
const native: Encoder | undefined = NativeEncoder ? new NativeEncoder() : undefined;

/**
 * UTF-8 bytes of a string (no BOM, no normalisation; a lone surrogate becomes U+FFFD, as
 * TextEncoder does). Uses the runtime's TextEncoder when present, else the pure encoder below,
 * which gives the same bytes (tested), so WASM guests without TextEncoder hash identically.
 */
export function utf8(s: string): Uint8Array {
  return native ? native.encode(s) : utf8Pure(s);
}

/** Pure-JS UTF-8 encoder; exported for tests that pin it against TextEncoder. */
export function utf8Pure(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 3);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
      continue;
    }
    if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 63);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        out[n++] = 0xf0 | (c >> 18);
        out[n++] = 0x80 | ((c >> 12) & 63);
        out[n++] = 0x80 | ((c >> 6) & 63);
        out[n++] = 0x80 | (c & 63);
        continue;
      }
      c = 0xfffd;
    }
    out[n++] = 0xe0 | (c >> 12);
    out[n++] = 0x80 | ((c >> 6) & 63);
    out[n++] = 0x80 | (c & 63);
  }
  return out.slice(0, n);
}

/**
 * RFC 8785 canonical JSON text of a plain value (objects, arrays, strings, finite numbers,
 * booleans, null; undefined object members are skipped as in JSON). Throws on NaN/Infinity.
 * A direct writer over one string buffer (plans are MBs); a differential test pins it to the
 * `canonicalize` library, the reference implementation, which is kept for that test.
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined) throw new Error('canonicalJson: value is not serialisable');
  const out: string[] = [];
  writeCanonical(value, out);
  return out.join('');
}

function writeCanonical(v: unknown, out: string[]): void {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error('canonicalJson: non-finite number');
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') out.push('null');
    else out.push(JSON.stringify(v));
    return;
  }
  const withJson = v as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return writeCanonical(withJson.toJSON(), out);
  if (Array.isArray(v)) {
    out.push('[');
    for (let i = 0; i < v.length; i++) {
      if (i) out.push(',');
      writeCanonical(v[i], out);
    }
    out.push(']');
    return;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  out.push('{');
  let first = true;
  for (const k of keys) {
    const x = o[k];
    if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
    if (!first) out.push(',');
    first = false;
    out.push(JSON.stringify(k), ':');
    writeCanonical(x, out);
  }
  out.push('}');
}

/** The reference RFC 8785 implementation (the `canonicalize` library); used to test canonicalJson. */
export function canonicalJsonReference(value: unknown): string {
  const s = canonicalize(value);
  if (s === undefined) throw new Error('canonicalJson: value is not serialisable');
  return s;
}

const HEX = '0123456789abcdef';

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += HEX[b >> 4] + HEX[b & 15];
  return s;
}

/** Nix's base32 alphabet (no e, o, u, t): safe in paths and unlikely to spell words. */
const B32 = '0123456789abcdfghijklmnpqrsvwxyz';

/** Base32 of the first `chars*5` bits of `bytes`, most significant bits first. */
export function base32(bytes: Uint8Array, chars: number): string {
  if (chars * 5 > bytes.length * 8) throw new Error('base32: not enough bytes');
  let out = '';
  let acc = 0;
  let bits = 0;
  let i = 0;
  while (out.length < chars) {
    if (bits < 5) {
      acc = ((acc << 8) | bytes[i++]) & 0xffff;
      bits += 8;
    }
    out += B32[(acc >> (bits - 5)) & 31];
    bits -= 5;
  }
  return out;
}

/** Length of a store id in characters (32 × 5 = 160 bits). */
export const STORE_ID_CHARS = 32;

/** BLAKE3-256 of a string's UTF-8 bytes. */
export type TextDigest = (text: string) => Uint8Array;

/** `digest` (default: the pure BLAKE3) over utf8(text). */
export function textDigest(digest?: Digest): TextDigest {
  const d = digest ?? pureBlake3;
  return (s) => d(utf8(s));
}

const pureTextDigest: TextDigest = textDigest();

/** The store id of a canonical value: base32(BLAKE3(canonicalJson(value)))[0:32]. */
export function storeIdOf(value: unknown, td: TextDigest = pureTextDigest): string {
  return base32(td(canonicalJson(value)), STORE_ID_CHARS);
}

/** Hex BLAKE3 of a string's UTF-8 bytes (cache keys, template source hashes). */
export function hexOf(text: string | Uint8Array, digest: Digest = pureBlake3): string {
  return toHex(digest(typeof text === 'string' ? utf8(text) : text));
}

interface Decoder {
  decode(b: Uint8Array): string;
}
const NativeDecoder = (globalThis as { TextDecoder?: new () => Decoder }).TextDecoder;
const nativeDec: Decoder | undefined = NativeDecoder ? new NativeDecoder() : undefined;

/** String of UTF-8 bytes (invalid sequences become U+FFFD); the inverse of utf8(). */
export function utf8Decode(bytes: Uint8Array): string {
  return nativeDec ? nativeDec.decode(bytes) : utf8DecodePure(bytes);
}

/** Pure-JS UTF-8 decoder (for runtimes without TextDecoder); well-formed input only is pinned by tests. */
export function utf8DecodePure(b: Uint8Array): string {
  let s = '';
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let cp = 0xfffd;
    let n = 1;
    if (c < 0x80) cp = c;
    else if (c >= 0xc2 && c < 0xe0 && i + 1 < b.length) {
      cp = ((c & 31) << 6) | (b[i + 1] & 63);
      n = 2;
    } else if (c >= 0xe0 && c < 0xf0 && i + 2 < b.length) {
      cp = ((c & 15) << 12) | ((b[i + 1] & 63) << 6) | (b[i + 2] & 63);
      n = 3;
    } else if (c >= 0xf0 && c < 0xf5 && i + 3 < b.length) {
      cp = ((c & 7) << 18) | ((b[i + 1] & 63) << 12) | ((b[i + 2] & 63) << 6) | (b[i + 3] & 63);
      n = 4;
    }
    s += String.fromCodePoint(cp);
    i += n;
  }
  return s;
}
