#!/usr/bin/env node
/**
 * `node bench/cache-archive.mjs [TREE] [--only=zstd3,gzip6]`: binary cache archive throughput and
 * ratio on a real tree (default: Debian's gcc-12 directory, /usr/lib/gcc/x86_64-linux-gnu/12).
 * Compares ix's archive (hosts/node/cache/archive.ts) with each compression and level against
 * `tar | zstd` and `tar | gzip` on the same tree, and prints a Markdown table for BENCHMARKS.md
 * (section "Binary cache archives"). One run of each; nothing is asserted.
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
const r = spawnSync(process.execPath, [join(tmpDir, 'cache-archive.mjs'), tree, work, only], { encoding: 'utf8', env, cwd: repo });
if (r.status !== 0) throw new Error(r.stderr);
const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
const { tarBytes } = rows.shift();

const now = () => Number(process.hrtime.bigint()) / 1e6;
function shell(tool, packCmd, unpackCmd, file) {
  let t = now();
  const p = spawnSync('sh', ['-c', packCmd], { stdio: 'inherit' });
  const packMs = now() - t;
  const dest = join(work, 'u');
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest);
  t = now();
  const u = spawnSync('sh', ['-c', unpackCmd], { stdio: 'inherit' });
  if (p.status !== 0 || u.status !== 0) throw new Error(`${tool} failed`);
  rows.push({ tool, packMs, unpackMs: now() - t, bytes: statSync(file).size });
}
const q = (s) => `'${s}'`;
const z = join(work, 'cli.tar.zst');
const g = join(work, 'cli.tar.gz');
shell('tar | zstd -3', `tar -cf - -C ${q(tree)} . | zstd -q -3 > ${z}`, `zstd -dc ${z} | tar -xf - -C ${join(work, 'u')}`, z);
shell('tar | gzip -6', `tar -cf - -C ${q(tree)} . | gzip -6 > ${g}`, `gzip -dc ${g} | tar -xf - -C ${join(work, 'u')}`, g);

const mb = tarBytes / 1e6;
console.log(`tree: ${tree}, ${mb.toFixed(1)} MB of tar; load: ${spawnSync('uptime', { encoding: 'utf8' }).stdout.trim()}\n`);
console.log('| tool | ratio | pack MB/s | unpack MB/s |\n|---|---|---|---|');
for (const x of rows) {
  console.log(`| ${x.tool.replace(/\|/g, '\\|')} | ${(tarBytes / x.bytes).toFixed(2)} | ${(mb / (x.packMs / 1000)).toFixed(1)} | ${(mb / (x.unpackMs / 1000)).toFixed(1)} |`);
}
rmSync(work, { recursive: true, force: true });
