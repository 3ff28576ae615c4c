#!/usr/bin/env node
/**
 * The compiled core on a whole IX tree against the V8 oracle, each in a fresh process, in turn:
 * - render: every recipe of the checkout on each target, one process, one request per render
 *   (through hosts/node/core.ts as the CLI and `ix lsp` load the core; the oracle is
 *   wasm/out/core.bundle.js createCore): CPU of the render loop, peak RSS, identical output
 *   (text or one-line error) per render;
 * - plan: one cold keep-going plan of every recipe (those with a '/', as `ix plan` takes them)
 *   per target, no caches: CPU, peak RSS, identical plan bytes.
 * Ratios come from one run; the load average is printed before and after.
 *
 *   node bench/ix-core.mjs IX_CHECKOUT [--targets=linux-x86_64,...] [--skip-render] [--skip-plan] [--core-only] [--gc-stats]
 * --core-only runs the compiled core alone (no oracle run, nothing compared): its CPU, peak RSS and
 * the output's sha256, for before/after pairs of the core itself.
 * --gc-stats also prints the core's collector counters (bench/gc-stats.mjs; object counts need
 * a core built with IX_AS_GC_STATS=1); its peak RSS then holds the core's memory to the end.
 *   npm run bench -- --ix=IX_CHECKOUT --ix-core
 * Needs `npm run build` (wasm/out holds the compiled core and the oracle's bundle).
 *
 * Must not depend on: the network; writes only under bench/.tmp/ix-core/.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { recipeRoots, recipes } from './ix-compat/common.mjs';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const dir = join(repo, 'bench', '.tmp', 'ix-core');
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** The child: one engine, one job; prints { cpuMs, wallMs, maxRssMB, n, failed } and writes its outputs. */
const CHILD = `
const [loaderUrl, bundleUrl, engine, job, rootsJson, namesFile, target, outFile] = process.argv.slice(2);
const { writeFileSync, readFileSync } = await import('node:fs');
const { loadCore, fsHostIO } = await import(loaderUrl);
const roots = JSON.parse(rootsJson);
const names = readFileSync(namesFile, 'utf8').split('\\n').filter(Boolean);
const io = fsHostIO(roots);
let render, plan;
if (engine === 'as') {
  const core = await loadCore(${JSON.stringify(join(repo, 'wasm', 'out'))});
  if (core.manifest.backend !== 'as') throw new Error('wasm/out does not hold the compiled core');
  render = (req) => core.render(io, req);
  // the plan's UTF-8 bytes as the host hands them out (a whole tree's are ~200 MB: no copy, no string)
  plan = (req) => core.plan(io, req);
} else {
  const { createCore } = await import(bundleUrl);
  render = (req) => createCore(io).render(JSON.stringify(req));
  plan = (req) => { const o = createCore(io).plan(JSON.stringify(req)); return typeof o.val === 'string' ? o.val : Buffer.from(o.val).toString('utf8'); };
}
const msg = (e) => e.record?.message ?? e.message;
const out = [];
let failed = 0;
const c0 = process.cpuUsage();
const t0 = performance.now();
if (job === 'render') {
  for (let i = 0; i < names.length; i++) {
    // jco's glue holds each instance until the event loop runs (a long-running host returns to it)
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, 0));
    try { out.push(render({ package: names[i], target })); } catch (e) { failed++; out.push('ERROR ' + msg(e)); }
  }
} else {
  try { out.push(plan({ packages: names, target, keepGoing: true })); } catch (e) { failed++; out.push('ERROR ' + msg(e)); }
}
const wallMs = performance.now() - t0;
const c = process.cpuUsage(c0);
writeFileSync(outFile, job === 'plan' ? out[0] : out.join('\\n\\u0000\\n'));
process.stdout.write(JSON.stringify({ cpuMs: (c.user + c.system) / 1000, wallMs, maxRssMB: process.resourceUsage().maxRSS / 1024, n: out.length, failed }));
`;

async function bundleLoader() {
  const esbuild = await import('esbuild');
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, 'entry.ts');
  writeFileSync(entry, `export { loadCore } from ${JSON.stringify(join(repo, 'hosts/node/core.ts'))};\nexport { fsHostIO } from ${JSON.stringify(join(repo, 'hosts/node/io.ts'))};\n`);
  const outfile = join(dir, 'loader.mjs');
  await esbuild.build({
    entryPoints: [entry], outfile, bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning',
    banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
  });
  const child = join(dir, 'child.mjs');
  writeFileSync(child, CHILD);
  return { loader: pathToFileURL(outfile).href, child };
}

/** Runs both engines on one job and target; returns { as, v8, same, differing } or { failed }. */
function pair(ctx, job, target, namesFile) {
  const res = {};
  for (const engine of ctx.coreOnly ? ['as'] : ['v8', 'as']) {
    const outFile = join(dir, `${job}-${target}-${engine}.out`);
    const statsFile = join(dir, `${job}-${target}-${engine}.gc.json`);
    const pre = ctx.gcStats && engine === 'as' ? ['--import', pathToFileURL(join(repo, 'bench', 'gc-stats.mjs')).href] : [];
    const r = spawnSync(process.execPath, ['--max-old-space-size=4096', ...pre, ctx.child, ctx.loader, ctx.bundle, engine, job, JSON.stringify(ctx.roots), namesFile, target, outFile], {
      encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, NODE_EXTRA_CA_CERTS: '', IX_GC_STATS_OUT: statsFile },
    });
    if (r.status !== 0) return { failed: `${engine} ${job} ${target}: exit ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 400)}` };
    res[engine] = { ...JSON.parse(r.stdout), outFile };
    if (pre.length && existsSync(statsFile)) res.gc = JSON.parse(readFileSync(statsFile, 'utf8').trim().split('\n').pop()).text;
  }
  res.sha = createHash('sha256').update(readFileSync(res.as.outFile)).digest('hex').slice(0, 16);
  if (ctx.coreOnly) return res;
  const a = readFileSync(res.as.outFile, 'utf8').split('\n\u0000\n');
  const b = readFileSync(res.v8.outFile, 'utf8').split('\n\u0000\n');
  const differing = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) differing.push(i);
  res.same = differing.length === 0;
  res.differing = differing;
  return res;
}

export async function ixCoreBench({ checkout, targets = ['linux-x86_64'], render = true, plan = true, coreOnly = false, gcStats = false, log = console.error }) {
  if (!checkout || !existsSync(join(checkout, 'pkgs'))) {
    const why = checkout ? `${checkout} is not an IX checkout (no pkgs/)` : 'no IX checkout path given (--ix=DIR)';
    return { skipped: why, lines: [`IX tree, compiled core vs V8: skipped, ${why}`] };
  }
  rmSync(dir, { recursive: true, force: true });
  const { loader, child } = await bundleLoader();
  const ctx = { loader, child, bundle: pathToFileURL(join(repo, 'wasm', 'out', 'core.bundle.js')).href, roots: recipeRoots(checkout), coreOnly, gcStats };
  const names = recipes(join(checkout, 'pkgs'));
  const all = join(dir, 'all.txt');
  writeFileSync(all, names.join('\n') + '\n');
  // `ix plan` refuses a one-component name (a top-level recipe), as IX does requested alone
  const some = join(dir, 'plan.txt');
  writeFileSync(some, names.filter((n) => n.includes('/')).join('\n') + '\n');
  const lines = [`IX tree ${checkout}: ${names.length} recipes; load before ${load()}`, '',
    '| job | target | V8 CPU | compiled CPU | CPU / V8 | V8 peak RSS | compiled peak RSS | identical |', '|---|---|---|---|---|---|---|---|'];
  const rows = [];
  const jobs = [...(render ? ['render'] : []), ...(plan ? ['plan'] : [])];
  for (const job of jobs) {
    for (const target of targets) {
      log(`ix-core: ${job} ${target} (load ${load()})...`);
      const r = pair(ctx, job, target, job === 'render' ? all : some);
      rows.push({ job, target, ...r });
      if (r.failed) { lines.push(`| ${job} | ${target} | failed: ${r.failed} |||||| `); continue; }
      const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
      if (coreOnly) {
        lines.push(`| ${job} | ${target} | - | ${s(r.as.cpuMs)} (wall ${s(r.as.wallMs)}) | - | - | ${r.as.maxRssMB.toFixed(0)} MB | sha256 ${r.sha}${r.as.failed ? (job === 'render' ? `, ${r.as.failed} errors` : ', failed') : ''} |`);
        log(lines[lines.length - 1]);
        if (r.gc) lines.push('', `${job} ${target} ${r.gc}`, '');
        continue;
      }
      const what = job === 'render' ? `${r.as.n - r.differing.length}/${r.as.n} (${r.as.failed} errors both)` : (r.same ? `yes (sha256 ${r.sha})` : 'NO');
      lines.push(`| ${job} | ${target} | ${s(r.v8.cpuMs)} | ${s(r.as.cpuMs)} | **${(r.as.cpuMs / r.v8.cpuMs).toFixed(2)}** | ${r.v8.maxRssMB.toFixed(0)} MB | ${r.as.maxRssMB.toFixed(0)} MB | ${what} |`);
      log(lines[lines.length - 1]);
      if (r.gc) lines.push('', `${job} ${target} ${r.gc}`, '');
    }
  }
  lines.push('', `load after ${load()}`);
  return { rows, lines };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const opt = (k, d) => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d;
  const r = await ixCoreBench({
    checkout: args.find((a) => !a.startsWith('--')),
    targets: opt('targets', 'linux-x86_64').split(','),
    render: !args.includes('--skip-render'),
    plan: !args.includes('--skip-plan'),
    coreOnly: args.includes('--core-only'),
    gcStats: args.includes('--gc-stats'),
  });
  console.log(r.lines.join('\n'));
  if (r.rows?.some((x) => x.failed || (!x.same && !args.includes('--core-only')))) process.exitCode = 1;
}
