#!/usr/bin/env node
/**
 * `node bench/cache-archive.mjs [TREE] [--only=zstd3,gzip6]`: binary cache archive throughput and
 * ratio on a real tree (default: Debian's gcc-12 directory, /usr/lib/gcc/x86_64-linux-gnu/12).
 * Compares ix's archive (hosts/node/cache/archive.ts) with each compression and level against
 * `tar | zstd` and `tar | gzip` on the same tree, and prints a Markdown table for BENCHMARKS.md
 * (section "Binary cache archives"). Every candidate runs once; the pair the target is about
 * (ix zstd -3 against `tar | zstd -3`) runs --rounds=N times (default 3), alternating, and the
 * best time of each is kept, which tames a busy shared machine. Nothing is asserted.
 *
 * Must not depend on: the network; writes only under bench/.tmp/.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repo, tmpDir } from './shadow.mjs';

const args = process.argv.slice(2);
const tree = args.find((a) => !a.startsWith('--')) ?? '/usr/lib/gcc/x86_64-linux-gnu/12';
const only = args.find((a) => a.startsWith('--only='))?.slice(7) ?? '';
const loadBefore = spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice(9) ?? '3');
const work = join(tmpDir, 'cache-archive');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

const esbuild = await import('esbuild');
await esbuild.build({
  entryPoints: [join(repo, 'bench', 'cache-archive-entry.ts')], outfile: join(tmpDir, 'cache-archive.mjs'),
  bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning', external: ['@mongodb-js/zstd'],
  banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
});
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
function ours(cases) {
  const r = spawnSync(process.execPath, [join(tmpDir, 'cache-archive.mjs'), tree, work, cases], { encoding: 'utf8', env, cwd: repo });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
}
const rows = ours(only);
const { tarBytes } = rows.shift();

const now = () => Number(process.hrtime.bigint()) / 1e6;
/** Runs `cmd` in bash; returns [wall ms, CPU ms of its children (bash's `times`)]. */
function timed(cmd) {
  const t = now();
  const r = spawnSync('bash', ['-c', `${cmd}\ntimes`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  const wall = now() - t;
  const [, kids] = r.stdout.trim().split('\n');
  const secs = [...kids.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return [wall, (secs[0] + secs[1]) * 1000];
}

function shell(tool, packCmd, unpackCmd, file) {
  const [packMs, packCpu] = timed(packCmd);
  const dest = join(work, 'u');
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest);
  const [unpackMs, unpackCpu] = timed(unpackCmd);
  rows.push({ tool, packMs, unpackMs, packCpu, unpackCpu, bytes: statSync(file).size });
}
const q = (s) => `'${s}'`;
const z = join(work, 'cli.tar.zst');
const g = join(work, 'cli.tar.gz');
const cliZstd = () => shell('tar | zstd -3', `tar -cf - -C ${q(tree)} . | zstd -q -3 > ${z}`, `zstd -dc ${z} | tar -xf - -C ${join(work, 'u')}`, z);
cliZstd();
shell('tar | gzip -6', `tar -cf - -C ${q(tree)} . | gzip -6 > ${g}`, `gzip -dc ${g} | tar -xf - -C ${join(work, 'u')}`, g);
for (let i = 1; i < rounds; i++) {
  rows.push(...ours('zstd3').slice(1));
  cliZstd();
}
// best of the rounds per tool
const best = new Map();
for (const x of rows) {
  const b = best.get(x.tool);
  if (!b) best.set(x.tool, { ...x, runs: 1 });
  else {
    const m = (k) => (x[k] === undefined ? b[k] : Math.min(b[k], x[k]));
    best.set(x.tool, { ...b, packMs: m('packMs'), unpackMs: m('unpackMs'), packCpu: m('packCpu'), unpackCpu: m('unpackCpu'), runs: b.runs + 1 });
  }
}

const mb = tarBytes / 1e6;
console.log(`tree: ${tree}, ${mb.toFixed(1)} MB of tar; load before: ${loadBefore}\n`);
console.log('| tool | runs | ratio | pack MB/s | unpack MB/s | pack CPU s | unpack CPU s |\n|---|---|---|---|---|---|---|');
for (const x of best.values()) {
  console.log(`| ${x.tool.replace(/\|/g, '\\|')} | ${x.runs} | ${(tarBytes / x.bytes).toFixed(2)} | ${(mb / (x.packMs / 1000)).toFixed(1)} | ${(mb / (x.unpackMs / 1000)).toFixed(1)} | ${x.packCpu === undefined ? '' : (x.packCpu / 1000).toFixed(2)} | ${x.unpackCpu === undefined ? '' : (x.unpackCpu / 1000).toFixed(2)} |`);
}
rmSync(work, { recursive: true, force: true });
const ix3 = best.get('ix zstd -3');
const cli3 = best.get('tar | zstd -3');
console.log(`\nix zstd -3 against tar | zstd -3 (best of ${ix3.runs}): pack ${(ix3.packMs / cli3.packMs).toFixed(2)}x the time, unpack ${(ix3.unpackMs / cli3.unpackMs).toFixed(2)}x (target: within 1.5x); CPU: pack ${(ix3.packCpu / cli3.packCpu).toFixed(2)}x, unpack ${(ix3.unpackCpu / cli3.unpackCpu).toFixed(2)}x`);
console.log(`load after: ${spawnSync('uptime', { encoding: 'utf8' }).stdout.trim()}`);
