// The one error path (hosts/node/errors.ts): each kind of failure, injected for real, gives its
// exit code and one line: 2 a user mistake, 3 the environment (read-only store root, disk full
// through a small tmpfs, util-linux flock missing from PATH), 70 a bug with a hint to report it.
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { EnvironmentError, UsageError } from '../hosts/common';
import { IxError } from '../engine/errors';
import { classify, report } from '../hosts/node/errors';
import { haveBusybox } from './fixtures/hostile/kit';
import { ensureCoreBuilt, ix, repoRoot, tempDir, writeTree } from './support/cli';
import { isRoot, missing, onPath, MissingPrerequisite } from './support/prereq';

const recipes = join(repoRoot, 'test', 'fixtures', 'hostile', 'recipes');
const oneLine = (err: string) => {
  expect(err.trim().split('\n')).toHaveLength(1);
  expect(err).not.toMatch(/\n\s+at /);
};

describe('classify', () => {
  test('user mistakes are 2, the environment 3, anything else 70 with a hint to report it', () => {
    expect(classify(new UsageError('bad'))).toEqual({ code: 2, message: 'ix: error: bad' });
    expect(classify(new IxError('bad recipe')).code).toBe(2);
    expect(classify(new EnvironmentError('no flock'))).toEqual({ code: 3, message: 'ix: error: no flock' });
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', path: '/r/x' });
    expect(classify(enospc)).toEqual({ code: 3, message: 'ix: error: no space left on the device holding /r/x: free space (ix gc) or set IX_ROOT elsewhere' });
    const spawn = Object.assign(new Error('spawn bwrap ENOENT'), { code: 'ENOENT', syscall: 'spawn bwrap', path: 'bwrap' });
    expect(classify(spawn).message).toBe("ix: error: the program 'bwrap' was not found on PATH: install it");
    expect(classify(new TypeError('x is undefined')).code).toBe(70);
    let err = '';
    expect(report(new TypeError('x is undefined'), (s) => (err += s), false)).toBe(70);
    expect(err).toBe('ix: internal error: x is undefined\nix: this is a bug in ix: please report it with the command line; rerun with IX_DEBUG=1 for details\n');
  });
});

describe('prerequisites under CI', () => {
  test('a missing one skips outside CI and fails with its name under CI=true', () => {
    expect(missing('busybox', true, true)).toBe(false);
    expect(missing('busybox', false, false)).toBe(true);
    expect(() => missing('busybox', false, true)).toThrow(MissingPrerequisite);
    expect(() => missing('busybox', false, true)).toThrow('prerequisite missing under CI=true: busybox');
  });
});

describe.skipIf(missing('root (to mount a tmpfs)', isRoot) || missing('bwrap (Debian bubblewrap)', onPath('bwrap')) || missing('busybox (Debian busybox-static)', haveBusybox()))('injected environment failures through ./ix', () => {
  const mounts: string[] = [];
  const mount = (opts: string): string => {
    const dir = tempDir('ix-mnt-');
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mount -t tmpfs -o ${opts}: ${r.stderr}`);
    mounts.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const d of mounts) spawnSync('umount', [d]);
  });
  ensureCoreBuilt();

  test('a read-only store root: exit 3, one line naming the root and the fix', () => {
    const ro = mount('size=1m,ro');
    for (const args of [['build', 'bin/hello', '--recipes', recipes], ['gc'], ['mut', 'demo', 'bin/hello', '--recipes', recipes]]) {
      const r = ix(args, { env: { IX_ROOT: join(ro, 'ix') } });
      expect(r.code, args.join(' ')).toBe(3);
      oneLine(r.err);
      expect(r.err).toBe(`ix: error: the ix root ${join(ro, 'ix')} is not writable (read-only file system at ${ro}): set IX_ROOT to a writable directory\n`);
    }
  });

  test('a full disk (ENOSPC on a small tmpfs): exit 3, one line naming the file, nothing half-written', () => {
    const dir = mount('size=1m');
    expect(ix(['gc'], { env: { IX_ROOT: dir } }).code).toBe(0); // the root's directories
    spawnSync('dd', ['if=/dev/zero', `of=${join(dir, 'fill')}`, 'bs=64k'], { encoding: 'utf8' });
    const r = ix(['build', 'bin/hello', '--recipes', recipes], { env: { IX_ROOT: dir } });
    expect(r.code).toBe(3);
    oneLine(r.err);
    expect(r.err).toMatch(new RegExp(`^ix: error: no space left on the device holding ${dir}/\\S+: free space \\(ix gc\\) or set IX_ROOT elsewhere\\n$`));
    const holds = join(dir, 'var', 'gc', 'v1', 'holds');
    expect(readdirSync(holds).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(readdirSync(join(dir, 'store'))).toEqual([]);
  });

  test('a local build that fills the disk: exit 3 like a builder\'s full disk, one line naming the root and the node; nothing committed', () => {
    // the root on an 8 MB tmpfs: the busybox seed fits, bin/fill writes until the disk is full
    const dir = mount('size=8m');
    const fill = writeTree({ 'bin/fill/ix.sh': JSON.stringify({ bld: { deps: ['bld/boot/bb'], script: { kind: 'sh', data: 'cat /dev/zero > $out/big\n' } } }) });
    const r = ix(['build', 'bin/fill', '--recipes', fill, '--recipes', recipes], { env: { IX_ROOT: dir } });
    expect(r.code, r.err).toBe(3);
    const last = r.err.trim().split('\n').at(-1)!;
    expect(last).toMatch(new RegExp(`^ix: error: no space left on the device holding ${dir}: bin/fill failed \\(exit code 1\\): free space \\(ix gc\\) or set IX_ROOT elsewhere$`));
    expect(r.err).not.toMatch(/\n\s+at |internal error/);
    const store = readdirSync(join(dir, 'store'));
    expect(store.some((e) => e.endsWith('-bin-fill'))).toBe(false);
    expect(store).toHaveLength(1); // the seed, built before the disk filled
  });

  test('util-linux flock (and perl, the fallback) missing from PATH: exit 3, one line naming the program and the package', () => {
    const bin = tempDir('ix-path-');
    chmodSync(bin, 0o755); // the sandbox probe runs bwrap from PATH as the build user
    for (const d of ['/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin']) {
      let names: string[] = [];
      try { names = readdirSync(d); } catch { continue; }
      for (const n of names) {
        if (n === 'flock' || n.startsWith('perl')) continue;
        try { symlinkSync(join(d, n), join(bin, n)); } catch { /* the first directory wins */ }
      }
    }
    expect(spawnSync('sh', ['-c', 'command -v flock'], { env: { PATH: bin } }).status).not.toBe(0);
    for (const args of [['gc'], ['build', 'bin/hello', '--recipes', recipes]]) {
      const r = ix(args, { env: { IX_ROOT: tempDir('ix-root-'), PATH: bin } });
      expect(r.code, args.join(' ')).toBe(3);
      expect(r.err).toBe("ix: error: the program 'flock' was not found on PATH: install util-linux, or perl (either holds ix's locks)\n");
    }
  });

  test('a user mistake stays exit 2 and one line', () => {
    const r = ix(['plan', 'bin/hello(k=v', '--recipes', recipes]);
    expect(r.code).toBe(2);
    oneLine(r.err);
  });
});
