// Planning depth and the closures of ix-plan/4. A run_deps chain thousands deep plans with the
// oracle and the compiled core, to the same bytes, with a plan linear in the chain's length (a node
// lists its direct references only). The closures consumers get (engine/plan/expand.ts) equal an
// independent computation: the package graph's own closures (engine/plan/graph.ts, the lists
// ix-plan/3 wrote into every node), for every package of pkgs/ on three targets.
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { HostIO, PlanWire } from '../engine/api';
import { evaluator, listPackages, plan } from '../engine/index';
import { canonicalJson, toHex, utf8Decode } from '../engine/hash/index';
import { expandPlan } from '../engine/plan/expand';
import { fetchNode } from '../engine/plan/fetch';
import { Graph } from '../engine/plan/graph';
import type { Instance } from '../engine/plan/graph';
import { bootEnv } from '../engine/eval/boot-env';
import { hostTextDigest } from '../engine/host-digest';
import type { ArchRecord } from '../engine/targets';
import { fsHostIO } from '../hosts/node/io';
import { memIO } from './support/memfs';
import { treeIO } from './support/browser-host';
import { TREE } from './support/browser-node';
import { ensureCoreBuilt, ix, repoRoot, writeTree } from './support/cli';

/** A descriptor written out as JSON (a template that renders to itself). */
const descriptor = (script: string, run: string[]): string => JSON.stringify({
  bld: { fetch: [], script: script ? { kind: 'sh', data: script } : {}, deps: [], host_libs: [], target_libs: [], data: [] },
  run: { deps: run, data: [] }, lib: { deps: [] }, ind: { deps: [] }, fix: { deps: [] }, net: false, task_pool: 'slot',
}) + '\n';

/** bin/c0 -> bin/c1 -> ... -> bin/c<n-1> by run_deps, every one with the same script. */
function chain(n: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) files[`bin/c${i}/ix.sh`] = descriptor('true', i + 1 < n ? [`bin/c${i + 1}`] : []);
  return files;
}

const planChain = (n: number): string => utf8Decode(plan(memIO(chain(n)), { packages: ['bin/c0'] }));

describe('a run_deps chain thousands deep', () => {
  test('plans, with a plan linear in its depth and one script for all its nodes', () => {
    const sizes = [1000, 2000].map((n) => planChain(n).length);
    expect(sizes[1]).toBeLessThan(2.5 * sizes[0]);
    expect(sizes[1]).toBeGreaterThan(1.5 * sizes[0]);
    const w = JSON.parse(planChain(3000)) as PlanWire;
    expect(w.format).toBe('ix-plan/4');
    expect(w.nodes).toHaveLength(3000);
    expect(Object.values(w.scripts)).toEqual(['true']);
    expect(Math.max(...w.nodes.map((n) => n.runDeps.length))).toBe(1);
    // the closure the consumers get: the whole rest of the chain, made without recursion
    const e = expandPlan(w);
    const byName = new Map(e.nodes.map((n) => [n.name, n]));
    const top = byName.get('bin/c0')!;
    expect(top.runtime).toHaveLength(2999);
    expect(top.runtime).toContain(byName.get('bin/c2999')!.out);
    expect(byName.get('bin/c2998')!.runtime).toEqual([byName.get('bin/c2999')!.out]);
    expect(top.inputs).toEqual([]);
    expect(top.cmd!.stdin).toBe('true');
    // nothing in a node's environment grows with the depth
    const envBytes = e.nodes.map((n) => JSON.stringify(n.cmd!.env).length);
    expect(Math.max(...envBytes) - Math.min(...envBytes)).toBeLessThan(16);
  });

  test('the compiled core plans it to the oracle\'s bytes', { timeout: 300_000 }, () => {
    ensureCoreBuilt();
    const dir = writeTree(chain(3000));
    const r = ix(['plan', 'bin/c0', '--json', '--recipes', dir]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(utf8Decode(plan(fsHostIO([dir]), { packages: ['bin/c0'] })) + '\n');
  });
});

/** A descriptor with every kind of edge (absent lists empty). */
const full = (o: { script?: string; deps?: string[]; lib?: string[]; run?: string[]; runData?: string[]; data?: string[]; hostLibs?: string[]; targetLibs?: string[]; ind?: string[] }): string => JSON.stringify({
  bld: { fetch: [], script: o.script ? { kind: 'sh', data: o.script } : {}, deps: o.deps ?? [], host_libs: o.hostLibs ?? [], target_libs: o.targetLibs ?? [], data: o.data ?? [] },
  run: { deps: o.run ?? [], data: o.runData ?? [] }, lib: { deps: o.lib ?? [] }, ind: { deps: o.ind ?? [] }, fix: { deps: [] }, net: false, task_pool: 'slot',
}) + '\n';

/** Libraries with run references, hubs among libs, tools and run references, ind.deps, run.data. */
const tricky: Record<string, string> = {
  'lib/a/ix.sh': full({ script: 'a', lib: ['lib/b'], run: ['bin/r'] }),
  'lib/b/ix.sh': full({ script: 'b', lib: ['lib/hub'] }),
  'lib/hub/ix.sh': full({ lib: ['lib/c'], run: ['bin/r3'] }),
  'lib/c/ix.sh': full({ script: 'c', runData: ['aux/d'] }),
  'bin/r/ix.sh': full({ script: 'r', run: ['bin/r2'] }),
  'bin/r2/ix.sh': full({ script: 'r2' }),
  'bin/r3/ix.sh': full({ script: 'r3' }),
  'aux/d/ix.sh': full({ script: 'd' }),
  'bld/t/ix.sh': full({ script: 't', run: ['set/h'], ind: ['lib/i'] }),
  'set/h/ix.sh': full({ run: ['bin/r2', 'bin/r'] }),
  'lib/i/ix.sh': full({ script: 'i', lib: ['lib/a'] }),
  'bin/top/ix.sh': full({ script: 'top', deps: ['bld/t', 'set/h'], lib: ['lib/a'], hostLibs: ['lib/hub'], data: ['aux/d'], run: ['set/h', 'lib/a'], targetLibs: ['lib/b'] }),
};

/** Compares every build node's expanded closures with the graph's (ix-plan/3's lists). */
function compareClosures(io: HostIO, packages: string[], target: string): number {
  const w = JSON.parse(utf8Decode(plan(io, { packages, target, keepGoing: true }))) as PlanWire;
  expect(w.roots.filter((r) => !r.error).length).toBeGreaterThan(packages.length / 2);
  const e = expandPlan(w);
  const key = (name: string, flags: Record<string, string>): string => name + '\0' + canonicalJson(flags);
  const byKey = new Map(e.nodes.map((n) => [key(n.name, n.flags), n]));
  // the graph of ix-plan/3: closures by `visit` over every listed item, hubs included
  const td = hostTextDigest(io);
  const graph = new Graph<ArchRecord>(io, evaluator, 'linux-x86_64', undefined, bootEnv(undefined));
  const outOf = (p: Instance<ArchRecord>): string => byKey.get(key(p.name, p.flags))!.out;
  graph.introHook = (p) => {
    if (p.buildable) return byKey.get(key(p.name, p.flags))!.id;
    const members = [...new Set(graph.runClosure(p).filter((x) => x.buildable).map(outOf))].sort();
    return toHex(td(canonicalJson(members))).slice(0, 32);
  };
  let checked = 0;
  for (const n of e.nodes) {
    if (n.fetch) continue;
    const inst = graph.instance(n.name, n.flags);
    const outs = (l: Instance<ArchRecord>[]): string[] => l.filter((x) => x.buildable).map(outOf);
    const sources = inst.descriptor.bld.fetch.map((f) => fetchNode(f, inst.name, td).out);
    const inputs = [...graph.toolClosure(inst), ...graph.dataClosure(inst), ...graph.targetLibClosure(inst), ...graph.hostLibClosure(inst)];
    expect(n.inputs, n.name).toEqual([...new Set([...outs(inputs), ...sources])].sort());
    expect(n.runtime, n.name).toEqual([...new Set(outs(graph.runClosure(inst)))].sort());
    checked++;
  }
  return checked;
}

describe('closures from direct references equal the package graph\'s closures', () => {
  const io = fsHostIO([join(repoRoot, 'pkgs')]);
  let packages: string[] = [];
  beforeAll(() => {
    packages = listPackages(io);
  });

  for (const target of ['linux-x86_64', 'linux-aarch64', 'freebsd-x86_64']) {
    test(`every pkgs/ package for ${target}`, () => {
      expect(compareClosures(io, packages, target)).toBeGreaterThan(20);
    });
  }

  test('libraries with run references, hubs among libraries, tools and run references', () => {
    expect(compareClosures(memIO(tricky), ['bin/top', 'lib/i', 'set/h'], 'linux-x86_64')).toBeGreaterThanOrEqual(10);
    // lib/a's run closure is more than its lib closure: lib/i (lib.deps lib/a) reads only the latter
    const e = expandPlan(JSON.parse(utf8Decode(plan(memIO(tricky), { packages: ['lib/i'] }))) as PlanWire);
    const one = (name: string) => e.nodes.find((n) => n.name === name)!;
    expect(one('lib/a').runtime).toContain(one('bin/r').out);
    expect(one('lib/i').inputs).toEqual([one('lib/a').out, one('lib/b').out, one('lib/c').out].sort());
  });

  test('the synthetic tree (bench/gen-tree.mjs) on three targets', () => {
    for (const target of ['linux-x86_64', 'linux-aarch64', 'freebsd-x86_64']) expect(compareClosures(treeIO(TREE), ['set/world'], target)).toBeGreaterThan(40);
  });
});

describe('expandPlan refuses what is not a whole ix-plan/4 plan', () => {
  const w = (): PlanWire => JSON.parse(planChain(3)) as PlanWire;
  test('another format, a reference to no node of the plan, a script the table lacks', () => {
    expect(() => expandPlan({ ...w(), format: 'ix-plan/3' } as unknown as PlanWire)).toThrow(/expected format ix-plan\/4, got ix-plan\/3/);
    const cut = w();
    cut.nodes.shift(); // bin/c2, which bin/c1 references
    expect(() => expandPlan(cut).nodes.find((n) => n.name === 'bin/c0')!.runtime).toThrow(/references \/ix\/store\/\S+-bin-c2, which is no node of the plan/);
    const noScript = w();
    noScript.scripts = {};
    expect(() => expandPlan(noScript)).toThrow(/names script [0-9a-f]{64}, which the plan's scripts table lacks/);
  });
});
