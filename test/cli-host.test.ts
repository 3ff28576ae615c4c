// Pieces of the Node host without the core: the CLI grammar, the layered filesystem HostIO,
// and the on-disk cache (versioned layout, corrupt entries are misses, concurrent writers).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../hosts/common';
import { parseArgs, selection } from '../hosts/node/args';
import { cacheDir, diskCache } from '../hosts/node/cache';
import { fsHostIO } from '../hosts/node/io';
import { repoRoot, tempDir, writeTree } from './support/cli';

describe('CLI grammar', () => {
  test('flags attach to the last package named, else they are global', () => {
    const a = parseArgs(['--g=1', 'bin/a', '--x', 'lib/b(kind=lib)', '--y=2', '--z=-', '--json', '--target=linux-aarch64'], 'plan');
    expect(a.packages.map((p) => p.name)).toEqual(['bin/a', 'lib/b']);
    expect(Object.fromEntries(a.flags)).toEqual({ g: '1' });
    expect(Object.fromEntries(a.packages[0].flags)).toEqual({ x: '1' });
    expect(Object.fromEntries(a.packages[1].flags)).toEqual({ kind: 'lib', y: '2', z: null });
    expect(a.json).toBe(true);
    expect(a.target).toBe('linux-aarch64');
    expect(selection(a)).toEqual({ packages: ['bin/a(x=1)', 'lib/b(kind=lib,y=2)'], flags: { g: '1' } });
  });

  test('removing a global flag for one package folds the globals into every selector', () => {
    const s = selection(parseArgs(['--g=1', '--h=2', 'bin/a', '--g=-', 'bin/b'], 'plan'));
    expect(s).toEqual({ packages: ['bin/a(h=2)', 'bin/b(g=1,h=2)'], flags: {} });
  });

  test('--recipes is repeatable in both spellings', () => {
    expect(parseArgs(['--recipes', 'a', '--recipes=b', 'bin/x'], 'plan').recipes).toEqual(['a', 'b']);
  });

  test('mistakes are UsageErrors', () => {
    for (const bad of [['-x'], ['zstd'], ['+bin/a'], ['--json=1'], ['--target'], ['--recipes'], ['bin/a', '--k=a,b'], ['--bad key']]) {
      expect(() => selection(parseArgs(bad, 'plan')), bad.join(' ')).toThrow(UsageError);
    }
  });
});

describe('filesystem HostIO', () => {
  const top = writeTree({ 'bin/a/ix.sh': 'top a', 'bin/only-top/ix.sh': 'x' });
  const low = writeTree({ 'bin/a/ix.sh': 'low a', 'bin/b/ix.sh': 'low b', 'bin/b/patch.diff': 'p' });
  const io = fsHostIO([top, low]);
  const text = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString() : b);

  test('the first root that has a file wins', () => {
    expect(text(io.readFile('bin/a/ix.sh'))).toBe('top a');
    expect(text(io.readFile('bin/b/ix.sh'))).toBe('low b');
    expect(io.readFile('bin/c/ix.sh')).toBeUndefined();
    // a directory where a file is read is a mistake in the tree, named, never a silent miss
    expect(() => io.readFile('bin/a')).toThrow('bin/a: a directory, not a file');
  });

  test('a file reads back whole: empty, multi-byte, larger than one read, and as readFileSync gives it', () => {
    const big = Buffer.alloc((3 << 20) + 7, 'ab\u00e9');
    const dir = writeTree({ 'bin/e/ix.sh': '', 'bin/u/ix.sh': 'caf\u00e9 \u{1F600}\n' });
    writeFileSync(join(dir, 'bin', 'e', 'big.bin'), big);
    const fio = fsHostIO([dir]);
    for (const p of ['bin/e/ix.sh', 'bin/u/ix.sh', 'bin/e/big.bin']) expect(Buffer.from(fio.readFile(p)!).equals(readFileSync(join(dir, p))), p).toBe(true);
    expect(fio.readFile('bin/e/ix.sh')).toHaveLength(0);
    expect(fio.readFile('bin/e/big.bin')).toHaveLength(big.length);
  });

  test('a snapshot reads each file once: later reads and digests answer from the first read', () => {
    const dir = writeTree({ 'bin/s/ix.sh': 'first', 'bin/t/ix.sh': 'tee' });
    const hashed: string[] = [];
    const digest = (b: Uint8Array) => (hashed.push(text(b)!), new Uint8Array(createHash('sha256').update(b).digest()));
    const sha = (s: string) => new Uint8Array(createHash('sha256').update(s).digest());
    const snap = fsHostIO([dir], { digest, snapshot: true });
    const plain = fsHostIO([dir], { digest });
    const one = snap.readFile('bin/s/ix.sh')!;
    expect(text(one)).toBe('first');
    expect(snap.readFile('bin/n/ix.sh')).toBeUndefined();
    expect(snap.digest!(one)).toEqual(sha('first'));
    // the files change after the first reads: the snapshot keeps what it read, a plain HostIO sees the change
    writeFileSync(join(dir, 'bin', 's', 'ix.sh'), 'second');
    mkdirSync(join(dir, 'bin', 'n'));
    writeFileSync(join(dir, 'bin', 'n', 'ix.sh'), 'new');
    expect(snap.readFile('bin/s/ix.sh')).toBe(one);
    expect(snap.readFile('bin/n/ix.sh')).toBeUndefined();
    expect(snap.fileDigests!(['bin/s/ix.sh', 'bin/t/ix.sh', 'bin/n/ix.sh'])).toEqual([sha('first'), sha('tee'), undefined]);
    expect(snap.fileDigests!(['bin/t/ix.sh'])).toEqual([sha('tee')]);
    expect(hashed).toEqual(['first', 'tee']); // each file hashed once
    // other bytes are hashed every time they are given, equal content or not
    expect(snap.digest!(Buffer.from('first'))).toEqual(sha('first'));
    expect(hashed).toEqual(['first', 'tee', 'first']);
    expect(text(plain.readFile('bin/s/ix.sh'))).toBe('second');
    expect(plain.fileDigests!(['bin/s/ix.sh', 'bin/n/ix.sh'])).toEqual([sha('second'), sha('new')]);
    // a mistake in the tree is thrown again at every read, not remembered as a miss
    expect(() => snap.readFile('bin/s')).toThrow('bin/s: a directory, not a file');
    expect(() => snap.readFile('bin/s')).toThrow('bin/s: a directory, not a file');
  });

  test('listings merge every root, directories end with /', () => {
    expect(io.listDir('bin')?.sort()).toEqual(['a/', 'b/', 'only-top/']);
    expect(io.listDir('bin/b')?.sort()).toEqual(['ix.sh', 'patch.diff']);
    expect(io.listDir('')?.sort()).toEqual(['bin/']);
    expect(io.listDir('nope')).toBeUndefined();
  });

  test('paths that could leave a root are refused', () => {
    writeFileSync(join(top, '..', 'ix-secret-outside'), 'secret');
    for (const p of ['../ix-secret-outside', 'bin/../../ix-secret-outside', '/etc/passwd', 'bin/./a/ix.sh']) {
      expect(io.readFile(p), p).toBeUndefined();
    }
    expect(io.listDir('..')).toBeUndefined();
  });
});

describe('disk cache', () => {
  test('directory: IX_CACHE_DIR, then XDG_CACHE_HOME/ix, then ~/.cache/ix', () => {
    expect(cacheDir({ IX_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/c');
    expect(cacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/x/ix');
    expect(cacheDir({ HOME: '/h' })).toBe('/h/.cache/ix');
  });

  test('round trip in a versioned layout: a pack and its index, each record sealed', async () => {
    const dir = tempDir('ix-cache-');
    const c = diskCache(dir);
    expect(c.get('abcdef01')).toBeUndefined();
    c.put('abcdef01', new Uint8Array([1, 2, 3]));
    expect([...(c.get('abcdef01') ?? [])]).toEqual([1, 2, 3]);
    const names = readdirSync(join(dir, 'v4')).sort();
    expect(names).toHaveLength(2);
    const [idx, pack] = names;
    expect(idx).toMatch(/^[0-9a-z]+-\d+-[0-9a-f]+\.idx$/);
    expect(pack).toBe(idx.replace(/\.idx$/, '.pack'));
    // CRC-32 of 'ix-pack/2 \0abcdef01\0\x01\x02\x03', by Python's zlib.crc32
    const record = 'abcdef01 3 c99cf5a4\n\x01\x02\x03';
    expect(readFileSync(join(dir, 'v4', pack), 'latin1')).toBe(`ix-pack/2\n${record}`);
    expect(readFileSync(join(dir, 'v4', idx), 'latin1')).toMatch(new RegExp(`^ix-pack-index/2\\nabcdef01 10 ${record.length} [0-9a-z]+\\n$`));
  });

  test('truncated, corrupted or foreign records are misses; unsafe keys are never stored', async () => {
    const dir = tempDir('ix-cache-');
    const c = diskCache(dir);
    c.put('abcdef02', new Uint8Array([1, 2, 3]));
    c.put('abcdef03', new Uint8Array([1, 2, 3]));
    const file = join(dir, 'v4', readdirSync(join(dir, 'v4')).find((n) => n.endsWith('.pack'))!);
    const good = readFileSync(file);
    const at = good.indexOf('abcdef03 ');
    writeFileSync(file, good.subarray(0, at - 1)); // abcdef02's record truncated by one byte
    expect(diskCache(dir).get('abcdef02')).toBeUndefined();
    const flipped = Buffer.from(good);
    flipped[at - 1] ^= 1; // same length, one bit of abcdef02's body
    writeFileSync(file, flipped);
    expect(diskCache(dir).get('abcdef02')).toBeUndefined();
    const swapped = Buffer.from(good); // abcdef03's record where abcdef02's was: another key's
    good.copy(swapped, good.indexOf('abcdef02 '), at);
    writeFileSync(file, swapped);
    expect(diskCache(dir).get('abcdef02')).toBeUndefined();
    writeFileSync(file, good);
    expect([...(diskCache(dir).get('abcdef02') ?? [])]).toEqual([1, 2, 3]);
    // another core's (namespace's) pack, copied in: misses
    const other = diskCache(dir, 'core-a');
    other.put('abcdef04', new Uint8Array([9]));
    const theirs = join(dir, 'v4', 'core-a');
    const mineDir = join(dir, 'v4', 'core-b');
    diskCache(dir, 'core-b').put('abcdef05', new Uint8Array([8]));
    for (const n of readdirSync(theirs)) writeFileSync(join(mineDir, n), readFileSync(join(theirs, n)));
    expect(diskCache(dir, 'core-b').get('abcdef04')).toBeUndefined();
    expect([...(diskCache(dir, 'core-a').get('abcdef04') ?? [])]).toEqual([9]);
    c.put('../../evil', new Uint8Array([1]));
    c.put('.hidden', new Uint8Array([1]));
    expect(readdirSync(join(dir, 'v4')).filter((n) => !/\.(idx|pack)$/.test(n)).sort()).toEqual(['core-a', 'core-b']);
    expect(readFileSync(file, 'latin1')).not.toContain('evil');
  });

  test('concurrent processes writing the same keys leave only complete entries', async () => {
    const dir = tempDir('ix-cache-');
    const writer = join(tempDir('ix-writer-'), 'writer.mjs');
    await build({
      stdin: {
        contents: `import { diskCache } from ${JSON.stringify(join(repoRoot, 'hosts/node/cache.ts'))};
          import { loadDigest } from ${JSON.stringify(join(repoRoot, 'hosts/node/digest.ts'))};
          const c = diskCache(process.argv[2]);
          for (let i = 0; i < 200; i++) c.put('key' + (i % 10) + 'aaaa', new Uint8Array(50000).fill(i % 10));`,
        resolveDir: repoRoot,
      },
      bundle: true, platform: 'node', format: 'esm', outfile: writer, logLevel: 'error',
    });
    const runs = Array.from({ length: 4 }, () =>
      new Promise<number>((res) => {
        const p = spawn(process.execPath, [writer, dir], { stdio: 'inherit' });
        p.on('exit', (code) => res(code ?? -1));
      }));
    const codes = await Promise.all(runs);
    if (codes.some((c) => c !== 0)) return expect.fail('writer failed');
    const c = diskCache(dir);
    for (let k = 0; k < 10; k++) {
      const v = c.get(`key${k}aaaa`);
      expect(v?.length).toBe(50000);
      expect(v?.every((b) => b === k)).toBe(true);
    }
    expect(readdirSync(join(dir, 'v4'))).toHaveLength(8); // a pack and an index per process
  });
});
