/**
 * Same bytes under the same path, whoever built it: the bootstrap runs only
 * pinned tools. The one node that runs host tools (the bld/boot/busybox seed) pins its output's
 * tree hash, which the store checks; every other bootstrap package is an ordinary node whose
 * sandbox shows no host directory, so it can only call the busybox applets and the patchelf its
 * id names.
 *
 *  - plan level (always): which nodes are seeds, what they may see, and that no bootstrap
 *    package other than the seed gets a host directory in its bubblewrap arguments;
 *  - real builds (Linux, bubblewrap, the pinned .debs in the source cache, filled by
 *    `npm run setup`): every bootstrap package built in a fresh ix root (the seed, patchelf, the
 *    shell tools, both compilers; IX_TEST_QUICK=1 leaves the compilers out), the first three
 *    rebuilt bit-identically with `ix build --check`; the seed built again in other roots with
 *    other host unpackers (busybox's dpkg-deb; ar, xz and tar) gives the same tree under the same
 *    path, and a script that makes other bytes is refused by the store.
 * Without those prerequisites the real builds are skipped, except under CI=true, where they fail.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plan } from '../engine/index';
import { expandPlan } from '../engine/plan/expand';
import type { HostIO, Plan, PlanNode } from '../engine/api';
import { bwrapArgs, runNode } from '../hosts/linux-sandbox/sandbox';
import { openStore, OutputCheckError, type Store } from '../hosts/node/store';
import { ixAsync, sourceCache } from './support/cli';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkgs = path.join(repoRoot, 'pkgs');
const io: HostIO = {
  readFile(p) {
    try {
      return new Uint8Array(fs.readFileSync(path.join(pkgs, p)));
    } catch {
      return undefined;
    }
  },
  listDir(p) {
    try {
      return fs.readdirSync(path.join(pkgs, p), { withFileTypes: true }).map((d) => d.name + (d.isDirectory() ? '/' : ''));
    } catch {
      return undefined;
    }
  },
};

const BOOT = ['bld/boot/busybox', 'bld/boot/patchelf', 'bld/boot/tools', 'bld/boot/gcc/x86_64', 'bld/boot/gcc/aarch64'];
const thePlan: Plan = expandPlan(JSON.parse(new TextDecoder().decode(plan(io, { packages: BOOT }))));
const nodeOf = (name: string): PlanNode => {
  const l = thePlan.nodes.filter((n) => n.name === name);
  expect(l, name).toHaveLength(1);
  return l[0];
};

describe('bootstrap plan: only the fixed-output seed sees the host', () => {
  it('has exactly one seed, and it pins its output', () => {
    const seeds = thePlan.nodes.filter((n) => n.seed);
    expect(seeds.map((n) => n.name)).toEqual(['bld/boot/busybox']);
    expect(seeds[0].fixed).toMatch(/^blake3:[0-9a-f]{64}$/);
    // it reads nothing but the pinned busybox-static .deb
    expect(seeds[0].inputs).toHaveLength(1);
    expect(seeds[0].inputs[0]).toMatch(/-src-busybox-static-[a-z0-9-]+-deb$/);
  });

  it('gives every other bootstrap package only pinned tools: busybox applets and patchelf', () => {
    const busybox = nodeOf('bld/boot/busybox');
    const patchelf = nodeOf('bld/boot/patchelf');
    for (const name of BOOT.slice(1)) {
      const n = nodeOf(name);
      expect(n.seed, name).toBeUndefined();
      expect(n.fixed, name).toBeUndefined();
      const tools = name === 'bld/boot/patchelf' ? [busybox] : [busybox, patchelf];
      expect(n.cmd!.env.PATH, name).toBe(tools.map((t) => `${t.out}/bin`).join(':'));
      // besides those tools, only fetched .debs
      for (const i of n.inputs.filter((x) => !tools.some((t) => t.out === x))) expect(i, name).toMatch(/-src-[a-z0-9-]+-deb$/);
      const dirs = { storeDir: (e: string) => `/phys/store/${e}`, outDir: '/phys/out', tmpDir: '/phys/tmp', seedDirs: [{ path: '/usr' }, { path: '/bin', symlinkTo: 'usr/bin' }] };
      const args = bwrapArgs(n, dirs, 'sh', 1);
      for (let i = 0; i < args.length; i++) {
        // mounts: the node's store paths and build dirs, and /proc/sys (covered read-only)
        if (args[i] === '--ro-bind' || args[i] === '--bind') expect(args[i + 1], `${name} mounts ${args[i + 1]}`).toMatch(/^(\/phys\/|\/proc\/sys$)/);
        expect(args[i] === '--symlink', `${name} gets a host symlink`).toBe(false);
      }
    }
  });
});

// ---- real builds ----------------------------------------------------------------------------

const cache = sourceCache();
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const debsOf = (names: string[]) => thePlan.nodes.filter((n) => n.fetch && names.some((m) => thePlan.nodes.find((x) => x.name === m)!.inputs.includes(n.out)));
const needed = debsOf(BOOT);
const missing = [
  ...(process.platform === 'linux' ? [] : ['Linux']),
  ...(has('bwrap') ? [] : ['bubblewrap']),
  ...['busybox', 'ar', 'xz', 'tar'].filter((c) => !has(c)),
  ...needed.filter((f) => !existsSync(path.join(cache, 'sha256', f.fetch!.sha256))).map((f) => `${f.fetch!.file} in ${cache} (run npm run setup)`),
];
if (missing.length && process.env.CI === 'true') throw new Error(`seed builds need: ${missing.join(', ')}`);

let work = '';
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'ix-seeds-'));
  chmodSync(work, 0o755); // the build user must reach the roots below
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function ix(root: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return ixAsync(args, { ...process.env, IX_ROOT: root, IX_SOURCE_CACHE: cache, IX_PROGRESS: 'plain', IX_CACHE_DIR: path.join(work, 'plan-cache'), IX_DEBUG: '' });
}

/** A fresh store with the seed's .deb realised from the source cache (what the fetcher would do). */
async function storeWithDeb(name: string): Promise<Store> {
  const root = path.join(work, name);
  fs.mkdirSync(root, { mode: 0o755 });
  const store = await openStore({ root, onWait: () => undefined });
  const [deb] = debsOf(['bld/boot/busybox']);
  await store.realise(deb, async (o) => copyFileSync(path.join(cache, 'sha256', deb.fetch!.sha256), path.join(o.tmpOut, deb.fetch!.file)));
  return store;
}

/** Builds `node` (the seed with another script: its id does not change) into `store`. */
async function buildSeed(store: Store, node: PlanNode): Promise<void> {
  await store.realise(node, async (o) => {
    let log = '';
    const r = await runNode(node, { env: process.env, layout: store.layout, outDir: o.tmpOut, tmpDir: o.tmpBuild, output: (c) => { log += c.toString(); }, cores: 1 });
    if (!r.ok) throw new Error(`${node.name}: ${r.reason}\n${log}`);
  });
}

describe.skipIf(missing.length > 0)('bootstrap builds run pinned tools only', () => {
  const seed = nodeOf('bld/boot/busybox');
  let rootA = '';
  let seedHash = '';

  it('builds every bootstrap package with no host directory, and rebuilds them bit-identically', async () => {
    rootA = path.join(work, 'a');
    const pkgs = process.env.IX_TEST_QUICK === '1' ? BOOT.slice(0, 3) : BOOT;
    const r = await ix(rootA, ['build', ...pkgs]);
    expect(r.code, r.err.slice(-3000)).toBe(0);
    expect(r.out.trim().split('\n')).toEqual(pkgs.map((n) => nodeOf(n).out));
    // the relocated tools run in a sandbox that has no host /usr: their own loader and glibc
    const tools = nodeOf('bld/boot/tools');
    const sh = spawnSync('bwrap', ['--unshare-all', '--ro-bind', path.join(rootA, 'store'), '/ix/store', '--dev', '/dev', '--proc', '/proc',
      '--setenv', 'PATH', `${tools.out}/bin`, `${tools.out}/bin/sh`, '-c', 'echo $(ls /) && sed --version | head -1'], { encoding: 'utf8' });
    expect(sh.stdout, sh.stderr).toMatch(/^dev ix proc\nsed \(GNU sed\) 4\.9\n/);
    const names = ['bld/boot/busybox', 'bld/boot/patchelf', 'bld/boot/tools'];
    const check = await ix(rootA, ['build', '--check', ...names]);
    expect(check.code, check.err.slice(-3000)).toBe(0);
    for (const n of names) expect(check.err).toMatch(new RegExp(`check ${n}: rebuilt bit-identical`));
    seedHash = (await (await openStore({ root: rootA, recover: false })).record(seed.out))!.hash;
    expect(seedHash).toBe(seed.fixed);
  }, 600_000);

  it('gives the same bytes under the same path when the host unpacks the seed with other tools', async () => {
    expect(seedHash).toBe(seed.fixed);
    const script = seed.cmd!.stdin;
    expect(script).toContain('dpkg-deb -x "$f" "$root"');
    expect(script).toContain('command -v dpkg-deb');
    const variants: Record<string, string> = {
      // another implementation of dpkg-deb: the host's busybox (not the pinned one)
      'busybox-dpkg-deb': script.replace('dpkg-deb -x "$f" "$root"', 'busybox dpkg-deb -x "$f" "$root"'),
      // no dpkg-deb at all: binutils' ar, xz-utils' xz and GNU tar
      'ar-xz-tar': script.replace('command -v dpkg-deb', 'false'),
    };
    for (const [name, stdin] of Object.entries(variants)) {
      const store = await storeWithDeb(name);
      await buildSeed(store, { ...seed, cmd: { ...seed.cmd!, stdin } });
      const rec = await store.record(seed.out);
      expect(rec?.hash, name).toBe(seed.fixed);
      // and the tree itself equals the one built by `ix build`
      const a = spawnSync('diff', ['-r', '--no-dereference', path.join(rootA, 'store', path.basename(seed.out)), store.physical(seed.out)], { encoding: 'utf8' });
      expect(a.status, a.stdout).toBe(0);
    }
  }, 300_000);

  it('refuses a seed whose host tools made other bytes, and stores nothing', async () => {
    const store = await storeWithDeb('other-bytes');
    const stdin = seed.cmd!.stdin + 'echo extra > "$out/extra"\n';
    const e = await buildSeed(store, { ...seed, cmd: { ...seed.cmd!, stdin } }).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(OutputCheckError);
    expect((e as Error).message).toMatch(new RegExp(`output has tree hash blake3:[0-9a-f]{64}, but its recipe pins ${seed.fixed}`));
    expect(await store.isBuilt(seed.out)).toBe(false);
  }, 120_000);
});
