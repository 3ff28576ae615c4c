/**
 * The record a binary cache keeps per store path, "ix-cache-record/1": RFC 8785 canonical JSON
 * (engine/hash canonicalJson, the one encoding of ix) of
 *   { format, path, treeHash, treeSize, archive: { hash, size, compression, unpackedSize },
 *     refs, node: { id, name }, signatures: [{ key, sig }] }
 * where treeHash is the store's ix-tree/1 hash (hosts/node/store/tree.ts), archive.hash is
 * BLAKE3 of the compressed archive bytes, unpackedSize the uncompressed tar bytes (the bound that
 * stops a decompression bomb), and refs the store record's runtime references.
 *
 * Signatures are ed25519 (keys.ts) over the fingerprint, a fixed versioned string:
 *   ix-cache-fingerprint/1;<path>;<treeHash>;<archive.hash>;<archive.size>;<compression>;
 *   <unpackedSize>;<refs sorted, joined by ",">
 * It names the store path, so a signed record cannot be replayed for another path, and every
 * field that decides what is downloaded, how it is unpacked and what it may refer to.
 * (`node` and `treeSize` are informative; `node.id` is the id inside `path` anyway.)
 *
 * Must not depend on: the store's internals, the cache backends, the CLI.
 */
import { parseStorePath } from '../../common';
import { canonicalJson } from '../../../engine/hash';
import { isCompression, type Compression } from './compress';
import { signText, verifyText, type PublicKey, type SecretKey } from './keys';

export const CACHE_RECORD_FORMAT = 'ix-cache-record/1';
export const FINGERPRINT_FORMAT = 'ix-cache-fingerprint/1';

export interface ArchiveInfo {
  /** "blake3:<hex>" of the compressed bytes. */
  hash: string;
  /** Compressed bytes. */
  size: number;
  compression: Compression;
  /** Uncompressed tar bytes. */
  unpackedSize: number;
}

export interface Signature {
  /** The key's name. */
  key: string;
  /** base64 ed25519 signature of the fingerprint. */
  sig: string;
}

export interface CacheRecord {
  format: typeof CACHE_RECORD_FORMAT;
  path: string;
  treeHash: string;
  treeSize: number;
  archive: ArchiveInfo;
  refs: string[];
  node: { id: string; name: string };
  signatures: Signature[];
}

/** A record that cannot be used; `message` is one line (the caller adds cache and path). */
export class RecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordError';
  }
}

const HASH_RE = /^blake3:[0-9a-f]{64}$/;
const isStorePath = (p: unknown): p is string => typeof p === 'string' && parseStorePath(p) !== undefined;

/** The signed string of a record. */
export function fingerprint(r: Omit<CacheRecord, 'signatures'>): string {
  const a = r.archive;
  return [FINGERPRINT_FORMAT, r.path, r.treeHash, a.hash, a.size, a.compression, a.unpackedSize, [...r.refs].sort().join(',')].join(';');
}

/** Canonical JSON text of a record (signatures sorted by key name). */
export function encodeRecord(r: CacheRecord): string {
  return canonicalJson({ ...r, refs: [...r.refs].sort(), signatures: [...r.signatures].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0)) });
}

const isNat = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** Parse and check a record's text; throws RecordError (a newer format says so). */
export function parseRecord(text: string): CacheRecord {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new RecordError('record is not JSON');
  }
  const r = v as CacheRecord;
  if (!r || typeof r !== 'object' || typeof r.format !== 'string') throw new RecordError('record has no format');
  const format: string = r.format;
  if (format !== CACHE_RECORD_FORMAT) {
    if (format.startsWith('ix-cache-record/')) throw new RecordError(`record format ${format} is newer than this ix reads (${CACHE_RECORD_FORMAT})`);
    throw new RecordError(`not a cache record (format ${JSON.stringify(format).slice(0, 60)})`);
  }
  const a = r.archive;
  const bad = (what: string) => new RecordError(`record has a bad ${what}`);
  if (!isStorePath(r.path)) throw bad('path');
  if (typeof r.treeHash !== 'string' || !HASH_RE.test(r.treeHash)) throw bad('treeHash');
  if (!isNat(r.treeSize)) throw bad('treeSize');
  if (!a || typeof a !== 'object' || typeof a.hash !== 'string' || !HASH_RE.test(a.hash)) throw bad('archive hash');
  if (!isNat(a.size) || !isNat(a.unpackedSize)) throw bad('archive size');
  if (!isCompression(a.compression)) throw new RecordError(`record uses compression ${JSON.stringify(a.compression)}, which this ix does not read`);
  if (!Array.isArray(r.refs) || !r.refs.every(isStorePath)) throw bad('refs list');
  if (!r.node || typeof r.node.id !== 'string' || typeof r.node.name !== 'string') throw bad('node');
  if (!Array.isArray(r.signatures) || !r.signatures.every((s) => s && typeof s.key === 'string' && typeof s.sig === 'string')) throw bad('signatures list');
  return {
    format: r.format, path: r.path, treeHash: r.treeHash, treeSize: r.treeSize,
    archive: { hash: a.hash, size: a.size, compression: a.compression, unpackedSize: a.unpackedSize },
    refs: [...r.refs].sort(), node: { id: r.node.id, name: r.node.name },
    signatures: r.signatures.map((s) => ({ key: s.key, sig: s.sig })),
  };
}

/** A copy of `r` signed by `key` (replacing an earlier signature by a key of the same name). */
export function signRecord(r: CacheRecord, key: SecretKey): CacheRecord {
  const sig = signText(key, fingerprint(r));
  return { ...r, signatures: [...r.signatures.filter((s) => s.key !== key.name), { key: key.name, sig }] };
}

/**
 * Accept a record only when a trusted key signed its fingerprint: returns that key's name, else
 * throws RecordError saying why (no signature by a trusted key, or a bad signature).
 */
export function checkSignature(r: CacheRecord, trusted: readonly PublicKey[]): string {
  const fp = fingerprint(r);
  let badBy: string | undefined;
  for (const s of r.signatures) {
    for (const k of trusted) {
      if (k.name !== s.key) continue;
      if (verifyText(k, fp, s.sig)) return k.name;
      badBy = k.name;
    }
  }
  if (badBy) throw new RecordError(`bad signature by trusted key ${badBy} (record altered, or signed for another path)`);
  const names = r.signatures.map((s) => s.key);
  throw new RecordError(`not signed by a trusted key (${names.length ? `signed by ${names.join(', ')}` : 'unsigned'})`);
}
