// Planning depth: `ix plan` of a run_deps chain N packages deep (bin/c0 -> bin/c1 -> ... ) beside
// N independent packages gathered by one hub, through the real CLI and core, cold caches.
// Prints a Markdown table: wall and CPU time (user+sys of the child, from /usr/bin/time), peak
// RSS and plan size. Usage: node bench/deep-chain.mjs [N ...]   (default 1000 2000 10000)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ix = join(dirname(fileURLToPath(import.meta.url)), '..', 'ix');
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const descriptor = (script, run) => JSON.stringify({
  bld: { fetch: [], script: script ? { kind: 'sh', data: script } : {}, deps: [], host_libs: [], target_libs: [], data: [] },
  run: { deps: run, data: [] }, lib: { deps: [] }, ind: { deps: [] }, fix: { deps: [] }, net: false, task_pool: 'slot',
}) + '\n';

/** A recipe tree: `chain` links bin/c<i> to bin/c<i+1> by run_deps; set/all lists them all. */
function tree(n, chain) {
  const dir = mkdtempSync(join(tmpdir(), `ix-depth-${chain ? 'chain' : 'flat'}-`));
  for (let i = 0; i < n; i++) {
    mkdirSync(join(dir, 'bin', `c${i}`), { recursive: true });
    writeFileSync(join(dir, 'bin', `c${i}`, 'ix.sh'), descriptor('true', chain && i + 1 < n ? [`bin/c${i + 1}`] : []));
  }
  mkdirSync(join(dir, 'set', 'all'), { recursive: true });
  writeFileSync(join(dir, 'set', 'all', 'ix.sh'), descriptor('', Array.from({ length: n }, (_, i) => `bin/c${i}`)));
  return dir;
}

function measure(dir, pkg) {
  const cache = mkdtempSync(join(tmpdir(), 'ix-depth-cache-'));
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, ix, 'plan', pkg, '--json', '--recipes', dir], {
    env: { ...process.env, IX_CACHE_DIR: cache }, maxBuffer: 1 << 30,
  });
  rmSync(cache, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`ix plan ${pkg} failed: ${r.stderr.toString().slice(-500)}`);
  const [wall, user, sys, rss] = r.stderr.toString().trim().split('\n').pop().split(' ').map(Number);
  return { wall, cpu: user + sys, rssMiB: rss / 1024, bytes: r.stdout.length };
}

const rows = ['| N | chain: wall / CPU / RSS / plan | N independent: wall / CPU / RSS / plan | CPU ratio |', '|---|---|---|---|'];
for (const n of sizes.length ? sizes : [1000, 2000, 10000]) {
  const dirs = [tree(n, true), tree(n, false)];
  const c = measure(dirs[0], 'bin/c0');
  const f = measure(dirs[1], 'set/all');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  const cell = (m) => `${m.wall.toFixed(2)} s / ${m.cpu.toFixed(2)} s / ${m.rssMiB.toFixed(0)} MiB / ${(m.bytes / 2 ** 20).toFixed(1)} MiB`;
  rows.push(`| ${n} | ${cell(c)} | ${cell(f)} | ${(c.cpu / f.cpu).toFixed(1)} |`);
}
console.log(rows.join('\n'));
console.log(`\nload average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
