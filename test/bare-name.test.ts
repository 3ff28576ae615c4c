// A package named on the command line by its last path component (`zstd`): the refusal names the
// package that exists (bin/zstd), never a selector that fails in turn, and the engine's "unknown
// package" for a kind-named selector does the same. Through the CLI, as a user meets it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { suggestPackage } from '../engine/plan/packages';
import { ensureCoreBuilt, ixAsync, recipe, tempDir } from './support/cli';
import { memIO } from './support/memfs';

beforeAll(() => ensureCoreBuilt());

const env = (): Record<string, string | undefined> => ({
  PATH: process.env.PATH, HOME: tempDir('ix-bare-home-'), IX_ROOT: join(tempDir('ix-bare-root-'), 'root'), IX_CACHE_DIR: tempDir('ix-bare-cache-'), IX_DEBUG: '',
});

test('a bare name that is a package\'s last component suggests that package, and the suggestion plans', async () => {
  const e = env();
  const r = await ixAsync(['build', 'zstd'], e);
  expect(r.err).toBe("ix: error: 'zstd' is not a package (package names contain '/': did you mean bin/zstd?)\n");
  expect(r.code).toBe(2);
  const p = await ixAsync(['plan', 'bin/zstd'], e);
  expect(p.err).toBe('');
  expect(p.out).toMatch(/^\/ix\/store\/[0-9a-z]{32}-bin-zstd\n$/);
  expect(p.code).toBe(0);
}, 60_000);

test('the engine\'s unknown package names the package whose last component it is', async () => {
  const r = await ixAsync(['plan', 'zstd(kind=bin)'], env());
  expect(r.err).toBe("ix: error: unknown package 'zstd' (did you mean bin/zstd?)\n");
  expect(r.code).toBe(2);
}, 60_000);

test('in the user\'s recipe roots: a deep package is found by its last component; no package, no selector suggested', async () => {
  const dir = tempDir('ix-bare-recipes-');
  mkdirSync(join(dir, 'lib', 'deep', 'thing'), { recursive: true });
  writeFileSync(join(dir, 'lib', 'deep', 'thing', 'ix.sh'), '{"bld": {"script": {"kind": "sh", "data": "echo thing"}}}\n');
  const e = env();
  const found = await ixAsync(['render', 'thing(x=1)', '--recipes', dir], e);
  expect(found.err).toBe("ix: error: 'thing(x=1)' is not a package (package names contain '/': did you mean lib/deep/thing?)\n");
  expect(found.code).toBe(2);
  const none = await ixAsync(['render', 'nosuchthing', '--recipes', dir], e);
  expect(none.err).toBe("ix: error: 'nosuchthing' is not a package (package names contain '/', e.g. bin/zstd)\n");
  expect(none.code).toBe(2);
}, 60_000);

test('the engine reference suggests by last component first, else by distance', () => {
  const io = memIO({ 'bin/zstd/ix.sh': recipe({ script: 'z' }), 'lib/zstd/ix.sh': recipe({ script: 'l' }), 'lib/a/deep/ix.sh': recipe({ script: 'd' }) });
  expect(suggestPackage(io, 'zstd')).toBe(' (did you mean bin/zstd?)');
  expect(suggestPackage(io, 'deep')).toBe(' (did you mean lib/a/deep?)');
  expect(suggestPackage(io, 'bin/zstdd')).toBe(' (did you mean bin/zstd?)');
  expect(suggestPackage(io, 'qqqqqqqqqqqq')).toBe('');
});
