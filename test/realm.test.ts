// Realms end to end, in-process through the real WASM core and the sandbox: ix mut / let / list /
// diff / purge on a tiny recipe tree written here (programs made with the host's static busybox,
// seed from test/fixtures/hostile/recipes), in a throw-away ix root.
import { setFlagsFromString } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../hosts/node/main';
import { removeTreeSync } from '../hosts/common/tree';
import { haveBusybox } from './fixtures/hostile/kit';
import { missing } from './support/prereq';

setFlagsFromString('--experimental-wasm-extended-const');

const seedRecipes = fileURLToPath(new URL('./fixtures/hostile/recipes', import.meta.url));
const coreBuilt = existsSync(fileURLToPath(new URL('../wasm/out/manifest.json', import.meta.url)));

/** A recipe whose script writes `files` (path -> text) into $out; run deps optional. */
function recipe(files: Record<string, string>, runDeps: string[] = []): string {
  const lines = Object.entries(files).map(([f, t]) => `mkdir -p $out/$(dirname ${f}); echo '${t}' > $out/${f}`);
  const data = lines.join('\n');
  return JSON.stringify({ bld: { deps: ['bld/boot/bb'], script: { kind: 'sh', data } }, run: { deps: runDeps, data: [] } });
}

describe.skipIf(missing('busybox (Debian busybox-static)', haveBusybox()) || missing('a built core (npm run build)', coreBuilt))('realms: ix mut / let / list / diff / purge', () => {
  let root: string;
  let recipes: string;
  const write = (pkg: string, text: string) => {
    mkdirSync(join(recipes, pkg), { recursive: true });
    writeFileSync(join(recipes, pkg, 'ix.sh'), text);
  };

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'ix-realm-'));
    chmodSync(root, 0o755);
    recipes = join(root, 'recipes');
    write('bin/one', recipe({ 'bin/one': 'one v1', 'share/one/doc': 'doc' }));
    write('bin/two', recipe({ 'bin/two': 'two', 'bin/tool': 'tool from two' }));
    write('bin/three', recipe({ 'bin/three': 'three', 'bin/tool': 'tool from three' }));
    write('bin/dep', recipe({ 'lib/dep.txt': 'dep', env: 'export DEP=1' }));
    write('bin/user', recipe({ 'bin/user': 'user' }, ['bin/dep']));
    write('set/both', JSON.stringify({ run: { deps: ['bin/one', 'bin/user'], data: [] } }));
  });
  afterAll(() => removeTreeSync(root));

  async function ix(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const r = { code: 0, out: '', err: '' };
    const realmVerb = ['mut', 'let'].includes(argv[0]);
    const full = realmVerb ? [argv[0], '--recipes', recipes, '--recipes', seedRecipes, ...argv.slice(1)] : argv;
    r.code = await main(full, {
      env: { IX_ROOT: root, IX_PROGRESS: 'plain', PATH: process.env.PATH, USER: 'tester' }, cwd: process.cwd(),
      stdout: (d) => { r.out += typeof d === 'string' ? d : new TextDecoder().decode(d); },
      stderr: (d) => { r.err += d; },
    });
    return r;
  }
  /** Physical file behind a realm file (its links name /ix/store/...; the store lives in <root>/store). */
  const behind = (realm: string, file: string) => {
    const t = readlinkSync(join(root, 'realm', realm, file));
    expect(t).toMatch(/^\/ix\/store\/[0-9a-z]{32}-/);
    return readFileSync(join(root, 'store', t.slice('/ix/store/'.length)), 'utf8');
  };
  const realmPath = (realm: string) => realpathSync(join(root, 'realm', realm));

  it('mut creates a realm: a store object with a per-file symlink farm, meta.json and env', async () => {
    const r = await ix('mut', 'demo', 'bin/one');
    expect(r.err).not.toContain('error');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^realm demo: generation 1 \(\+bin\/one\) -> \/ix\/store\/[0-9a-z]{32}-realm\n$/);
    expect(behind('demo', 'bin/one')).toBe('one v1\n');
    expect(behind('demo', 'share/one/doc')).toBe('doc\n');
    expect(lstatSync(join(root, 'realm', 'demo', 'share', 'one')).isDirectory()).toBe(true);
    const phys = realmPath('demo');
    expect(readlinkSync(join(root, 'realm', 'demo'))).toBe('../var/realm/v1/demo/1'); // relative: the root can move
    expect(phys).toMatch(new RegExp(`^${root}/store/[0-9a-z]{32}-realm$`));
    const meta = JSON.parse(readFileSync(join(phys, 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({ format: 'ix-realm/1', packages: [{ name: 'bin/one', flags: {} }], flags: {} });
    expect(meta.members).toHaveLength(1);
    expect(readFileSync(join(phys, 'env'), 'utf8')).toContain(`IX_REALM=/ix/store/${phys.split('/').pop()}\n`);
    // store rules hold: read-only, recorded like any output
    expect(lstatSync(phys).mode & 0o777).toBe(0o555);
    expect(existsSync(join(root, 'var', 'db', 'v1', `${phys.split('/').pop()!.slice(0, 32)}.json`))).toBe(true);
  });

  it('the realm object is content-addressed: let on the same list gives the same path and switches nothing', async () => {
    const before = realmPath('demo');
    const r = await ix('let', 'demo');
    expect(r.code).toBe(0);
    expect(`${root}/store/${r.out.trim().slice('/ix/store/'.length)}`).toBe(before);
    const other = await ix('let', 'other', 'bin/one');
    expect(other.out).toBe(r.out); // the realm name is not part of the content
    expect((await ix('list')).out).not.toContain('other');
  });

  it('run closures are linked and their env files sourced; hubs stand for their members', async () => {
    const r = await ix('mut', 'demo', '+set/both');
    expect(r.code).toBe(0);
    expect(behind('demo', 'bin/user')).toBe('user\n');
    expect(behind('demo', 'lib/dep.txt')).toBe('dep\n'); // bin/dep is in bin/user's run closure
    const env = readFileSync(join(realmPath('demo'), 'env'), 'utf8');
    expect(env).toMatch(/\n\. \/ix\/store\/[0-9a-z]{32}-bin-dep\/env\n/);
    expect(existsSync(join(root, 'realm', 'demo', 'env'))).toBe(true); // the realm's own env, not dep's
  });

  it('two packages providing the same file conflict, naming both; --prefer decides', async () => {
    const gens = (await ix('list', 'demo', '--generations')).out;
    const r = await ix('mut', 'demo', 'bin/two', 'bin/three');
    expect(r.code).toBe(2);
    expect(r.err.split('\n').filter((l) => l.startsWith('ix: error')).join('\n')).toMatch(/^ix: error: realm demo: file conflict: bin\/tool is provided by both bin\/three \(\/ix\/store\/\S+-bin-three\) and bin\/two \(\/ix\/store\/\S+-bin-two\); flag the package that should win with --prefer$/);
    expect((await ix('list', 'demo', '--generations')).out).toBe(gens); // nothing switched
    const ok = await ix('mut', 'demo', 'bin/two', 'bin/three', '--prefer');
    expect(ok.code).toBe(0);
    expect(ok.err).toMatch(/demo: bin\/tool from \/ix\/store\/\S+-bin-three \(preferred over \/ix\/store\/\S+-bin-two\)/);
    expect(behind('demo', 'bin/tool')).toBe('tool from three\n');
    expect((await ix('list', 'demo')).out).toBe('bin/one\nbin/three --prefer=1\nbin/two\nset/both\n');
  });

  it('-PKG removes, flags attach to the last package, list/diff/--generations show it (and --json)', async () => {
    const clash = await ix('mut', 'demo', 'bin/one', '--v=2');
    expect(clash.err).toMatch(/file conflict: bin\/one is provided by both bin\/one \(\S+\) and set\/both \(\S+\); share\/one\/doc is provided/);
    const r = await ix('mut', 'demo', '-bin/two', '-bin/three', '-set/both', 'bin/one', '--v=2');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/generation 4 \(-bin\/three -bin\/two -set\/both ~bin\/one\)/);
    expect((await ix('list', 'demo')).out).toBe('bin/one --v=2\n');
    const gens = JSON.parse((await ix('list', 'demo', '--generations', '--json')).out);
    expect(gens.current).toBe(4);
    expect(gens.generations.map((g: { generation: number }) => g.generation)).toEqual([1, 2, 3, 4]);
    expect(gens.generations[3]).toMatchObject({ format: 'ix-realm-generation/1', from: 3, removed: ['bin/three', 'bin/two', 'set/both'], changed: ['bin/one'] });
    expect(gens.generations[3].date).toMatch(/^\d{4}-\d\d-\d\dT/);
    const d = JSON.parse((await ix('diff', 'demo', '3', '4', '--json')).out);
    expect(d.packages).toEqual({ added: [], removed: ['bin/three', 'bin/two', 'set/both'], changed: ['bin/one'] });
    expect(d.closure.removed.map((p: string) => p.replace(/^.*?-/, '')).sort()).toEqual(['bin-dep', 'bin-one', 'bin-three', 'bin-two', 'bin-user']);
    expect(d.closure.added.map((p: string) => p.replace(/^.*?-/, ''))).toEqual(['bin-one']); // new flags, new id
    const text = (await ix('diff', 'demo', '1', '2')).out;
    expect(text).toMatch(/^package \+set\/both\n\+ \/ix\/store\/\S+\n\+ \/ix\/store\/\S+\n$/);
    expect(text).toContain('-bin-user\n');
    expect(text).toContain('-bin-dep\n');
    expect(JSON.parse((await ix('list', '--json')).out).realms).toEqual([{ realm: 'demo', generation: 4, path: expect.stringMatching(/-realm$/), packages: 1 }]);
  });

  it('--rollback and --to switch generations without building; mistakes are one-line errors', async () => {
    const g4 = realmPath('demo');
    expect((await ix('mut', 'demo', '--rollback')).out).toMatch(/^realm demo: generation 4 -> 3 /);
    expect(behind('demo', 'bin/tool')).toBe('tool from three\n');
    expect((await ix('mut', 'demo', '--to=4')).code).toBe(0);
    expect(realmPath('demo')).toBe(g4);
    expect(await ix('mut', 'demo', '--to=9')).toMatchObject({ code: 2, err: 'ix: error: realm demo has no generation 9 (it has 1, 2, 3, 4)\n' });
    expect(await ix('mut', 'demo', '-bin/nope')).toMatchObject({ code: 2, err: 'ix: error: realm demo has no package bin/nope to remove\n' });
    expect(await ix('mut', 'demo', '--rollback', 'bin/one')).toMatchObject({ code: 2 });
    expect(await ix('list', 'nosuch')).toMatchObject({ code: 2, err: 'ix: error: realm nosuch does not exist (ix list shows the realms)\n' });
    expect(await ix('mut', 'nosuch')).toMatchObject({ code: 2 });
  });

  it('mut without packages re-plans the list against the current recipes (updates)', async () => {
    await ix('mut', 'demo', '--to=1');
    write('bin/one', recipe({ 'bin/one': 'one v2', 'share/one/doc': 'doc' }));
    const r = await ix('mut', 'demo');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^realm demo: generation 5 \(rebuilt from current recipes\)/);
    expect(behind('demo', 'bin/one')).toBe('one v2\n');
    expect((await ix('mut', 'demo')).out).toMatch(/^realm demo: up to date \(generation 5, /);
  });

  it('a realm remembers its --target: mut without it re-plans for the same target', async () => {
    const a = await ix('mut', 'cross', 'bin/one', '--target=linux-aarch64');
    expect(a.err).not.toContain('error');
    expect(a.code).toBe(0);
    const meta = JSON.parse(readFileSync(join(realmPath('cross'), 'meta.json'), 'utf8'));
    expect(meta.target).toBe('linux-aarch64');
    const gen = JSON.parse(readFileSync(join(root, 'var', 'realm', 'v1', 'cross', '1.json'), 'utf8'));
    expect(gen.target).toBe('linux-aarch64');
    // the bin/one built for linux-aarch64 is another store path than the linux-x86_64 one in demo
    const link = (realm: string) => readlinkSync(join(root, 'realm', realm, 'bin', 'one'));
    expect(link('cross')).not.toBe(link('demo'));
    expect((await ix('mut', 'cross')).out).toMatch(/^realm cross: up to date \(generation 1, /);
    const b = await ix('mut', 'cross', '--target=linux-x86_64');
    expect(b.out).toMatch(/^realm cross: generation 2 /);
    expect(JSON.parse(readFileSync(join(realmPath('cross'), 'meta.json'), 'utf8')).target).toBe('linux-x86_64');
    expect(link('cross')).toBe(link('demo'));
    expect((await ix('purge', 'cross')).code).toBe(0);
  });

  it('the realm defaults to the user name; purge removes a realm', async () => {
    expect((await ix('mut', 'bin/one')).out).toMatch(/^realm tester: generation 1/);
    expect((await ix('list')).out).toMatch(/^demo\t.*\ntester\tgeneration 1\t1 packages\t/);
    expect((await ix('purge', 'tester')).code).toBe(0);
    expect(existsSync(join(root, 'realm', 'tester'))).toBe(false);
    expect(existsSync(join(root, 'var', 'realm', 'v1', 'tester'))).toBe(false);
    expect(await ix('purge', 'tester')).toMatchObject({ code: 2, err: 'ix: error: realm tester does not exist\n' });
  });
  it('gc, root and why-alive on the command line: one-line errors, --json, dry-run == real', async () => {
    expect(await ix('gc', '--foo')).toMatchObject({ code: 2, err: "ix: error: 'ix gc' does not take --foo\n" });
    expect(await ix('gc', 'bin/x')).toMatchObject({ code: 2, err: "ix: error: 'ix gc' takes no packages (got bin/x)\n" });
    expect(await ix('root', 'add', '/etc/passwd')).toMatchObject({ code: 2, err: 'ix: error: not a store path: /etc/passwd\n' });
    expect(await ix('why-alive', '/nope')).toMatchObject({ code: 2 });
    const realm = (await ix('list', 'demo', '--json')).out;
    const w = JSON.parse((await ix('why-alive', '--json', JSON.parse(realm).path)).out);
    expect(w).toMatchObject({ format: 'ix-why-alive/1', alive: true, root: expect.stringMatching(/^realm demo generation \d+$/) });
    const dry = JSON.parse((await ix('gc', '--dry-run', '--json')).out);
    expect(dry.paths.length).toBeGreaterThan(0); // purged realm tester, old bin/one builds...
    const text = await ix('gc');
    expect(text.code).toBe(0);
    expect(text.out).toContain(`${dry.paths.length} store paths, ${dry.bytes} bytes freed\n`);
    for (const x of dry.paths) expect(existsSync(join(root, 'store', x.path.slice('/ix/store/'.length)))).toBe(false);
    expect(behind('demo', 'bin/one')).toBe('one v2\n'); // the active realm survived
    expect((await ix('gc', '--dry-run')).out).toBe('0 store paths, 0 bytes would be freed\n');
  });
});
