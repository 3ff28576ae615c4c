#!/usr/bin/env node
/**
 * `node bench/remote.mjs [PKG...] [--recipes=DIR] [--jobs=N] [--runs=N]`: the cost of building
 * through a loopback remote builder (Debian's sshd on 127.0.0.1, the test user of
 * test/support/sshd.ts; needs root) against building here, and the time to send a closure's
 * inputs (`ix copy --to ssh://`). Default workload: bench/remote-recipes set/all (small enough for
 * a shared 2-core machine); `node bench/remote.mjs bin/zstd --recipes=` builds the real closure
 * from pkgs/ (minutes per run; add --tiers=launched to skip the IX_WASM_TIERUP=1 column); with IX_BENCH_FROM_ROOT=DIR (a root where PKG... is built) only the
 * requested packages' own nodes build, here or on a builder first sent every input; IX_BENCH_REMOTE_FIRST=1
 * runs the builder's builds before the local one. Prints a Markdown table for BENCHMARKS.md ("Remote builders");
 * the median of --runs (default 3) alternating runs. Nothing is asserted.
 *
 * Must not depend on: the network (loopback only); writes only under bench/.tmp/ and the test
 * user's home.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repo, tmpDir } from './shadow.mjs';

const args = process.argv.slice(2);
const opt = (k, d) => { const a = args.find((x) => x.startsWith(`--${k}=`)); return a === undefined ? d : a.slice(k.length + 3); };
const pkgs = args.filter((a) => !a.startsWith('--'));
const recipes = opt('recipes', join(repo, 'bench', 'remote-recipes'));
const jobs = Number(opt('jobs', '2'));
const runs = Number(opt('runs', '3'));
// --tiers=launched: only the client as the launcher starts it (a real closure takes minutes a build).
const tiers = opt('tiers', 'both') === 'launched' ? [''] : ['', '1'];
if (!pkgs.length) pkgs.push('set/all');

const esbuild = await import('esbuild');
await esbuild.build({
  entryPoints: [join(repo, 'bench', 'remote-entry.ts')], outfile: join(tmpDir, 'remote-bench.mjs'),
  bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning', external: ['@mongodb-js/zstd', '@mongodb-js/zstd/*'],
  // test/support/cli.ts finds the checkout from its own directory.
  banner: { js: `import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url); const __dirname = ${JSON.stringify(join(repo, 'test', 'support'))};` },
});
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS; // every Node start would parse the CA bundle (~90 ms here)
const r = spawnSync(process.execPath, [join(tmpDir, 'remote-bench.mjs'), repo, recipes, String(jobs), String(runs), tiers.join(','), ...pkgs], { encoding: 'utf8', env, cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
if (r.status !== 0) process.exit(r.status ?? 1);
const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
if (process.env.IX_BENCH_FROM_ROOT) {
  const mid = (k) => { const v = rows.filter((x) => x.kind === k).sort((a, b) => a.ms - b.ms); return v[Math.floor(v.length / 2)]; };
  const h = mid('here');
  const v = mid('remote');
  console.log(`workload: ${pkgs.join(' ')} from a copy of ${process.env.IX_BENCH_FROM_ROOT} without them, --jobs=${jobs}, median of ${runs}\n`);
  console.log(`runs (here / builder): ${rows.filter((x) => x.kind !== 'send').map((x) => `${x.kind} ${(x.ms / 1000).toFixed(1)} s`).join(', ')}\n`);
  console.log('| | wall | vs here |\n|---|---|---|');
  console.log(`| build here | ${(h.ms / 1000).toFixed(1)} s | 1.00 |`);
  console.log(`| on a fresh loopback builder (every input sent: ${(v.sent / 1e6).toFixed(1)} MB; ${(v.received / 1e6).toFixed(1)} MB back) | ${(v.ms / 1000).toFixed(1)} s | ${(v.ms / h.ms).toFixed(2)} |`);
  const c = rows.find((x) => x.kind === 'send');
  console.log(`\nsend the whole closure to a fresh builder (\`ix copy --to ssh://\`): ${c.paths} paths, ${(c.tree / 1e6).toFixed(0)} MB of files, ${(c.bytes / 1e6).toFixed(1)} MB on the wire, ${(c.ms / 1000).toFixed(1)} s`);
  process.exit(0);
}
const med = (kind, tier = '') => {
  const v = rows.filter((x) => x.kind === kind && x.tier === tier).map((x) => x.ms).sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)];
};
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const send = rows.filter((x) => x.kind === 'send').sort((a, b) => a.ms - b.ms)[Math.floor(runs / 2)];
console.log(`workload: ${pkgs.join(' ')} (${recipes || 'pkgs/'}), --jobs=${jobs}, median of ${runs}\n`);
console.log(`| |${tiers.map((t) => (t ? ' client with IX_WASM_TIERUP=1 |' : ' client as launched |')).join('')}`);
console.log(`|---|${tiers.map(() => '---|').join('')}`);
const row = (label, kind) => {
  const cell = (tier) => `${s(med(kind, tier))} (${(med(kind, tier) / med('here', tier)).toFixed(2)}x)`;
  console.log(`| ${label} |${tiers.map((t) => ` ${cell(t)} |`).join('')}`);
};
row(`build here (\`--jobs=${jobs}\`)`, 'here');
row(`build on a loopback builder (\`--jobs=0\`, builder \`jobs=${jobs}\`)`, 'remote');
row('same again, the builder has everything (only outputs come back)', 'fetch');
console.log(`\nsend every path of the build to a fresh builder (\`ix copy --to ssh://\`): ${send.paths} paths, ${(send.tree / 1e6).toFixed(1)} MB of files, ${(send.bytes / 1e6).toFixed(2)} MB on the wire, ${s(send.ms)} (${(send.ms / med('here')).toFixed(2)}x the local build)`);
