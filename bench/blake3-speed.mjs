/**
 * BLAKE3 speed of the compiled core's hasher (wasm/as/hash/blake3.ts), built twice: with wasm SIMD
 * (the shipped core's flags) and without (the scalar compression). Prints MB/s per input size for
 * bytes (update) and for ASCII / non-ASCII text (updateUtf16), alternating the two builds so a
 * drifting machine load hits both alike. CPU time (process.cpuUsage), not wall time.
 *   node bench/blake3-speed.mjs [--rounds=5] [--mb=64]
 *
 * Must not depend on: the built core (wasm/out); only asc from node_modules.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const arg = (name, dflt) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt);
const rounds = arg('rounds', 5);
const mb = arg('mb', 64);

const dir = mkdtempSync(join(tmpdir(), 'ix-b3-'));
const entry = join(dir, 'entry.ts');
writeFileSync(entry, `
import { Blake3 } from './${relative(dir, join(root, 'wasm/as/hash/blake3'))}';
const h = new Blake3();
const buf = new StaticArray<u8>(1 << 17);
const out = new StaticArray<u8>(32);
let text = '';
export function fill(len: i32, nonAscii: bool): void {
  for (let i = 0; i < buf.length; i++) buf[i] = <u8>(i * 31 + 7);
  const parts = new Array<string>();
  for (let i = 0; i < len; i++) parts.push(String.fromCharCode(nonAscii && i % 8 == 0 ? 0xe9 : 97 + (i % 26)));
  text = parts.join('');
}
/** Hashes len bytes n times; returns a digest byte so nothing is elided. */
export function bytes(len: i32, n: i32): u32 {
  let x: u32 = 0;
  for (let i = 0; i < n; i++) {
    h.reset();
    h.update(changetype<usize>(buf), len);
    h.finishInto(changetype<usize>(out));
    x += out[0];
  }
  return x;
}
/** Hashes the text set by fill n times. */
export function utf16(n: i32): u32 {
  let x: u32 = 0;
  for (let i = 0; i < n; i++) {
    h.reset();
    h.updateStr(text);
    h.finishInto(changetype<usize>(out));
    x += out[0];
  }
  return x;
}
`);

async function build(extra) {
  const out = join(dir, `b${extra.length}.wasm`);
  execFileSync(join(root, 'node_modules/.bin/asc'), [entry, '-O3', '--runtime', 'stub', '--use', 'abort=', ...extra, '-o', out], { cwd: dir });
  const { instance } = await WebAssembly.instantiate(readFileSync(out), {});
  return instance.exports;
}

const builds = { scalar: await build([]), simd: await build(['--enable', 'simd']) };
const sizes = [100, 1024, 4096, 8192, 16384, 65536];
const kinds = ['bytes', 'ascii', 'utf16'];
const cpu = {};
for (const name of Object.keys(builds)) for (const k of kinds) for (const s of sizes) cpu[`${name} ${k} ${s}`] = [];
// round 0 is a warm-up (V8 tiers the code up in the background), not counted
for (let r = 0; r <= rounds; r++) {
  for (const k of kinds) {
    for (const s of sizes) {
      for (const name of Object.keys(builds)) {
        const e = builds[name];
        e.fill(s, k === 'utf16');
        const n = Math.max(1, Math.round((mb * 2 ** 20) / s / rounds));
        const t0 = process.cpuUsage();
        if (k === 'bytes') e.bytes(s, n);
        else e.utf16(n);
        const t = process.cpuUsage(t0);
        if (r > 0) cpu[`${name} ${k} ${s}`].push((n * s) / ((t.user + t.system) / 1e6) / 1e6);
      }
    }
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log('input (MB/s, median of', rounds, 'rounds)'.padEnd(20), 'scalar', 'simd', 'ratio');
for (const k of kinds) {
  for (const s of sizes) {
    const a = median(cpu[`scalar ${k} ${s}`]);
    const b = median(cpu[`simd ${k} ${s}`]);
    console.log(`${k} ${s}`.padEnd(20), a.toFixed(0).padStart(6), b.toFixed(0).padStart(6), (b / a).toFixed(2));
  }
}
rmSync(dir, { recursive: true, force: true });
