/**
 * The one grammar of binary-cache URLs: file:///DIR, http(s)://HOST[/PATH], s3://BUCKET[/PREFIX].
 * Credentials never belong in one (netrc and the AWS credential chain hold them), and no message
 * shows a password. Opening a cache (open.ts) and checking the settings before anything runs
 * (hosts/node/subst/config.ts) both read URLs here, so a URL the settings accept opens.
 *
 * Must not depend on: the backends, the store, the settings.
 */

/** What a cache URL names: its parsed form, or why it is not a cache URL (one clause). */
export type CacheUrl = { ok: true; url: URL } | { ok: false; why: string };

const SCHEMES = new Set(['file:', 'http:', 'https:', 's3:']);

/** A URL for messages: the password of `user:password@` replaced, so no message or log shows it. */
export function redactUrl(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#@:]*):[^/?#]*@/, '$1:***@');
}

/** Reads `url` by the cache URL grammar. */
export function parseCacheUrl(url: string): CacheUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { ok: false, why: 'is not a URL (expected file:///DIR, http(s)://HOST/PATH or s3://BUCKET)' };
  }
  const bad = (why: string): CacheUrl => ({ ok: false, why });
  if (!SCHEMES.has(u.protocol)) return bad(`unknown cache scheme ${u.protocol} (file, http, https or s3)`);
  if (u.username || u.password) return bad('credentials do not belong in a cache URL (use netrc or the AWS credential chain)');
  if (u.protocol === 'file:' && ((u.host !== '' && u.host !== 'localhost') || !/^file:\/\/(localhost)?\//i.test(url))) {
    return bad('a directory cache is file:///absolute/path');
  }
  if (u.protocol === 's3:' && !u.hostname) return bad('an S3 cache is s3://BUCKET[/PREFIX]');
  if ((u.protocol === 'http:' || u.protocol === 'https:') && !u.hostname) return bad('an HTTP cache is http(s)://HOST[/PATH]');
  return { ok: true, url: u };
}

/** The message for a URL that is not a cache URL: "'URL' why" or "'URL': why". */
export function cacheUrlProblem(url: string, why: string): string {
  return `'${redactUrl(url)}'${why.startsWith('is ') ? ' ' : ': '}${why}`;
}
