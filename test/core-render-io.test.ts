// What a render of the compiled core asks of its host, through hosts/node/core.ts as the CLI and
// `ix lsp` load it: with no persistent cache, every recipe file of the chain is read once, the
// package's ix.sh twice (the core hashed every file again to store a descriptor nowhere); with a
// cache, the descriptor is stored and a later render is answered from it. Sources the kept
// instance remembers across requests (wasm/as/tpl/kept.ts) answer as a fresh expansion would:
// after a file changes, and where the include nesting bound is hit only from a deeper stack.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { HostIO } from '../engine/api';
import { CoreError, loadCore, type Core } from '../hosts/node/core';
import { createCore, CoreFailure } from '../wasm/core';
import { ensureCoreBuilt, outDir } from './support/cli';

const enc = new TextEncoder();
const FILES: Record<string, string> = {
  'bin/a/ix.sh': "{% extends '//die/base.sh' %}{% block body %}{% include 'part.sh' %} a{% endblock %}",
  'bin/a/part.sh': 'part of {{ name }}',
  'die/base.sh': '{% set b %}{% block body %}{% endblock %}{% endset %}{"bld": {"deps": [], "script": {"kind": "sh", "data": {{ b | jd }}}}}',
};

let core: Core;
beforeAll(async () => {
  ensureCoreBuilt();
  if (JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')).backend !== 'as' || !existsSync(join(outDir, 'core'))) {
    throw new Error(`the compiled core is not the build in ${outDir}: run 'npm run build'`);
  }
  core = await loadCore(outDir);
}, 300_000);

/** A HostIO over FILES counting reads per path; with `cache`, an in-memory persistent cache. */
function countingIO(cache: boolean): HostIO & { reads: Map<string, number>; stored: Map<string, Uint8Array> } {
  const reads = new Map<string, number>();
  const stored = new Map<string, Uint8Array>();
  const io: HostIO & { reads: Map<string, number>; stored: Map<string, Uint8Array> } = {
    reads,
    stored,
    readFile: (p) => {
      reads.set(p, (reads.get(p) ?? 0) + 1);
      return Object.prototype.hasOwnProperty.call(FILES, p) ? enc.encode(FILES[p]) : undefined;
    },
    listDir: () => undefined,
  };
  if (cache) {
    io.cacheGet = (k) => stored.get(k);
    io.cachePut = (k, v) => void stored.set(k, enc.encode(v));
  }
  return io;
}

describe('a compiled-core render and its host', () => {
  test('without a cache, each file of the chain is read once', () => {
    const io = countingIO(false);
    const text = core.render(io, { package: 'bin/a' });
    expect(text).toContain('part of bin/a/ix.sh a');
    // the package's own ix.sh twice: the planner's existence check (plan/graph.ts), then the evaluator
    expect(Object.fromEntries(io.reads)).toEqual({ 'bin/a/ix.sh': 2, 'bin/a/part.sh': 1, 'die/base.sh': 1 });
  });

  test('with a cache, the descriptor is stored and answers the next render', () => {
    const io = countingIO(true);
    const text = core.render(io, { package: 'bin/a' });
    expect([...io.stored.keys()].some((k) => k.startsWith('as-desc1-'))).toBe(true);
    const stored = io.stored.size;
    expect(core.render(io, { package: 'bin/a' })).toBe(text);
    expect(io.stored.size).toBe(stored);
    expect(core.render(countingIO(false), { package: 'bin/a' })).toBe(text);
  });

  test('a kept source follows its files: an included file changed, then changed back', () => {
    const files: Record<string, string> = { ...FILES };
    const io: HostIO = { readFile: (p) => (Object.prototype.hasOwnProperty.call(files, p) ? enc.encode(files[p]) : undefined), listDir: () => undefined };
    const first = core.render(io, { package: 'bin/a' });
    files['bin/a/part.sh'] = 'changed {{ kind }}';
    const second = core.render(io, { package: 'bin/a' });
    expect(second).toContain('changed bin a');
    expect(second).toBe(createCore(io).render(JSON.stringify({ package: 'bin/a' })));
    files['bin/a/part.sh'] = FILES['bin/a/part.sh'];
    expect(core.render(io, { package: 'bin/a' })).toBe(first);
  });

  test('a kept include chain is refused where a fresh expansion hits the nesting bound', () => {
    // die/x0.sh .. die/x60.sh: each includes the next (61 files deep); bin/near includes x0 at
    // depth 1 (fits 64), bin/far through six more files (does not)
    const files: Record<string, string> = {};
    for (let i = 0; i < 60; i++) files[`die/x${i}.sh`] = `x${i}\n{% include '//die/x${i + 1}.sh' %}`;
    files['die/x60.sh'] = '{"bld": {"deps": []}}';
    for (let i = 0; i < 6; i++) files[`die/y${i}.sh`] = `{% include '//die/${i < 5 ? `y${i + 1}` : 'x0'}.sh' %}`;
    files['bin/near/ix.sh'] = "{% include '//die/x0.sh' %}";
    files['bin/far/ix.sh'] = "{% include '//die/y0.sh' %}";
    const io: HostIO = { readFile: (p) => (Object.prototype.hasOwnProperty.call(files, p) ? enc.encode(files[p]) : undefined), listDir: () => undefined };
    const answer = (f: () => string): string => {
      try {
        return f();
      } catch (e) {
        if (e instanceof CoreError) return `error: ${e.message}`;
        if (e instanceof CoreFailure) return `error: ${e.record.message}`;
        throw e;
      }
    };
    for (const order of [['bin/near', 'bin/far'], ['bin/far', 'bin/near']]) {
      for (const name of order) {
        const want = answer(() => createCore(io).render(JSON.stringify({ package: name })));
        expect(answer(() => core.render(io, { package: name })), name).toBe(want);
      }
    }
    expect(answer(() => core.render(io, { package: 'bin/far' }))).toMatch(/includes nested deeper than 64/);
  });
});
