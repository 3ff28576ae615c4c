#!/usr/bin/env node
/**
 * Whole-tree planning of an IX checkout: every recipe of its pkgs/ planned by ix (engine/ in V8,
 * one plan call per target with keepGoing, so work is shared and each package plans or fails on
 * its own), for linux-x86_64, linux-aarch64 and freebsd-x86_64. Prints per target: planned,
 * failed, nodes, time, and the most common failure messages (package names elided).
 *
 *   node bench/ix-compat/plan.mjs IX_CHECKOUT [--targets=a,b] [--only=PREFIX] [--show=N] [--json=FILE]
 *
 * Must not depend on: the network; writes only under bench/.tmp/ (and --json).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundle, recipeRoots, recipes } from './common.mjs';

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
  const io = ix.fsHostIO(roots);
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
  out[target] = { ms, planned: names.length - failed.length, failed: failed.map((r) => [r.request, r.error]), nodes: plan.nodes.length };
}
const jsonOut = opt('json', '');
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(out, null, 1));
