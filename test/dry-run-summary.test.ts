// `ix build --dry-run` reads only what it prints: the plan memo's summary (hosts/node/plan-summary.ts)
// instead of the plan. Proven through the real ./ix launcher: with the plan's body entry corrupted
// and a core that cannot load, the dry run still answers exactly as before, while `ix plan --json`
// (which prints the body) cannot. The summary's closures equal the plan's, and the top-down
// decision made from direct references equals the one made from every node's closures.
import { existsSync, mkdirSync, openSync, writeFileSync, writeSync, closeSync, copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import type { PlanNode, PlanWire, WireNode } from '../engine/api';
import { expandPlan } from '../engine/plan/expand';
import { cacheBase } from '../hosts/node/cache';
import { loadIndexes } from '../hosts/node/cache-pack';
import { TopDown, wantedAt, wantedOutputs, type TopDownHit } from '../hosts/node/exec/topdown';
import { parseStorePath, storePathId } from '../hosts/common';
import { wantedOf } from '../hosts/node/commands/build';
import { decodeSummary, encodeSummary } from '../hosts/node/plan-summary';
import { RECORD_FORMAT } from '../hosts/node/store';
import { ensureCoreBuilt, ix, outDir, tempDir, world, writeTree } from './support/cli';

let coreless: string;
beforeAll(() => {
  ensureCoreBuilt();
  coreless = tempDir('ix-coreless-');
  copyFileSync(join(outDir, 'manifest.json'), join(coreless, 'manifest.json'));
});

/** Overwrites the middle of the cache record under the key starting with `prefix` (its seal then fails). */
function corrupt(cache: string, prefix: string): void {
  const top = join(cache, 'v4');
  let done = 0;
  for (const ns of readdirSync(top)) {
    for (const [key, span] of loadIndexes(cacheBase(cache, ns))) {
      if (!key.startsWith(prefix)) continue;
      const fd = openSync(join(top, ns, `${span.pack}.pack`), 'r+');
      writeSync(fd, Buffer.alloc(Math.min(64, span.length >> 1), 0x5a), 0, undefined, span.offset + (span.length >> 1));
      closeSync(fd);
      done++;
    }
  }
  expect(done, prefix).toBe(1);
}

describe('ix build --dry-run from the summary', () => {
  test('answers identically with the plan body corrupted and no core; needs the summary for that; creates no store', () => {
    const root = writeTree(world);
    const plan = JSON.parse(ix(['plan', '--json', 'set/all', '--recipes', root]).out) as PlanWire;
    const zz = plan.nodes.find((n) => n.name === 'lib/zz')!;
    // a hand-made store holding lib/zz (its record and read-only directory: hosts/node/store/layout.ts)
    const store = tempDir('ix-root-');
    mkdirSync(join(store, 'var/db/v1'), { recursive: true });
    mkdirSync(join(store, 'store', zz.out.slice('/ix/store/'.length)), { recursive: true, mode: 0o555 });
    writeFileSync(join(store, 'var/db/v1', `${zz.id}.json`), JSON.stringify({ format: RECORD_FORMAT, path: zz.out, hash: 'blake3:' + '0'.repeat(64), size: 0, refs: [] }));
    const cache = tempDir('ix-cache-');
    const run = (args: string[], env: Record<string, string> = {}) => ix(['build', '--dry-run', ...args, '--recipes', root], { env: { IX_CACHE_DIR: cache, IX_ROOT: store, ...env } });

    const cold = run(['set/all']);
    expect(cold.code, cold.err).toBe(0);
    expect(cold.err).toContain('present lib/zz');
    expect(cold.err).toMatch(/build bin\/app \/ix\/store\//);
    const check = run(['set/all', '--check']);
    expect(check.code).toBe(0);

    corrupt(cache, 'memob-');
    const noBody = ix(['plan', '--json', 'set/all', '--recipes', root], { env: { IX_CACHE_DIR: cache, IX_CORE_DIR: coreless } });
    expect(noBody.code, 'the body entry still answers').not.toBe(0);
    for (const [args, want] of [[['set/all'], cold], [['set/all', '--check'], check]] as const) {
      const hit = run([...args], { IX_CORE_DIR: coreless });
      expect(hit.err, args.join(' ')).toBe(want.err);
      expect(hit.out, args.join(' ')).toBe(want.out);
      expect(hit.code).toBe(0);
    }

    // a root that does not exist stays so: the dry run only looks
    const none = join(tempDir('ix-none-'), 'root');
    const fresh = run(['set/all'], { IX_CORE_DIR: coreless, IX_ROOT: none });
    expect(fresh.code).toBe(0);
    expect(fresh.err).toContain('build lib/zz');
    expect(existsSync(none)).toBe(false);

    corrupt(cache, 'memos-');
    expect(run(['set/all'], { IX_CORE_DIR: coreless }).code, 'answered without its summary').not.toBe(0);
    const again = run(['set/all']);
    expect(again.err).toBe(cold.err);
    expect(again.out).toBe(cold.out);
    expect(run(['set/all'], { IX_CORE_DIR: coreless }).err, 'the new plan has its summary').toBe(cold.err);
  });

  test('a memo entry whose summary is lost gets it again from its plan bytes', () => {
    const root = writeTree(world);
    const cache = tempDir('ix-cache-');
    const run = (env: Record<string, string> = {}) => ix(['build', '--dry-run', 'set/all', '--recipes', root], { env: { IX_CACHE_DIR: cache, IX_ROOT: join(tempDir('ix-none-'), 'root'), ...env } });
    const cold = run();
    expect(cold.code).toBe(0);
    corrupt(cache, 'memos-');
    const fromBody = run({ IX_CORE_DIR: coreless });
    expect(fromBody.err).toBe(cold.err);
    expect(fromBody.out).toBe(cold.out);
    corrupt(cache, 'memob-');
    const fromSummary = run({ IX_CORE_DIR: coreless });
    expect(fromSummary.code).toBe(0);
    expect(fromSummary.err).toBe(cold.err);
    expect(fromSummary.out).toBe(cold.out);
  });

  test("the summary's nodes and closures are the plan's", () => {
    const root = writeTree(world);
    for (const args of [['set/all'], ['bin/app', '--target=linux-aarch64']]) {
      const wire = JSON.parse(ix(['plan', '--json', ...args, '--recipes', root]).out) as PlanWire;
      const plan = expandPlan(wire);
      const outs = plan.nodes.map((n) => n.out);
      const text = encodeSummary(plan)!;
      const s = decodeSummary(text, plan.roots, outs)!;
      expect(s.roots).toEqual(plan.roots);
      expect(s.nodes.map((n) => [n.id, n.name, n.out, n.fixed, n.inputs, n.runtime])).toEqual(plan.nodes.map((n) => [n.id, n.name, n.out, n.fixed, n.inputs, n.runtime]));
      expect(wantedOf(s, true)).toEqual(wantedOf(plan, true));
      expect(wantedOf(s)).toEqual(wantedOf(plan));
      // another plan's outputs, a reference out of range, another format: not a summary
      expect(decodeSummary(text, plan.roots, outs.slice(1))).toBeUndefined();
      expect(s.refTable!.data.length).toBeGreaterThan(0);
      const bad = text.slice();
      new Uint32Array(bad.buffer, bad.length - 4, 1)[0] = outs.length; // the last reference past the last node
      expect(decodeSummary(bad, plan.roots, outs)).toBeUndefined();
      const other = text.slice();
      other[other.indexOf(0x32)] = 0x31; // ix-plan-summary/1
      expect(decodeSummary(other, plan.roots, outs)).toBeUndefined();
      // unaligned bytes decode the same
      const shifted = new Uint8Array(text.length + 1).subarray(1);
      shifted.set(text);
      expect(decodeSummary(shifted, plan.roots, outs)!.nodes.map((n) => [n.id, n.inputs])).toEqual(plan.nodes.map((n) => [n.id, n.inputs]));
    }
  });
});

/** A random acyclic wire plan: node i refers only to nodes before it. */
const wirePlan = fc.integer({ min: 1, max: 40 }).chain((n) => fc.tuple(
  ...Array.from({ length: n }, (_, i) => fc.record({
    deps: fc.uniqueArray(fc.nat(Math.max(0, i - 1)), { maxLength: i ? 4 : 0 }),
    libs: fc.uniqueArray(fc.nat(Math.max(0, i - 1)), { maxLength: i ? 3 : 0 }),
    runDeps: fc.uniqueArray(fc.nat(Math.max(0, i - 1)), { maxLength: i ? 2 : 0 }),
    libDeps: fc.uniqueArray(fc.nat(Math.max(0, i - 1)), { maxLength: i ? 2 : 0 }),
  })),
)).map((rows): PlanWire => {
  const out = (i: number) => `/ix/store/${String(i).padStart(32, '0')}-n${i}`;
  const refs = (l: number[]) => l.map(out).sort();
  const nodes = rows.map((r, i) => ({
    id: String(i).padStart(32, '0'), out: out(i), name: `n${i}`, storeName: `n${i}`, flags: {}, pool: 'cpu', net: false,
    deps: refs(r.deps), libs: refs(r.libs), runDeps: refs(r.runDeps), libDeps: refs(r.libDeps),
  }) as WireNode);
  return { format: 'ix-plan/4', host: 'h', target: 't', roots: [], nodes, scripts: {} };
});

describe('top-down decisions from direct references', () => {
  test('decide the same nodes, modes and deps as from every closure, also from a summary\'s reference table (fast-check)', async () => {
    await fc.assert(fc.asyncProperty(wirePlan, fc.infiniteStream(fc.nat(5)), fc.boolean(), async (wire, coin, caches) => {
      const plan = expandPlan(wire);
      const built = new Set<string>();
      const hits = new Map<string, TopDownHit>();
      for (const n of plan.nodes) {
        const c = coin.next().value;
        if (c === 0) built.add(n.out);
        else if (caches && c === 1) hits.set(n.out, { cache: 'c', bytes: 1 });
        else if (caches && c === 2) hits.set(n.out, { cache: 'c', bytes: 1, refs: [...n.runtime.filter((_, k) => k % 2 === 0), n.out] });
      }
      const absent = coin.next().value % 2 === 0;
      const io = {
        isBuilt: async (p: string) => built.has(p),
        ...(absent ? { absentNow: (p: string) => !built.has(p) } : {}),
        ...(caches ? { lookup: async (n: Pick<PlanNode, 'out'>) => hits.get(n.out) } : {}),
      };
      const bare = plan.nodes.map((n) => ({ id: n.id, out: n.out, inputs: n.inputs, runtime: n.runtime }));
      const wanted = plan.nodes.filter((_, i) => i % 3 === plan.nodes.length % 3).map((n) => n.out);
      const summary = decodeSummary(encodeSummary(plan)!, plan.roots, plan.nodes.map((n) => n.out))!;
      const a = new TopDown(plan.nodes, io);
      const b = new TopDown(bare, io);
      const c = new TopDown(summary.nodes, io, summary.refTable);
      const da = await a.need(wanted);
      const db = await b.need(wanted);
      const dc = await c.need(wanted);
      expect(new Set(da)).toEqual(new Set(db));
      expect(new Set(dc)).toEqual(new Set(db));
      const view = (t: TopDown<TopDownHit, { id: string; out: string; inputs: string[]; runtime: string[] }>) =>
        [...t.decided].map(([id, d]) => [id, d.mode, [...d.deps].sort()] as const).sort((x, y) => (x[0] < y[0] ? -1 : 1));
      expect(view(a)).toEqual(view(b));
      expect(view(c)).toEqual(view(b));
      expect(a.counts()).toEqual(b.counts());
      expect(c.counts()).toEqual(b.counts());
      // by position, as the dry run reads them: the same decisions as by id
      for (const t of [a, b, c]) {
        expect(t.decidedCount).toBe(t.decided.size);
        plan.nodes.forEach((n, k) => expect(t.decisionAt(k)).toBe(t.decided.get(n.id)));
      }
      // the wanted closure from the reference table's positions: the same sorted paths, a path
      // no node makes included as it is
      const foreign = '/ix/store/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-foreign';
      const roots = [...wanted.slice(0, 3), foreign, ...wanted.slice(0, 1)];
      const byPaths = wantedOutputs(plan.nodes, roots);
      expect(wantedOutputs(summary.nodes, roots, summary.refTable)).toEqual(byPaths);
      expect(wantedOutputs(summary.nodes, roots)).toEqual(byPaths);
      expect(byPaths).toContain(foreign);
      expect(byPaths).toEqual([...new Set([...roots, ...roots.flatMap((r) => plan.nodes.find((n) => n.out === r)?.runtime ?? [])])].sort());
      // as positions (what the dry run gives TopDown): the same nodes, and needAt decides as need
      const at = wantedAt(summary.nodes, roots, summary.refTable!);
      expect([...at.foreign, ...at.at.map((i) => plan.nodes[i].out)].sort()).toEqual(byPaths);
      const d = new TopDown(summary.nodes, io, summary.refTable);
      const e = new TopDown(summary.nodes, io, summary.refTable);
      expect(new Set(await d.needAt([...at.at, ...at.at.slice(0, 2)]))).toEqual(new Set(await e.need(byPaths)));
      expect(view(d)).toEqual(view(e));
      expect(d.counts()).toEqual(e.counts());
    }), { numRuns: 300 });
  });

  test('a store path\'s id alone is the id of its whole parse, and undefined where that is (fast-check)', () => {
    const id = fc.stringMatching(/^[0-9a-df-np-sv-z]{30,34}$/);
    const name = fc.stringMatching(/^[A-Za-z0-9+._=:/-]{0,6}$/);
    fc.assert(fc.property(fc.oneof(fc.tuple(id, name).map(([i, n]) => `/ix/store/${i}-${n}`), fc.string()), (p) => {
      expect(storePathId(p)).toBe(parseStorePath(p)?.id);
    }), { numRuns: 2000 });
  });
});
