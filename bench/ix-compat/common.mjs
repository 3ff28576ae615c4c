/**
 * Shared by bench/ix-compat/run.mjs and plan.mjs: the esbuild bundle of bench/ix-compat/entry.ts
 * (ix's engine in V8 plus the filesystem HostIO) and the list of recipes of an IX checkout.
 *
 * Must not depend on: the network; writes only under bench/.tmp/.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repo = dirname(dirname(here));
export const tmp = join(repo, 'bench', '.tmp');

/** Package names ("bin/zstd"): every directory below `dir` holding an ix.sh, sorted. */
export function recipes(dir, prefix = '') {
  const out = [];
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...recipes(dir, rel));
    else if (e.name === 'ix.sh' && prefix) out.push(prefix);
  }
  return out.sort();
}

/**
 * The recipe roots for an IX checkout: its pkgs/. The pip/ recipes IX generates with a Python
 * plugin (pkgs/pip/mount.py) are served inside ix's cores (engine/mount, wasm/as/mount).
 */
export function recipeRoots(checkout) {
  return [join(checkout, 'pkgs')];
}

/** Bundles entry.ts and imports it: { render, planOut, IxError, fsHostIO }. */
export async function bundle() {
  mkdirSync(tmp, { recursive: true });
  const esbuild = await import('esbuild');
  const file = join(tmp, 'ix-compat.mjs');
  await esbuild.build({
    entryPoints: [join(here, 'entry.ts')], outfile: file, bundle: true, format: 'esm', platform: 'node',
    target: 'node20', logLevel: 'warning',
    banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
  });
  return import(pathToFileURL(file).href);
}
