// Binary caches through the CLI, in-process with the real WASM core, sandbox and store, on the
// tiny recipe tree test/fixtures/hostile/recipes (bin/hello and its busybox seed) and a
// directory cache: `ix build --push-to` on machine A, `ix build` on machine B from the cache
// (nothing built; a key B does not trust means a one-line refusal and a build), `--dry-run`,
// `ix log`, `ix copy --to/--from`, `--no-substitute`, bad config files, and `ix plan` refusing
// cache options. The same story for the real bin/zstd closure through a directory, nginx and
// S3 is in test/real-builds.test.ts (test/support/cache-story.ts).
import { setFlagsFromString } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../hosts/node/main';
import { encodeRecord, generateKeyFiles, parseRecord, readSecretKey, recordKey, signRecord } from '../hosts/node/cache/index';
import { removeTreeSync } from '../hosts/common/tree';
import { haveBusybox } from './fixtures/hostile/kit';
import { expectGolden } from './support/golden';

setFlagsFromString('--experimental-wasm-extended-const'); // the QuickJS core needs it on Node 20

const recipes = fileURLToPath(new URL('./fixtures/hostile/recipes', import.meta.url));
const coreBuilt = existsSync(fileURLToPath(new URL('../wasm/out/manifest.json', import.meta.url)));

describe.skipIf(!haveBusybox() || !coreBuilt)('binary caches through the CLI', () => {
  let work: string;
  let cacheUrl: string;
  let secret: string;
  let pub: string;
  let other: string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ix-cache-cli-'));
    chmodSync(work, 0o755);
    cacheUrl = `file://${join(work, 'cache')}`;
    const k = await generateKeyFiles('machine-a', work);
    secret = k.secretFile;
    pub = k.publicKey;
    other = (await generateKeyFiles('stranger', work)).publicKey;
  });
  afterAll(() => removeTreeSync(work));

  /** A machine: its own ix root and config dir; `config` is written as its user config file. */
  function machine(name: string, config?: unknown, tree = recipes) {
    const dir = join(work, name);
    mkdirSync(join(dir, 'config', 'ix'), { recursive: true });
    if (config) writeFileSync(join(dir, 'config', 'ix', 'config.json'), JSON.stringify(config));
    const env = { IX_ROOT: join(dir, 'root'), XDG_CONFIG_HOME: join(dir, 'config'), IX_SYSTEM_CONFIG: join(dir, 'none.json'), IX_PROGRESS: 'plain', PATH: process.env.PATH };
    return {
      env,
      root: env.IX_ROOT,
      async ix(...argv: string[]) {
        const r = { code: 0, out: '', err: '' };
        const recipeArgs = argv[0] === 'store' ? [] : ['--recipes', tree];
        r.code = await main([...argv, ...recipeArgs], {
          env, cwd: work,
          stdout: (d) => { r.out += typeof d === 'string' ? d : new TextDecoder().decode(d); },
          stderr: (d) => { r.err += d; },
        });
        return r;
      },
    };
  }
  const trusting = (key: string) => ({ format: 'ix-config/1', substituters: [cacheUrl], 'trusted-public-keys': [key] });
  const events = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

  it('A builds with --push-to; B, trusting A, downloads bin/hello alone (top-down: its seed is not needed) and builds nothing', async () => {
    const a = machine('a');
    const built = await a.ix('build', 'bin/hello', `--push-to=${cacheUrl}`, `--secret-key=${secret}`);
    expect(built.code, built.err).toBe(0);
    expect(built.err).toContain('2 built');
    const b = machine('b', trusting(pub));
    const r = await b.ix('build', 'bin/hello', '--json');
    expect(r.code, r.err).toBe(0);
    const ev = events(r.out);
    expect(ev[0]).toMatchObject({ event: 'begin', total: 2, needed: 1 });
    expect(ev.find((e) => e.event === 'end')).toMatchObject({ ok: true, built: 0, substituted: 1, unneeded: 1 });
    expect(ev.at(-1)).toEqual({ event: 'outputs', paths: [built.out.trim()] });
    expect(readdirSync(join(b.root, 'store'))).toEqual([built.out.trim().slice('/ix/store/'.length)]);
    const id = built.out.trim().slice('/ix/store/'.length, '/ix/store/'.length + 32);
    const rec = (root: string) => JSON.parse(readFileSync(join(root, 'var', 'db', 'v1', `${id}.json`), 'utf8'));
    expect(rec(b.root).hash).toBe(rec(a.root).hash);
    const log = await b.ix('log', 'bin/hello');
    expect(log.out).toContain(`substituted from ${cacheUrl}`);
    const verify = await b.ix('store', 'verify');
    expect(verify.code, verify.err).toBe(0);
  });

  it('--dry-run says exactly what would be downloaded (with the total) or built, and changes nothing', async () => {
    const c = machine('dry', trusting(pub));
    const r = await c.ix('build', '--dry-run', 'bin/hello');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^\/ix\/store\/[0-9a-z]{32}-bin-hello\n$/);
    expect(r.err).toMatch(new RegExp(`^download bin/hello /ix/store/\\S+ from ${cacheUrl} \\(\\d+(\\.\\d)? [kM]?B\\)$`, 'm'));
    expect(r.err).not.toMatch(/bld\/boot\/bb/);
    expectGolden('golden/dry-run/hello-from-a-cache.txt', r.err.replaceAll(cacheUrl, 'CACHE'));
    // again, now certainly from the plan memo's summary: the same decisions
    expect((await c.ix('build', '--dry-run', 'bin/hello')).err).toBe(r.err);
    expect(existsSync(join(c.root, 'store')) ? readdirSync(join(c.root, 'store')) : []).toEqual([]);
    const off = await c.ix('build', '--dry-run', 'bin/hello', '--no-substitute');
    expect(off.err).toMatch(/^build bin\/hello /m);
    expect(off.err).toMatch(/^build bld\/boot\/bb /m);
    // a cache that lacks bin/hello: it is built, and its seed (an input) is downloaded
    const partial = join(work, 'cache-without-hello');
    cpSync(join(work, 'cache'), partial, { recursive: true });
    const hello = r.out.trim();
    rmSync(join(partial, recordKey(hello)));
    const p = machine('dry-partial', { ...trusting(pub), substituters: [`file://${partial}`] });
    const pr = await p.ix('build', '--dry-run', 'bin/hello');
    expect(pr.code, pr.err).toBe(0);
    // the seed is a copy of the host's busybox: its size is the host's, not pinned here
    expect(pr.err).toMatch(/^download bld\/boot\/bb \S+ from \S+ \(\d+(\.\d)? [kM]?B\)$/m);
    expectGolden('golden/dry-run/hello-lacking-hello.txt', pr.err.replaceAll(`file://${partial}`, 'CACHE').replace(/\(\d+(\.\d)? [kM]?B\)/g, '(<bytes of the host busybox>)'));
    expect((await p.ix('build', '--dry-run', 'bin/hello')).err).toBe(pr.err);
    // and the build does exactly that
    const built = await p.ix('build', 'bin/hello', '--json');
    expect(built.code, built.err).toBe(0);
    expect(events(built.out).find((e) => e.event === 'end')).toMatchObject({ ok: true, built: 1, substituted: 1 });
  });

  it('a cache signed by a key B does not trust: one line each, then B builds', async () => {
    const d = machine('untrusting', trusting(other));
    const r = await d.ix('build', 'bin/hello');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(new RegExp(`^ix: .*${cacheUrl}.*: not signed by a trusted key.*; building bin/hello instead$`, 'm'));
    expect(r.err).toContain('2 built');
  });

  it('a fixed-output seed: a record without its pinned tree hash is refused, even signed by a trusted key, and B builds the seed', async () => {
    // The busybox seed's tree hash on this host, then a recipe tree whose seed pins it.
    const probe = machine('fixed-probe');
    const p = await probe.ix('build', 'bld/boot/bb');
    expect(p.code, p.err).toBe(0);
    const probeId = p.out.trim().slice('/ix/store/'.length, '/ix/store/'.length + 32);
    const pin = JSON.parse(readFileSync(join(probe.root, 'var', 'db', 'v1', `${probeId}.json`), 'utf8')).hash as string;
    const tree = join(work, 'fixed-recipes');
    cpSync(recipes, tree, { recursive: true });
    const seedFile = join(tree, 'bld', 'boot', 'bb', 'ix.sh');
    writeFileSync(seedFile, JSON.stringify({ ...JSON.parse(readFileSync(seedFile, 'utf8')), fixed: pin }));
    const cacheDir = join(work, 'fixed-cache');
    const a = machine('fixed-a', undefined, tree);
    expect((await a.ix('build', 'bin/hello', `--push-to=file://${cacheDir}`, `--secret-key=${secret}`)).code).toBe(0);
    const seedOut = (await a.ix('plan', 'bld/boot/bb')).out.trim();
    // The signer's mistake: the seed's record re-signed with another tree hash.
    const recFile = join(cacheDir, recordKey(seedOut));
    const wrong = `blake3:${'0'.repeat(64)}`;
    writeFileSync(recFile, encodeRecord(signRecord({ ...parseRecord(readFileSync(recFile, 'utf8')), treeHash: wrong, signatures: [] }, await readSecretKey(secret))));
    const b = machine('fixed-b', { format: 'ix-config/1', substituters: [`file://${cacheDir}`], 'trusted-public-keys': [pub] }, tree);
    // bin/hello alone would need nothing of its seed (top-down): ask for the seed too
    const r = await b.ix('build', 'bld/boot/bb', 'bin/hello');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`${seedOut}: record's tree hash ${wrong} is not the ${pin} this fixed-output node pins`);
    expect(r.err).toMatch(/done: 1 built, 1 substituted, /);
    expect((await b.ix('store', 'verify')).code).toBe(0);
  });

  it('ix copy --to uploads a runtime closure, skipping what is there; --from imports without building', async () => {
    const a = machine('a');
    const dir2 = `file://${join(work, 'cache2')}`;
    const first = await a.ix('copy', `--to=${dir2}`, 'bin/hello', `--secret-key=${secret}`);
    expect(first.code, first.err).toBe(0);
    expect(first.err).toMatch(/copied 1 paths .*\(0 already there\)/);
    const again = await a.ix('copy', `--to=${dir2}`, 'bin/hello', `--secret-key=${secret}`);
    expect(again.err).toMatch(/copied 0 paths .*\(1 already there\)/);
    // --build-closure: everything its plan builds (here the seed too), for those who rebuild near the top
    const whole = await a.ix('copy', `--to=${dir2}`, '--build-closure', 'bin/hello', `--secret-key=${secret}`);
    expect(whole.code, whole.err).toBe(0);
    expect(whole.err).toMatch(/copied 1 paths .*\(1 already there\)/);
    const seed = (await a.ix('plan', 'bld/boot/bb')).out.trim();
    expect(existsSync(join(work, 'cache2', recordKey(seed)))).toBe(true);
    const wrong = await a.ix('copy', `--to=${dir2}`, '--build-closure', seed, `--secret-key=${secret}`);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/^ix: error: 'ix copy --build-closure' takes packages and --to=URL/);
    const path = (await a.ix('plan', 'bin/hello')).out.trim();
    const e = machine('importer', { format: 'ix-config/1', 'trusted-public-keys': [pub] });
    const imp = await e.ix('copy', `--from=${dir2}`, path);
    expect(imp.code, imp.err).toBe(0);
    expect(imp.err).toMatch(/imported 1 paths/);
    expect(readdirSync(join(e.root, 'store'))).toEqual([path.slice('/ix/store/'.length)]);
    const nothing = await e.ix('copy', `--from=${dir2}`, `/ix/store/${'0'.repeat(32)}-bin-nothing`);
    expect(nothing.code).toBe(1);
    expect(nothing.err).toMatch(/^ix: .*bin-nothing: not in this cache\nix: imported 0 paths/);
    const unbuilt = await e.ix('copy', `--to=${dir2}`, 'bin/random', `--secret-key=${secret}`);
    expect(unbuilt.code).toBe(2);
    expect(unbuilt.err).toMatch(/^ix: error: \/ix\/store\/\S+-bin-random is not in this store: build it first\n$/);
    const none = machine('no-keys');
    const refused = await none.ix('copy', `--from=${dir2}`, path);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/^ix: error: 'ix copy --from' accepts only records signed by a trusted key/);
  });

  it('ix mut realises a realm from the cache, building nothing', async () => {
    const m = machine('mut', trusting(pub));
    const r = await m.ix('mut', 'demo', 'bin/hello');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^realm demo: generation 1 /);
    expect(r.err).toContain('0 built, 1 substituted, 0 already there, 0 failed, 0 skipped, 1 not needed');
  });

  it('an upload that fails is one line and exit 1; the build itself is in the store', async () => {
    const a = machine('push-fails');
    // nothing listens on port 9 of 127.0.0.1: every attempt is refused at once
    const r = await a.ix('build', 'bin/hello', '--push-to=http://127.0.0.1:9/cache', `--secret-key=${secret}`);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^ix: push failed: \/ix\/store\/\S+ to http:\/\/127\.0\.0\.1:9\/cache: .+$/m);
    expect(r.err).toContain('2 built');
    expect(readdirSync(join(a.root, 'store')).length).toBe(2);
    const missing = await a.ix('build', 'bin/hello', '--push-to=http://127.0.0.1:9/cache');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^ix: error: --push-to: uploads are signed: give --secret-key=FILE/);
  });

  it('bad configuration and misplaced options are one line, exit 2', async () => {
    const f = machine('bad-config', { format: 'ix-config/1', substituters: 'file:///x' });
    const r = await f.ix('build', 'bin/hello');
    expect(r.code).toBe(2);
    expect(r.err).toBe(`ix: error: ${join(work, 'bad-config', 'config', 'ix', 'config.json')}: key "substituters": expected a list of non-empty strings\n`);
    const p = await f.ix('plan', 'bin/hello', `--substituters=${cacheUrl}`);
    expect(p.code).toBe(2);
    expect(p.err).toMatch(/^ix: error: 'ix plan' does not take --substituters \(its options: /);
    const u = await f.ix('build', 'bin/hello', '--push-to=ftp://x');
    expect(u.err).toBe("ix: error: --push-to: 'ftp://x': unknown cache scheme ftp: (file, http, https or s3)\n");
  });
});
