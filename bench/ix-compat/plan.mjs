#!/usr/bin/env node
/**
 * Whole-tree planning of an IX checkout: every recipe of its pkgs/ planned by ix (engine/ in V8,
 * one plan call per target with keepGoing, so work is shared and each package plans or fails on
 * its own), for linux-x86_64, linux-aarch64 and freebsd-x86_64. Prints per target: planned,
 * failed, nodes, time, and the most common failure messages (package names elided).
 *
 *   node bench/ix-compat/plan.mjs IX_CHECKOUT [--targets=a,b] [--only=PREFIX] [--show=N] [--json=FILE]
 *        [--cache=DIR] [--compare] [--ix-results=DIR]
 * --cache: plan with the disk cache in DIR (run twice for cold and warm), written as `ix plan`
 * writes it (one append-only pack per process, hosts/node/cache-writer.ts).
 * --compare: also plan every package with IX's own planner (ix-plan.py; slow, ~10 min a target
 * here) and print which fail in both, only in ix, only in IX. --ix-results: keep IX's answers in
 * DIR/<target>.jsonl and reuse them when present (they depend only on the checkout and the list).
 *
 * Must not depend on: the network; writes only under bench/.tmp/ (and --json, --ix-results).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle, recipeRoots, recipes } from './common.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** Plans `names` with IX's planner and prints where the two agree and where they differ. */
function compare(target, names, ours) {
  const t0 = performance.now();
  const saved = opt('ix-results', '') && join(opt('ix-results', ''), `${target}.jsonl`);
  const py = saved && existsSync(saved) ? { status: 0, stdout: readFileSync(saved, 'utf8') }
    : spawnSync('python3', [join(here, 'ix-plan.py'), checkout, target], { input: names.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 30 });
  if (py.status !== 0) {
    console.log(`  IX's planner failed: ${py.stderr.split('\n').slice(-3).join(' ')}`);
    return;
  }
  if (saved && !existsSync(saved)) writeFileSync(saved, py.stdout);
  const c = { bothPlan: 0, bothFail: 0, onlyIxFails: [], onlyIXFails: [] };
  for (const line of py.stdout.split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line);
    const e = ours.get(r.pkg);
    if (r.ok && e === undefined) c.bothPlan++;
    else if (!r.ok && e !== undefined) c.bothFail++;
    else if (r.ok) c.onlyIxFails.push(`${r.pkg}: ${e}`);
    else c.onlyIXFails.push(`${r.pkg}: ${r.error}`);
  }
  console.log(`  vs IX's planner (${((performance.now() - t0) / 1000).toFixed(0)} s): both plan ${c.bothPlan}, both fail ${c.bothFail}, only ix fails ${c.onlyIxFails.length}, only IX fails ${c.onlyIXFails.length}`);
  for (const l of [...c.onlyIxFails.slice(0, show), ...c.onlyIXFails.slice(0, show)]) console.log(`    ${l.slice(0, 240)}`);
}

const args = process.argv.slice(2);
const opt = (k, d) => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d;
const checkout = args.find((a) => !a.startsWith('--'));
const targets = opt('targets', 'linux-x86_64,linux-aarch64,freebsd-x86_64').split(',');
const show = Number(opt('show', '25'));
const ix = await bundle();
const pkgsDir = join(checkout, 'pkgs');
const roots = recipeRoots(checkout);
const names = recipes(pkgsDir).filter((n) => n.startsWith(opt('only', '')));
const out = {};
for (const target of targets) {
  const cacheDir = opt('cache', '');
  const io = ix.fsHostIO(roots, { digest: await ix.loadDigest(), cache: cacheDir ? ix.diskCache(cacheDir) : undefined });
  const t0 = performance.now();
  let plan;
  try {
    const text = ix.planOut(io, { packages: names, target, keepGoing: true });
    plan = JSON.parse(typeof text === 'string' ? text : new TextDecoder().decode(text));
  } catch (e) {
    console.log(`${target}: the whole plan failed: ${e instanceof ix.IxError ? e.message : e.stack}`);
    continue;
  }
  const ms = performance.now() - t0;
  const failed = plan.roots.filter((r) => r.error !== undefined);
  const kinds = new Map();
  for (const r of failed) {
    const k = r.error.replace(/\(package [^)]*\)/, '(package …)');
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  console.log(`${target}: ${names.length} packages, planned ${names.length - failed.length}, failed ${failed.length}, ${plan.nodes.length} nodes, ${(ms / 1000).toFixed(1)} s`);
  for (const [k, n] of [...kinds].sort((a, b) => b[1] - a[1]).slice(0, show)) console.log(`  ${n} x ${k.slice(0, 220)}`);
  if (args.includes('--compare')) compare(target, names, new Map(failed.map((r) => [r.request, r.error])));
  out[target] = { ms, planned: names.length - failed.length, failed: failed.map((r) => [r.request, r.error]), nodes: plan.nodes.length };
}
const jsonOut = opt('json', '');
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(out, null, 1));
