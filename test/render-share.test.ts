/**
 * Render sharing by read set (engine/plan/reads.ts) changes how often a chain is evaluated, never a
 * byte of a plan: every pkgs/ package, planned in one keep-going plan per target with shared renders
 * (cold, then again through the read-set-keyed descriptor cache) is byte-identical to the plan that
 * renders every instance on its own, uncached. A generated world whose templates read random flags
 * through every kind of lookup checks the same on instances that differ in read and unread flags.
 */
import { describe, expect, test } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { evaluator, listPackages } from '../engine/index';
import { makePlan } from '../engine/plan/index';
import type { Evaluator } from '../engine/plan/types';
import type { ArchRecord } from '../engine/targets';
import type { HostIO } from '../engine/api';
import { canonicalJson } from '../engine/hash';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { treeIO } from './support/browser-host';
import { coreOutDir, freshCore } from './support/browser-node';
import { missing } from './support/prereq';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'pkgs');
const TARGETS = ['linux-x86_64', 'linux-aarch64', 'freebsd-x86_64'];

/** A HostIO over `read` with an in-memory cache. */
function withCache(read: (p: string) => Uint8Array | undefined, list: (p: string) => string[] | undefined): HostIO & { cache: Map<string, Uint8Array> } {
  const cache = new Map<string, Uint8Array>();
  return {
    cache,
    readFile: read,
    listDir: list,
    cacheGet: (k) => cache.get(k),
    cachePut: (k, v) => void cache.set(k, typeof v === 'string' ? new TextEncoder().encode(v) : v),
  };
}

function fsIO(): HostIO & { cache: Map<string, Uint8Array> } {
  return withCache(
    (p) => {
      try {
        return new Uint8Array(fs.readFileSync(path.join(root, p)));
      } catch {
        return undefined;
      }
    },
    (p) => {
      try {
        return fs.readdirSync(path.join(root, p), { withFileTypes: true }).map((d) => d.name + (d.isDirectory() ? '/' : ''));
      } catch {
        return undefined;
      }
    },
  );
}

function memIO(files: Record<string, string>): HostIO & { cache: Map<string, Uint8Array> } {
  const enc = new TextEncoder();
  return withCache(
    (p) => (Object.prototype.hasOwnProperty.call(files, p) ? enc.encode(files[p]) : undefined),
    () => undefined,
  );
}

function counting(): Evaluator<ArchRecord> & { renders: number } {
  const ev = {
    renders: 0,
    arch: evaluator.arch,
    render: (io: HostIO, input: Parameters<Evaluator<ArchRecord>['render']>[1]) => {
      ev.renders++;
      return evaluator.render(io, input);
    },
  };
  return ev;
}

describe('shared renders on pkgs/', () => {
  const packages = listPackages(fsIO());

  test.each(TARGETS)('every package on %s: the same bytes shared, cached and alone, with no more renders', (target) => {
    expect(packages.length).toBeGreaterThan(20);
    const req = { packages, target, keepGoing: true };
    const alone = counting();
    const want = canonicalJson(makePlan(fsIO(), req, alone, { shareRenders: false }));
    const io = fsIO();
    const shared = counting();
    expect(canonicalJson(makePlan(io, req, shared))).toBe(want);
    expect(shared.renders).toBeGreaterThan(0);
    // pkgs/ gives few packages flags their chains ignore: sharing saves little here (see the world below)
    expect(shared.renders).toBeLessThanOrEqual(alone.renders);
    // warm: every render comes from the cache, found through the stored read sets; only the
    // packages that fail on this target (errors are not cached) render again
    const warm = counting();
    const again = makePlan(io, req, warm);
    expect(canonicalJson(again)).toBe(want);
    expect(warm.renders).toBe(again.roots.filter((r) => 'error' in r).length);
    // each package alone, warm, from the entries the whole-tree plan stored
    for (const p of packages.slice(0, 8)) {
      expect(canonicalJson(makePlan(io, { packages: [p], target, keepGoing: true }, counting()))).toBe(canonicalJson(makePlan(fsIO(), { packages: [p], target, keepGoing: true }, evaluator, { shareRenders: false })));
    }
   }, 300_000);
});

/** A flag lookup of a template, each a different way of reading a context name. */
const READS = [
  (f: string) => `{{ ${f} }}`,
  (f: string) => `{% if ${f} %}y{% else %}n{% endif %}`,
  (f: string) => `{% if ${f} is defined %}d{% endif %}`,
  (f: string) => `{{ ${f} | default('none') }}`,
  () => '{{ setx }}',
  () => '{% if boot %}b{% endif %}',
  () => '{% if lib %}L{% endif %}{% if linux %}X{% endif %}',
];
const FLAGS = ['a', 'b', 'c', 'boot', 'setx', 'lib'];

const templateArb = fc.record({
  reads: fc.array(fc.tuple(fc.nat(READS.length - 1), fc.constantFrom(...FLAGS)), { maxLength: 4 }),
  // a branch on one flag guards the reads of others: read sets differ between instances
  guard: fc.option(fc.constantFrom(...FLAGS)),
  include: fc.boolean(),
});
const instArb = fc.dictionary(fc.constantFrom(...FLAGS), fc.constantFrom('', '1', '2', 'True'), { maxKeys: 4 });
type Tpl = { reads: [number, string][]; guard: string | null; include: boolean };

/** Templates t0.. each planned under every flag set of `insts`, all run deps of one hub. */
function world(tpls: Tpl[], insts: Record<string, string>[]): Record<string, string> {
  const files: Record<string, string> = { 'die/part.sh': '{{ a }}{{ c }}' };
  const run: string[] = [];
  tpls.forEach((t, i) => {
    let body = t.reads.map(([r, f]) => READS[r](f)).join(' ');
    if (t.guard !== null) body = `{% if ${t.guard} %}${body}{% endif %}`;
    if (t.include) body += "{% include '//die/part.sh' %}";
    files[`bin/t${i}/ix.sh`] = JSON.stringify({ bld: { script: { kind: 'sh', data: `echo ${body}` } } }) + '\n';
    for (const fl of insts) {
      const sel = Object.keys(fl).sort().map((k) => `${k}=${fl[k]}`).join(',');
      run.push(sel ? `bin/t${i}(${sel})` : `bin/t${i}`);
    }
  });
  files['set/all/ix.sh'] = JSON.stringify({ bld: { script: { kind: 'sh', data: '' } }, run: { deps: run } }) + '\n';
  return files;
}

const REQ = { packages: ['set/all'], keepGoing: true };

describe('shared renders on generated worlds', () => {
  test('instances differing in read and unread flags plan the same bytes shared and alone', () => {
    fc.assert(
      fc.property(fc.array(templateArb, { minLength: 1, maxLength: 3 }), fc.array(instArb, { minLength: 1, maxLength: 8 }), (tpls, insts) => {
        const files = world(tpls, insts);
        const want = canonicalJson(makePlan(memIO(files), REQ, evaluator, { shareRenders: false }));
        const io = memIO(files);
        const shared = counting();
        expect(canonicalJson(makePlan(io, REQ, shared))).toBe(want);
        expect(shared.renders).toBeLessThanOrEqual(tpls.length * new Set(insts.map((x) => canonicalJson(x))).size + 1);
        expect(canonicalJson(makePlan(io, REQ, evaluator))).toBe(want);
      }),
      { numRuns: 150 },
    );
  }, 300_000);
});

describe.skipIf(missing('a built core (npm run build)', existsSync(join(coreOutDir, 'manifest.json'))))('shared renders in the built core', () => {
  test('the core plans generated worlds as the oracle plans them rendering every instance alone, cold and from its read-set cache', async () => {
    const files: Record<string, string> = {};
    /** Counts descriptor-cache hits. */
    class Hits extends Map<string, Uint8Array> {
      hits = 0;
      override get(k: string): Uint8Array | undefined {
        const v = super.get(k);
        if (v !== undefined && k.startsWith('as-desc1-')) this.hits++;
        return v;
      }
    }
    const cache = new Hits();
    const core = await freshCore(treeIO(files, { cache }));
    const other = await freshCore(treeIO(files, { cache }));
    let entries = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(templateArb, { minLength: 1, maxLength: 3 }), fc.array(instArb, { minLength: 1, maxLength: 8 }), async (tpls, insts) => {
        for (const k of Object.keys(files)) delete files[k];
        Object.assign(files, world(tpls, insts));
        cache.clear();
        const want = canonicalJson(makePlan(memIO(files), REQ, evaluator, { shareRenders: false }));
        expect(want).toContain('"name":"bin/t0"');
        expect(new TextDecoder().decode(core.plan(REQ))).toBe(want);
        // another instance, its own renders empty, without the whole-plan entry or the kept
        // graph (wasm/as/plan/kept.ts, which would skip the walk): every render comes through
        // the stored read sets
        for (const k of [...cache.keys()]) if (k.startsWith('as-plan') || k.startsWith('as-kept')) cache.delete(k); // any version of the whole-plan key and the kept graph
        entries += [...cache.keys()].filter((k) => k.startsWith('as-desc1-')).length;
        cache.hits = 0;
        expect(new TextDecoder().decode(other.plan(REQ))).toBe(want);
        // at least the read sets of bin/t0 and one of its renders
        expect(cache.hits).toBeGreaterThanOrEqual(2);
      }),
      { numRuns: 80 },
    );
    expect(entries).toBeGreaterThan(80);
  }, 300_000);
});
