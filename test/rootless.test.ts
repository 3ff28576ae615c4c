// The rootless path, as most users run ix: part of the suite runs again as an unprivileged user
// (created here, with its own HOME), so the store lands under $XDG_DATA_HOME/ix (default
// ~/.local/share/ix) and the sandbox uses unprivileged user namespaces. First a scripted ix
// session (build, verify, a realm, gc), then the store, sandbox, gc and realm tests.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { haveBusybox } from './fixtures/hostile/kit';
import { ensureCoreBuilt, repoRoot } from './support/cli';
import { isRoot, missing, onPath } from './support/prereq';
import { unprivilegedUser, type Unprivileged } from './support/unprivileged';

const recipes = join(repoRoot, 'test', 'fixtures', 'hostile', 'recipes');

describe.skipIf(
  missing('root (to run part of the suite as an unprivileged user)', isRoot)
  || missing('setpriv and useradd (Debian util-linux, passwd)', onPath('setpriv') && onPath('useradd'))
  || missing('bwrap (Debian bubblewrap)', onPath('bwrap'))
  || missing('busybox (Debian busybox-static)', haveBusybox()),
)('as an unprivileged user', () => {
  let user: Unprivileged;
  let uid = 0;
  let home = '';

  beforeAll(() => {
    ensureCoreBuilt();
    user = unprivilegedUser();
    ({ uid, home } = user);
  });

  const ix = (args: string[], env: Record<string, string> = {}) => user.ix(args, env);

  test('a scripted session: build in the rootless sandbox, verify, a realm, gc; the store is under ~/.local/share/ix', () => {
    const b = ix(['build', 'bin/hello', '--recipes', recipes]);
    expect(b.stderr).toContain('built bin/hello');
    expect(b.status).toBe(0);
    const out = b.stdout.trim();
    expect(out).toMatch(/^\/ix\/store\/[0-9a-z]{32}-bin-hello$/);
    const root = join(home, '.local', 'share', 'ix');
    const phys = join(root, 'store', out.slice('/ix/store/'.length));
    expect(existsSync(phys)).toBe(true);
    expect(statSync(phys).uid).toBe(uid);
    const v = ix(['store', 'verify']);
    expect(v.status).toBe(0);
    expect(v.stderr).toBe(`ix: 2 store paths checked in ${root}: all intact\n`);
    const m = ix(['mut', 'demo', 'bin/hello', '--recipes', recipes]);
    expect(m.status).toBe(0);
    expect(m.stdout).toMatch(/^realm demo: generation 1 \(\+bin\/hello\) -> \/ix\/store\/\S+-realm\n$/);
    expect(readdirSync(join(root, 'realm'))).toEqual(['demo']);
    const g = ix(['gc']);
    expect(g.status).toBe(0);
    expect(g.stdout).toMatch(/deleted \S+-bin-boot-bb/); // the seed: only a build input, kept by nothing
    expect(existsSync(phys)).toBe(true); // kept by the realm
    // XDG_DATA_HOME moves the whole root
    const x = ix(['build', 'bin/hello', '--recipes', recipes], { XDG_DATA_HOME: join(home, 'data') });
    expect(x.status).toBe(0);
    expect(x.stdout.trim()).toBe(out);
    expect(existsSync(join(home, 'data', 'ix', 'store', out.slice('/ix/store/'.length)))).toBe(true);
  });

  test('the store, sandbox, gc and realm tests pass as this user', () => {
    const r = user.run([process.execPath, join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--configLoader=runner',
      'test/store.test.ts', 'test/sandbox.test.ts', 'test/gc.test.ts', 'test/realm.test.ts'], { IX_TEST_CORE_READY: '1', NO_COLOR: '1' });
    const [stdout, stderr] = [r.stdout.toString(), r.stderr.toString()];
    const summary = /Tests\s+(\d+) passed/.exec(stdout);
    expect(stdout).toContain('realm.test.ts');
    expect(r.status, stdout.slice(-3000) + stderr.slice(-2000)).toBe(0);
    expect(Number(summary?.[1])).toBeGreaterThan(20);
  });
});
