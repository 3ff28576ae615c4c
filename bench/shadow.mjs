/**
 * Builds the WASM core with a chosen componentize backend into its own directory, side by side
 * with wasm/out: a shadow checkout bench/.tmp/build-<backend>/ holds a copy of wasm/ (without
 * out/) a copy of the ix launcher (and its link) and
 * symlinks to engine/, hosts/, pkgs/, node_modules/ and package.json,
 * then runs its wasm/build.mjs --backend=<backend>. wasm/build.mjs skips the slow steps when its
 * stamp is unchanged. Returns the out dir (usable as IX_CORE_DIR, or its ./ix launcher).
 *
 * Must not depend on: anything outside this repository; never touches wasm/out.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = dirname(dirname(fileURLToPath(import.meta.url)));
export const tmpDir = join(repo, 'bench', '.tmp');

/** Build (or reuse) the core for `backend`; returns { root, outDir, buildMs }. */
export function shadowBuild(backend) {
  const root = join(tmpDir, `build-${backend}`);
  mkdirSync(join(root, 'wasm'), { recursive: true });
  for (const n of readdirSync(join(repo, 'wasm'))) {
    if (n === 'out' || n === 'build') continue;
    cpSync(join(repo, 'wasm', n), join(root, 'wasm', n), { recursive: true });
  }
  for (const n of ['engine', 'hosts', 'pkgs', 'node_modules', 'package.json']) {
    if (!existsSync(join(root, n))) symlinkSync(join(repo, n), join(root, n));
  }
  // The launcher: `ix` links to hosts/node/ix.cjs, which finds wasm/out two directories above its
  // real path (node resolves a linked main module). hosts/ is a link to the repository here, so
  // the shadow gets its own copy two levels down and its own `ix` link to it.
  mkdirSync(join(root, 'launcher', 'node'), { recursive: true });
  cpSync(join(repo, 'hosts', 'node', 'ix.cjs'), join(root, 'launcher', 'node', 'ix.cjs'));
  rmSync(join(root, 'ix'), { force: true });
  symlinkSync(join('launcher', 'node', 'ix.cjs'), join(root, 'ix'));
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'wasm', 'build.mjs'), `--backend=${backend}`], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`bench: building the ${backend} core failed`);
  return { root, outDir: join(root, 'wasm', 'out'), buildMs: performance.now() - t0 };
}
