// Cache validation through HostIO.fileDigests (the host hashes recipe files itself, no bytes move
// into the engine) and its fallback (readFile + digest), and the per-plan read memo: both paths give
// the same bytes, detect the same changes, and a host answer of the wrong shape is ignored.
import { describe, expect, test } from 'vitest';
import type { HostIO } from '../engine/api';
import { pureBlake3, utf8Decode } from '../engine/hash/index';
import { plan } from '../engine/index';
import { req, tree } from './support/cache-tree';
import { memIO, type MemIO } from './support/memfs';

const text = (b: Uint8Array) => utf8Decode(b);

/** memIO plus a host-side fileDigests that hashes without going through readFile's call log. */
function withFileDigests(files: Record<string, string>, answer?: (paths: string[]) => (Uint8Array | undefined)[] | undefined): MemIO {
  const io = memIO(files);
  const enc = new TextEncoder();
  io.fileDigests = (paths) => {
    io.calls.push(`file-digests ${paths.join(' ')}`);
    if (answer) return answer(paths);
    return paths.map((p) => (files[p] === undefined ? undefined : pureBlake3(enc.encode(files[p]))));
  };
  return io;
}

const reads = (io: MemIO) => io.calls.filter((c) => c.startsWith('read '));
const uncached = (files: Record<string, string>) => {
  const io: HostIO = memIO({ ...files });
  delete io.cacheGet;
  delete io.cachePut;
  return text(plan(io, req));
};

describe('cache validation through fileDigests', () => {
  test('a warm re-plan hashes every recipe file once, in host batches (one per descriptor), and reads none', () => {
    const io = withFileDigests(tree());
    const cold = text(plan(io, req));
    io.calls.length = 0;
    expect(text(plan(io, req))).toBe(cold);
    expect(reads(io)).toEqual([]);
    const hashed = io.calls.filter((c) => c.startsWith('file-digests')).flatMap((c) => c.split(' ').slice(1));
    expect(hashed.sort()).toEqual(['bin/c/ix.sh', 'bin/d/ix.sh', 'die/base.json', 'die/v.txt']);
  });

  test('the same plan bytes and cache entries as a host without fileDigests', () => {
    const a = withFileDigests(tree());
    const b = memIO(tree());
    expect(text(plan(a, req))).toBe(text(plan(b, req)));
    expect([...a.cache.keys()].sort()).toEqual([...b.cache.keys()].sort());
    for (const [k, v] of a.cache) expect(Buffer.from(v).equals(Buffer.from(b.cache.get(k)!)), k).toBe(true);
    // each engine validates the other's entries: warm plans cross over
    expect(text(plan(a, req))).toBe(text(plan(b, req)));
  });

  test('a changed included file is detected by the host digests, and the new plan is right', () => {
    const files = tree();
    const io = withFileDigests(files);
    const before = text(plan(io, req));
    files['die/v.txt'] = 'v2';
    const after = text(plan(io, req));
    expect(after).not.toBe(before);
    expect(after).toContain('echo d v2');
    expect(after).toBe(uncached(files));
  });

  test('descriptor-cache lookups also use the batch: no package is re-read or re-rendered', () => {
    const io = withFileDigests(tree());
    const cold = text(plan(io, req));
    io.calls.length = 0;
    expect(text(plan(io, req))).toBe(cold);
    expect(io.calls.some((c) => c.startsWith('file-digests'))).toBe(true);
    expect(io.calls.filter((c) => c.startsWith('cache-put desc1-'))).toEqual([]);
  });

  test('a host answer of the wrong shape or with wrong digests is ignored, and disagreeing digests are a miss', () => {
    const files = tree();
    const short = withFileDigests(files, (ps) => ps.slice(1).map(() => new Uint8Array(32)));
    const cold = text(plan(short, req));
    short.calls.length = 0;
    expect(text(plan(short, req))).toBe(cold); // wrong length: falls back to readFile + digest
    expect(reads(short).length).toBeGreaterThan(0);
    const none = withFileDigests(files, () => undefined);
    expect(text(plan(none, req))).toBe(cold);
    expect(text(plan(none, req))).toBe(cold);
    // digests that disagree with the recorded ones are a miss: a fresh, correct plan from the files
    const io = withFileDigests(files);
    plan(io, req);
    io.fileDigests = (ps) => ps.map(() => new Uint8Array(32).fill(7));
    io.calls.length = 0;
    expect(text(plan(io, req))).toBe(cold);
    expect(reads(io).length).toBeGreaterThan(0);
  });
});

describe('per-plan read memo', () => {
  test('a cold plan reads each recipe file once, even a template shared by every package', () => {
    const io = memIO(tree());
    plan(io, req);
    const r = reads(io);
    expect(r.length).toBe(new Set(r).size);
    expect(r).toContain('read die/base.json');
  });
});
