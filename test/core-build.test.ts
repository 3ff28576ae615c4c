// The suite tests the current core: the global setup ran wasm/build.mjs, whose stamp is the hash
// of the freshly bundled component (engine included), so an engine change forces a rebuild.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { expect, test } from 'vitest';
import { outDir, repoRoot } from './support/cli';

const manifest = () => JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as { stamp: string; backend: string };

test('the manifest stamp is the hash of the component bundle of the current sources', () => {
  const m = manifest();
  const h = createHash('sha256');
  for (const p of [readFileSync(join(outDir, 'core.component.js')), readFileSync(join(repoRoot, 'wasm', 'core.wit')), readFileSync(join(repoRoot, 'wasm', 'build.mjs')), readFileSync(join(repoRoot, 'wasm', 'unsigned-pointers.mjs')), m.backend]) h.update(p);
  expect(m.stamp).toBe(h.digest('hex'));
});

test('a second build with nothing changed keeps the core (up to date)', () => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'wasm', 'build.mjs')], { cwd: repoRoot, encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(r.stderr).toMatch(/core up to date/);
});

test('an engine change reaches the component bundle, so the stamp changes', async () => {
  const bundle = async (patch: boolean) => {
    const r = await build({
      entryPoints: [join(repoRoot, 'wasm', 'component.ts')], bundle: true, format: 'esm', write: false, logLevel: 'silent',
      external: ['ix:core/*'],
      plugins: patch ? [{
        name: 'patch-engine',
        setup(b) {
          b.onLoad({ filter: /engine[\\/]plan[\\/]selector\.ts$/ }, (a) => ({ contents: readFileSync(a.path, 'utf8').replace('malformed package selector', 'changed package selector'), loader: 'ts' }));
        },
      }] : [],
    });
    return createHash('sha256').update(r.outputFiles[0].contents).digest('hex');
  };
  expect(await bundle(true)).not.toBe(await bundle(false));
});

test('the glue reads every address the component hands over as unsigned (memory past 2 GiB)', async () => {
  const glue = readFileSync(join(outDir, 'core', 'core.js'), 'utf8');
  expect(glue).not.toMatch(/var ptr\d+ = arg\d+;/);
  expect(glue).not.toMatch(/= realloc\d*\([^;()]*\);/);
  expect(glue).not.toMatch(/dataView\(memory\d+\)\.(get|set)\w+\((arg\d+|ret) \+ /);
  const { unsignedPointers } = await import('../wasm/unsigned-pointers.mjs');
  // what the rewrite does to an address past 2 GiB, as the i32 JavaScript receives it
  const lifted = unsignedPointers('var ptr0 = arg0;\nvar ptr1 = realloc0(0, 0, 1, len1 * 1);\ndataView(memory0).setUint32(arg2 + 4, ptr1, true);\n')
    .replace('realloc0(0, 0, 1, len1 * 1)', '(-2147483000)');
  const run = new Function('arg0', 'arg2', 'dataView', 'memory0', `${lifted}; return [ptr0, ptr1];`) as (...a: unknown[]) => number[];
  const seen: number[] = [];
  expect(run(-1026399632, -5, () => ({ setUint32: (off: number) => seen.push(off) }), {})).toEqual([3268567664, 2147484296]);
  expect(seen).toEqual([4294967295]);
  expect(() => unsignedPointers('nothing to rewrite')).toThrow(/no pointer arguments found in jco's glue/);
});
