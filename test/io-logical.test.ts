// hosts/node/io.ts logical(): which paths the host serves to the core and the plan memo re-checks.
// The scan must accept exactly what the plain definition accepts (split on '/', no '.', '..' or
// empty segment but a trailing one, not absolute, no backslash or NUL), checked on literal cases
// and on random strings over the characters that matter.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { logical } from '../hosts/node/io';

/** The definition, written the obvious way. */
function reference(path: string): boolean {
  if (path.startsWith('/') || path.includes('\\') || path.includes('\0')) return false;
  return path === '' || path.split('/').every((seg, i, all) => (seg !== '' || i === all.length - 1) && seg !== '.' && seg !== '..');
}

describe('logical paths', () => {
  test('literal cases', () => {
    for (const p of ['', 'a', 'a/b', 'a/', 'bin/zstd/ix.sh', '.a', 'a.', '...', 'a/..b', 'a/b..', '.x/y']) expect([p, logical(p)]).toEqual([p, true]);
    for (const p of ['/', '/a', '.', '..', './a', '../a', 'a/.', 'a/..', 'a/./b', 'a/../b', 'a//b', '//', 'a//', 'a\\b', 'a\0b', './', '../']) expect([p, logical(p)]).toEqual([p, false]);
  });

  test('agrees with the definition on random paths (fast-check)', () => {
    const ch = fc.constantFrom('a', 'b', '/', '.', '\\', '\0');
    fc.assert(fc.property(fc.array(ch, { maxLength: 10 }).map((cs) => cs.join('')), (p) => logical(p) === reference(p)), { numRuns: 20000 });
  });
});
