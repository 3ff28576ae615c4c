// DiskCache.get with `into` (hosts/node/cache.ts, cache-pack.ts readRecordInto): an entry larger
// than INTO_RECORD is read straight into the array the caller allocates (the compiled core's
// memory, wasm/direct-core.ts) and that array is the answer; a small one is answered as without
// it. Real packs on disk: a flipped byte, another key's record, a torn tail are misses, and
// `into` is never called for a record whose head line is not the key's.
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cacheBase, diskCache } from '../hosts/node/cache';
import { INTO_RECORD, loadIndexes } from '../hosts/node/cache-pack';
import { tempDir } from './support/cli';

/** `n` bytes that differ by key and position. */
const valueOf = (seed: number, n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) & 0xff);

/** An `into` that allocates inside a larger arena (as the core's memory), logging each length asked. */
function arena() {
  const mem = new Uint8Array(4 * INTO_RECORD + 4096);
  const asked: number[] = [];
  const into = (n: number) => {
    asked.push(n);
    return mem.subarray(16, 16 + n);
  };
  return { mem, asked, into };
}

describe('cache entries read into a given array', () => {
  test('a large entry lands in the given array, a small one does not; both read back the same bytes', () => {
    const dir = tempDir('ix-cache-');
    const c = diskCache(dir, 'ns');
    const big = valueOf(1, INTO_RECORD + 1000);
    const small = valueOf(2, 1000);
    c.put('key-big', big);
    c.put('key-small', small);
    for (const r of [c, diskCache(dir, 'ns')]) { // its own pack, then another process's view
      const a = arena();
      const got = r.get('key-big', a.into)!;
      expect(a.asked).toEqual([big.length]);
      expect(got.buffer).toBe(a.mem.buffer);
      expect(got.byteOffset).toBe(16);
      expect(Buffer.from(got).equals(Buffer.from(big))).toBe(true);
      const b = arena();
      expect(Buffer.from(r.get('key-small', b.into)!).equals(Buffer.from(small))).toBe(true);
      expect(b.asked).toEqual([]);
      expect(Buffer.from(r.get('key-big')!).equals(Buffer.from(big))).toBe(true); // without `into` as before
      expect(r.get('key-none', a.into)).toBeUndefined();
    }
  });

  test('a flipped byte, another key\'s record and a torn tail are misses; a foreign head never allocates', () => {
    const dir = tempDir('ix-cache-');
    const c = diskCache(dir, 'ns');
    const n = INTO_RECORD + 5000;
    for (let i = 0; i < 4; i++) c.put(`key-${i}`, valueOf(i, n));
    const base = cacheBase(dir, 'ns');
    const spans = loadIndexes(base);
    const pack = join(base, `${spans.get('key-0')!.pack}.pack`);
    const bytes = readFileSync(pack);
    const s1 = spans.get('key-1')!;
    bytes[s1.offset + s1.length - 10] ^= 1; // key-1: one byte of its body flipped, near the end
    const s0 = spans.get('key-0')!;
    bytes[s0.offset + 310] ^= 1; // key-0: a byte within the first read (head line and start of the body)
    const s2 = spans.get('key-2')!;
    const s3 = spans.get('key-3')!;
    expect(s3.length).toBe(s2.length);
    bytes.copy(bytes, s2.offset, s3.offset, s3.offset + s3.length); // key-2 holds key-3's record
    writeFileSync(pack, bytes);
    const r = diskCache(dir, 'ns');
    const a = arena();
    expect(r.get('key-1', a.into)).toBeUndefined();
    expect(r.get('key-0', a.into)).toBeUndefined();
    expect(a.asked).toEqual([n, n]); // allocated, then dropped: the seal failed
    const b = arena();
    expect(r.get('key-2', b.into)).toBeUndefined();
    expect(b.asked).toEqual([]);
    expect(Buffer.from(r.get('key-3', b.into)!).equals(Buffer.from(valueOf(3, n)))).toBe(true);
    truncateSync(pack, s3.offset + s3.length - 100); // key-3, last, torn
    const t = arena();
    expect(diskCache(dir, 'ns').get('key-3', t.into)).toBeUndefined();
  });
});
