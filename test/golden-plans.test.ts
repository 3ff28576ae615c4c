// Golden plans: the plans of pkgs/ packages and of the synthetic tree, for the
// native target and two cross targets, pinned in test/golden/plans/<name>.<target>.json.
// Planned by the engine from source over the real pkgs/ files (test/determinism.test.ts proves
// the built core gives the same bytes). A golden holds the plan pretty-printed; the test also
// checks the bytes are canonical, so the pretty form pins the exact bytes.
// To regenerate: UPDATE_GOLDEN=1 npx vitest run test/golden-plans.test.ts
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { plan } from '../engine/index';
import { canonicalJson, utf8Decode } from '../engine/hash/index';
import { fsHostIO } from '../hosts/node/io';
import { treeIO } from './support/browser-host';
import { repoRoot, TREE } from './support/browser-node';
import { expectGolden } from './support/golden';
import type { HostIO } from '../engine/api';

const TARGETS = ['linux-x86_64', 'linux-aarch64', 'freebsd-x86_64'];
/** pkgs/ packages with golden plans; one without a recipe yet is skipped (and says so). */
const PKGS = ['bin/zstd', 'bin/xz', 'bin/lz4', 'bin/gzip'];

function golden(io: HostIO, pkg: string, target: string, file: string): void {
  const text = utf8Decode(plan(io, { packages: [pkg], target }));
  const value = JSON.parse(text);
  expect(canonicalJson(value), 'plan bytes are canonical JSON').toBe(text);
  expect(value.target).toBe(target);
  expectGolden(`golden/plans/${file}.${target}.json`, JSON.stringify(value, null, 1));
}

describe('golden plans of pkgs/', () => {
  const io = fsHostIO([join(repoRoot, 'pkgs')]);
  for (const pkg of PKGS) {
    const present = existsSync(join(repoRoot, 'pkgs', pkg, 'ix.sh'));
    for (const target of TARGETS) {
      test.skipIf(!present)(`${pkg} for ${target}${present ? '' : ' (no recipe yet)'}`, () => {
        golden(io, pkg, target, pkg.replace(/\//g, '-'));
      });
    }
  }
});

describe('golden plans of the synthetic tree (bench/gen-tree.mjs, 40 libraries)', () => {
  for (const target of TARGETS) {
    test(`set/world for ${target}`, () => golden(treeIO(TREE), 'set/world', target, 'synthetic-world'));
  }
});
