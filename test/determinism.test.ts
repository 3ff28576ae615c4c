// Determinism of plan bytes: the built WASM core (IX_CORE_DIR or wasm/out)
// must give the same canonical plan bytes twice in one instance, in a fresh instance, as the same
// bundle run directly in V8, with a reversed directory order and a warm cache, and through the
// CLI under a perturbed host (another checkout path and cwd, TZ, LANG, HOME, umask, extra env,
// a tree created in reverse order); cross targets planned here are equal everywhere and differ
// from the native plan. Chromium is test/chromium.test.ts.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PlanRequest } from '../engine/api';
import { hexBytes, treeIO, type CoreInstance } from './support/browser-host';
import { cases, coreManifest, coreOutDir, freshCore, repoRoot, TREE, v8Core, writeTree } from './support/browser-node';
import { missing } from './support/prereq';

const CASES = cases();
const baseline = new Map<string, string>();
let core: CoreInstance;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ix-determinism-'));
  core = await freshCore(treeIO(TREE));
  for (const c of CASES) baseline.set(c.label, hexBytes(core.plan(c.req)));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const base = (label: string): string => baseline.get(label)!;
const planJson = (hex: string) => JSON.parse(Buffer.from(hex, 'hex').toString('utf8'));

describe(`plan bytes of the built core (${existsSync(join(coreOutDir, 'manifest.json')) ? coreManifest().backend : 'not built'})`, () => {
  test('baseline plans are real: every node of the synthetic world, for each target', () => {
    const world = planJson(base('req0@native'));
    // 40 libs + 10 bins + their 50 fetch nodes + 4 tools (+ the tools' fetches: none)
    expect(world.nodes.length).toBe(104);
    expect(world.target).toBe('linux-x86_64');
    expect(planJson(base('req0@linux-aarch64')).target).toBe('linux-aarch64');
    expect(planJson(base('req0@freebsd-x86_64')).target).toBe('freebsd-x86_64');
  });

  test('(a) twice in one instance', () => {
    for (const c of CASES) expect(hexBytes(core.plan(c.req)), c.label).toBe(base(c.label));
  });

  test('(a) in a fresh instance', async () => {
    const other = await freshCore(treeIO(TREE));
    for (const c of [...CASES].reverse()) expect(hexBytes(other.plan(c.req)), c.label).toBe(base(c.label));
  });

  test('the same bundle run directly in V8 gives the same bytes as the component', async () => {
    const v8 = await v8Core(treeIO(TREE));
    for (const c of CASES) expect(hexBytes(v8.plan(c.req)), c.label).toBe(base(c.label));
  });

  test('(c) reversed directory order, a tree object built in reverse, a cold then warm cache', async () => {
    const reversedTree: Record<string, string> = {};
    for (const k of Object.keys(TREE).sort().reverse()) reversedTree[k] = TREE[k];
    const cache = new Map<string, Uint8Array>();
    const other = await freshCore(treeIO(reversedTree, { reverse: true, cache }));
    for (const c of CASES) expect(hexBytes(other.plan(c.req)), `${c.label} cold`).toBe(base(c.label));
    expect(cache.size).toBeGreaterThan(0);
    const warm = await freshCore(treeIO(reversedTree, { reverse: true, cache }));
    for (const c of CASES) expect(hexBytes(warm.plan(c.req)), `${c.label} warm`).toBe(base(c.label));
  });

  test('(d) cross targets differ from the native plan and from each other, node by node', () => {
    for (const r of ['req0', 'req1']) {
      // target nodes differ everywhere; fetch nodes (fixed-output) and host tools are shared
      const buildIds = ['native', 'linux-aarch64', 'freebsd-x86_64'].map((t) =>
        (planJson(base(`${r}@${t}`)).nodes as { id: string; name: string; fetch?: unknown }[])
          .filter((n) => !n.fetch && !n.name.startsWith('bld/'))
          .map((n) => n.id));
      expect(buildIds[0].length).toBeGreaterThan(0);
      expect(buildIds.map((l) => l.length)).toEqual([buildIds[0].length, buildIds[0].length, buildIds[0].length]);
      expect(buildIds[0].some((id) => buildIds[1].includes(id) || buildIds[2].includes(id))).toBe(false);
      expect(buildIds[1].some((id) => buildIds[2].includes(id))).toBe(false);
    }
    // tools run on the build host: the same ids in the native and the cross plans
    const tool = (t: string) => planJson(base(`req0@${t}`)).nodes.find((n: { name: string }) => n.name === 'bld/make').id;
    expect(tool('linux-aarch64')).toBe(tool('native'));
    expect(tool('freebsd-x86_64')).toBe(tool('native'));
  });
});

// ---- the CLI under a perturbed host ---------------------------------------------------------

/** A copy of what the CLI needs at another path: the launcher, package.json, wasm/out, pkgs/. */
function copyCheckout(dest: string): string {
  mkdirSync(dest, { recursive: true });
  cpSync(join(repoRoot, 'ix'), join(dest, 'ix'));
  cpSync(join(repoRoot, 'package.json'), join(dest, 'package.json'));
  cpSync(coreOutDir, join(dest, 'wasm', 'out'), { recursive: true });
  cpSync(join(repoRoot, 'pkgs'), join(dest, 'pkgs'), { recursive: true });
  return join(dest, 'ix');
}

const PERTURBED = {
  TZ: 'Asia/Tokyo',
  LANG: 'de_DE.UTF-8',
  LC_ALL: 'de_DE.UTF-8',
  HOME: '/tmp/x',
  IX_DETERMINISM_NOISE: 'ünïcødé \u2603',
  SOURCE_DATE_EPOCH: '1',
  PWD: '/nonexistent',
};

/** Runs `ix ARGS` with `umask 077` from `cwd` with exactly `env` (plus PATH); returns stdout. */
function runIx(ix: string, args: string[], cwd: string, env: Record<string, string>): Buffer {
  const r = spawnSync('/bin/sh', ['-c', 'umask 077; exec "$0" "$@"', process.execPath, ix, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`ix ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return r.stdout;
}

const cliCase = (req: PlanRequest, recipes: string): string[] => [
  'plan', '--recipes', recipes, ...(req.target ? [`--target=${req.target}`] : []), ...req.packages, '--json',
];

describe('(c) the CLI under a perturbed host', () => {
  test('another checkout path, cwd, TZ, LANG, HOME, umask, env, reverse-created tree: same bytes, cold and warm cache', () => {
    const ix = copyCheckout(join(work, 'elsewhere', 'ix-checkout'));
    const tree = join(work, 'tree-reversed');
    writeTree(tree, TREE, true);
    const cwd = join(work, 'some', 'cwd');
    mkdirSync(cwd, { recursive: true });
    mkdirSync(PERTURBED.HOME, { recursive: true });
    for (const c of CASES.filter((x) => !x.req.flags)) {
      for (const pass of ['cold', 'warm']) {
        const out = runIx(ix, cliCase(c.req, tree), cwd, {
          ...PERTURBED,
          IX_CACHE_DIR: join(work, 'cache'),
        });
        expect(out.toString('hex'), `${c.label} ${pass}`).toBe(base(c.label) + '0a');
      }
    }
  });
});

const ZSTD = existsSync(join(repoRoot, 'pkgs', 'bin', 'zstd', 'ix.sh'));

describe('done criterion: ix plan bin/zstd --json', () => {
  test.skipIf(missing('pkgs/bin/zstd', ZSTD))('the same bytes from another directory with TZ=Asia/Tokyo LANG=de_DE.UTF-8 HOME=/tmp/x', () => {
    const here = runIx(join(repoRoot, 'ix'), ['plan', 'bin/zstd', '--json'], repoRoot, { HOME: process.env.HOME ?? '/root' });
    expect(JSON.parse(here.toString()).nodes.length).toBeGreaterThan(1);
    const cwd = join(work, 'zstd-cwd');
    mkdirSync(cwd, { recursive: true });
    mkdirSync('/tmp/x', { recursive: true });
    const env = { TZ: 'Asia/Tokyo', LANG: 'de_DE.UTF-8', HOME: '/tmp/x' };
    expect(runIx(join(repoRoot, 'ix'), ['plan', 'bin/zstd', '--json'], cwd, env).equals(here)).toBe(true);
    const ix = copyCheckout(join(work, 'zstd-checkout'));
    expect(runIx(ix, ['plan', 'bin/zstd', '--json'], cwd, { ...PERTURBED }).equals(here)).toBe(true);
    for (const t of ['linux-aarch64', 'freebsd-x86_64']) {
      const a = runIx(join(repoRoot, 'ix'), ['plan', `--target=${t}`, 'bin/zstd', '--json'], repoRoot, { HOME: process.env.HOME ?? '/root' });
      const b = runIx(ix, ['plan', `--target=${t}`, 'bin/zstd', '--json'], cwd, { ...PERTURBED });
      expect(b.equals(a), t).toBe(true);
      expect(a.equals(here), t).toBe(false);
    }
  });
});
