// Micro-bench of the compiled core's JSON string writer (wasm/as/hash/canon.ts writeStr): the
// same entry built with wasm SIMD (eight code units a step, as the shipped core) and without
// (four a step), run alternately over every string of a plan's JSON; prints CPU ms per pass.
// Usage: node bench/canon-speed.mjs PLAN.json [ROUNDS]   (PLAN.json: `ix plan --json ...` output)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..');
const [planFile, roundsArg] = process.argv.slice(2);
if (!planFile) throw new Error('usage: node bench/canon-speed.mjs PLAN.json [ROUNDS]');
const rounds = Number(roundsArg ?? 5);

const ENTRY = (as) => `
import { StrBuilder, writeStr } from '${as}/hash/index';
const strs = new Array<string>();
export function add(s: string): void { strs.push(s); }
/** Writes every string \`reps\` times; returns the units written by the last pass. */
export function run(reps: i32): i32 {
  const sb = new StrBuilder(1 << 16);
  for (let r = 0; r < reps; r++) {
    sb.clear();
    for (let i = 0; i < strs.length; i++) writeStr(sb, unchecked(strs[i]));
  }
  return sb.len;
}
`;

async function build(simd) {
  const dir = mkdtempSync(join(tmpdir(), 'ix-canon-bench-'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'entry.ts'), ENTRY('./' + relative(dir, join(ROOT, 'wasm/as'))));
  execFileSync(join(ROOT, 'node_modules/.bin/asc'), ['entry.ts', '--outFile', 'entry.wasm', '-O3', '--runtime', 'incremental', '--bindings', 'esm', ...(simd ? ['--enable', 'simd'] : [])], { cwd: dir });
  const mod = await import(pathToFileURL(join(dir, 'entry.js')).href);
  return { mod, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

const strings = [];
(function walk(v) {
  if (typeof v === 'string') strings.push(v);
  else if (Array.isArray(v)) v.forEach(walk);
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) { strings.push(k); walk(v[k]); }
})(JSON.parse(readFileSync(planFile, 'utf8')));

const variants = { simd: await build(true), scalar: await build(false) };
for (const v of Object.values(variants)) for (const s of strings) v.mod.add(s);
const units = strings.reduce((a, s) => a + s.length, 0);
console.log(`${strings.length} strings, ${units} code units`);
const lens = new Set(Object.values(variants).map((v) => v.mod.run(1)));
if (lens.size !== 1) throw new Error('the variants wrote different lengths');
const REPS = 5;
for (let r = 0; r < rounds; r++) {
  const row = [];
  for (const [name, v] of Object.entries(variants)) {
    const t0 = process.cpuUsage();
    v.mod.run(REPS);
    const t = process.cpuUsage(t0);
    row.push(`${name} ${((t.user + t.system) / 1000 / REPS).toFixed(1)} ms`);
  }
  console.log(row.join('  '));
}
for (const v of Object.values(variants)) v.dispose();
