// One grammar of binary-cache URLs (hosts/node/cache/url.ts): opening a cache and checking the
// settings before a run accept and refuse the same URLs for the same reason, and no message
// shows a password.
import { describe, expect, test } from 'vitest';
import { openCache, parseCacheUrl } from '../hosts/node/cache/index';
import { checkCacheUrl } from '../hosts/node/subst';

const URLS = [
  'file:///srv/cache', 'file://localhost/srv/cache', 'file://host/srv', 'file:relative', 'file://relative/dir',
  'http://cache.example/p', 'https://cache.example', 'http://', 's3://bucket/prefix', 's3://',
  'ftp://host/x', 'just words', 'https://user:hunter2@cache.example/', 's3://key:hunter2@bucket/p', 'https://user@cache.example/',
];

const outcome = (f: () => unknown): { ok: true } | { ok: false; message: string } => {
  try {
    f();
    return { ok: true };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
};

describe('cache URLs', () => {
  test('openCache and the settings check agree on every URL, with the grammar\'s reason', () => {
    let refused = 0;
    for (const url of URLS) {
      const p = parseCacheUrl(url);
      const opened = outcome(() => openCache(url));
      const checked = outcome(() => checkCacheUrl(url, '--substituters'));
      expect(opened.ok, url).toBe(p.ok);
      expect(checked.ok, url).toBe(p.ok);
      if (!p.ok && !opened.ok && !checked.ok) {
        refused++;
        expect(opened.message, url).toContain(p.why);
        expect(checked.message, url).toContain(p.why);
        expect(checked.message.startsWith('--substituters: '), url).toBe(true);
        expect(`${opened.message} ${checked.message}`, url).not.toContain('hunter2');
      }
    }
    expect(refused).toBe(10);
  });
});
