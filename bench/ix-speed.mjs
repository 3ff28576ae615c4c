#!/usr/bin/env node
/**
 * Whole-IX-tree planning speed, side by side in one session: IX's own renderer
 * rendering every recipe once, ix's engine in V8 planning the whole tree cold (no disk cache, the
 * disk cache written synchronously, and written in the background as `ix plan` does), the `ix`
 * CLI (the WASM component it ships) planning the tree cold, then warm in new processes.
 * Every row gives wall time and the children's CPU time (user+sys), with the load average before
 * and after: on a shared machine CPU time is the fairer ratio.
 *
 *   node bench/ix-speed.mjs IX_CHECKOUT [--target=linux-x86_64] [--runs=N] [--skip-component]
 *   npm run bench -- --ix=IX_CHECKOUT [--ix-only]
 * Without a checkout path it prints one line saying it was skipped.
 *
 * The CLI plans the packages the V8 run planned (IX trees have packages that fail by design, and
 * `ix plan` stops at the first failure unless it has --keep-going, which it uses when it has it).
 *
 * Must not depend on: the network; writes only under bench/.tmp/ (caches, results).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recipeRoots, recipes } from './ix-compat/common.mjs';
import { repo, tmpDir } from './shadow.mjs';

/** The load average (1, 5, 15 min) as text. */
export const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const secs = (m) => Number(m[1]) * 60 + Number(m[2]);

/**
 * Runs `cmd` (sh) with stdout to `outFile`; wall ms and the children's CPU ms (sh's `times`). An
 * exit code outside `okCodes` is a failed row (`ix plan --keep-going` exits 2 when some package
 * fails, as a few of every IX tree do in IX too).
 */
export function timed(cmd, env, outFile, okCodes = [0]) {
  const t0 = performance.now();
  const r = spawnSync('sh', ['-c', `${cmd} > ${outFile} 2>${outFile}.err; s=$?; times; exit $s`], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: '', ...env }, encoding: 'utf8', maxBuffer: 1 << 26,
  });
  const wallMs = performance.now() - t0;
  const child = r.stdout.trim().split('\n').pop() ?? '';
  const m = [...child.matchAll(/(\d+)m([\d.]+)s/g)];
  const cpuMs = m.length === 2 ? (secs(m[0]) + secs(m[1])) * 1000 : NaN;
  if (!okCodes.includes(r.status)) {
    const err = existsSync(`${outFile}.err`) ? readFileSync(`${outFile}.err`, 'utf8').trim().split('\n').slice(-3).join(' | ') : '';
    return { failed: `exit ${r.status}: ${err.slice(0, 300)}`, wallMs, cpuMs };
  }
  return { wallMs, cpuMs };
}

/** Runs the whole side-by-side measurement; returns { rows, lines } (lines: Markdown). */
export function ixSpeedBench({ checkout, target = 'linux-x86_64', runs = 5, component = true, log = console.error }) {
  if (!checkout || !existsSync(join(checkout, 'core', 'render_ctx.py')) || !existsSync(join(checkout, 'pkgs'))) {
    const why = checkout ? `${checkout} is not an IX checkout (no core/render_ctx.py, pkgs/)` : 'no IX checkout path given (--ix=DIR)';
    return { skipped: why, lines: [`IX tree speed: skipped, ${why}`] };
  }
  const dir = join(tmpDir, 'ix-speed');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const names = recipes(join(checkout, 'pkgs'));
  writeFileSync(join(dir, 'all.txt'), names.join('\n') + '\n');
  // the CLI refuses a one-component name (a top-level recipe such as `bld`) as an argument, as IX
  // refuses it requested alone: every other recipe is asked for
  writeFileSync(join(dir, 'cli.txt'), names.filter((n) => n.includes('/')).join('\n') + '\n');
  const roots = recipeRoots(checkout);
  const res = { date: new Date().toISOString(), target, recipes: names.length, loadBefore: load(), rows: {} };
  const row = (name, r) => {
    res.rows[name] = r;
    log(`ix-speed: ${name}: ${r.failed ?? `${(r.wallMs / 1000).toFixed(1)} s wall, ${(r.cpuMs / 1000).toFixed(1)} s CPU`} (load ${load()})`);
    return r;
  };
  const out = (n) => join(dir, n);

  log(`ix-speed: IX's renderer, ${names.length} recipes x ${target}...`);
  row('ixRender', timed(`python3 ${join(repo, 'bench/ix-compat/ix-render.py')} ${checkout} ${target} < ${out('all.txt')}`, {}, out('ix-render.jsonl')));
  if (!res.rows.ixRender.failed) {
    const lines = readFileSync(out('ix-render.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    res.rows.ixRender.rendered = lines.filter((l) => l.ok).length;
  }

  const planMjs = (name, extra) => {
    const json = out(`${name}.json`);
    const r = row(name, timed(`${process.execPath} ${join(repo, 'bench/ix-compat/plan.mjs')} ${checkout} --targets=${target} --show=0 --json=${json} ${extra}`, {}, out(`${name}.txt`)));
    if (!r.failed) {
      const j = JSON.parse(readFileSync(json, 'utf8'))[target];
      Object.assign(r, { planMs: j.ms, planned: j.planned, failedPackages: j.failed.length, nodes: j.nodes, failedNames: j.failed.map((f) => f[0]) });
    }
    return r;
  };
  log('ix-speed: V8, cold, no disk cache...');
  const v8 = planMjs('v8Cold', '');
  const ok = v8.failed ? names : names.filter((n) => !new Set(v8.failedNames).has(n));
  writeFileSync(out('ok.txt'), ok.join('\n') + '\n');

  if (component) {
    const ix = join(repo, 'ix');
    // the options table of `ix --help` lists each verb's options on one line
    const keepGoing = /^\s*plan\s.*--keep-going/m.test(spawnSync(process.execPath, [ix, '--help'], { encoding: 'utf8' }).stdout);
    const list = keepGoing ? out('cli.txt') : out('ok.txt');
    const cmd = `${process.execPath} ${ix} plan --target=${target} ${keepGoing ? '--keep-going ' : ''}${roots.map((r) => `--recipes ${r}`).join(' ')} $(cat ${list})`;
    const env = { IX_CACHE_DIR: out('cache-cli') };
    const codes = keepGoing ? [0, 2] : [0];
    res.cliPackages = readFileSync(list, 'utf8').split('\n').filter(Boolean).length;
    res.cliKeepGoing = keepGoing;
    log(`ix-speed: ix plan (component), cold, ${res.cliPackages} packages${keepGoing ? ' with --keep-going' : ''}...`);
    row('cliCold', timed(cmd, env, out('cli-cold.txt'), codes));
    log(`ix-speed: ix plan, warm, ${runs} new processes...`);
    const warm = Array.from({ length: runs }, () => timed(cmd, env, out('cli-warm.txt'), codes));
    const med = (k) => warm.map((w) => w[k]).sort((a, b) => a - b)[Math.floor(warm.length / 2)];
    row('cliWarm', warm.some((w) => w.failed) ? warm.find((w) => w.failed) : { wallMs: med('wallMs'), cpuMs: med('cpuMs'), runs });
    res.rows.cliWarm.samePaths = readFileSync(out('cli-warm.txt'), 'utf8') === readFileSync(out('cli-cold.txt'), 'utf8');
    row('cliWarmJson', timed(cmd.replace(' plan ', ' plan --json '), env, out('cli-warm.json'), codes));
  }
  log('ix-speed: V8, cold, disk cache written synchronously...');
  planMjs('v8CacheSync', `--cache=${out('cache-sync')}`);
  log('ix-speed: V8, cold, disk cache written in the background...');
  planMjs('v8CacheBackground', `--cache=${out('cache-bg')} --background`);
  log('ix-speed: V8, warm (new process, the same disk cache)...');
  planMjs('v8Warm', `--cache=${out('cache-bg')} --background`);
  res.loadAfter = load();
  writeFileSync(join(tmpDir, 'ix-speed.json'), JSON.stringify(res, (k, v) => (k === 'failedNames' ? undefined : v), 1) + '\n');
  return { ...res, lines: ixSpeedLines(res) };
}

/** The Markdown summary of a result. */
export function ixSpeedLines(res) {
  const s = (ms) => (ms === undefined || Number.isNaN(ms) ? '-' : `${(ms / 1000).toFixed(1)} s`);
  const base = res.rows.ixRender;
  const ratio = (r) => (r && !r.failed && base && !base.failed ? `${(r.wallMs / base.wallMs).toFixed(2)} / ${(r.cpuMs / base.cpuMs).toFixed(2)}` : '-');
  const what = {
    ixRender: `IX's renderer, every recipe once (${base?.rendered ?? '?'} of ${res.recipes} render)`,
    v8Cold: 'ix engine in V8, whole-tree plan, cold, no disk cache',
    cliCold: `\`ix plan\` (WASM component), cold, empty cache, ${res.cliPackages} packages${res.cliKeepGoing ? ' (--keep-going)' : ' (those V8 planned)'}`,
    cliWarm: `\`ix plan\`, warm, new process (median of ${res.rows.cliWarm?.runs ?? '?'})`,
    cliWarmJson: '`ix plan --json`, warm, new process',
    v8CacheSync: 'V8, cold, disk cache written synchronously',
    v8CacheBackground: 'V8, cold, disk cache written in the background (as `ix plan`)',
    v8Warm: 'V8, warm (new process, same disk cache; no plan memo)',
  };
  const lines = [`IX tree (${res.recipes} recipes, ${res.target}), ${res.date}; load before ${res.loadBefore}, after ${res.loadAfter}`, '',
    '| what | wall | CPU | plan call | wall / CPU vs IX\'s render |', '|---|---|---|---|---|'];
  for (const [k, label] of Object.entries(what)) {
    const r = res.rows[k];
    if (!r) continue;
    if (r.failed) lines.push(`| ${label} | failed: ${r.failed} | | | |`);
    else lines.push(`| ${label} | ${s(r.wallMs)} | ${s(r.cpuMs)} | ${r.planMs ? `${s(r.planMs)}, ${r.planned} planned, ${r.nodes} nodes` : ''} | ${k === 'ixRender' ? '1' : ratio(r)} |`);
  }
  const verdict = (ok) => (ok ? 'met' : 'missed');
  lines.push('', 'targets:', '');
  const cold = res.rows.cliCold ?? res.rows.v8Cold;
  if (cold && !cold.failed && base && !base.failed) {
    lines.push(`- cold whole-tree plan, ${res.rows.cliCold ? 'ix plan (component)' : 'V8'} / IX's render: ${(cold.wallMs / base.wallMs).toFixed(2)}x wall, ${(cold.cpuMs / base.cpuMs).toFixed(2)}x CPU (<= 1x) ${verdict(cold.wallMs <= base.wallMs)}`);
    const v = res.rows.v8Cold;
    if (res.rows.cliCold && v && !v.failed) lines.push(`- (V8 bundle / IX's render: ${(v.wallMs / base.wallMs).toFixed(2)}x wall, ${(v.cpuMs / base.cpuMs).toFixed(2)}x CPU)`);
  }
  const w = res.rows.cliWarm;
  if (w && !w.failed) lines.push(`- warm whole-tree \`ix plan\`, new process: ${s(w.wallMs)} wall, ${s(w.cpuMs)} CPU (< 1 s) ${verdict(w.wallMs < 1000)}; same output as cold: ${w.samePaths}`);
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const opt = (k, d) => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d;
  const res = ixSpeedBench({ checkout: args.find((a) => !a.startsWith('--')), target: opt('target', 'linux-x86_64'), runs: Number(opt('runs', '5')), component: !args.includes('--skip-component') });
  console.log(res.lines.join('\n'));
}
