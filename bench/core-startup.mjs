#!/usr/bin/env node
/**
 * Start-up of the WASM cores: for each built core directory (default: the compiled core in
 * wasm/out/as and the default core in wasm/out), in fresh processes, the time from nothing to
 * the first answer through hosts/node/core.ts (import of jco's glue, compiling the core modules,
 * instantiating, one `list-packages` call over an empty tree), and in one process the cost of
 * each further fresh instance plus a call (the compiled core's per-request memory model). Also the
 * component's and the glue's sizes. NODE_EXTRA_CA_CERTS is unset for the children.
 * Usage: node bench/core-startup.mjs [--runs=N] [DIR...]; prints a Markdown table.
 * Writes only under bench/.tmp/. Asserts nothing.
 *
 * Must not depend on: the network.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const tmpDir = join(repo, 'bench', '.tmp');
const args = process.argv.slice(2);
const runs = Number(args.find((a) => a.startsWith('--runs='))?.slice(7) ?? 15);
const dirs = args.filter((a) => !a.startsWith('--'));
if (!dirs.length) dirs.push(join(repo, 'wasm', 'out', 'as'), join(repo, 'wasm', 'out'));

/** The child: loads the loader bundle, times load + first call, then N fresh instances. */
const CHILD = `
const [loader, dir, reps] = process.argv.slice(2);
const t0 = performance.now();
const { loadCore } = await import(loader);
const core = await loadCore(dir, { liftoffOnly: true });
const io = { readFile: () => undefined, listDir: () => undefined };
const call = () => { try { core.listPackages(io); } catch {} };
call();
const first = performance.now() - t0;
const t1 = performance.now();
for (let i = 0; i < Number(reps); i++) call();
const each = (performance.now() - t1) / Number(reps);
process.stdout.write(JSON.stringify({ first, each, backend: core.manifest.backend }));
`;

async function bundleLoader() {
  const esbuild = await import('esbuild');
  mkdirSync(tmpDir, { recursive: true });
  const outfile = join(tmpDir, 'core-loader.mjs');
  await esbuild.build({
    entryPoints: [join(repo, 'hosts', 'node', 'core.ts')], outfile,
    bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning',
    banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
  });
  const child = join(tmpDir, 'core-startup-child.mjs');
  writeFileSync(child, CHILD);
  return { loader: pathToFileURL(outfile).href, child };
}

const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

const { loader, child } = await bundleLoader();
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
const load = readFileSync('/proc/loadavg', 'utf8').trim();
const rows = [];
// Node's own start for scale (same environment), alternated with nothing else
const nodeStart = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', '0'], { env });
  nodeStart.push(performance.now() - t0);
}
for (const dir of dirs) {
  if (!existsSync(join(dir, 'manifest.json'))) {
    console.error(`core-startup: no core in ${dir}, skipped`);
    continue;
  }
  const firsts = [];
  const eaches = [];
  let backend = '?';
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, [child, loader, dir, '20'], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`core-startup: ${dir}: ${r.stderr}`);
    const o = JSON.parse(r.stdout);
    firsts.push(o.first);
    eaches.push(o.each);
    backend = o.backend;
  }
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  rows.push({ dir, backend, first: med(firsts), min: Math.min(...firsts), each: med(eaches), bytes: m.coreWasmBytes, glue: statSync(join(dir, 'core', 'core.js')).size });
}
console.log(`core start-up, ${runs} fresh processes per core; load before ${load}, after ${readFileSync('/proc/loadavg', 'utf8').trim()}\n`);
console.log(`node -e 0 (whole process, for scale): ${med(nodeStart).toFixed(1)} ms median\n`);
console.log('| core | load + first answer (median) | min | each further fresh instance + call | component | jco glue |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.backend} (${r.dir.startsWith(repo) ? relative(repo, r.dir) || '.' : r.dir}) | ${r.first.toFixed(1)} ms | ${r.min.toFixed(1)} ms | ${r.each.toFixed(2)} ms | ${(r.bytes / 1024).toFixed(0)} KB | ${(r.glue / 1024).toFixed(0)} KB |`);
}
