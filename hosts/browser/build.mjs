#!/usr/bin/env node
/**
 * Builds the playground (hosts/browser/) into `--out=DIR` (default hosts/browser/dist/): the page
 * (index.html, playground.js bundled by esbuild with CodeMirror 6 and hash-wasm), tree.json (the
 * text files of pkgs/, the editable recipe tree), and a copy of the built component (wasm/out/core/
 * and manifest.json: the same bytes the CLI runs; `npm run build` first). Static files only.
 *
 * Must not depend on: the network; anything outside this repository and its node_modules.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const outArg = process.argv.slice(2).find((a) => a.startsWith('--out='));
const out = outArg ? resolve(outArg.slice('--out='.length)) : join(here, 'dist');
const coreOut = process.env.IX_CORE_DIR ?? join(root, 'wasm', 'out');

if (!existsSync(join(coreOut, 'manifest.json'))) {
  console.error(`hosts/browser/build: the WASM core is not built (${coreOut}): run 'npm run build'`);
  process.exit(2);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'core'), { recursive: true });

await build({
  entryPoints: [join(here, 'playground.ts')],
  outfile: join(out, 'playground.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});

// the recipe tree: every text file of pkgs/ but its README, by logical path
const tree = {};
const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name !== 'README.md' && statSync(p).size < 256 * 1024) tree[relative(join(root, 'pkgs'), p).split('\\').join('/')] = readFileSync(p, 'utf8');
  }
};
walk(join(root, 'pkgs'));
writeFileSync(join(out, 'tree.json'), JSON.stringify(tree));

// the glue and its wasm modules (the .d.ts files beside them are for TypeScript only)
for (const f of readdirSync(join(coreOut, 'core'))) if (/\.(js|wasm)$/.test(f)) copyFileSync(join(coreOut, 'core', f), join(out, 'core', f));
copyFileSync(join(coreOut, 'manifest.json'), join(out, 'manifest.json'));
copyFileSync(join(here, 'index.html'), join(out, 'index.html'));
console.error(`hosts/browser/build: playground in ${relative(process.cwd(), out) || '.'} (${Object.keys(tree).length} recipe files)`);
