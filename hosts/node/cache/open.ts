/**
 * openCache(url): the backend for a cache URL, chosen by scheme:
 *   file:///srv/cache                      a directory (backend/dir.ts)
 *   http://host/path, https://…            GET/HEAD/PUT (backend/http.ts; netrc credentials)
 *   s3://bucket/prefix?endpoint=…&region=…  S3 and compatible stores (backend/s3.ts)
 *
 * Must not depend on: the store, the executor, the CLI.
 */
import { fileURLToPath } from 'node:url';
import { DirBackend } from './backend/dir';
import { HttpBackend, type HttpOptions } from './backend/http';
import { S3Backend } from './backend/s3';
import { CacheError, type CacheBackend } from './backend/types';

export type OpenOptions = HttpOptions;

export function openCache(url: string, opts: OpenOptions = {}): CacheBackend {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CacheError(url, 'not a URL (file:///dir, http(s)://host/path or s3://bucket/prefix)');
  }
  if (u.username || u.password) throw new CacheError(`${u.protocol}//${u.host}${u.pathname}`, 'credentials do not belong in a cache URL (use netrc or the AWS credential chain)');
  switch (u.protocol) {
    case 'file:': {
      let dir: string;
      try {
        dir = fileURLToPath(u);
      } catch {
        throw new CacheError(url, 'a directory cache is file:///absolute/path');
      }
      return new DirBackend(url, dir);
    }
    case 'http:':
    case 'https:':
      return new HttpBackend(url, opts);
    case 's3:':
      return new S3Backend(url, opts);
    default:
      throw new CacheError(url, `unknown scheme ${u.protocol} (file:, http:, https:, s3:)`);
  }
}
