// The whole-plan cache (engine/plan/plan-cache.ts) in front of plan(): a warm re-plan returns the
// stored bytes after re-hashing only the recipe files; any change to a file the plan was made from
// (also one reached only through an extends or include chain) gives a fresh, correct plan.
import { describe, expect, test } from 'vitest';
import { plan } from '../engine/index';
import { utf8Decode } from '../engine/hash/index';
import { req, tree } from './support/cache-tree';
import { memIO } from './support/memfs';

const text = (b: Uint8Array) => utf8Decode(b);

describe('whole-plan cache', () => {
  test('a warm re-plan gives the same bytes from one plan-cache read, with no descriptor lookup or render', () => {
    const io = memIO(tree());
    const cold = text(plan(io, req));
    io.calls.length = 0;
    expect(text(plan(io, req))).toBe(cold);
    const gets = io.calls.filter((c) => c.startsWith('cache-get'));
    expect(gets).toHaveLength(1);
    expect(gets[0]).toMatch(/^cache-get plan1-[0-9a-f]{64}$/);
    expect(io.calls.filter((c) => c.startsWith('cache-put'))).toEqual([]);
    // Every file the plan came from was re-read to check it: the recipes, the template, the include.
    expect(io.calls.filter((c) => c.startsWith('read')).sort()).toEqual(
      ['read bin/c/ix.sh', 'read bin/d/ix.sh', 'read die/base.json', 'read die/v.txt'],
    );
  });

  test('a change in an included file invalidates it, and the new plan equals one made without any cache', () => {
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

  test('other requests have other entries; a corrupt or foreign entry is a miss, not an error', () => {
    const io = memIO(tree());
    const a = text(plan(io, req));
    const b = text(plan(io, { packages: ['bin/d'], target: 'linux-aarch64' }));
    expect(b).not.toBe(a);
    for (const k of [...io.cache.keys()].filter((k) => k.startsWith('plan1-'))) io.cache.set(k, new TextEncoder().encode('ix-plan-cache/1\n[[\n{'));
    expect(text(plan(io, req))).toBe(a);
    for (const k of [...io.cache.keys()].filter((k) => k.startsWith('plan1-'))) io.cache.set(k, new TextEncoder().encode('something else'));
    expect(text(plan(io, req))).toBe(a);
  });

  test('a failed plan is not stored', () => {
    const files = tree();
    files['bin/d/ix.sh'] = "{% extends '//die/base.json' %}\n{% block deps %}\"bin/nope\"{% endblock %}\n";
    const io = memIO(files);
    expect(() => plan(io, req)).toThrow(/bin\/nope/);
    expect([...io.cache.keys()].some((k) => k.startsWith('plan1-'))).toBe(false);
  });
});
