#!/usr/bin/env node
/**
 * Builds the VS Code extension (hosts/vscode/): esbuild bundles extension.ts with
 * vscode-languageclient into dist/extension.js (`vscode` is the editor's), then
 * `vsce package --no-dependencies` (offline: the bundle has everything) writes
 * `--out=FILE` (default hosts/vscode/dist/ix-recipes.vsix). Run by `npm run vsix`.
 *
 * Must not depend on: the network, anything outside this repository and its node_modules.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const outArg = process.argv.slice(2).find((a) => a.startsWith('--out='));
const vsix = outArg ? resolve(outArg.slice('--out='.length)) : join(here, 'dist', 'ix-recipes.vsix');

mkdirSync(join(here, 'dist'), { recursive: true });
mkdirSync(dirname(vsix), { recursive: true });
await build({
  entryPoints: [join(here, 'extension.ts')],
  outfile: join(here, 'dist', 'extension.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  logLevel: 'warning',
  legalComments: 'none',
  minify: true,
});
const r = spawnSync(process.execPath, [join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--skip-license',
  '--allow-missing-repository', '--out', vsix], { cwd: here, stdio: ['ignore', 'inherit', 'inherit'] });
if (r.status !== 0) {
  console.error(`hosts/vscode/build: vsce package failed (exit ${r.status})`);
  process.exit(1);
}
