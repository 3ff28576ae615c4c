#!/usr/bin/env node
/**
 * Interactive speed: wall time of short `ix` commands as ratios to `node -e 0`,
 * measured in one run, alternating the commands round by round so that load changes hit all of
 * them alike. NODE_EXTRA_CA_CERTS is unset for every command (it adds ~90 ms to any Node start).
 *   ix --version, ix help              <= 1.3x
 *   ix plan bin/zstd (warm caches)     <= 2x
 *   ix build bin/zstd (no-op)          <= 3x   (a hand-made store holding every output of the plan,
 *                                               or a real one with --root=DIR)
 *   ix mut system (no-op)              reported (same hand-made store, for set/system's plan)
 *   nix-instantiate --eval -E 1+1      reported as the ratio of `ix plan bin/zstd` to it (bench/nix.mjs)
 * Each row also gives the children's CPU time (user+sys, from /proc/self/stat, 10 ms ticks summed
 * over the runs): on a loaded machine it moves less than wall time.
 * Standalone: node bench/startup.mjs [--runs=N] [--root=DIR] [--baseline=PATH/TO/OTHER/ix]
 * (--baseline adds the same rows for another checkout's launcher, e.g. the previous commit).
 * Used by bench/run.mjs. Writes only under bench/.tmp/.
 *
 * Must not depend on: the network; the machine's /ix (every root and cache is a temp dir).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nixCommand } from './nix.mjs';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const tmpDir = join(repo, 'bench', '.tmp');

const cleanEnv = (extra = {}) => {
  const env = { ...process.env, ...extra };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
};

/** Children's user+sys CPU time so far, in ms (fields 16 and 17 of /proc/self/stat, in ticks). */
function childCpuMs() {
  try {
    const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(f[13]) + Number(f[14])) * 10;
  } catch {
    return NaN;
  }
}

function runOnce(argv, env) {
  const t0 = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`bench: ${argv.join(' ')} failed (exit ${r.status}): ${r.stderr}`);
  return ms;
}

/** A store under `root` holding every output of `planJson` (record + read-only directory), as a finished build leaves it. */
function handMadeStore(root, planJson) {
  const plan = JSON.parse(planJson);
  mkdirSync(join(root, 'var/db/v1'), { recursive: true });
  for (const n of plan.nodes) {
    const dir = join(root, 'store', n.out.slice('/ix/store/'.length));
    if (existsSync(dir)) continue;
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o555);
    const rec = { format: 'ix-store-record/1', path: n.out, hash: `blake3:${'0'.repeat(64)}`, size: 0, refs: [] };
    writeFileSync(join(root, 'var/db/v1', `${n.id}.json`), `${JSON.stringify(rec, null, 1)}\n`);
  }
}

/** The commands of one launcher, prepared (warm cache, built store, an existing realm). */
function prepare(ix, label, o) {
  const work = mkdtempSync(join(tmpDir, 'startup-'));
  const cache = join(work, 'cache');
  const root = o.root ?? join(work, 'root');
  const env = cleanEnv({ IX_CACHE_DIR: cache, IX_ROOT: root, IX_PROGRESS: 'plain' });
  const ixRun = (args) => {
    const r = spawnSync(process.execPath, [ix, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`bench: ${label} ix ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  if (!o.root) {
    handMadeStore(root, ixRun(['plan', 'bin/zstd', '--json']));
    handMadeStore(root, ixRun(['plan', 'set/system', '--json']));
  }
  ixRun(['build', 'bin/zstd']);
  ixRun(['mut', 'system']);
  const node = process.execPath;
  return {
    work,
    rows: [
      { key: `${label}version`, what: `${label}ix --version`, argv: [node, ix, '--version'], env, target: o.targets ? 1.3 : undefined },
      { key: `${label}help`, what: `${label}ix help`, argv: [node, ix, 'help'], env, target: o.targets ? 1.3 : undefined },
      { key: `${label}plan`, what: `${label}ix plan bin/zstd (warm)`, argv: [node, ix, 'plan', 'bin/zstd'], env, target: o.targets ? 2 : undefined },
      { key: `${label}build`, what: `${label}ix build bin/zstd (no-op${o.root ? '' : ', hand-made store'})`, argv: [node, ix, 'build', 'bin/zstd'], env, target: o.targets ? 3 : undefined },
      { key: `${label}mut`, what: `${label}ix mut system (no-op${o.root ? '' : ', hand-made store'})`, argv: [node, ix, 'mut', 'system'], env },
    ],
  };
}

/**
 * Runs the measurements; returns { rows: [{ what, medianMs, minMs, cpuMs, ratio, cpuRatio, target?, met? }], nix, loadavg }.
 * opts: { runs, root, baseline, log }.
 */
export function startupBench(opts = {}) {
  const runs = opts.runs ?? 15;
  const log = opts.log ?? (() => {});
  mkdirSync(tmpDir, { recursive: true });
  const loadBefore = readFileSync('/proc/loadavg', 'utf8').trim();
  const sets = [prepare(join(repo, 'ix'), '', { root: opts.root, targets: true })];
  if (opts.baseline) sets.push(prepare(opts.baseline, 'baseline: ', { root: opts.root }));
  const rows = [{ key: 'node', what: 'node -e 0', argv: [process.execPath, '-e', '0'], env: cleanEnv() }, ...sets.flatMap((s) => s.rows)];
  const nix = nixCommand(log);
  if (nix.argv) rows.push({ key: 'nix', what: 'nix-instantiate --eval -E 1+1', argv: nix.argv, env: cleanEnv(nix.env) });
  for (const r of rows) {
    r.wall = [];
    r.cpu = 0;
    runOnce(r.argv, r.env); // warm-up (page cache, memo refresh)
  }
  for (let i = 0; i < runs; i++) {
    for (const r of rows) {
      const c0 = childCpuMs();
      r.wall.push(runOnce(r.argv, r.env));
      r.cpu += childCpuMs() - c0;
    }
  }
  log(`startup: ${runs} alternating rounds of ${rows.length} commands done`);
  const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const base = rows[0];
  const baseMs = med(base.wall);
  const baseCpu = base.cpu / runs;
  const out = rows.map((r) => {
    const medianMs = med(r.wall);
    const o = { key: r.key, what: r.what, medianMs, minMs: Math.min(...r.wall), cpuMs: r.cpu / runs, ratio: medianMs / baseMs, cpuRatio: r.cpu / runs / baseCpu };
    if (r.target !== undefined) Object.assign(o, { target: r.target, met: o.ratio <= r.target });
    return o;
  });
  const plan = out.find((r) => r.key === 'plan');
  const nixRow = out.find((r) => r.key === 'nix');
  for (const s of sets) rmSync(s.work, { recursive: true, force: true });
  return {
    runs,
    rows: out,
    nix: nixRow ? { planOverNix: plan.medianMs / nixRow.medianMs } : { skipped: nix.why },
    loadavg: { before: loadBefore, after: readFileSync('/proc/loadavg', 'utf8').trim() },
  };
}

/** Markdown lines for a startupBench result. */
export function startupLines(res) {
  const ms = (x) => `${x.toFixed(1)} ms`;
  const lines = [
    `start-up, ${res.runs} alternating rounds; load before ${res.loadavg.before}, after ${res.loadavg.after}`, '',
    '| command | median wall | min | CPU (user+sys) | wall / node -e 0 | CPU / node -e 0 | target |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of res.rows) {
    const t = r.target === undefined ? '' : `<= ${r.target}x: **${r.met ? 'met' : 'missed'}**`;
    lines.push(`| ${r.what} | ${ms(r.medianMs)} | ${ms(r.minMs)} | ${ms(r.cpuMs)} | ${r.ratio.toFixed(2)} | ${r.cpuRatio.toFixed(2)} | ${t} |`);
  }
  lines.push('', res.nix.skipped ? `nix comparison skipped: ${res.nix.skipped}` : `ix plan bin/zstd / nix-instantiate --eval -E 1+1: ${res.nix.planOverNix.toFixed(2)}x`);
  return lines;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const opt = (k) => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
  const res = startupBench({ runs: Number(opt('runs') ?? 15), root: opt('root'), baseline: opt('baseline'), log: (m) => console.error(`bench: ${m}`) });
  writeFileSync(join(tmpDir, 'startup.json'), JSON.stringify(res, null, 2) + '\n');
  console.log(startupLines(res).join('\n'));
}
