/**
 * The one canonical encoding and the one hash function of ix, in one place.
 *  - canonicalJson: RFC 8785 (JCS) via the `canonicalize` library: sorted keys by UTF-16 code
 *    units, no whitespace, ECMAScript number formatting. Plans carry no floats.
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

const enc = new TextEncoder();

/** UTF-8 bytes of a string (no BOM, no normalisation). */
export function utf8(s: string): Uint8Array {
  return enc.encode(s);
}

/** RFC 8785 canonical JSON text of a plain value. Throws on NaN/Infinity. */
export function canonicalJson(value: unknown): string {
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

/** The store id of a canonical value: base32(BLAKE3(canonicalJson(value)))[0:32]. */
export function storeIdOf(value: unknown, digest: Digest = pureBlake3): string {
  return base32(digest(utf8(canonicalJson(value))), STORE_ID_CHARS);
}

/** Hex BLAKE3 of a string's UTF-8 bytes (cache keys, template source hashes). */
export function hexOf(text: string | Uint8Array, digest: Digest = pureBlake3): string {
  return toHex(digest(typeof text === 'string' ? utf8(text) : text));
}
