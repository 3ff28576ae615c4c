#!/usr/bin/env node
/**
 * The long fuzz run: test/fuzz.test.ts with many cases (default 5,000; `node bench/fuzz.mjs N
 * [SEED]`). Prints the counts (cases, planned, rejected, the CLI cases) and the time, for
 * BENCHMARKS.md; exits non-zero with fast-check's counterexample when a property fails.
 *
 * Must not depend on: anything outside this repository and its node_modules.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 5000);
const seed = process.argv[3];
const t0 = performance.now();
const r = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', 'test/fuzz.test.ts', '--testTimeout=0'], {
  cwd: root, encoding: 'utf8', env: { ...process.env, IX_FUZZ_RUNS: String(runs), ...(seed ? { IX_FUZZ_SEED: seed } : {}) }, maxBuffer: 1 << 26,
});
const s = ((performance.now() - t0) / 1000).toFixed(0);
const counts = /fuzz: (\d+) cases, (\d+) planned, (\d+) rejected/.exec(r.stdout);
if (r.status !== 0) {
  process.stdout.write(r.stdout.slice(-20000));
  process.stderr.write(r.stderr.slice(-20000));
  console.error(`bench/fuzz: FAILED after ${s} s`);
  process.exit(1);
}
console.log(`fuzz: ${runs} cases in the component and V8 (${counts ? `${counts[2]} planned, ${counts[3]} rejected` : '?'}), ${runs * 10} selectors, ${runs * 20} JSON texts, ${Math.ceil(runs / 10)} CLI runs: no crash, no hang, no difference (${s} s)`);
