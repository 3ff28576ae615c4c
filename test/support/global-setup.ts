/**
 * vitest globalSetup: builds the current core before any test runs (node wasm/build.mjs). The
 * build re-bundles the engine every time and rebuilds the component only when the bundle, the
 * WIT world, the build script or the backend changed (its stamp), so a run never tests a stale
 * wasm/out and costs about half a second when nothing changed (test/core-build.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join, resolve } from 'node:path';

export default function setup(): void {
  const root = resolve(__dirname, '..', '..');
  // The unprivileged re-run (test/rootless.test.ts) cannot write the checkout: the root run
  // before it built the core, so it is only checked to be there.
  if (process.env.IX_TEST_CORE_READY === '1') {
    accessSync(join(root, 'wasm', 'out', 'manifest.json'), constants.R_OK);
    return;
  }
  const r = spawnSync(process.execPath, [join(root, 'wasm', 'build.mjs'), '--quiet'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wasm/build.mjs failed before the tests (exit ${r.status}): ${r.stderr.trim()}`);
}
