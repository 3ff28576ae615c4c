#!/usr/bin/env node
/**
 * `npm run bench`: planning speed of the WASM core vs the same bundle in V8, cold vs warm caches,
 * both componentize backends, component start-up, and `ix plan bin/zstd` wall time; writes
 * bench/.tmp/results.json and prints a Markdown summary (copied by hand into BENCHMARKS.md).
 * Options: --libs=N (default 4000) --bins=N (default libs/4) --backends=as,quickjs,starlingmonkey
 *          --runs=N (zstd wall-time runs, default 10) --profile (V8 CPU profile, top self costs)
 *          --startup-only (only bench/startup.mjs) --root=DIR (a built store for the no-op rows)
 *          --baseline=PATH (another checkout's ix launcher, measured beside this one).
 *          --ix=DIR (an IX checkout: bench/ix-speed.mjs plans its whole tree beside IX's renderer;
 *          skipped with a line without it) --ix-only (only that part).
 *          --ix-core (with --ix: only bench/ix-core.mjs, the compiled core vs the V8 oracle on
 *          that tree: render every recipe, cold keep-going plan; --ix-targets=a,b, default linux-x86_64).
 *          --ix-stal (with --ix: only bench/ix-stal.mjs: bin/zstd and set/pg cold and after a leaf
 *          edit, the cold whole-tree plan's cache size, the warm whole-tree `ix build --dry-run`).
 *          --ix-replan (with --ix: only bench/ix-replan.mjs, whole-tree cold plan and re-plans after
 *          a leaf and a die/base.sh edit through the CLI).
 * Ends with the speed targets, each with its measured ratio and "met" or "missed".
 * Each measurement runs in a fresh process (bench/measure.mjs). Nothing here is asserted: targets
 * are reported, not enforced (see BENCHMARKS.md).
 *
 * Must not depend on: the network; writes only under bench/.tmp/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { generateTree } from './gen-tree.mjs';
import { repo, shadowBuild, tmpDir } from './shadow.mjs';
import { startupBench, startupLines } from './startup.mjs';
import { ixSpeedBench } from './ix-speed.mjs';
import { ixCoreBench } from './ix-core.mjs';
import { ixStalBench } from './ix-stal.mjs';

const args = process.argv.slice(2);
const opt = (k, d) => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d;
const libs = Number(opt('libs', '4000'));
const bins = Number(opt('bins', String(Math.floor(libs / 4))));
const backends = opt('backends', 'as,quickjs,starlingmonkey').split(',').filter(Boolean);
const runs = Number(opt('runs', '10'));
const log = (m) => console.error(`bench: ${m}`);
mkdirSync(tmpDir, { recursive: true });

// ---- inputs -------------------------------------------------------------------------------
async function bundleHost() {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [join(repo, 'bench', 'host-entry.ts')], outfile: join(tmpDir, 'host.mjs'),
    bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning',
    banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
  });
}

function writeTreeDir() {
  const dir = join(tmpDir, `tree-${libs}-${bins}`);
  const files = generateTree({ libs, bins, seed: 1 });
  if (!existsSync(join(dir, 'set', 'world', 'ix.sh'))) {
    rmSync(dir, { recursive: true, force: true });
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(join(dir, p, '..'), { recursive: true });
      writeFileSync(join(dir, p), text);
    }
  }
  return { dir, packages: Object.keys(files).filter((p) => p.endsWith('/ix.sh')).length };
}

// ---- measurements -------------------------------------------------------------------------
function measure(o, nodeArgs = []) {
  const r = spawnSync(process.execPath, ['--experimental-wasm-extended-const', ...nodeArgs, join(repo, 'bench', 'measure.mjs'), JSON.stringify(o)], {
    encoding: 'utf8', maxBuffer: 1 << 30,
  });
  if (r.status !== 0) {
    const why = (r.stderr.match(/(?:CoreError|Error): [^\n]*/) ?? [`exit ${r.status}`])[0];
    log(`${o.engine} ${o.pkg} failed: ${why}`);
    return { failed: why };
  }
  return JSON.parse(r.stdout);
}

/** Cold (empty cache dir, fresh process) then warm (same cache dir, another fresh process). */
function coldWarm(engine, outDir, tree, pkg) {
  const cache = join(tmpDir, `cache-${engine}-${outDir.includes('starling') ? 'sm' : 'qjs'}`);
  rmSync(cache, { recursive: true, force: true });
  log(`${engine} ${pkg} cold...`);
  const cold = measure({ engine, outDir, tree, cache, pkg });
  log(`${engine} ${pkg} warm...`);
  const warm = cold.failed ? cold : measure({ engine, outDir, tree, cache, pkg });
  const v1 = join(cache, 'v1');
  const files = existsSync(v1) ? readdirSync(v1).reduce((n, d) => n + readdirSync(join(v1, d)).length, 0) : 0;
  const r = { cold, warm, cacheEntries: files };
  log(`${engine} ${pkg}: ${JSON.stringify(r)}`);
  return r;
}

function hyperfine(cmd, env, prepare) {
  const which = spawnSync('sh', ['-c', 'command -v hyperfine'], { encoding: 'utf8' });
  const json = join(tmpDir, 'hyperfine.json');
  if (which.status === 0) {
    const a = ['--warmup', '2', '--runs', String(runs), '--export-json', json, '--style', 'none'];
    if (prepare) a.push('--prepare', prepare);
    const r = spawnSync('hyperfine', [...a, cmd], { env: { ...process.env, ...env }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`hyperfine failed: ${r.stderr}`);
    const res = JSON.parse(readFileSync(json, 'utf8')).results[0];
    return { tool: 'hyperfine', medianMs: res.median * 1000, minMs: res.min * 1000, maxMs: res.max * 1000, runs };
  }
  const times = [];
  for (let i = 0; i < runs + 2; i++) {
    if (prepare) spawnSync('sh', ['-c', prepare]);
    const t0 = performance.now();
    const r = spawnSync('sh', ['-c', cmd], { env: { ...process.env, ...env } });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
    if (i >= 2) times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  return { tool: 'spawn loop', medianMs: times[Math.floor(times.length / 2)], minMs: times[0], maxMs: times.at(-1), runs };
}

/** Top self-time functions of a V8 CPU profile of the cold plan. */
function profile(outDir, tree) {
  const dir = join(tmpDir, 'prof');
  rmSync(dir, { recursive: true, force: true });
  measure({ engine: 'v8', outDir, tree, cache: null, pkg: 'set/world' }, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  const p = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]), 'utf8'));
  const self = new Map();
  const dt = new Map();
  p.samples.forEach((s, i) => dt.set(s, (dt.get(s) ?? 0) + (p.timeDeltas[i] ?? 0)));
  let total = 0;
  for (const n of p.nodes) {
    const t = dt.get(n.id) ?? 0;
    total += t;
    const cf = n.callFrame;
    const k = `${cf.functionName || '(anonymous)'} ${cf.url ? cf.url.split('/').pop() + ':' + (cf.lineNumber + 1) : ''}`.trim();
    self.set(k, (self.get(k) ?? 0) + t);
  }
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([fn, t]) => ({ fn, ms: Math.round(t / 1000), pct: +((100 * t) / total).toFixed(1) }));
}

// ---- main ---------------------------------------------------------------------------------
const machine = {
  date: new Date().toISOString(),
  nproc: cpus().length,
  cpu: (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1],
  node: process.version,
  loadavg: readFileSync('/proc/loadavg', 'utf8').trim(),
};
log(`machine ${JSON.stringify(machine)}`);
const startupOpts = { runs: Number(opt('startup-runs', '15')), root: opt('root'), baseline: opt('baseline'), log };
if (args.includes('--startup-only')) {
  const res = startupBench(startupOpts);
  writeFileSync(join(tmpDir, 'startup.json'), JSON.stringify(res, null, 2) + '\n');
  console.log(startupLines(res).join('\n'));
  process.exit(0);
}
const ixSpeedOpts = { checkout: opt('ix'), runs: Math.min(runs, 5), log };
if (args.includes('--ix-core')) {
  const r = await ixCoreBench({ checkout: opt('ix'), targets: opt('ix-targets', 'linux-x86_64').split(','), log });
  console.log(r.lines.join('\n'));
  process.exit(r.rows?.some((x) => x.failed || !x.same) ? 1 : 0);
}
if (args.includes('--ix-stal')) {
  console.log(ixStalBench({ checkout: opt('ix'), runs: Math.min(runs, 5), log }).lines.join('\n'));
  process.exit(0);
}
if (args.includes('--ix-replan')) {
  const r = spawnSync(process.execPath, [new URL('./ix-replan.mjs', import.meta.url).pathname, opt('ix') ?? ''], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
if (args.includes('--ix-only')) {
  console.log(ixSpeedBench(ixSpeedOpts).lines.join('\n'));
  process.exit(0);
}
await bundleHost();
const builds = {};
for (const b of backends) {
  builds[b] = shadowBuild(b);
  builds[b].manifest = JSON.parse(readFileSync(join(builds[b].outDir, 'manifest.json'), 'utf8'));
}
const tree = writeTreeDir();
log(`tree ${tree.dir}: ${tree.packages} recipes`);
const v8Out = builds[backends[0]].outDir;
const results = { machine, tree: { libs, bins, recipes: tree.packages }, synthetic: {}, zstd: {}, builds: {} };
for (const b of backends) results.builds[b] = { buildMs: Math.round(builds[b].buildMs), coreWasmBytes: builds[b].manifest.coreWasmBytes };

results.synthetic.v8 = coldWarm('v8', v8Out, tree.dir, 'set/world');
for (const b of backends) results.synthetic[b] = coldWarm('component', builds[b].outDir, tree.dir, 'set/world');
const shas = new Set(Object.values(results.synthetic).flatMap((r) => [r.cold.sha256, r.warm.sha256]).filter(Boolean));
results.synthetic.sameBytesEverywhere = shas.size === 1;

const zstdRecipe = existsSync(join(repo, 'pkgs', 'bin', 'zstd', 'ix.sh'));
if (zstdRecipe) {
  const pkgs = join(repo, 'pkgs');
  results.zstd.v8 = coldWarm('v8', v8Out, pkgs, 'bin/zstd');
  for (const b of backends) {
    results.zstd[b] = coldWarm('component', builds[b].outDir, pkgs, 'bin/zstd');
    const cache = join(tmpDir, `cache-cli-${b}`);
    const ix = join(builds[b].root, 'ix');
    log(`ix plan bin/zstd (${b}) wall time...`);
    results.zstd[b].cliWarm = hyperfine(`${process.execPath} ${ix} plan bin/zstd`, { IX_CACHE_DIR: cache });
    results.zstd[b].cliCold = hyperfine(`${process.execPath} ${ix} plan bin/zstd`, { IX_CACHE_DIR: cache }, `rm -rf ${cache}`);
  }
  results.zstd.startupOnly = {};
  for (const b of backends) results.zstd.startupOnly[b] = hyperfine(`${process.execPath} ${join(builds[b].root, 'ix')} --version`, {});
}
if (args.includes('--profile')) results.profileV8Cold = profile(v8Out, tree.dir);

// The 5k tree through the CLI as a user runs it: a cold `ix plan` fills the caches and the plan
// memo, then each warm re-plan is a new process (hosts/node/plan-memo.ts answers it).
{
  const ix = join(builds[backends[0]].root, 'ix');
  const cache = join(tmpDir, 'cache-cli-5k');
  rmSync(cache, { recursive: true, force: true });
  const cmd = `${process.execPath} ${ix} plan set/world --recipes ${tree.dir}`;
  log('ix plan set/world (5k tree) cold, then warm in new processes...');
  const env = { IX_CACHE_DIR: cache };
  const t0 = performance.now();
  const cold = spawnSync('sh', ['-c', `env -u NODE_EXTRA_CA_CERTS ${cmd} >/dev/null`], { env: { ...process.env, ...env } });
  if (cold.status !== 0) throw new Error(`bench: ${cmd} failed: ${cold.stderr}`);
  results.cli5k = { coldMs: performance.now() - t0, warm: hyperfine(`env -u NODE_EXTRA_CA_CERTS ${cmd} >/dev/null`, env) };
}
results.startup = startupBench(startupOpts);
// A real IX tree: needs a checkout of IX, which never enters this repository.
results.ixSpeed = ixSpeedBench(ixSpeedOpts);


// ---- summary ------------------------------------------------------------------------------
const ms = (x) => (x === undefined ? '-' : `${Math.round(x)} ms`);
const lines = [`machine: ${machine.nproc} cores, ${machine.cpu}, Node ${machine.node}, ${machine.date}, load ${machine.loadavg}`, ''];
lines.push(`synthetic tree: ${tree.packages} recipes, plan of set/world = ${results.synthetic.v8.cold.nodes} nodes, same bytes everywhere: ${results.synthetic.sameBytesEverywhere}`, '');
lines.push('| engine | load | cold plan | warm plan (new process, disk cache) | re-plan in process | ratio cold / V8 |', '|---|---|---|---|---|---|');
const v8cold = results.synthetic.v8.cold.firstMs;
for (const [k, r] of Object.entries(results.synthetic)) {
  if (typeof r !== 'object') continue;
  if (r.cold.failed) lines.push(`| ${k} | failed: ${r.cold.failed} | | | | |`);
  else lines.push(`| ${k} | ${ms(r.cold.loadMs)} | ${ms(r.cold.firstMs)} | ${ms(r.warm.firstMs)} | ${ms(r.cold.againMs)} | ${(r.cold.firstMs / v8cold).toFixed(2)} |`);
}
if (zstdRecipe) {
  lines.push('', `bin/zstd: ${results.zstd.v8.cold.nodes} nodes`, '', '| engine | load | cold plan | warm plan | ix plan wall, warm cache (median) | cold cache | ix --version |', '|---|---|---|---|---|---|---|');
  for (const [k, r] of Object.entries(results.zstd)) {
    if (k === 'startupOnly') continue;
    lines.push(`| ${k} | ${ms(r.cold.loadMs)} | ${ms(r.cold.firstMs)} | ${ms(r.warm.firstMs)} | ${ms(r.cliWarm?.medianMs)} | ${ms(r.cliCold?.medianMs)} | ${ms(results.zstd.startupOnly[k]?.medianMs)} |`);
  }
}
for (const [b, x] of Object.entries(results.builds)) lines.push('', `build ${b}: ${x.coreWasmBytes} bytes core.wasm, ${ms(x.buildMs)}`);
if (results.profileV8Cold) {
  lines.push('', 'V8 cold plan, top self time:', '');
  for (const p of results.profileV8Cold) lines.push(`- ${p.pct}% ${p.ms} ms ${p.fn}`);
}
if (results.cli5k) lines.push('', `ix plan set/world over the 5k tree: cold ${ms(results.cli5k.coldMs)}, warm in a new process ${ms(results.cli5k.warm.medianMs)} (median of ${runs})`);
const rss = results.synthetic[backends[0]]?.cold?.maxRssKb;
if (rss) lines.push('', `peak RSS of the cold 5k plan (${backends[0]} component, one process): ${(rss / 1024).toFixed(0)} MiB; V8 bundle: ${((results.synthetic.v8.cold.maxRssKb ?? 0) / 1024).toFixed(0)} MiB`);
lines.push('', ...startupLines(results.startup));
// ---- the speed targets ---------------------------------------------------------------------
const verdict = (ok) => (ok ? 'met' : 'missed');
lines.push('', 'targets:', '');
for (const r of results.startup.rows.filter((x) => x.target !== undefined)) lines.push(`- ${r.what}: ${r.ratio.toFixed(2)}x node -e 0 (<= ${r.target}x) ${verdict(r.met)}`);
const coldQ = results.synthetic[backends[0]]?.cold;
if (coldQ && !coldQ.failed) {
  const ratio = coldQ.firstMs / v8cold;
  const v8cpu = results.synthetic.v8.cold.cpuMs;
  const cpu = coldQ.cpuMs && v8cpu ? `; CPU time ${(coldQ.cpuMs / v8cpu).toFixed(2)}x` : '';
  lines.push(`- cold 5k plan, ${backends[0]} component / V8: ${ratio.toFixed(2)}x wall${cpu} (<= 2x) ${verdict(ratio <= 2)}`);
}
if (results.cli5k) lines.push(`- warm re-plan of the 5k tree in a new process (ix plan): ${(results.cli5k.warm.medianMs / 1000).toFixed(2)} s (<= 0.3 s) ${verdict(results.cli5k.warm.medianMs <= 300)}`);
lines.push('', ...results.ixSpeed.lines);
writeFileSync(join(tmpDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
console.log(lines.join('\n'));
