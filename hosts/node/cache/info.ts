/**
 * What a cache holds and where: the `ix-cache-info` object (versioned JSON, canonical encoding)
 *   { "format": "ix-cache/1", "compression": "zstd", "priority": 40 }
 * and the object keys:
 *   ix-cache-info                 the info above
 *   records/<id>.json             the ix-cache-record/1 of /ix/store/<id>-<name> (written last)
 *   archives/<hex><.tar.zst|.tar.gz>  archives by the BLAKE3 of their bytes (written first)
 * A client refuses a cache whose info is missing, malformed or of another format version, with
 * one line naming the cache. Info that is there but not whole JSON is read again a few times first:
 * on a server whose PUT is not atomic (s3rver, some WebDAV servers) another ix process creating
 * the info shows an empty or partial object for a moment, and that is not a broken cache. Caches are tried by priority, lower first, then in configured order.
 *
 * Must not depend on: the store's internals, the executor, the CLI.
 */
import type { Readable } from 'node:stream';
import { parseStorePath } from '../../common';
import { canonicalJson } from '../../../engine/hash';
import { ARCHIVE_SUFFIX, DEFAULT_COMPRESSION, isCompression, type Compression } from './compress';
import { CacheError, sleep, type CacheBackend } from './backend/types';

export const CACHE_INFO_FORMAT = 'ix-cache/1';
export const INFO_KEY = 'ix-cache-info';
export const DEFAULT_PRIORITY = 50;

export interface CacheInfo {
  format: typeof CACHE_INFO_FORMAT;
  /** The compression pushes to this cache use (readers follow each record's own). */
  compression: Compression;
  /** Lower is tried first. */
  priority: number;
}

/** The key of a store path's record. */
export function recordKey(storePath: string): string {
  const sp = parseStorePath(storePath);
  if (!sp) throw new Error(`not a store path: ${storePath}`);
  return `records/${sp.id}.json`;
}

/** The key of an archive with hash "blake3:<hex>". */
export function archiveKey(hash: string, compression: Compression): string {
  return `archives/${hash.replace(/^blake3:/, '')}${ARCHIVE_SUFFIX[compression]}`;
}

/** Read a small object whole (at most `max` bytes, else CacheError); undefined when missing. */
export async function readSmall(cache: CacheBackend, key: string, max = 1 << 20): Promise<string | undefined> {
  const s: Readable | undefined = await cache.get(key);
  if (!s) return undefined;
  const parts: Buffer[] = [];
  let n = 0;
  try {
    for await (const c of s) {
      n += (c as Buffer).length;
      if (n > max) throw new CacheError(cache.url, `${key} is larger than ${max} bytes`);
      parts.push(c as Buffer);
    }
  } catch (e) {
    s.destroy();
    if (e instanceof CacheError) throw e;
    throw new CacheError(cache.url, `GET ${key}: ${(e as Error).message}`);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Parse info text; throws CacheError naming the cache. */
export function parseCacheInfo(url: string, text: string): CacheInfo {
  let v: Partial<CacheInfo> & { format?: unknown };
  try {
    v = JSON.parse(text);
  } catch {
    throw new CacheError(url, `${INFO_KEY} is not JSON`);
  }
  const f: unknown = v?.format;
  if (typeof f !== 'string') throw new CacheError(url, `${INFO_KEY} has no format`);
  if (f !== CACHE_INFO_FORMAT) {
    throw new CacheError(url, f.startsWith('ix-cache/') ? `format ${f} is newer than this ix reads (${CACHE_INFO_FORMAT}); upgrade ix to use it` : `not an ix cache (format ${JSON.stringify(f).slice(0, 40)})`);
  }
  if (!isCompression(v.compression)) throw new CacheError(url, `${INFO_KEY} names compression ${JSON.stringify(v.compression)}, which this ix does not know`);
  if (typeof v.priority !== 'number' || !Number.isSafeInteger(v.priority)) throw new CacheError(url, `${INFO_KEY} has no integer priority`);
  return { format: f, compression: v.compression, priority: v.priority };
}

/** The waits (ms) before reading info again that is not whole JSON; then it is refused. */
export const PARTIAL_INFO_WAITS = [50, 200, 750];

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The info object's text, read again while it is not whole JSON (a writer may be mid-put). */
async function readInfoText(cache: CacheBackend): Promise<string | undefined> {
  for (let i = 0; ; i++) {
    const text = await readSmall(cache, INFO_KEY, 64 << 10);
    if (text === undefined || i === PARTIAL_INFO_WAITS.length || isJson(text)) return text;
    await sleep(PARTIAL_INFO_WAITS[i]);
  }
}

/** The cache's info; CacheError when it is missing or unusable. */
export async function readCacheInfo(cache: CacheBackend): Promise<CacheInfo> {
  const text = await readInfoText(cache);
  if (text === undefined) throw new CacheError(cache.url, `has no ${INFO_KEY} (not an ix cache, or nothing pushed yet)`);
  return parseCacheInfo(cache.url, text);
}

export function encodeCacheInfo(info: CacheInfo): string {
  return canonicalJson(info);
}

/** The info of a cache being pushed to, writing a fresh one when it has none. */
export async function ensureCacheInfo(cache: CacheBackend, defaults: Partial<Omit<CacheInfo, 'format'>> = {}): Promise<CacheInfo> {
  const text = await readInfoText(cache);
  if (text !== undefined) return parseCacheInfo(cache.url, text);
  const info: CacheInfo = { format: CACHE_INFO_FORMAT, compression: defaults.compression ?? DEFAULT_COMPRESSION, priority: defaults.priority ?? DEFAULT_PRIORITY };
  const bytes = Buffer.from(encodeCacheInfo(info));
  await cache.put(INFO_KEY, bytes, bytes.length);
  return info;
}
