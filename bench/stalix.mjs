#!/usr/bin/env node
/**
 * Stalix: the kernel's build time, the image's size and boot-to-first-command under QEMU.
 *   node bench/stalix.mjs --root=DIR [--runs=N]
 * In ix root DIR (its toolchain built; the source cache from IX_SOURCE_CACHE or the default):
 * builds sys/linux (timed; a no-op when DIR already has it: pass a fresh root, or read the build
 * line), makes the realm `stalix` (bin/zstd, bin/busybox) and its image, then boots it N times
 * (default 5) with `--command='echo first-command'`, and reports per boot: QEMU start to the init's
 * start line (ix boot's own report; the command runs right after), QEMU start to the end, and the
 * whole `ix boot` wall time, plus the machine's load average. Not part of `npm run bench` (a
 * kernel build is minutes).
 *
 * Must not depend on: the network (sources come from the source cache).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const opt = (k, d) => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d;
const root = opt('root');
if (!root) {
  console.error('usage: node bench/stalix.mjs --root=DIR [--runs=N]');
  process.exit(2);
}
const runs = Number(opt('runs', '5'));
const env = { ...process.env, IX_ROOT: root, IX_PROGRESS: 'plain' };
delete env.NODE_EXTRA_CA_CERTS;

function ix(a) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(repo, 'ix'), ...a], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`ix ${a.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return { out: r.stdout.trim(), err: r.stderr, secs: (performance.now() - t0) / 1000 };
}

/** One boot: ix boot's wall time, its time to the first command's output, and its own report. */
function bootOnce() {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, [join(repo, 'ix'), 'boot', 'stalix', '--command=echo first-command'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let first;
    p.stdout.on('data', (d) => {
      out += d;
      if (first === undefined && out.includes('first-command\r') ) first = (performance.now() - t0) / 1000;
    });
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', (code) => {
      const m = /init after ([0-9.]+) s, exit (\d+) after ([0-9.]+) s/.exec(err);
      if (code !== 0 || !m) return reject(new Error(`ix boot exited ${code}: ${err.slice(-1500)}`));
      resolve({ wall: (performance.now() - t0) / 1000, firstCommand: first, init: Number(m[1]), qemu: Number(m[3]) });
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => (x === undefined ? '?' : x.toFixed(2));

const load0 = loadavg()[0];
const kb = ix(['build', 'sys/linux']);
const built = /built sys\/linux \S+ \(([0-9.]+) s\)/.exec(kb.err);
const kernel = kb.out;
ix(['mut', 'stalix', 'bin/zstd', 'bin/busybox']);
const image = ix(['image', 'stalix']).out;
const phys = (p) => join(root, 'store', p.slice('/ix/store/'.length));
const kernelBytes = statSync(join(phys(kernel), 'bzImage')).size;
const cpioBytes = statSync(join(phys(image), 'initramfs.cpio')).size;
const meta = JSON.parse(readFileSync(join(phys(image), 'meta.json'), 'utf8'));
const boots = [];
for (let i = 0; i < runs; i++) boots.push(await bootOnce());
const load1 = loadavg()[0];

console.log(`kernel build: ${built ? `${built[1]} s` : `already built (ix build took ${kb.secs.toFixed(1)} s)`}; bzImage ${(kernelBytes / 1024).toFixed(0)} KiB`);
console.log(`image: initramfs ${(cpioBytes / 1024).toFixed(0)} KiB uncompressed, ${meta.paths.length} store paths`);
console.log(`boots (${runs}, accelerator as ix boot chose it: KVM only when it runs): QEMU start -> init ${boots.map((b) => fmt(b.init)).join(' ')} s (median ${fmt(median(boots.map((b) => b.init)))}),`
  + ` QEMU start -> end median ${fmt(median(boots.map((b) => b.qemu)))} s, ix boot -> first command's output median ${fmt(median(boots.map((b) => b.firstCommand ?? NaN)))} s,`
  + ` ix boot wall median ${fmt(median(boots.map((b) => b.wall)))} s`);
console.log(`load average ${load0.toFixed(1)} -> ${load1.toFixed(1)} (${new Date().toISOString()})`);
