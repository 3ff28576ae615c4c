// The disk cache's background writes (hosts/node/cache-writer.ts): a put is readable at once in
// the same process, lands on disk byte-identical to a synchronous put once flushed, never leaves
// a temporary file, and a write that cannot happen is a later miss, not an error. The CLI flushes
// before a command ends, so a cold `ix plan` leaves every entry the next process needs.
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { diskCache } from '../hosts/node/cache';
import { flushCacheWrites } from '../hosts/node/cache-writer';
import { ensureCoreBuilt, ix, tempDir, world, writeTree } from './support/cli';

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]));

test('a background put is read back at once and written byte-identical to a synchronous one', async () => {
  const bg = tempDir('ix-cache-');
  const sync = tempDir('ix-cache-');
  const a = diskCache(bg, 'ns', { background: true });
  const b = diskCache(sync, 'ns');
  const values = Array.from({ length: 300 }, (_, i) => new Uint8Array(i * 97 + 1).fill(i % 251));
  values.forEach((v, i) => {
    a.put(`key-${i}`, v);
    b.put(`key-${i}`, v);
  });
  a.put('key-big', new Uint8Array(3 << 20).fill(7)); // bigger than Node's buffer pool
  b.put('key-big', new Uint8Array(3 << 20).fill(7));
  a.put('key-7', new Uint8Array([1, 2, 3])); // a rewrite: the later value wins, in memory and on disk
  b.put('key-7', new Uint8Array([1, 2, 3]));
  expect([...(a.get('key-7') ?? [])]).toEqual([1, 2, 3]);
  expect(a.get('key-12')?.length).toBe(12 * 97 + 1);
  await flushCacheWrites();
  expect(files(bg).sort()).toEqual(files(sync).sort());
  for (const f of files(sync)) expect(readFileSync(join(bg, f)).equals(readFileSync(join(sync, f))), f).toBe(true);
  expect(files(bg).filter((f) => f.includes('.tmp-'))).toEqual([]);
  const fresh = diskCache(bg, 'ns');
  expect([...(fresh.get('key-7') ?? [])]).toEqual([1, 2, 3]);
  expect(fresh.get('key-big')?.every((x) => x === 7)).toBe(true);
});

test('past the in-memory budget a pending entry is a miss or the right bytes, never other bytes', async () => {
  const dir = tempDir('ix-cache-');
  const c = diskCache(dir, 'ns', { background: true });
  const mib = (i: number) => new Uint8Array(1 << 20).fill(i);
  for (let i = 0; i < 80; i++) c.put(`big-${i}`, mib(i)); // 80 MiB: more than the cache keeps in memory
  for (let i = 0; i < 80; i++) {
    const got = c.get(`big-${i}`);
    if (got !== undefined) expect(got.length === 1 << 20 && got.every((x) => x === i), `big-${i}`).toBe(true);
  }
  expect(c.get('big-0')?.[0]).toBe(0); // the first ones are kept in memory (or already on disk)
  await flushCacheWrites();
  const fresh = diskCache(dir, 'ns');
  for (let i = 0; i < 80; i++) expect(fresh.get(`big-${i}`)?.[5], `big-${i}`).toBe(i);
});

test('a background write that fails is a later miss, leaves no temporary file, and flush still resolves', async () => {
  const dir = tempDir('ix-cache-');
  // a directory where the entry's file would go: the rename fails (modes would not stop root)
  mkdirSync(join(dir, 'v3', 'ns', 'ke', 'key-dir'), { recursive: true });
  const c = diskCache(dir, 'ns', { background: true });
  c.put('key-dir', new Uint8Array([1]));
  c.put('unsafe/../key', new Uint8Array([1])); // never stored, like a synchronous put
  await flushCacheWrites();
  expect(diskCache(dir, 'ns').get('key-dir')).toBeUndefined();
  expect(readdirSync(join(dir, 'v3', 'ns', 'ke'))).toEqual(['key-dir']);
});

test('a cold `ix plan` leaves its cache entries on disk when the process exits (the CLI flushes)', () => {
  ensureCoreBuilt();
  const root = writeTree(world);
  const cache = tempDir('ix-cache-');
  const first = ix(['plan', 'bin/app', '--json', '--recipes', root], { env: { IX_CACHE_DIR: cache } });
  expect(first.code).toBe(0);
  const names = files(cache).map((f) => f.split('/').pop()!);
  for (const kind of ['tpl1-', 'desc1-', 'plan1-', 'memo1-', 'memob-']) expect(names.some((n) => n.startsWith(kind)), kind).toBe(true);
  expect(names.filter((n) => n.includes('.tmp-'))).toEqual([]);
});
