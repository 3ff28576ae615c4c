/**
 * The real workload of bench/faults.mjs (--real): real packages of pkgs/ (lib/z, lib/lz4,
 * lib/lzma, bin/zstd, bin/b64, bin/m4 by default) built in the sandbox from their sources, on a
 * toolchain substituted from a binary cache (--cache=URL, default the shared build's
 * file:///work/shared-build/cache, with --public-key=FILE naming its key). The cache is seen
 * through a filtered copy that holds only the toolchain's records, so the packages themselves are
 * always built, never downloaded. A round either starts from a fresh root (--fresh-every=N: every
 * Nth round; its killed build substitutes the toolchain first) or reuses one root whose toolchain
 * is an explicit gc root, and whose packages `ix gc` removes after each round, so later kills
 * still hit real builds.
 *
 * Must not depend on: anything outside this repository and its node_modules; it writes only into
 * temporary directories (never into the cache it reads).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_PACKAGES = ['lib/z', 'lib/lz4', 'lib/lzma', 'bin/zstd', 'bin/b64', 'bin/m4'];
const DEFAULT_CACHE = 'file:///work/shared-build/cache';
const DEFAULT_KEY = '/work/shared-build/shared.public';

/**
 * Sets up the real workload: plans the packages, writes the filtered cache and its config.
 * `ix(root, args, extraEnv)` runs the CLI synchronously. Returns the workload object that
 * bench/faults.mjs drives.
 */
export function realWorkload({ packages = DEFAULT_PACKAGES, cache = DEFAULT_CACHE, publicKey, freshEvery = 4, sources = defaultSources(), ix }) {
  if (!cache.startsWith('file://')) throw new Error(`--cache must be a file:// binary cache (got ${cache})`);
  const cacheDir = fileURLToPath(cache);
  const keyFile = publicKey ?? (cache === DEFAULT_CACHE ? DEFAULT_KEY : undefined);
  if (!keyFile) throw new Error('--public-key=FILE is needed with --cache (the public half of the key that signed it)');
  const key = readFileSync(keyFile, 'utf8').trim().split('\n')[0];
  const work = mkdtempSync(join(tmpdir(), 'ix-faults-real-'));
  try {
    return setUp(work, { packages, cache, cacheDir, key, freshEvery, sources, ix });
  } catch (e) {
    rmSync(work, { recursive: true, force: true });
    throw e;
  }
}

function setUp(work, { packages, cache, cacheDir, key, freshEvery, sources, ix }) {

  // The plan: the packages' own nodes and the sources only they read are built; the rest is the toolchain.
  const probe = join(work, 'probe');
  mkdirSync(probe);
  const env = (root) => ({
    IX_ROOT: root, IX_CACHE_DIR: join(root, '.cache'), IX_SYSTEM_CONFIG: '/nonexistent',
    XDG_CONFIG_HOME: join(work, 'config'), IX_SOURCE_CACHE: sources,
  });
  const p = ix(probe, ['plan', '--expand', ...packages], env(probe));
  if (p.status !== 0) throw new Error(`ix plan ${packages.join(' ')} failed: ${p.stderr.trim()}`);
  const plan = JSON.parse(p.stdout);
  const byOut = new Map(plan.nodes.map((n) => [n.out, n]));
  const built = new Set(plan.roots.map((r) => byOut.get(r.out).id));
  for (const n of plan.nodes) {
    if (!built.has(n.id)) continue;
    for (const i of n.inputs) {
      const dep = byOut.get(i);
      const readers = plan.nodes.filter((m) => m.inputs.includes(i));
      if (dep?.fetch && readers.every((m) => built.has(m.id))) built.add(dep.id);
    }
  }
  const toolchain = plan.nodes.filter((n) => !built.has(n.id));

  // The filtered cache: the toolchain's records (links into the real cache) and all archives.
  const filtered = join(work, 'cache');
  mkdirSync(join(filtered, 'records'), { recursive: true });
  if (!existsSync(join(cacheDir, 'ix-cache-info'))) throw new Error(`${cache} is not a binary cache (no ix-cache-info)`);
  copyFileSync(join(cacheDir, 'ix-cache-info'), join(filtered, 'ix-cache-info'));
  symlinkSync(join(cacheDir, 'archives'), join(filtered, 'archives'));
  const missing = [];
  for (const n of toolchain) {
    try {
      readFileSync(join(cacheDir, 'records', `${n.id}.json`));
      symlinkSync(join(cacheDir, 'records', `${n.id}.json`), join(filtered, 'records', `${n.id}.json`));
    } catch {
      missing.push(n.name);
    }
  }
  if (missing.length) throw new Error(`the cache ${cache} lacks ${missing.length} toolchain paths (${missing.slice(0, 5).join(', ')}): build them into it first`);
  mkdirSync(join(work, 'config', 'ix'), { recursive: true });
  writeFileSync(join(work, 'config', 'ix', 'config.json'), JSON.stringify({ format: 'ix-config/1', substituters: [`file://${filtered}`], 'trusted-public-keys': [key] }));

  const newRoot = () => {
    const r = mkdtempSync(join(tmpdir(), 'ix-faults-root-'));
    chmodSync(r, 0o755); // the sandbox's build user must reach the store when run as root
    return r;
  };
  let shared; // the reused root: toolchain present and rooted, packages gc'd away after each round
  let rooted = false;
  let round = 0;
  const run = (root, args) => {
    const r = ix(root, args, env(root));
    if (r.status !== 0) throw new Error(`ix ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    return r;
  };
  return {
    name: `real: ${packages.join(' ')} (${built.size} nodes built, ${toolchain.length} substituted)`,
    buildArgs: ['build', ...packages],
    /** Node names this workload builds (the rest is substituted). */
    builtNames: new Set(plan.nodes.filter((n) => built.has(n.id)).map((n) => n.name)),
    env,
    /** A root for the next round, and whether its build starts by substituting the toolchain. */
    root() {
      if (!shared) return { root: newRoot(), fresh: true };
      if (++round % freshEvery === 0) return { root: newRoot(), fresh: true };
      return { root: shared, fresh: false };
    },
    /** After a round's checks (its packages are then built): keep or make the shared root, gc it, or drop a fresh one. */
    done(root) {
      if (root !== shared && shared) {
        rmSync(root, { recursive: true, force: true });
        return;
      }
      shared = root;
      // top-down realisation brings only what the packages' builds need (a toolchain node's own
      // sources stay in the cache), so only toolchain paths that are present become roots
      if (!rooted) for (const n of toolchain) if (existsSync(join(root, 'store', basename(n.out)))) run(root, ['root', 'add', n.out]);
      rooted = true;
      run(root, ['gc']);
      const left = plan.roots.filter((r) => existsSync(join(root, 'store', basename(r.out))));
      if (left.length) throw new Error(`ix gc left the built packages in ${root}: ${left.map((r) => r.name).join(' ')}`);
    },
    cleanup() {
      rmSync(work, { recursive: true, force: true });
      if (shared) rmSync(shared, { recursive: true, force: true });
    },
  };
}

/** The source cache the fill script fills (IX_SOURCE_CACHE, else the default root's cache/sources). */
function defaultSources() {
  if (process.env.IX_SOURCE_CACHE) return process.env.IX_SOURCE_CACHE;
  const root = process.getuid?.() === 0 ? '/ix' : join(process.env.XDG_DATA_HOME ?? join(process.env.HOME ?? '/', '.local', 'share'), 'ix');
  return join(root, 'cache', 'sources');
}

/** Runs `ix` synchronously with env additions; stdout/stderr as text. */
export function ixRunner(repo) {
  return (root, args, env) => spawnSync(process.execPath, [join(repo, 'ix'), ...args], { env: { ...process.env, IX_PROGRESS: 'plain', ...env }, encoding: 'utf8' });
}
