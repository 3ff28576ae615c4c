/**
 * Moving archives between a store path and a file, and between a file and a cache, with their
 * BLAKE3 hash and size checked on the way:
 *  - packToFile: pack a tree into a file, returning the archive's hash, size and tar size (the
 *    record needs the hash before the record can be written, and HTTP PUT and S3 want a length).
 *  - downloadToFile: fetch an archive into a file, refusing more bytes than the record says,
 *    retrying a transfer that broke off (bounded), and refusing a short or altered archive.
 *  - hashFile: the hash and size of a file already on disk (an archive received another way).
 *
 * Must not depend on: the executor, the CLI, the Linux sandbox.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform, Writable, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBLAKE3 } from 'hash-wasm';
import { packArchive } from './archive';
import type { Compression } from './compress';
import type { ArchiveInfo } from './record';
import { CacheError, sleep, type CacheBackend } from './backend/types';

type Hasher = Awaited<ReturnType<typeof createBLAKE3>>;

/** Hashes and counts the bytes flowing through; refuses more than `limit`. */
class Tap extends Transform {
  bytes = 0;
  constructor(readonly h: Hasher, readonly limit: number, readonly onBytes?: (n: number) => void) {
    super();
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) return cb(new TooLarge(this.limit));
    this.h.update(chunk);
    this.onBytes?.(this.bytes);
    cb(null, chunk);
  }
}
class TooLarge extends Error {
  constructor(readonly limit: number) {
    super(`more than the ${limit} bytes its record declares`);
  }
}

async function hasher(): Promise<Hasher> {
  const h = await createBLAKE3(256);
  h.init();
  return h;
}

/** Pack the tree at `root` into `file`; returns the ArchiveInfo a record needs. */
export async function packToFile(root: string, file: string, compression: Compression): Promise<ArchiveInfo> {
  const h = await hasher();
  const tap = new Tap(h, Infinity);
  const a = packArchive(root, compression);
  await pipeline(a.stream, tap, createWriteStream(file, { mode: 0o644 }));
  return { hash: `blake3:${h.digest('hex')}`, size: tap.bytes, compression, unpackedSize: a.tarBytes() };
}

/** Hash and size of a file. */
export async function hashFile(file: string): Promise<{ hash: string; size: number }> {
  const h = await hasher();
  const tap = new Tap(h, Infinity);
  await pipeline(createReadStream(file), tap, new Writable({ write: (_c, _e, cb) => cb() }));
  return { hash: `blake3:${h.digest('hex')}`, size: tap.bytes };
}

export interface DownloadOptions {
  /** Called with the bytes received so far (of `expect.size`). */
  onProgress?: (bytes: number, total: number) => void;
  /** Attempts for a transfer that breaks off; default 3. */
  attempts?: number;
}

/** Why saveStream refused; `message` is one line without the cache's name. */
export class TransferError extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
    this.name = 'TransferError';
  }
}

/**
 * Write `src` into `file`, which then holds exactly `expect.size` bytes hashing to `expect.hash`;
 * else TransferError: broke off (retryable), larger than declared, truncated, or hash mismatch.
 */
export async function saveStream(src: Readable, file: string, expect: { hash: string; size: number }, what: string, onProgress?: (bytes: number, total: number) => void): Promise<void> {
  const h = await hasher();
  const tap = new Tap(h, expect.size, (n) => onProgress?.(n, expect.size));
  try {
    await pipeline(src, tap, createWriteStream(file, { mode: 0o600 }));
  } catch (e) {
    if (e instanceof TooLarge) throw new TransferError(`${what} is larger than the ${expect.size} bytes its record declares`, false);
    throw new TransferError(`transfer of ${what} broke off after ${tap.bytes} of ${expect.size} bytes (${(e as Error).message.split('\n')[0]})`, true);
  }
  if (tap.bytes < expect.size) throw new TransferError(`${what} is truncated (${tap.bytes} of ${expect.size} bytes)`, false);
  const got = `blake3:${h.digest('hex')}`;
  if (got !== expect.hash) throw new TransferError(`${what} does not match its record (hash ${got}, signed ${expect.hash})`, false);
}

/**
 * Fetch object `key` into `file` (saveStream's checks), retrying a transfer that broke off;
 * failures are CacheErrors naming the cache.
 */
export async function downloadToFile(cache: CacheBackend, key: string, file: string, expect: { hash: string; size: number }, opts: DownloadOptions = {}): Promise<void> {
  const attempts = opts.attempts ?? 3;
  let last = '';
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await sleep(200 * i);
    const src = await cache.get(key);
    if (!src) throw new CacheError(cache.url, `archive ${key} is missing`);
    try {
      return await saveStream(src, file, expect, `archive ${key}`, opts.onProgress);
    } catch (e) {
      if (!(e instanceof TransferError) || !e.retryable) throw new CacheError(cache.url, (e as Error).message);
      last = e.message;
    }
  }
  throw new CacheError(cache.url, `${last}; gave up after ${attempts} attempts`);
}
