// Fuzzing (fast-check): random recipe trees, templates, selectors, flags and requests thrown at
// the evaluator and planner in the WASM component and in the V8 bundle of the same code. Every
// case must end (the evaluator's bounds, never a hang), never crash (no internal error), reject
// with one line, and give byte-identical plans (or the identical error) in both. A smaller run
// goes through the real CLI error path: exit 0, or exit 2 with one line; and the parsers of what
// ix reads back from disk (cache entries, store records) get random bytes. IX_FUZZ_RUNS sets the
// number of cases (bench/fuzz.mjs runs many and records the count in BENCHMARKS.md).
import { appendFileSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { Layout } from '../hosts/common';
import type { HostIO, PlanRequest } from '../engine/api';
import { parseSelectorParams } from '../engine/plan/selector';
import { IxError } from '../engine/errors';
import { jsonErrorAt } from '../engine/eval/json-error';
import { parseArgs } from '../hosts/node/args';
import { classify } from '../hosts/node/errors';
import { main } from '../hosts/node/main';
import { cacheBase, diskCache } from '../hosts/node/cache';
import { loadIndexes } from '../hosts/node/cache-pack';
import { isRecord, readRecord } from '../hosts/node/store/record';
import { treeIO, type CoreInstance } from './support/browser-host';
import { freshCore, v8Core } from './support/browser-node';
import { ensureCoreBuilt, tempDir } from './support/cli';
import { BASE, cliTokens, selector, world } from './support/fuzz';

const RUNS = Number(process.env.IX_FUZZ_RUNS ?? 400);
const SEED = process.env.IX_FUZZ_SEED ? Number(process.env.IX_FUZZ_SEED) : undefined;
const params = (n: number) => ({ numRuns: n, ...(SEED !== undefined ? { seed: SEED } : {}) });

/** A HostIO whose tree can be swapped between cases, so one component instance serves them all. */
function swappable(): HostIO & { files: Record<string, string> } {
  const io = { files: {} as Record<string, string> } as HostIO & { files: Record<string, string> };
  io.readFile = (p) => treeIO(io.files).readFile(p);
  io.listDir = (p) => treeIO(io.files).listDir(p);
  return io;
}

type Result = { ok: true; bytes: string } | { ok: false; error: string };
const run = (f: () => Uint8Array): Result => {
  try {
    return { ok: true, bytes: Buffer.from(f()).toString('hex') };
  } catch (e) {
    return { ok: false, error: typeof e === 'string' ? e : e instanceof Error ? e.message : String(e) };
  }
};

let io: ReturnType<typeof swappable>;
let component: CoreInstance;
let v8: { plan(req: PlanRequest): Uint8Array };
const tally = { accepted: 0, rejected: 0 };

beforeAll(async () => {
  ensureCoreBuilt();
  io = swappable();
  component = await freshCore(io);
  v8 = await v8Core(io);
}, 120_000);

describe('fuzz: evaluator and planner', () => {
  test(`${RUNS} random trees and requests: one-line rejections, identical bytes in the component and V8`, () => {
    fc.assert(fc.property(world, ({ files, req }) => {
      io.files = files;
      const a = run(() => component.plan(req));
      const b = run(() => v8.plan(req));
      expect(a).toEqual(b);
      if (a.ok) tally.accepted++;
      else {
        tally.rejected++;
        if (process.env.IX_FUZZ_DEBUG) console.log(a.error);
        expect(a.error).not.toMatch(/^internal error/);
        expect(a.error).not.toContain('\n');
        expect(a.error.length).toBeGreaterThan(0);
      }
    }), params(RUNS));
    // the generators must reach both outcomes, or the property says little
    expect(tally.accepted, 'accepted cases').toBeGreaterThan(RUNS / 20);
    expect(tally.rejected, 'rejected cases').toBeGreaterThan(RUNS / 20);
    console.log(`fuzz: ${RUNS} cases, ${tally.accepted} planned, ${tally.rejected} rejected`);
  });

  test('the fuzzer\'s findings stay fixed: the same one-line error in both engines', () => {
    const base = { 'die/fz.sh': BASE };
    for (const [text, want] of [
      ['{%', /^bin\/a\/ix\.sh: template syntax error: a value used here is undefined, null or of the wrong type \(package bin\/a\)$/],
      ['a', /^rendered descriptor is not valid JSON at line 1 column 1 of the rendered text: unexpected 'a' \(package bin\/a\)$/],
    ] as const) {
      io.files = { ...base, 'bin/a/ix.sh': text };
      const a = run(() => component.plan({ packages: ['bin/a'] }));
      expect(a).toEqual(run(() => v8.plan({ packages: ['bin/a'] })));
      expect(a.ok ? '' : a.error, text).toMatch(want);
    }
  });

  test('the engine\'s JSON error locator agrees with JSON.parse on what is valid', () => {
    const jsonish = fc.oneof(fc.json(), fc.json().map((j) => j.slice(0, -1)), fc.stringMatching(/^[[\]{}",:0-9a-z .+e\\-]{0,20}$/));
    fc.assert(fc.property(jsonish, (t) => {
      let valid = true;
      try { JSON.parse(t); } catch { valid = false; }
      const at = jsonErrorAt(t);
      expect(at === undefined, t).toBe(valid);
      if (at) expect(at.offset).toBeLessThanOrEqual(t.length);
    }), params(RUNS * 20));
  });

  test('selectors: the shared parser accepts or rejects with an IxError, never anything else', () => {
    fc.assert(fc.property(fc.oneof(selector, fc.string({ maxLength: 30 })), (s) => {
      try {
        const r = parseSelectorParams(s);
        expect(r.name.length).toBeGreaterThan(0);
      } catch (e) {
        expect(e).toBeInstanceOf(IxError);
      }
      try {
        parseArgs([s], 'plan');
      } catch (e) {
        // a user's mistake (the CLI's or the selector parser's own error), never a bug
        expect(classify(e).code).toBe(2);
      }
    }), params(RUNS * 10));
  });
});

describe('fuzz: parsers of what ix reads back from disk', () => {
  test('cache entries: random, truncated or spliced bytes are a miss or the exact value put, never a throw', async () => {
    const dir = tempDir('ix-fuzz-cache-');
    const c = diskCache(dir, 'ns');
    const base = cacheBase(dir, 'ns');
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), fc.nat(200), (value, noise, cut) => {
      c.put('key1aaaa', value);
      expect([...(c.get('key1aaaa') ?? [])]).toEqual([...value]);
      // the record just appended is the pack's last: overwrite it, as a torn or damaged tail
      const span = loadIndexes(base).get('key1aaaa')!;
      const file = join(base, `${span.pack}.pack`);
      const good = readFileSync(file).subarray(span.offset, span.offset + span.length);
      for (const bad of [Buffer.concat([good.subarray(0, cut), noise]), Buffer.from(noise), good.subarray(0, Math.min(cut, good.length - 1))]) {
        if (bad.equals(good)) continue;
        truncateSync(file, span.offset);
        appendFileSync(file, bad);
        const got = diskCache(dir, 'ns').get('key1aaaa');
        if (got !== undefined) expect(Buffer.from(got).equals(Buffer.from(value))).toBe(true);
      }
      truncateSync(file, span.offset);
      appendFileSync(file, good);
    }), params(RUNS));
  });

  test('store records: any JSON is a well-typed record or missing, never a throw', async () => {
    const layout = new Layout(tempDir('ix-fuzz-root-'));
    mkdirSync(layout.db, { recursive: true });
    const id = 'a'.repeat(32);
    const near = fc.record({
      format: fc.constantFrom('ix-store-record/1', 'ix-store-record/2', 1),
      path: fc.oneof(fc.constant(`/ix/store/${id}-x`), fc.string(), fc.integer()),
      hash: fc.oneof(fc.string(), fc.constant(null)),
      size: fc.oneof(fc.nat(), fc.string(), fc.constant(null)),
      refs: fc.oneof(fc.array(fc.string()), fc.integer(), fc.array(fc.integer())),
    }, { requiredKeys: [] });
    await fc.assert(fc.asyncProperty(fc.oneof(near.map((r) => JSON.stringify(r)), fc.json(), fc.string()), async (text) => {
      writeFileSync(layout.record(id), text);
      const r = await readRecord(layout, id);
      if (r !== undefined) expect(isRecord(r)).toBe(true);
    }), params(RUNS));
  });
});

describe('fuzz: through the CLI error path', () => {
  test(`${Math.ceil(RUNS / 10)} random trees and command lines: exit 0, or exit 2 with one line`, async () => {
    await fc.assert(fc.asyncProperty(world, cliTokens, async ({ files }, tokens) => {
      const dir = tempDir('ix-fuzz-');
      for (const [p, t] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, p)), { recursive: true });
        writeFileSync(join(dir, p), t);
      }
      let out = '';
      let err = '';
      const code = await main(['plan', ...tokens, '--recipes', dir], {
        env: { IX_CACHE_DIR: tempDir('ix-fuzz-cache-') }, cwd: dir,
        stdout: (d) => { out += typeof d === 'string' ? d : Buffer.from(d).toString(); },
        stderr: (d) => { err += d; },
      });
      expect([0, 2], err).toContain(code);
      if (code === 2) {
        expect(err).toMatch(/^ix: error: [^\n]+\n$/);
        expect(out).toBe('');
      } else expect(err).toBe('');
    }), params(Math.ceil(RUNS / 10)));
  });
});
