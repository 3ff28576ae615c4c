#!/usr/bin/env node
/**
 * The compiled core's parity with the V8 oracle at scale: runs test/core-parity.test.ts with
 * IX_FUZZ_RUNS (default 10,000 generated recipe trees, each planned and rendered by both) and
 * prints the tallies and the outcome for BENCHMARKS.md. Usage: node bench/core-parity.mjs
 * [--runs=N] [--seed=S]. Needs `node wasm/build.mjs` first (wasm/out/as). Asserts nothing itself:
 * the test does.
 *
 * Must not depend on: the network.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const runs = args.find((a) => a.startsWith('--runs='))?.slice(7) ?? '10000';
const seed = args.find((a) => a.startsWith('--seed='))?.slice(7);
const env = { ...process.env, IX_FUZZ_RUNS: runs, ...(seed ? { IX_FUZZ_SEED: seed } : {}) };
const load = readFileSync('/proc/loadavg', 'utf8').trim();
const t0 = performance.now();
const r = spawnSync(process.execPath, [join(repo, 'node_modules/vitest/vitest.mjs'), 'run', 'test/core-parity.test.ts'], { cwd: repo, env, encoding: 'utf8', maxBuffer: 1 << 28 });
const s = ((performance.now() - t0) / 1000).toFixed(0);
const text = (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, '');
const tallies = text.split('\n').filter((l) => /: \d+ identical$/.test(l.trim())).map((l) => l.trim());
console.log(`core parity, IX_FUZZ_RUNS=${runs}${seed ? ` seed ${seed}` : ''}: ${r.status === 0 ? 'passed' : `FAILED (exit ${r.status})`} in ${s} s; load before ${load}, after ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
for (const t of tallies) console.log(`  ${t}`);
if (r.status !== 0) console.log(text.split('\n').filter((l) => /Expected|Received|^\s+[-+] |Counterexample|seed/.test(l)).slice(0, 60).join('\n'));
process.exitCode = r.status ?? 1;
