// The whole-plan cache must be invalidated by a change in a dependency's recipe also when that
// dependency's descriptor came from the descriptor cache while the plan was stored (found by the
// language server: `ix plan bin/uses-q` kept printing its old store path after lib/q broke).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { ensureCoreBuilt, ix, tempDir, writeTree } from './support/cli';

beforeAll(() => ensureCoreBuilt());

test('a changed dependency invalidates a cached plan whose dependency was a descriptor-cache hit', () => {
  const dir = writeTree({
    'lib/q/ix.sh': "{% extends '//die/c/make.sh' %}\n{% block build %}\nmake\n{% endblock %}\n",
    'bin/uses-q/ix.sh': "{% extends '//die/c/make.sh' %}\n{% block lib_deps %}\nlib/q\n{% endblock %}\n",
  });
  const env = { IX_CACHE_DIR: tempDir('ix-cache-') };
  const plan = (pkg: string) => ix(['plan', pkg, '--recipes', dir], { env });
  expect(plan('lib/q').code).toBe(0); // lib/q's descriptor goes to the cache
  const before = plan('bin/uses-q'); // lib/q: a descriptor-cache hit; the plan is cached
  expect(before.code).toBe(0);
  writeFileSync(join(dir, 'lib/q/ix.sh'), "{% extends '//die/c/make.sh' %}\n{% block build %}\nmake -k\n{% endblock %}\n");
  const after = plan('bin/uses-q');
  expect(after.code).toBe(0);
  expect(after.out).not.toBe(before.out);
  writeFileSync(join(dir, 'lib/q/ix.sh'), "{% extends '//die/c/make.sh' %}\n{% block build %}\n{{ broken() }}\n{% endblock %}\n");
  expect(plan('bin/uses-q').err).toContain("lib/q/ix.sh:3: call of undefined 'broken' (package bin/uses-q -> lib/q)");
});
