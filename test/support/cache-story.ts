/**
 * The binary-cache story, registered as tests inside test/real-builds.test.ts so that machine A
 * is the root that file already builds (no second build of the toolchain): A built bin/zstd with
 * `--push-to` into three caches (a directory, nginx with WebDAV PUT, s3rver). Machine B is
 * another empty ix root whose config trusts only A's public key and names only one cache, and
 * has no source cache. Realisation is top-down, so B needs of a cache only what it downloads:
 *   - from each of A's caches, `ix build bin/zstd --json` downloads bin/zstd alone (its runtime
 *     closure: a static binary), builds nothing, bit-identical to A's; `ix store verify`, `ix
 *     log` (names the cache) and `ix run zstd --help` work;
 *   - from a cache holding only what `ix copy --to URL bin/zstd` uploads (1 path): the same, with
 *     no source fetched, and a `--dry-run` golden;
 *   - from a copy of A's cache lacking lib/lz4 (a library in the middle) and bin/zstd: only those
 *     two are built, from inputs downloaded from the cache; nothing else of the closure (no
 *     source of lib/z or lib/lzma, no seed) is realised; a `--dry-run` golden; both outputs are
 *     bit-identical to A's.
 *
 * Must not depend on: ix's internals beyond the store layout (it drives the CLI like a user).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { diffTrees } from '../../hosts/node/exec/check';
import { expectGolden } from './golden';

export interface StoryMachine {
  /** A's ix root (with a completed bin/zstd build). */
  rootA(): string;
  /** Runs ./ix with extra env (IX_ROOT etc. given here override the test's). */
  ix(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }>;
  /** Scratch directory of the test file. */
  work(): string;
  /** A's public key text ("NAME:base64"). */
  publicKey(): string;
  /** A's secret key file (for `ix copy --to`). */
  secretKeyFile(): string;
  /** The caches A pushed to, by label; env to reach them (S3 credentials and endpoint). */
  caches(): { label: string; url: string; env: Record<string, string> }[];
  /** Awaited before the story: A's bin/zstd path (the build that pushed). */
  zstd(): Promise<string>;
}

const MIN = 60_000;

/** A fresh machine B: its own root, a config trusting only A's key and naming only `url`. */
function machineB(m: StoryMachine, label: string, url: string, extra: Record<string, string>): Record<string, string> {
  const dir = mkdtempSync(join(m.work(), `machine-b-${label}-`));
  chmodSync(dir, 0o755); // B may build: the sandbox's build user must reach its root
  mkdirSync(join(dir, 'config', 'ix'), { recursive: true });
  writeFileSync(join(dir, 'config', 'ix', 'config.json'), JSON.stringify({ format: 'ix-config/1', substituters: [url], 'trusted-public-keys': [m.publicKey()] }));
  mkdirSync(join(dir, 'no-sources'));
  return {
    IX_ROOT: join(dir, 'root'), XDG_CONFIG_HOME: join(dir, 'config'), IX_SYSTEM_CONFIG: join(dir, 'no-system-config.json'),
    // B has no source cache: every fetch node must come from the binary cache too
    IX_SOURCE_CACHE: join(dir, 'no-sources'),
    ...extra,
  };
}

function events(out: string): Record<string, unknown>[] {
  return out.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The store entries of a root (none when it has no store yet). */
function entries(root: string): string[] {
  return existsSync(join(root, 'store')) ? readdirSync(join(root, 'store')).sort() : [];
}

/** Same tree hash and references in both roots' records, and the same bytes. */
function sameAsA(m: StoryMachine, rootB: string, entry: string): void {
  const id = entry.slice(0, 32);
  const recA = JSON.parse(readFileSync(join(m.rootA(), 'var', 'db', 'v1', `${id}.json`), 'utf8'));
  const recB = JSON.parse(readFileSync(join(rootB, 'var', 'db', 'v1', `${id}.json`), 'utf8'));
  expect(recB.hash, entry).toBe(recA.hash);
  expect(recB.refs, entry).toEqual(recA.refs);
  expect(diffTrees(join(m.rootA(), 'store', entry), join(rootB, 'store', entry)), entry).toEqual([]);
}

/** `ix build --dry-run bin/zstd` on B: stdout is the store path, stderr what would run. */
async function dryRun(m: StoryMachine, env: Record<string, string>, url: string): Promise<string> {
  const r = await m.ix(['build', '--dry-run', 'bin/zstd'], env);
  expect(r.code, r.err).toBe(0);
  expect(r.out.trim()).toBe(await m.zstd());
  expect(entries(env.IX_ROOT)).toEqual([]);
  return r.err.replaceAll(url, 'CACHE');
}

export function registerCacheStory(m: StoryMachine, labels = ['file', 'nginx', 's3']): void {
  test('ix build --dry-run on an empty root: bin/zstd is downloaded, nothing else is needed', async () => {
    await m.zstd();
    const c = m.caches()[0];
    const env = machineB(m, 'dry', c.url, c.env);
    const err = await dryRun(m, env, c.url);
    const lines = err.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^download bin\/zstd \/ix\/store\/\S+ from CACHE \(\d+(\.\d)? [kMG]?B\)$/);
    expect(lines[1]).toMatch(/^would download 1 path \(.*\), build 0, 0 present; 59 of 60 plan nodes not needed$/);
  }, 5 * MIN);

  for (const label of labels) {
    test(`machine B gets bin/zstd from A's ${label} cache: one download, nothing built, bit-identical, verify and run work`, async () => {
      await m.zstd();
      const c = m.caches().find((x) => x.label === label)!;
      const env = machineB(m, label, c.url, c.env);
      const r = await m.ix(['build', 'bin/zstd', '--json'], env);
      expect(r.code, r.err.slice(-3000)).toBe(0);
      const ev = events(r.out);
      const done = ev.filter((e) => e.event === 'done');
      expect(done.map((e) => [e.name, e.status, e.cache])).toEqual([['bin/zstd', 'substituted', c.url]]);
      expect(ev.find((e) => e.event === 'end')).toMatchObject({ ok: true, built: 0, substituted: 1, failed: 0, unneeded: 59 });
      expect(ev.at(-1)).toEqual({ event: 'outputs', paths: [await m.zstd()] });
      const rootB = env.IX_ROOT;
      expect(entries(rootB)).toEqual([(await m.zstd()).slice('/ix/store/'.length)]);
      for (const e of entries(rootB)) sameAsA(m, rootB, e);
      const verify = await m.ix(['store', 'verify'], env);
      expect(verify.code, verify.err).toBe(0);
      const log = await m.ix(['log', 'bin/zstd'], env);
      expect(log.code).toBe(0);
      expect(log.out).toContain(`substituted from ${c.url}`);
      const run = await m.ix(['run', 'zstd', '--help'], env);
      expect(run.code, run.err).toBe(0);
      expect(run.out + run.err).toMatch(/Usage:/);
      expect(run.err).not.toMatch(/\bbuilt\b.*bin\/zstd/);
    }, 10 * MIN);
  }

  test('a cache holding only what `ix copy --to URL bin/zstd` uploads: B builds 0 nodes, downloads 1 path, fetches no source; zstd runs', async () => {
    const zstd = await m.zstd();
    const url = `file://${join(m.work(), 'cache-runtime-closure')}`;
    const copy = await m.ix(['copy', `--to=${url}`, 'bin/zstd', `--secret-key=${m.secretKeyFile()}`], {});
    expect(copy.code, copy.err).toBe(0);
    expect(copy.err).toContain(`copied 1 paths to ${url} (0 already there)`);
    const env = machineB(m, 'runtime', url, {});
    expectGolden('golden/dry-run/zstd-runtime-closure.txt', await dryRun(m, env, url));
    const r = await m.ix(['build', 'bin/zstd', '--json'], env);
    expect(r.code, r.err.slice(-3000)).toBe(0);
    const ev = events(r.out);
    expect(ev.find((e) => e.event === 'end')).toMatchObject({ ok: true, built: 0, substituted: 1, cached: 0, failed: 0, skipped: 0, unneeded: 59 });
    expect(ev.filter((e) => e.event === 'start').map((e) => [e.name, e.pool])).toEqual([['bin/zstd', 'subst']]);
    expect(ev.some((e) => String(e.name).startsWith('fetch:'))).toBe(false);
    expect(readdirSync(env.IX_SOURCE_CACHE)).toEqual([]);
    expect(entries(env.IX_ROOT)).toEqual([zstd.slice('/ix/store/'.length)]);
    const run = await m.ix(['run', 'zstd', '--version'], env);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/Zstandard CLI .* v1\.5\.4/);
  }, 10 * MIN);

  test('a cache lacking lib/lz4 (in the middle) and bin/zstd: only those two are built, from inputs downloaded from the cache', async () => {
    const zstd = await m.zstd();
    const full = m.caches().find((x) => x.label === 'file')!;
    const dir = join(m.work(), 'cache-lacking-lz4');
    rmSync(dir, { recursive: true, force: true });
    execFileSync('cp', ['-al', full.url.slice('file://'.length), dir]); // hard links: no second copy of the archives
    const lz4 = (await m.ix(['plan', 'lib/lz4'], {})).out.trim();
    for (const p of [lz4, zstd]) rmSync(join(dir, 'records', `${p.slice('/ix/store/'.length, '/ix/store/'.length + 32)}.json`));
    const url = `file://${dir}`;
    const env = machineB(m, 'lacking', url, {});
    const dry = await dryRun(m, env, url);
    expectGolden('golden/dry-run/zstd-lacking-lz4.txt', dry);
    const r = await m.ix(['build', 'bin/zstd', '--json'], env);
    expect(r.code, r.err.slice(-3000)).toBe(0);
    const ev = events(r.out);
    const done = ev.filter((e) => e.event === 'done');
    expect(done.filter((e) => e.status === 'built').map((e) => e.name)).toEqual(['lib/lz4', 'bin/zstd']);
    const downloaded = done.filter((e) => e.status === 'substituted').map((e) => String(e.name)).sort();
    // exactly what the dry run said, and only inputs of the two built nodes
    const said = dry.split('\n').filter((l) => l.startsWith('download ')).map((l) => l.split(' ')[1]).sort();
    expect(downloaded).toEqual(said);
    for (const n of ['lib/z', 'lib/lzma', 'lib/c', 'bld/cc/linux/x86_64', 'fetch:v1.9.4.tar.gz', 'fetch:zstd-1.5.4.tar.gz']) expect(downloaded, n).toContain(n);
    for (const n of ['fetch:zlib-1.2.13.tar.gz', 'fetch:xz-5.4.1.tar.xz', 'fetch:musl-1.2.3.tar.gz', 'bld/boot/busybox']) expect(downloaded, n).not.toContain(n);
    expect(ev.find((e) => e.event === 'end')).toMatchObject({ ok: true, built: 2, substituted: said.length, failed: 0 });
    expect(entries(env.IX_ROOT)).toHaveLength(2 + said.length);
    // reproducible: what B built is A's output, bit for bit
    for (const p of [lz4, zstd]) sameAsA(m, env.IX_ROOT, p.slice('/ix/store/'.length));
    const run = await m.ix(['run', 'zstd', '--version'], env);
    expect(run.code, run.err).toBe(0);
  }, 20 * MIN);
}
