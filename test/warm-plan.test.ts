// A warm re-plan in the engine (no whole-plan cache: the host keeps that, hosts/node/plan-memo.ts):
// the descriptor cache spares every render and the node memo (engine/plan/node-memo.ts) every node
// build; any change to a file a render read (also one reached only through an extends or include
// chain) gives a fresh plan equal to one made without any cache.
import { describe, expect, test } from 'vitest';
import { plan } from '../engine/index';
import { utf8Decode } from '../engine/hash/index';
import { req, tree } from './support/cache-tree';
import { memIO } from './support/memfs';

const text = (b: Uint8Array) => utf8Decode(b);

describe('warm plans through the engine caches', () => {
  test('a warm re-plan gives the same bytes without a render, a node build or a whole-plan entry', () => {
    const io = memIO(tree());
    const cold = text(plan(io, req));
    io.calls.length = 0;
    expect(text(plan(io, req))).toBe(cold);
    // nothing new is stored: every descriptor and every node came from the cache
    expect(io.calls.filter((c) => c.startsWith('cache-put'))).toEqual([]);
    expect(io.calls.filter((c) => c.startsWith('cache-get node1-'))).toHaveLength(2);
    expect([...io.cache.keys()].some((k) => k.startsWith('plan1-'))).toBe(false);
    // every file a render read was read again to check its descriptor: recipes, template, include
    expect([...new Set(io.calls.filter((c) => c.startsWith('read')))].sort()).toEqual(
      ['read bin/c/ix.sh', 'read bin/d/ix.sh', 'read die/base.json', 'read die/v.txt'],
    );
  });

  test('a change in an included file re-renders, and the new plan equals one made without any cache', () => {
    const files = tree();
    const io = memIO(files);
    const before = text(plan(io, req));
    files['die/v.txt'] = 'v2';
    const after = text(plan(io, req));
    expect(after).not.toBe(before);
    expect(after).toContain('echo d v2');
    const fresh = memIO({ ...files });
    delete fresh.cacheGet;
    delete fresh.cachePut;
    expect(text(plan(fresh, req))).toBe(after);
  });

  test('a corrupt or foreign node entry is a miss, not an error', () => {
    const io = memIO(tree());
    const a = text(plan(io, req));
    for (const k of [...io.cache.keys()].filter((k) => k.startsWith('node1-'))) io.cache.set(k, new TextEncoder().encode('ix-node-memo/1\n{'));
    expect(text(plan(io, req))).toBe(a);
    for (const k of [...io.cache.keys()].filter((k) => k.startsWith('node1-'))) io.cache.set(k, new TextEncoder().encode('something else'));
    expect(text(plan(io, req))).toBe(a);
  });
});
