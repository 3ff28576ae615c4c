// The compiled core's safe points (wasm/as/gc.ts) under stress: the minimal runtime scans no
// stack, so an object that only a local holds across a safe point is freed there; in the normal
// core that happens only when the memory grew, so a missed local may show on some trees only.
// The stress build (IX_AS_GC_STRESS=1: every safe point collects, freed objects are poisoned)
// must answer exactly as the normal core does: plans of every pkgs/ package alone and together
// on the three targets, re-plans after edits through a shared cache (kept graphs, node memo; and
// with the node memo's entries dropped, all or only the leaf nodes', so instances taken from a
// kept graph miss their nodes; each package alone too), every render and the package list on a
// kept instance.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { HostIO, PlanRequest } from '../engine/api';
import { CoreError, CoreTrap, loadCore, type Core } from '../hosts/node/core';
import { treeIO } from './support/browser-host';
import { ensureCoreBuilt, outDir, repoRoot } from './support/cli';

const TARGETS = ['linux-x86_64', 'linux-aarch64', 'freebsd-x86_64'];

/** Every file of the repository's recipe tree, keyed by its path under pkgs/. */
function pkgsTree(): Record<string, string> {
  const root = join(repoRoot, 'pkgs');
  const files: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else files[relative(root, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(root);
  return files;
}

/** An answer as text: the plan or render, or the one-line error; a trap fails the test. */
function answer(f: () => Uint8Array | string): string {
  try {
    const r = f();
    return typeof r === 'string' ? r : new TextDecoder().decode(r);
  } catch (e) {
    if (e instanceof CoreTrap) throw e;
    if (e instanceof CoreError) return `error: ${e.message}`;
    throw e;
  }
}

/** Drops the node memo entries of nodes that name no other node (a memo value's second line is its node's id); how many. */
function dropLeaves(c: Map<string, Uint8Array>): number {
  const memo = [...c.entries()].filter(([k]) => k.startsWith('as-node1-')).map(([k, v]) => [k, new TextDecoder().decode(v)]);
  const ids = memo.map(([, v]) => v.split('\n')[1]);
  let n = 0;
  for (const [k, v] of memo) {
    const id = v.split('\n')[1];
    if (ids.some((o) => o !== id && v.includes(o))) continue;
    c.delete(k);
    n++;
  }
  return n;
}

let dir = '';
let normal: Core;
let stress: Core;

beforeAll(async () => {
  ensureCoreBuilt();
  normal = await loadCore(outDir);
  expect(normal.manifest.backend).toBe('as');
  dir = mkdtempSync(join(tmpdir(), 'ix-gc-stress-'));
  const r = spawnSync(process.execPath, [join(repoRoot, 'wasm', 'build.mjs'), '--force', '--quiet', `--out=${dir}`], {
    encoding: 'utf8',
    env: { ...process.env, IX_AS_GC_STRESS: '1', IX_CORE_BACKEND: 'as', IX_AS_RUNTIME: 'minimal' },
  });
  if (r.status !== 0) throw new Error(`the stress build failed: ${r.stderr}`);
  stress = await loadCore(dir);
  // the stress core is a different module (its safe points always collect)
  expect(stress.manifest.coreWasmBlake3).not.toBe(normal.manifest.coreWasmBlake3);
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the compiled core with a collection at every safe point and freed memory poisoned', () => {
  test('plans, renders and the package list equal the normal core byte for byte', () => {
    const files = pkgsTree();
    const io = treeIO(files);
    const names = normal.listPackages(io);
    expect(names.length).toBeGreaterThan(25);
    expect(stress.listPackages(io)).toEqual(names);
    let errors = 0;
    for (const target of TARGETS) {
      const whole: PlanRequest = { packages: names, target, keepGoing: true };
      const want = answer(() => normal.plan(io, whole));
      expect(want.startsWith('{"format":"ix-plan/')).toBe(true);
      expect(answer(() => stress.plan(io, whole)), `all packages on ${target}`).toBe(want);
      for (const name of names) {
        const req: PlanRequest = { packages: [name], target };
        const w = answer(() => normal.plan(io, req));
        if (w.startsWith('error: ')) errors++;
        expect(answer(() => stress.plan(io, req)), `${name} on ${target}`).toBe(w);
        const rr = { package: name, target };
        expect(answer(() => stress.render(io, rr)), `render ${name} on ${target}`).toBe(answer(() => normal.render(io, rr)));
      }
    }
    // the tree's packages plan on every target except the few that say they do not
    expect(errors).toBeLessThan(names.length);
    // a second list on the kept instance, after the renders' garbage
    expect(stress.listPackages(io)).toEqual(names);
  }, 600_000);

  test('re-plans after edits through a kept graph equal the normal core byte for byte', () => {
    const base = pkgsTree();
    const names = normal.listPackages(treeIO(base));
    // each core keeps its graphs and nodes in its own cache across the sequence
    const caches = { normal: new Map<string, Uint8Array>(), stress: new Map<string, Uint8Array>() };
    // the last field drops node memo entries from both caches first: 'all' (instances taken from a
    // kept graph miss their nodes: rendered after all) or 'leaves', only the nodes that name no
    // other node (the memo partly lost)
    const edits: [string, (f: Record<string, string>) => void, ('all' | 'leaves')?][] = [
      ['cold', () => {}],
      ['unchanged', () => {}],
      ['a comment in a library', (f) => (f['lib/z/ix.sh'] += '\n{# a comment #}\n')],
      ['a library script', (f) => (f['lib/bz2/ix.sh'] = f['lib/bz2/ix.sh'].replace('cp bzlib.h', 'cp -p bzlib.h'))],
      ['a shared template', (f) => (f['die/c/make.sh'] += '\n{# shared #}\n')],
      ['a package deleted', (f) => delete f['bin/b64/ix.sh']],
      ['a package broken', (f) => (f['lib/lz4/ix.sh'] = "{% extends '//die/none.sh' %}\n")],
      ['both restored', (f) => ((f['bin/b64/ix.sh'] = base['bin/b64/ix.sh']), (f['lib/lz4/ix.sh'] = base['lib/lz4/ix.sh']))],
      ['the node memo lost, a library script restored', (f) => (f['lib/bz2/ix.sh'] = base['lib/bz2/ix.sh']), 'all'],
      ['the memo of leaf nodes lost, a library script', (f) => (f['lib/bz2/ix.sh'] += '\ntrue\n'), 'leaves'],
      ['the node memo lost, a shared template restored', (f) => (f['die/c/make.sh'] = base['die/c/make.sh']), 'all'],
    ];
    expect(Object.keys(base)).toEqual(expect.arrayContaining(['lib/z/ix.sh', 'lib/bz2/ix.sh', 'die/c/make.sh', 'bin/b64/ix.sh', 'lib/lz4/ix.sh']));
    const files = { ...base };
    const seen = new Set<string>();
    let dropped = 0;
    for (const [label, edit, dropMemo] of edits) {
      edit(files);
      if (dropMemo) {
        for (const c of [caches.normal, caches.stress]) {
          if (dropMemo === 'leaves') {
            dropped += dropLeaves(c);
            continue;
          }
          for (const k of [...c.keys()]) {
            if (!k.startsWith('as-node1-')) continue;
            c.delete(k);
            dropped++;
          }
        }
      }
      for (const target of TARGETS) {
        const req: PlanRequest = { packages: names, target, keepGoing: true };
        const io = (c: Map<string, Uint8Array>): HostIO => treeIO(files, { cache: c });
        const want = answer(() => normal.plan(io(caches.normal), req));
        expect(answer(() => stress.plan(io(caches.stress), req)), `${label} on ${target}`).toBe(want);
        seen.add(want);
      }
    }
    // the edits changed the plans (a script edit, a deletion, a broken package)
    expect(seen.size).toBeGreaterThan(TARGETS.length * 3);
    // each package alone: its kept graph, then an edit with the leaf nodes' memo entries dropped
    const single = { normal: new Map<string, Uint8Array>(), stress: new Map<string, Uint8Array>() };
    for (const round of ['cold', 'edit']) {
      if (round === 'edit') {
        files['lib/bz2/ix.sh'] += '\ntrue\n';
        dropped += dropLeaves(single.normal) + dropLeaves(single.stress);
      }
      for (const name of names) {
        const req: PlanRequest = { packages: [name], target: 'linux-x86_64' };
        const want = answer(() => normal.plan(treeIO(files, { cache: single.normal }), req));
        expect(answer(() => stress.plan(treeIO(files, { cache: single.stress }), req)), `${name} alone, ${round}`).toBe(want);
      }
    }
    // the memo's entries existed to drop (the rounds above did not re-plan from empty caches)
    expect(dropped).toBeGreaterThan(0);
  }, 600_000);
});
