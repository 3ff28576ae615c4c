// What a render of the compiled core asks of its host, through hosts/node/core.ts as the CLI and
// `ix lsp` load it: with no persistent cache, every recipe file of the chain is read once, the
// package's ix.sh twice (the core hashed every file again to store a descriptor nowhere); with a
// cache, the descriptor is stored and a later render is answered from it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { HostIO } from '../engine/api';
import { loadCore, type Core } from '../hosts/node/core';
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
});
