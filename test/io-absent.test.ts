// A snapshot HostIO (hosts/node/io.ts) skips a root under a directory it found absent there, or
// not a directory, earlier in the same command, and a lower root's directory that its parent's
// listing there does not hold: the same answers as a HostIO that looks every time, with no stat
// or open of those paths (real files; node:fs's statSync and openSync counted).
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import type { HostIO } from '../engine/api';
import { fsHostIO } from '../hosts/node/io';
import { tempDir } from './support/cli';

/** Every path the code under test stat-ed or opened. */
const touched = vi.hoisted(() => [] as string[]);
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const statSync = ((...a: Parameters<typeof fs.statSync>) => {
    touched.push(String(a[0]));
    return fs.statSync(...a);
  }) as typeof fs.statSync;
  const openSync = ((...a: Parameters<typeof fs.openSync>) => {
    touched.push(String(a[0]));
    return fs.openSync(...a);
  }) as typeof fs.openSync;
  return { ...fs, default: { ...fs, statSync, openSync }, statSync, openSync };
});

/** What `io` answers for each step (a throw as its message), in order. */
function answers(io: HostIO, steps: string[]): unknown[] {
  return steps.map((s) => {
    try {
      return s.endsWith('/') || s === '' ? io.listDir(s)?.sort() : io.readFile(s) && Buffer.from(io.readFile(s)!).toString();
    } catch (e) {
      return `throws: ${(e as Error).message}`;
    }
  });
}

describe('a snapshot skips what lies under a directory absent from a root', () => {
  test('the same answers as looking every time, without touching the absent root below it', () => {
    const top = tempDir('ix-recipes-');
    const low = tempDir('ix-lower-');
    for (const d of ['bin/x', 'bin/y', 'lib/z', 'die']) mkdirSync(join(top, d), { recursive: true });
    writeFileSync(join(top, 'bin/x/ix.sh'), 'x\n');
    writeFileSync(join(top, 'bin/y/ix.sh'), 'y\n');
    writeFileSync(join(top, 'lib/z/ix.sh'), 'z\n');
    symlinkSync('loop', join(top, 'bin/x/loop')); // a link loop: still an error, from the first root
    mkdirSync(join(low, 'die'), { recursive: true });
    writeFileSync(join(low, 'die/base.sh'), 'base\n');
    writeFileSync(join(low, 'lib'), 'a file where the first root has a directory\n');
    const steps = ['', 'bin/', 'bin/x/', 'bin/x/ix.sh', 'bin/y/', 'bin/y/ix.sh', 'bin/none.sh', 'lib/', 'lib/z/', 'lib/z/ix.sh', 'die/', 'die/base.sh', 'bin/x/loop'];
    const want = answers(fsHostIO([top, low]), steps);
    expect(want[11]).toBe('base\n'); // the second root still serves what only it has
    touched.length = 0;
    const got = answers(fsHostIO([top, low], { snapshot: true }), steps);
    expect(got).toEqual(want);
    const below = touched.filter((p) => p.startsWith(low)).map((p) => p.slice(low.length));
    // the second root is looked at for '' and die/, never at or below bin/ or lib/: its listing of
    // '' has no directory bin/ or lib/ (lib is a file), so neither needs a stat there
    expect(below.filter((p) => /^\/(bin|lib)\//.test(p))).toEqual([]);
    expect(below).toEqual(expect.arrayContaining(['/', '/die/', '/die/base.sh']));
    expect(got[12]).toMatch(/^throws: bin\/x\/loop: a loop of symbolic links/);
  });
});
