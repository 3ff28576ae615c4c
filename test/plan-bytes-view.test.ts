// The compiled core's glue hands a plan's bytes out as a view of that plan's own instance memory
// (wasm/plan-bytes-view.mjs): the rewrite touches only the plan export's byte-list lift and
// refuses a glue of another shape, and a plan's bytes stay intact through later plans, renders
// and package lists of the same loaded core (each plan gets a fresh instance: wasm/loader.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadCore } from '../hosts/node/core';
import { fsHostIO } from '../hosts/node/io';
import { planBytesView } from '../wasm/plan-bytes-view.mjs';
import { ensureCoreBuilt, outDir, world, writeTree } from './support/cli';

const copy = (p: string, l: string) => `new Uint8Array(memory0.buffer.slice(${p}, ${p} + ${l} * 1))`;
const glue = (planBody: string) =>
  `const x = 1;\n  function render(arg0) {\n    var a = ${copy('ptr1', 'len1')};\n  }\n  function plan(arg0) {\n${planBody}\n  }\n  function list() {\n    var b = ${copy('ptr9', 'len9')};\n  }\n`;

describe('plan-bytes-view rewrite', () => {
  test("rewrites the plan export's byte lift only; refuses any other shape", () => {
    const out = planBytesView(glue(`    var s = utf16(ptr1);\n    var result2 = ${copy('ptr2', 'len2')};`));
    expect(out).toContain('var result2 = new Uint8Array(memory0.buffer, ptr2, len2);');
    expect(out).toContain(`var a = ${copy('ptr1', 'len1')};`);
    expect(out).toContain(`var b = ${copy('ptr9', 'len9')};`);
    expect(() => planBytesView(glue('    var s = 1;'))).toThrow(/0 byte-list lifts/);
    expect(() => planBytesView(glue(`    var r = ${copy('ptr2', 'len2')}; var q = ${copy('ptr3', 'len3')};`))).toThrow(/2 byte-list lifts/);
    expect(() => planBytesView('function plan(arg0) {}')).toThrow(/plan function not found/);
  });

  describe('the built core', () => {
    beforeAll(() => ensureCoreBuilt());

    test('a plan answer stays intact through later calls of the same core', async () => {
      const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as { backend: string };
      const js = readFileSync(join(outDir, 'core', 'core.js'), 'utf8');
      if (manifest.backend === 'as') expect(js).toMatch(/function plan\(arg0\) \{[\s\S]*?new Uint8Array\(memory0\.buffer, ptr\d+, len\d+\)/);
      const core = await loadCore(outDir);
      const io = fsHostIO([writeTree(world)]);
      const first = core.plan(io, { packages: ['set/all'] });
      const kept = Buffer.from(first); // a copy taken at once
      const other = core.plan(io, { packages: ['bin/lone'], target: 'linux-aarch64' });
      expect(core.render(io, { package: 'lib/z' }).length).toBeGreaterThan(0);
      expect(core.listPackages(io).length).toBeGreaterThan(3);
      const again = core.plan(io, { packages: ['set/all'] });
      expect(Buffer.from(first).equals(kept)).toBe(true);
      expect(Buffer.from(again).equals(kept)).toBe(true);
      expect(Buffer.from(other).equals(kept)).toBe(false);
      expect((JSON.parse(new TextDecoder().decode(first)) as { format: string }).format).toBe('ix-plan/4');
    });
  });
});
