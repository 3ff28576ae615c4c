// Binary-cache settings (hosts/node/subst/config.ts): command line over the user's file over the
// system file (root only), per key; a bad file is one line naming the file and the key.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheSettings, configFiles, ConfigError, urlList } from '../hosts/node/subst/config';

const dir = mkdtempSync(join(tmpdir(), 'ix-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(doc: unknown): string {
  const p = join(dir, `c${n++}`, 'config.json');
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return p;
}
const F = 'ix-config/1';
/** A public key of the right form (a name and 32 bytes of base64): keys are checked when read. */
const SYS_KEY = `sys:${Buffer.alloc(32, 7).toString('base64')}`;

describe('cache settings', () => {
  it('finds the user file under XDG_CONFIG_HOME, else ~/.config; the system file only as root', () => {
    expect(configFiles({ XDG_CONFIG_HOME: '/x', HOME: '/h' }, false)).toEqual({ user: '/x/ix/config.json', system: undefined });
    expect(configFiles({ HOME: '/h' }, true)).toEqual({ user: '/h/.config/ix/config.json', system: '/etc/ix/config.json' });
  });

  it('command line over user over system, key by key; --no-substitute empties the list', () => {
    const system = file({ format: F, substituters: ['https://sys.example/c'], 'trusted-public-keys': [SYS_KEY], 'secret-key-file': 'keys/sys.secret' });
    const user = file({ format: F, substituters: ['file:///srv/cache'], 'push-to': 's3://bucket/prefix' });
    const s = cacheSettings({}, {}, '/cwd', { user, system });
    expect(s.substituters).toEqual(['file:///srv/cache']);
    expect(s.trustedKeys).toEqual([SYS_KEY]);
    expect(s.pushTo).toEqual(['s3://bucket/prefix']);
    expect(s.secretKeyFile).toBe(join(system, '..', 'keys', 'sys.secret'));
    expect(s.origin).toEqual({ substituters: user, trustedKeys: system, pushTo: user, secretKeyFile: system });
    const c = cacheSettings({}, { substituters: ['http://127.0.0.1:9/'], pushTo: [], secretKey: 'my.secret' }, '/cwd', { user, system });
    expect(c.substituters).toEqual(['http://127.0.0.1:9/']);
    expect(c.pushTo).toEqual([]);
    expect(c.secretKeyFile).toBe('/cwd/my.secret');
    expect(cacheSettings({}, { noSubstitute: true }, '/cwd', { user, system }).substituters).toEqual([]);
    expect(cacheSettings({}, {}, '/cwd', { user: join(dir, 'none.json') })).toMatchObject({ substituters: [], trustedKeys: [], pushTo: [] });
  });

  it('a bad file is one line naming the file and the key', () => {
    const cases: [unknown, RegExp][] = [
      [{ substituters: [] }, /key "format": missing \(this ix reads "ix-config\/1"\)$/],
      [{ format: 'ix-config/9' }, /key "format": unknown format "ix-config\/9"/],
      [{ format: F, substituter: [] }, /unknown key "substituter" \(known: /],
      [{ format: F, substituters: 'file:///x' }, /key "substituters": expected a list of non-empty strings/],
      [{ format: F, substituters: ['ftp://x/'] }, /key "substituters": 'ftp:\/\/x\/': unknown cache scheme ftp:/],
      [{ format: F, 'trusted-public-keys': ['x:AAAA'] }, /key "trusted-public-keys": public key: key x is not 32 bytes of base64$/],
      [{ format: F, 'push-to': ['not a url'] }, /key "push-to": 'not a url' is not a URL/],
      [{ format: F, 'secret-key-file': 3 }, /key "secret-key-file": expected a file name/],
      ['{"format":', /not JSON/],
      [[1], /expected a JSON object/],
    ];
    for (const [doc, re] of cases) {
      const p = file(doc);
      let err: unknown;
      try { cacheSettings({}, {}, '/', { user: p }); } catch (e) { err = e; }
      expect(err, JSON.stringify(doc)).toBeInstanceOf(ConfigError);
      const m = (err as Error).message;
      expect(m.startsWith(`${p}: `), m).toBe(true);
      expect(m).toMatch(re);
      expect(m).not.toContain('\n');
    }
  });

  it('option values are comma-separated URLs, each checked', () => {
    expect(urlList('--substituters', 'file:///a, http://b/c')).toEqual(['file:///a', 'http://b/c']);
    expect(() => urlList('--push-to', 'gopher://x')).toThrow("--push-to: 'gopher://x': unknown cache scheme gopher:");
  });
});
