// Caches that cannot lie: every entry the CLI wrote for a real plan (compiled templates tpl1-,
// descriptors desc1-, plans plan1-) is corrupted in place; the next run must plan the same bytes,
// never the corrupted content. A control shows the corruption would change the plan if trusted.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { diskCache } from '../hosts/node/cache';
import { ensureCoreBuilt, ix, outDir, tempDir, world, writeTree } from './support/cli';

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

/** A filled cache directory and its entries of one kind: [key, file]. */
function filled(kind: string): { dir: string; entries: [string, string][] } {
  const dir = tempDir('ix-cache-');
  const r = ix(['plan', 'bin/app', '--json', '--recipes', root], { env: { IX_CACHE_DIR: dir } });
  expect(r.out).toBe(expected);
  const base = join(dir, 'v3', namespace());
  const entries: [string, string][] = [];
  for (const sub of readdirSync(base)) {
    for (const k of readdirSync(join(base, sub))) {
      if (k.startsWith(kind)) entries.push([k, join(base, sub, k)]);
      // The host's plan memo (hosts/node/plan-memo.ts) answers before the core reads its own
      // entries: drop it when those are under test, so the core really reads them.
      else if (!kind.startsWith('memo') && /^memo[1b]-/.test(k)) rmSync(join(base, sub, k));
    }
  }
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

describe.each(['tpl1-', 'desc1-', 'plan1-', 'memo1-', 'memob-'])('%s entries', (kind) => {
  test('truncated: a miss, the same plan', () => {
    const { dir, entries } = filled(kind);
    for (const [, f] of entries) writeFileSync(f, readFileSync(f).subarray(0, -7));
    expect(planWith(dir).out).toBe(expected);
  });

  test('corrupted (same length, content changed): a miss, the same plan', () => {
    const { dir, entries } = filled(kind);
    let changed = 0;
    for (const [, f] of entries) {
      const b = readFileSync(f);
      const bad = forged(b) ?? Buffer.from(b.map((x, i) => (i === b.length - 2 ? x ^ 1 : x)));
      writeFileSync(f, bad);
      changed++;
    }
    expect(changed).toBeGreaterThan(0);
    expect(planWith(dir).out).toBe(expected);
  });

  test('foreign (another entry, or another key\'s, copied over it): a miss, the same plan', () => {
    const { dir, entries } = filled(kind);
    const other = tempDir('ix-recipes-');
    writeTree({ ...world, 'bin/app/ix.sh': world['bin/app/ix.sh'].replace('echo app', 'echo two') }, other);
    const theirs = tempDir('ix-cache-');
    ix(['plan', 'bin/app', '--json', '--recipes', other], { env: { IX_CACHE_DIR: theirs } });
    const tb = join(theirs, 'v3', namespace());
    const foreign = readdirSync(tb).flatMap((s) => readdirSync(join(tb, s)).filter((k) => k.startsWith(kind)).map((k) => join(tb, s, k)));
    expect(foreign.length).toBeGreaterThan(0);
    entries.forEach(([, f], i) => writeFileSync(f, readFileSync(foreign[i % foreign.length])));
    expect(planWith(dir).out).toBe(expected);
  });
});

test('control: a forged plan entry with a valid digest would be believed, so the digest is what refuses it', async () => {
  const { dir, entries } = filled('plan1-');
  const c = diskCache(dir, namespace());
  const [key, file] = entries[0];
  const raw = readFileSync(file);
  const body = raw.subarray(raw.indexOf(10) + 1);
  c.put(key, forged(body)!);
  expect(planWith(dir).out).not.toBe(expected);
});
