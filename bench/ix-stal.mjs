#!/usr/bin/env node
/**
 * Single packages and the warm dry run on a real IX tree (made for stal-ix/ix, the stable
 * branch; any IX checkout or its pkgs/ works), each row a fresh `ix` process as a user runs it:
 *   - cold `ix plan bin/zstd` and `ix plan set/pg` (each with an empty cache), and IX's own planner
 *     on the same package (bench/ix-compat/ix-plan.py, when CHECKOUT is a whole IX checkout);
 *   - their re-plans after a leaf edit (a comment appended to lib/lz4 resp. bin/brightnessctl);
 *   - a cold whole-tree `ix plan --keep-going`, then the cache's file count and bytes;
 *   - `ix build --dry-run` of every package that plans: once (fills the plan memo), then warm.
 * Wall time and the children's CPU (ix-speed.mjs `timed`), load before and after each row.
 * The tree is copied under bench/.tmp/ix-stal/ first: the edits never touch the checkout.
 *
 *   node bench/ix-stal.mjs CHECKOUT [--target=linux-x86_64] [--runs=N]
 *   npm run bench -- --ix=CHECKOUT --ix-stal
 *
 * Must not depend on: the network; writes only under bench/.tmp/.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recipes } from './ix-compat/common.mjs';
import { load, timed } from './ix-speed.mjs';
import { repo, tmpDir } from './shadow.mjs';

/** Files and bytes under `dir` (0, 0 when absent). */
function treeSize(dir) {
  let files = 0;
  let bytes = 0;
  if (!existsSync(dir)) return { files, bytes };
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    files++;
    bytes += statSync(join(e.parentPath, e.name)).size;
  }
  return { files, bytes };
}

/** Runs the measurements; returns { rows, lines } (lines: Markdown) or { skipped, lines }. */
export function ixStalBench({ checkout, target = 'linux-x86_64', runs = 5, log = console.error }) {
  const src = checkout && (existsSync(join(checkout, 'pkgs', 'die')) ? join(checkout, 'pkgs') : existsSync(join(checkout, 'die')) ? checkout : undefined);
  if (!src) {
    const why = checkout ? `${checkout} holds no IX recipe tree (pkgs/die)` : 'no IX checkout path given (--ix=DIR)';
    return { skipped: why, lines: [`IX single packages and dry run: skipped, ${why}`] };
  }
  const dir = join(tmpDir, 'ix-stal');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pkgs = join(dir, 'pkgs');
  cpSync(src, pkgs, { recursive: true });
  const ix = `${process.execPath} ${join(repo, 'ix')}`;
  const res = { date: new Date().toISOString(), target, loadBefore: load(), rows: {} };
  const out = (n) => join(dir, n);
  const row = (name, r, extra = {}) => {
    res.rows[name] = { ...r, ...extra, load: load() };
    log(`ix-stal: ${name}: ${r.failed ?? `${(r.wallMs / 1000).toFixed(2)} s wall, ${(r.cpuMs / 1000).toFixed(2)} s CPU`} (load ${load()})`);
    return r;
  };
  const plan = (what) => `${ix} plan --target=${target} --recipes ${pkgs} ${what}`;
  const nodesOf = (cache, pkg) => {
    const r = spawnSync('sh', ['-c', `${plan('')} --json ${pkg}`], { env: { ...process.env, NODE_EXTRA_CA_CERTS: '', IX_CACHE_DIR: cache }, encoding: 'utf8', maxBuffer: 1 << 30 });
    try {
      return JSON.parse(r.stdout).nodes.length;
    } catch {
      return undefined;
    }
  };
  const edit = (pkg) => appendFileSync(join(pkgs, pkg, 'ix.sh'), '\n{# edited by bench/ix-stal.mjs #}\n');
  // IX's own planner needs the checkout's core/ (a bare pkgs/ has none); it plans the unedited tree
  const ixPlanner = existsSync(join(checkout, 'core', 'render_ctx.py'));

  for (const [pkg, leaf] of [['bin/zstd', 'lib/lz4'], ['set/pg', 'bin/brightnessctl']]) {
    const cache = out(`cache-${pkg.replace('/', '-')}`);
    const env = { IX_CACHE_DIR: cache };
    const key = pkg.replace('/', '');
    log(`ix-stal: ix plan ${pkg}, cold...`);
    if (ixPlanner) {
      log(`ix-stal: IX's own planner, ${pkg}...`);
      writeFileSync(out(`${key}-ix.in`), `${pkg}\n`);
      const r = row(`${key}Ix`, timed(`python3 ${join(repo, 'bench/ix-compat/ix-plan.py')} ${checkout} ${target} < ${out(`${key}-ix.in`)}`, {}, out(`${key}-ix.jsonl`)));
      if (!r.failed && !readFileSync(out(`${key}-ix.jsonl`), 'utf8').includes('"ok": true')) res.rows[`${key}Ix`] = { ...r, failed: `IX's planner failed: ${readFileSync(out(`${key}-ix.jsonl`), 'utf8').trim().slice(0, 200)}` };
    }
    const cold = row(`${key}Cold`, timed(plan(pkg), env, out(`${key}.txt`)));
    if (cold.failed) continue;
    res.rows[`${key}Cold`].nodes = nodesOf(cache, pkg);
    const warm = row(`${key}Warm`, timed(plan(pkg), env, out(`${key}-warm.txt`)));
    res.rows[`${key}Warm`].same = !warm.failed && readFileSync(out(`${key}.txt`), 'utf8') === readFileSync(out(`${key}-warm.txt`), 'utf8');
    edit(leaf);
    row(`${key}Edit`, timed(plan(pkg), env, out(`${key}-edit.txt`)), { leaf });
  }

  // the whole tree: every recipe whose name holds a '/' (IX refuses a top-level one alone too)
  const names = recipes(pkgs).filter((n) => n.includes('/'));
  writeFileSync(out('all.txt'), names.join('\n') + '\n');
  const cache = out('cache-tree');
  const env = { IX_CACHE_DIR: cache };
  log(`ix-stal: whole tree, ${names.length} packages, cold ix plan --keep-going --json...`);
  const tree = row('treeCold', timed(`${plan('--keep-going --json')} $(cat ${out('all.txt')})`, env, out('tree.json'), [0, 2]), { packages: names.length });
  res.cache = treeSize(cache);
  log(`ix-stal: cache after the cold whole-tree plan: ${res.cache.files} files, ${(res.cache.bytes / 1e6).toFixed(1)} MB`);
  if (tree.failed) return { ...res, lines: ixStalLines(res) };
  const p = JSON.parse(readFileSync(out('tree.json'), 'utf8'));
  const ok = p.roots.filter((r) => r.error === undefined).map((r) => r.request);
  Object.assign(res.rows.treeCold, { nodes: p.nodes.length, planned: ok.length, bytes: statSync(out('tree.json')).size });
  writeFileSync(out('ok.txt'), ok.join('\n') + '\n');
  const dry = `${ix} build --dry-run --target=${target} --recipes ${pkgs} $(cat ${out('ok.txt')})`;
  const denv = { ...env, IX_ROOT: out('root') }; // an ix root with nothing built (the dry run creates none)
  log(`ix-stal: ix build --dry-run of the ${ok.length} packages that plan, first (fills the memo), then warm x${runs}...`);
  row('dryFirst', timed(dry, denv, out('dry-first.txt')));
  const warm = Array.from({ length: runs }, () => timed(dry, denv, out('dry-warm.txt')));
  const med = (k) => warm.map((w) => w[k]).sort((a, b) => a - b)[Math.floor(warm.length / 2)];
  row('dryWarm', warm.find((w) => w.failed) ?? { wallMs: med('wallMs'), cpuMs: med('cpuMs'), minWallMs: Math.min(...warm.map((w) => w.wallMs)), runs });
  res.rows.dryWarm.lastLine = readFileSync(out('dry-warm.txt.err'), 'utf8').trim().split('\n').pop();
  res.loadAfter = load();
  writeFileSync(join(tmpDir, 'ix-stal.json'), JSON.stringify(res, null, 1) + '\n');
  return { ...res, lines: ixStalLines(res) };
}

/** The Markdown summary of a result, with the targets. */
export function ixStalLines(res) {
  const s = (ms) => (ms === undefined || Number.isNaN(ms) ? '-' : `${(ms / 1000).toFixed(2)} s`);
  const r = res.rows;
  const what = {
    binzstdIx: 'IX\'s own planner, bin/zstd (bench/ix-compat/ix-plan.py: loads its closure)',
    binzstdCold: '`ix plan bin/zstd`, cold (empty cache)',
    binzstdWarm: '`ix plan bin/zstd`, warm (plan memo)',
    binzstdEdit: `\`ix plan bin/zstd\` after a comment appended to ${r.binzstdEdit?.leaf ?? 'a leaf'}`,
    setpgIx: 'IX\'s own planner, set/pg',
    setpgCold: '`ix plan set/pg`, cold (empty cache)',
    setpgWarm: '`ix plan set/pg`, warm (plan memo)',
    setpgEdit: `\`ix plan set/pg\` after a comment appended to ${r.setpgEdit?.leaf ?? 'a leaf'}`,
    treeCold: `whole tree \`ix plan --keep-going --json\`, cold, ${r.treeCold?.packages ?? '?'} packages`,
    dryFirst: `\`ix build --dry-run\` of the ${r.treeCold?.planned ?? '?'} packages that plan, first run (plans; fills the memo)`,
    dryWarm: `same, warm (median of ${r.dryWarm?.runs ?? '?'}, min ${s(r.dryWarm?.minWallMs)})`,
  };
  const lines = [`IX tree single packages and dry run (${res.target}), ${res.date}; load before ${res.loadBefore}, after ${res.loadAfter ?? '-'}`, '',
    '| what | wall | CPU | load after | notes |', '|---|---|---|---|---|'];
  for (const [k, label] of Object.entries(what)) {
    const x = r[k];
    if (!x) continue;
    const notes = [x.nodes !== undefined ? `${x.nodes} nodes` : '', x.planned !== undefined ? `${x.planned} planned` : '', x.bytes ? `${(x.bytes / 1e6).toFixed(0)} MB of plan JSON` : '', x.same !== undefined ? `same output as cold: ${x.same}` : ''].filter(Boolean).join(', ');
    lines.push(x.failed ? `| ${label} | failed: ${x.failed} | | | |` : `| ${label} | ${s(x.wallMs)} | ${s(x.cpuMs)} | ${x.load} | ${notes} |`);
  }
  if (res.cache) lines.push('', `cache after the cold whole-tree plan: ${res.cache.files} files, ${(res.cache.bytes / 1e6).toFixed(1)} MB`);
  if (r.dryWarm?.lastLine) lines.push('', `dry run's last line: ${r.dryWarm.lastLine}`);
  const verdict = (x, ms) => (x && !x.failed ? `${s(x.wallMs)} wall (<= ${ms / 1000} s) ${x.wallMs <= ms ? 'met' : 'missed'}` : 'not measured');
  const vsIx = (x, ix) => (x && !x.failed && ix && !ix.failed ? `; CPU ${s(x.cpuMs)} vs IX's planner ${s(ix.cpuMs)}: ${x.cpuMs <= ix.cpuMs ? 'met' : 'missed'}` : '');
  lines.push('', 'targets:', '',
    `- cold \`ix plan bin/zstd\`: ${verdict(r.binzstdCold, 1000)}${vsIx(r.binzstdCold, r.binzstdIx)}`,
    `- cold \`ix plan set/pg\`: ${verdict(r.setpgCold, 5000)}${vsIx(r.setpgCold, r.setpgIx)}`,
    `- re-plan of set/pg after a leaf edit: ${verdict(r.setpgEdit, 300)}`,
    `- warm whole-tree \`ix build --dry-run\`: ${verdict(r.dryWarm, 500)}`);
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const opt = (k, d) => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d;
  const res = ixStalBench({ checkout: args.find((a) => !a.startsWith('--')), target: opt('target', 'linux-x86_64'), runs: Number(opt('runs', '5')) });
  console.log(res.lines.join('\n'));
}
