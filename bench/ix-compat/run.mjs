#!/usr/bin/env node
/**
 * The IX compatibility report: renders every recipe of an IX checkout with ix (engine/ in V8,
 * as `ix render` does) and with IX's own renderer from that checkout (bench/ix-compat/
 * ix-render.py, Python 3), for linux-x86_64, linux-aarch64 and freebsd-x86_64, and prints
 * identical / different / failing counts and the first differing lines of each difference.
 *
 *   node bench/ix-compat/run.mjs IX_CHECKOUT [--targets=a,b] [--only=PREFIX] [--show=N] [--json=FILE]
 *
 * Host-dependent values (IX's PATH, boot tools, host files) are the same fixed defaults on both
 * sides (engine/eval/boot-env.ts). Nothing of the checkout is copied anywhere: its path is an
 * argument, results go to stdout (and --json).
 *
 * Must not depend on: the network; writes only under bench/.tmp/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle, recipeRoots, recipes } from './common.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (k, d) => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d;
const checkout = args.find((a) => !a.startsWith('--'));
if (!checkout || !existsSync(join(checkout, 'core', 'render_ctx.py'))) {
  console.error('usage: node bench/ix-compat/run.mjs IX_CHECKOUT (a checkout of IX with core/ and pkgs/)');
  process.exit(2);
}
const targets = opt('targets', 'linux-x86_64,linux-aarch64,freebsd-x86_64').split(',');
const only = opt('only', '');
const show = Number(opt('show', '40'));
const pkgsDir = join(checkout, 'pkgs');

const names = recipes(pkgsDir).filter((n) => n.startsWith(only)).sort();

const ix = await bundle();

// ---- IX's renderer -------------------------------------------------------------------------
let t0 = performance.now();
const py = spawnSync('python3', [join(here, 'ix-render.py'), checkout, ...targets], {
  input: names.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 30,
});
if (py.status !== 0) {
  console.error(`ix-compat: IX's renderer failed: ${py.stderr.split('\n').slice(-5).join('\n')}`);
  process.exit(1);
}
const ixMs = performance.now() - t0;
const theirs = new Map();
for (const line of py.stdout.split('\n')) {
  if (!line) continue;
  const r = JSON.parse(line);
  theirs.set(`${r.target} ${r.pkg}`, r);
}

// ---- ix -------------------------------------------------------------------------------------
const io = ix.fsHostIO(recipeRoots(checkout));
t0 = performance.now();
const ours = new Map();
for (const t of targets) {
  for (const pkg of names) {
    try {
      ours.set(`${t} ${pkg}`, { ok: true, text: ix.render(io, { package: pkg, target: t }) });
    } catch (e) {
      ours.set(`${t} ${pkg}`, { ok: false, error: e instanceof ix.IxError ? e.message : `BUG ${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e}` });
    }
  }
}
const ourMs = performance.now() - t0;

// ---- compare --------------------------------------------------------------------------------
function firstDiff(a, b) {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `line ${i + 1}:\n      IX: ${JSON.stringify(y[i] ?? '<end>').slice(0, 200)}\n      ix: ${JSON.stringify(x[i] ?? '<end>').slice(0, 200)}`;
  }
  return '(same lines?)';
}
const counts = { identical: 0, different: 0, bothFail: 0, ixOnlyFails: 0, IXOnlyFails: 0 };
const report = { different: [], ixOnlyFails: [], IXOnlyFails: [] };
for (const [key, o] of ours) {
  const r = theirs.get(key);
  if (r.ok && o.ok) {
    if (r.text === o.text) counts.identical++;
    else {
      counts.different++;
      report.different.push(`${key}: ${firstDiff(o.text, r.text)}`);
    }
  } else if (!r.ok && !o.ok) counts.bothFail++;
  else if (!o.ok) {
    counts.ixOnlyFails++;
    report.ixOnlyFails.push(`${key}: ${o.error}`);
  } else {
    counts.IXOnlyFails++;
    report.IXOnlyFails.push(`${key}: ${r.error}`);
  }
}
const total = ours.size;
console.log(`ix-compat: ${names.length} recipes x ${targets.length} targets = ${total} renders`);
console.log(`  identical ${counts.identical}, different ${counts.different}, both fail ${counts.bothFail}, only ix fails ${counts.ixOnlyFails}, only IX fails ${counts.IXOnlyFails}`);
console.log(`  time: IX's renderer ${(ixMs / 1000).toFixed(1)} s, ix (V8, cold) ${(ourMs / 1000).toFixed(1)} s`);
for (const [k, list] of Object.entries(report)) {
  if (!list.length) continue;
  console.log(`\n${k} (${list.length}; first ${Math.min(show, list.length)}):`);
  for (const l of list.slice(0, show)) console.log(`  ${l}`);
}
const jsonOut = opt('json', '');
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ counts, report, ixMs, ourMs }, null, 1));
