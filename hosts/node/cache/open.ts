/**
 * openCache(url): the backend for a cache URL, chosen by scheme:
 *   file:///srv/cache                      a directory (backend/dir.ts)
 *   http://host/path, https://…            GET/HEAD/PUT (backend/http.ts; netrc credentials)
 *   s3://bucket/prefix?endpoint=…&region=…  S3 and compatible stores (backend/s3.ts)
 *
 * Which URLs are cache URLs is url.ts's grammar, shared with the settings' check.
 *
 * Must not depend on: the store, the executor, the CLI.
 */
import { fileURLToPath } from 'node:url';
import { DirBackend } from './backend/dir';
import { HttpBackend, type HttpOptions } from './backend/http';
import { S3Backend } from './backend/s3';
import { CacheError, type CacheBackend } from './backend/types';
import { parseCacheUrl, redactUrl } from './url';

export type OpenOptions = HttpOptions;

export function openCache(url: string, opts: OpenOptions = {}): CacheBackend {
  const p = parseCacheUrl(url);
  if (!p.ok) throw new CacheError(redactUrl(url), p.why);
  const u = p.url;
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
    default: // parseCacheUrl admits no other scheme
      throw new CacheError(redactUrl(url), `unknown cache scheme ${u.protocol}`);
  }
}
