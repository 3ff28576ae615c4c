/**
 * The engine's hash functions as a host offers them: HostIO.digest / digestText when present,
 * else the pure BLAKE3 (engine/hash). digestText counts only together with digest, so a host
 * offers both or neither. Every choice gives the same bytes (test vectors pin them).
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import type { HostIO } from './api';
import { pureBlake3, textDigest } from './hash/index';
import type { Digest, TextDigest } from './hash/index';

/** BLAKE3-256 of bytes: the host's digest, else the pure one. */
export function hostDigest(io: HostIO): Digest {
  return io.digest ? (d) => io.digest!(d) : pureBlake3;
}

/** BLAKE3-256 of a string's UTF-8 bytes: the host's digestText, else a digest over utf8(). */
export function hostTextDigest(io: HostIO): TextDigest {
  if (io.digest && io.digestText) return (s) => io.digestText!(s);
  return textDigest(hostDigest(io));
}
