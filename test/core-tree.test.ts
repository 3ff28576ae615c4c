// An IX-sized tree rendered in one process by the compiled core as long-running hosts load it
// (hosts/node/core.ts: the module compiled once, a fresh instance per call, the event loop reached
// between calls as `ix lsp` does): ~4,000 generated recipes with deep extends chains (super() at
// every level) and large outputs, each render equal to the V8 oracle's, none killing an instance.
// (A forced trap followed by an answered request: test/core-abi.test.ts.)
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { RenderRequest } from '../engine/api';
import { CoreError, CoreTrap, loadCore, type Core } from '../hosts/node/core';
import { createCore, CoreFailure } from '../wasm/core';
// @ts-expect-error plain ESM generator shared with bench/ (no type declarations)
import { generateTree } from '../bench/gen-tree.mjs';
import { treeIO } from './support/browser-host';
import { ensureCoreBuilt, outDir } from './support/cli';

const DEPTH = 40;

/** The generated tree plus deep chains and big outputs (all written here). */
function tree(): Record<string, string> {
  const files: Record<string, string> = generateTree({ libs: 3000, bins: 950, seed: 7 });
  // die/deep/d0.sh extends d1 ... d(DEPTH-1): every level adds to `body` through super()
  // the last level renders the descriptor (die/base.json of the generated tree), its script the body
  files[`die/deep/d${DEPTH - 1}.sh`] = "{% extends '//die/base.json' %}{% block bld_script_json %}"
    + '{"kind": "sh", "data": {{ (self.body() ~ self.tail()) | jd }}}{% endblock %}'
    + '{% block body %}base {{ name }}{% endblock %}\n{% block tail %}{{ self.body() | length }}{% endblock %}\n';
  for (let i = DEPTH - 2; i >= 0; i--) {
    files[`die/deep/d${i}.sh`] = `{% extends '//die/deep/d${i + 1}.sh' %}{% block body %}{% set s %}[${i}]{% endset %}{{ s }}{{ super() }}{% endblock %}`;
  }
  for (let k = 0; k < 40; k++) {
    files[`bin/deep${k}/ix.sh`] = `{% extends '//die/deep/d${k % 10}.sh' %}{% block body %}deep${k} {{ super() }}{% endblock %}`;
    if (k >= 12) continue;
    // 0.1-0.6 MB of output each from loops, filters and string building
    files[`bin/big${k}/ix.sh`] = `{% extends '//die/deep/d${30 + (k % 5)}.sh' %}{% block body %}`
      + `{% for i in range(${3000 + 1500 * k}) %}step {{ i }}: {{ ('x' ~ i) | upper }} {{ [i, i * 2] | join(',') }}\n{% endfor %}{{ super() }}{% endblock %}`;
  }
  return files;
}

let as: Core;

beforeAll(async () => {
  ensureCoreBuilt();
  if (!existsSync(join(outDir, 'manifest.json')) || JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')).backend !== 'as') {
    throw new Error(`the compiled core is not the build in ${outDir}: run 'npm run build'`);
  }
  as = await loadCore(outDir);
}, 300_000);

const answer = (f: () => string): string => {
  try {
    return f();
  } catch (e) {
    if (e instanceof CoreTrap) throw e; // an instance died: the test fails here
    if (e instanceof CoreError) return `error: ${e.message}`;
    if (e instanceof CoreFailure) return `error: ${e.record.message}`;
    throw e;
  }
};

describe('the compiled core on an IX-sized tree, in one process', () => {
  test('every recipe renders as the oracle renders it, through the long-running host path', async () => {
    const files = tree();
    const io = treeIO(files);
    const names = Object.keys(files).filter((p) => p.endsWith('/ix.sh')).map((p) => p.slice(0, -'/ix.sh'.length)).sort();
    expect(names.length).toBeGreaterThan(4000);
    const oracle = createCore(io);
    let bytes = 0;
    const errors: string[] = [];
    for (let i = 0; i < names.length; i++) {
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 0));
      const req: RenderRequest = { package: names[i], target: ['linux-x86_64', 'linux-aarch64', 'freebsd-x86_64'][i % 3] };
      const got = answer(() => as.render(io, req));
      const want = answer(() => oracle.render(JSON.stringify(req)));
      if (got !== want) expect(got, names[i]).toBe(want);
      bytes += got.length;
      if (got.startsWith('error: ')) errors.push(got);
    }
    // the generated recipes are all valid: every render is text, and the big ones are big
    expect(errors.slice(0, 3)).toEqual([]);
    expect(bytes).toBeGreaterThan(4_000_000);
    expect(answer(() => as.render(io, { package: 'bin/deep3' }))).toContain('deep3 [3][4][5]');
  }, 240_000);
});
