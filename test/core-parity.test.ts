// Parity of the compiled core (AssemblyScript: wasm/out, or wasm/out/as beside an interpreted default) with the V8 oracle (engine/ through
// wasm/core.ts createCore, the code of core.bundle.js): the same plan bytes (whole plans and
// answers of roots only) for every pkgs/ package on the three targets, and the same renders, plans and one-line errors for fast-check
// generated recipe trees (test/support/fuzz.ts, evaluation bounds included). IX_FUZZ_RUNS sets the
// number of generated cases: 10,000 under CI (with CI's fixed fast-check seed, about 100 s of CPU
// here), 200 on a developer's machine, where each run draws new cases (bench/core-parity.mjs
// runs 10,000 too).
//
// Every answer (a plan, a render, a user error with its record's fields, an internal error)
// must equal the oracle's; the report counts the identical answers per area.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import type { HostIO, PlanRequest, RenderRequest } from '../engine/api';
import { loadCore, type Core } from '../hosts/node/core';
import { fsHostIO } from '../hosts/node/io';
import { createCore, type CoreApi } from '../wasm/core';
import { outcome, type Outcome } from './support/outcome';
import { treeIO } from './support/browser-host';
import { ensureCoreBuilt, outDir, repoRoot } from './support/cli';
import { world } from './support/fuzz';

const RUNS = Number(process.env.IX_FUZZ_RUNS ?? (process.env.CI ? 10_000 : 200));
const SEED = process.env.IX_FUZZ_SEED ? Number(process.env.IX_FUZZ_SEED) : undefined;
/** The compiled core: wasm/out when it is the default, else wasm/out/as beside the interpreted one. */
function asDir(): string {
  if (process.env.IX_AS_CORE_DIR) return process.env.IX_AS_CORE_DIR;
  try {
    if (JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')).backend === 'as') return outDir;
  } catch {
    // not built: ensureCoreBuilt builds it
  }
  return join(outDir, 'as');
}
const TARGETS = ['linux-x86_64', 'linux-aarch64', 'freebsd-x86_64'];
const params = (n: number) => ({ numRuns: n, ...(SEED !== undefined ? { seed: SEED } : {}) });

function oraclePlan(io: HostIO, req: PlanRequest): string | Uint8Array {
  const out = createCore(io).plan(JSON.stringify(req));
  return out.tag === 'text' ? out.val : out.val;
}

/** Identical answers per area, printed at the end (the report of what parity exists). */
const tally = new Map<string, number>();

/** Compares one case. */
function same(area: string, what: string, got: Outcome, want: Outcome): void {
  expect(got, what).toEqual(want);
  tally.set(area, (tally.get(area) ?? 0) + 1);
}

let as: Core;
let oracle: (io: HostIO) => CoreApi;

beforeAll(async () => {
  ensureCoreBuilt();
  const dir = asDir();
  if (!existsSync(join(dir, 'manifest.json'))) {
    throw new Error(`the compiled core is not built in ${dir}: run 'node wasm/build.mjs' and read its warning`);
  }
  as = await loadCore(dir);
  expect(as.manifest.backend).toBe('as');
  oracle = createCore;
}, 300_000);

describe('the compiled core against the V8 oracle', () => {
  test('every pkgs/ package: the same plan bytes or error on the three targets, alone and all in one keep-going plan', () => {
    const io = fsHostIO([join(repoRoot, 'pkgs')]);
    const names = oracle(io).listPackages();
    expect(names.length).toBeGreaterThan(20);
    same('pkgs list', 'listPackages', outcome(() => as.listPackages(io).join('\n')), outcome(() => oracle(io).listPackages().join('\n')));
    for (const target of TARGETS) {
      for (const name of names) {
        const req: PlanRequest = { packages: [name], target };
        same('pkgs plans', `${name} for ${target}`, outcome(() => as.plan(io, req)), outcome(() => oraclePlan(io, req)));
        const roots: PlanRequest = { ...req, output: 'roots' };
        same('pkgs roots only', `${name} for ${target}`, outcome(() => as.plan(io, roots)), outcome(() => oraclePlan(io, roots)));
      }
      const all: PlanRequest = { packages: names, target, keepGoing: true };
      same('pkgs plans', `all packages for ${target}`, outcome(() => as.plan(io, all)), outcome(() => oraclePlan(io, all)));
      const allRoots: PlanRequest = { ...all, output: 'roots' };
      same('pkgs roots only', `all packages for ${target}`, outcome(() => as.plan(io, allRoots)), outcome(() => oraclePlan(io, allRoots)));
    }
  }, 600_000);

  test('every pkgs/ package: the same render on the three targets', () => {
    const io = fsHostIO([join(repoRoot, 'pkgs')]);
    for (const target of TARGETS) {
      for (const name of oracle(io).listPackages()) {
        const req: RenderRequest = { package: name, target };
        same('pkgs renders', `${name} for ${target}`, outcome(() => as.render(io, req)), outcome(() => oracle(io).render(JSON.stringify(req))));
      }
    }
  }, 600_000);

  test('a render inside a render (intro() plans another package mid-template): the outer one goes on with its own state', () => {
    // a recipe's JSON with the script from a block; {{ '{' }} keeps the braces out of the tag syntax
    const base = (extra: string) => `{% block head %}{% endblock %}${extra}{"bld": {"fetch": [], "script": {"kind": "sh", "data": "{% block script %}{% endblock %}"}, `
      + '"deps": [], "host_libs": [], "target_libs": [], "data": []}, "run": {"deps": [], "data": []}, "lib": {"deps": []}, '
      + '"ind": {"deps": []}, "fix": {"deps": []}, "net": false, "task_pool": "slot"}\n';
    const files: Record<string, string> = {
      'die/base.sh': base(''),
      'die/mid.sh': "{% extends '//die/base.sh' %}{% block script %}mid {{ super() }}{% set c %}[{% for i in range(3) %}{{ i }}{% endfor %}]{% endset %}{{ c }}{% endblock %}",
      // the introspected package: its own extends chain, captures, loops and blocks
      'lib/inner/ix.sh': "{% extends '//die/mid.sh' %}{% block script %}inner {% for i in range(m | int) %}{% endfor %}{{ super() }}{% endblock %}",
      'lib/broken/ix.sh': "{% extends '//die/mid.sh' %}{% block script %}{{ nothing.attr }}{% endblock %}",
      // the outer package calls intro() inside a capture inside a block, then keeps rendering:
      // more captures, loops counted against its own budget (n=700,000 + the inner's m=400,000 is
      // over the bound of 1,000,000 only if the counters were shared), blocks after the call
      'etc/svc/ix.sh': "{% extends '//die/mid.sh' %}{% set sd %}{% if srv %}{{ srv }}{% else %}none{% endif %}{% endset %}"
        + "{% block script %}{% for i in range(n | int) %}{% endfor %}{% set u %}id={{ intro(dep).uid }}{% endset %}{{ u | length }} sd={{ sd }} "
        + "{% for x in ['a', 'b'] %}{% set y %}<{{ x }}>{% endset %}{{ y }}{% endfor %} {{ super() }} {{ self.head() }}{% endblock %}",
    };
    const io = treeIO(files);
    for (const target of TARGETS) {
      for (const dep of ['lib/inner', 'lib/broken', 'lib/missing']) {
        const req: PlanRequest = { packages: [`etc/svc(dep=${dep},srv=x,n=2,m=3)`, 'etc/svc(dep=lib/inner,n=0,m=0)'], target, keepGoing: true };
        same('intro inside a render', `${dep} for ${target}`, outcome(() => as.plan(io, req)), outcome(() => oraclePlan(io, req)));
      }
    }
    const big: PlanRequest = { packages: ['etc/svc(dep=lib/inner,srv=x,n=700000,m=400000)'], target: 'linux-x86_64' };
    const got = outcome(() => as.plan(io, big));
    same('intro inside a render', 'the loop budgets apart', got, outcome(() => oraclePlan(io, big)));
    expect(got.ok && got.out).toContain('sd=x <a><b> mid [012]');
  }, 300_000);

  test(`${RUNS} generated recipe trees: the same renders and plans, or the same one-line errors`, async () => {
    let n = 0;
    await fc.assert(fc.asyncProperty(world, async ({ files, req }) => {
      // jco's glue leaves a timer per instance (its deadlock check): a host that never returns to
      // the event loop keeps every instance alive; a long-running host does return, so do we
      if (++n % 50 === 0) await new Promise((r) => setTimeout(r, 0));
      const io = treeIO(files);
      same('fuzz plans', JSON.stringify({ files, req }), outcome(() => as.plan(io, req)), outcome(() => oraclePlan(io, req)));
      const roots: PlanRequest = { ...req, output: 'roots' };
      same('fuzz roots only', JSON.stringify({ files, roots }), outcome(() => as.plan(io, roots)), outcome(() => oraclePlan(io, roots)));
      const name = req.packages[0].replace(/\(.*$/, '');
      const r: RenderRequest = { package: name, ...(req.target ? { target: req.target } : {}), ...(req.flags ? { flags: req.flags } : {}) };
      same('fuzz renders', JSON.stringify({ files, r }), outcome(() => as.render(io, r)), outcome(() => oracle(io).render(JSON.stringify(r))));
    }), params(RUNS));
  }, 1_800_000);

  test('report', () => {
    const lines = [...tally].map(([area, n]) => `${area}: ${n} identical`);
    console.log(`core parity:\n  ${lines.join('\n  ')}`);
    expect(tally.size).toBeGreaterThan(0);
  });
});
