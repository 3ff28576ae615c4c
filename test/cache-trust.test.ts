// Caches that cannot lie: every entry the CLI wrote for a real plan (the core's descriptors and
// plans, and compiled templates where the core keeps them; support/cli.ts coreEntryKinds) is corrupted in place; the next run must plan the same bytes,
// never the corrupted content. A control shows the corruption would change the plan if trusted.
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { diskCache } from '../hosts/node/cache';
import { loadIndexes, type Span } from '../hosts/node/cache-pack';
import { coreEntryKinds, ensureCoreBuilt, ix, outDir, tempDir, world, writeTree } from './support/cli';

let root: string;
let expected: string;
beforeAll(() => {
  ensureCoreBuilt();
  root = writeTree(world);
  const r = ix(['plan', 'bin/app', '--json', '--recipes', root]);
  expect(r.code).toBe(0);
  expected = r.out;
});

const namespace = () => 'core-' + (JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as { coreWasmBlake3: string }).coreWasmBlake3.slice(0, 16);

/** One entry of a pack: its key, the pack file and the record's place in it. */
interface Entry {
  key: string;
  pack: string;
  span: Span;
}

/** A cache directory's namespace for this core. */
const baseOf = (dir: string) => join(dir, 'v4', namespace());

/**
 * A filled cache directory and its entries of one kind. The host's plan memo
 * (hosts/node/plan-memo.ts) answers before the core reads its own entries: its index lines are
 * dropped when those are under test, so the core really reads them.
 */
function filled(kind: string): { dir: string; entries: Entry[] } {
  const dir = tempDir('ix-cache-');
  const r = ix(['plan', 'bin/app', '--json', '--recipes', root], { env: { IX_CACHE_DIR: dir } });
  expect(r.out).toBe(expected);
  const base = baseOf(dir);
  if (!kind.startsWith('memo')) {
    for (const n of readdirSync(base).filter((f) => f.endsWith('.idx'))) {
      const lines = readFileSync(join(base, n), 'latin1').split('\n');
      writeFileSync(join(base, n), lines.filter((l) => !/^memo[1b]-/.test(l)).join('\n'), 'latin1');
    }
  }
  const entries = [...loadIndexes(base)].filter(([k]) => k.startsWith(kind)).map(([key, span]) => ({ key, span, pack: join(base, `${span.pack}.pack`) }));
  expect(entries.length, `${kind} entries`).toBeGreaterThan(0);
  return { dir, entries };
}

const planWith = (dir: string) => ix(['plan', 'bin/app', '--json', '--recipes', root], { env: { IX_CACHE_DIR: dir } });

/** The entry with "echo app" turned into "echo APP" (same length): a plan that would differ. */
function forged(buf: Buffer): Buffer | undefined {
  const at = buf.indexOf('echo app');
  if (at < 0) return undefined;
  const out = Buffer.from(buf);
  out.write('APP', at + 5, 'latin1');
  return out;
}

/** The record of `e` in its pack. */
const recordOf = (e: Entry): Buffer => readFileSync(e.pack).subarray(e.span.offset, e.span.offset + e.span.length);

/** Overwrites `e`'s record in place with `bytes` (same length). */
function overwrite(e: Entry, bytes: Buffer): void {
  const all = readFileSync(e.pack);
  bytes.copy(all, e.span.offset);
  writeFileSync(e.pack, all);
}

/** Points `e`'s index line at `bytes`, appended to its pack (a record that may not be its own). */
function repoint(dir: string, e: Entry, bytes: Buffer): void {
  const size = readFileSync(e.pack).length;
  appendFileSync(e.pack, bytes);
  const idx = e.pack.replace(/\.pack$/, '.idx');
  const text = readFileSync(idx, 'latin1').replace(`\n${e.key} ${e.span.offset} ${e.span.length} `, `\n${e.key} ${size} ${bytes.length} `);
  writeFileSync(idx, text, 'latin1');
  expect(loadIndexes(baseOf(dir)).get(e.key)?.offset).toBe(size);
}

describe.each([...coreEntryKinds().core, 'memo1-', 'memob-'])('%s entries', (kind) => {
  test('truncated: a miss, the same plan', () => {
    const { dir, entries } = filled(kind);
    for (const e of entries) repoint(dir, e, recordOf(e).subarray(0, -7));
    expect(planWith(dir).out).toBe(expected);
  });

  test('corrupted (same length, content changed): a miss, the same plan', () => {
    const { dir, entries } = filled(kind);
    let changed = 0;
    for (const e of entries) {
      const b = recordOf(e);
      overwrite(e, forged(b) ?? Buffer.from(b.map((x, i) => (i === b.length - 2 ? x ^ 1 : x))));
      changed++;
    }
    expect(changed).toBeGreaterThan(0);
    expect(planWith(dir).out).toBe(expected);
  });

  test('foreign (another entry, or another key\'s, in its place): a miss, the same plan', () => {
    const { dir, entries } = filled(kind);
    const other = tempDir('ix-recipes-');
    writeTree({ ...world, 'bin/app/ix.sh': world['bin/app/ix.sh'].replace('echo app', 'echo two') }, other);
    const theirs = tempDir('ix-cache-');
    ix(['plan', 'bin/app', '--json', '--recipes', other], { env: { IX_CACHE_DIR: theirs } });
    const tb = baseOf(theirs);
    const foreign = [...loadIndexes(tb)].filter(([k]) => k.startsWith(kind)).map(([key, span]) => recordOf({ key, span, pack: join(tb, `${span.pack}.pack`) }));
    expect(foreign.length).toBeGreaterThan(0);
    entries.forEach((e, i) => repoint(dir, e, foreign[i % foreign.length]));
    expect(planWith(dir).out).toBe(expected);
  });
});

test('control: a forged entry (a plan, or a script the plan lists) with a valid digest would be believed, so the digest is what refuses it', async () => {
  const { dir, entries } = filled(coreEntryKinds().plan);
  const c = diskCache(dir, namespace());
  // the entry holding bin/app's "echo app" (a plan holds it; of the scripts, one does)
  const bodyOf = (e: Entry): Buffer => {
    const raw = recordOf(e);
    return raw.subarray(raw.indexOf(10) + 1);
  };
  const target = entries.find((e) => forged(bodyOf(e)) !== undefined)!;
  expect(target).toBeDefined();
  c.put(target.key, forged(bodyOf(target))!);
  expect(planWith(dir).out).not.toBe(expected);
});
