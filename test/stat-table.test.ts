// File digests and directory listings remembered by stat across commands (hosts/node/stat-table.ts through io.ts's
// fileDigests): real files, the real BLAKE3 and the real disk cache. A file whose stat is the
// recorded one is not read or hashed again; any change (content of the same size, a restored
// mtime, a replaced file, a file too new to trust) is read and hashed, so the digests are always
// the files' own. Listings likewise, counting the real `readdir` calls: a directory whose stat is
// the recorded one is not listed again; an added entry, a directory too new to trust, and any
// directory holding a symbolic link are.
import { mkdirSync, readFileSync, renameSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { diskCache } from '../hosts/node/cache';
import { loadDigest, type Digest } from '../hosts/node/digest';
import { fsHostIO } from '../hosts/node/io';
import { tempDir } from './support/cli';

/** Every directory the code under test listed (node:fs's readdirSync, passed through). */
const listed = vi.hoisted(() => [] as string[]);
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const readdirSync = ((...a: Parameters<typeof fs.readdirSync>) => {
    listed.push(String(a[0]));
    return fs.readdirSync(...a);
  }) as typeof fs.readdirSync;
  return { ...fs, default: { ...fs, readdirSync }, readdirSync };
});

let blake3: Digest;
beforeAll(async () => {
  blake3 = await loadDigest();
});

const hex = (d: Uint8Array | null | undefined) => (d ? Buffer.from(d).toString('hex') : d);
/** A turn of the event loop: the table is written then. */
const turn = () => new Promise((r) => setImmediate(r));

/** A command's HostIO over `root` and cache `cache` that counts the bytes it hashes; `startedMs` as given. */
function command(root: string, cache: string, startedMs: number) {
  const hashed: string[] = [];
  const digest: Digest = (b) => {
    if (b.length > 0) hashed.push(Buffer.from(b).toString('latin1'));
    return blake3(b);
  };
  const io = fsHostIO([root], { digest, cache: diskCache(cache, 'ns'), snapshot: true, startedMs });
  return { io, hashed };
}

describe('file digests by stat', () => {
  test('unchanged files are answered from their stat; changed ones are read, with their own digest', async () => {
    const root = tempDir('ix-recipes-');
    const cache = tempDir('ix-cache-');
    const epoch = 1_700_000_000; // whole seconds: an mtime set back is then exactly the one recorded
    for (const [n, t] of [['a.sh', 'echo a\n'], ['b.sh', 'echo b\n'], ['c.sh', 'echo c\n'], ['d.sh', 'echo d\n']]) {
      writeFileSync(join(root, n), t);
      utimesSync(join(root, n), epoch, epoch);
    }
    const later = Date.now() + 60_000; // every file is older than this start minus the margin
    const paths = ['a.sh', 'b.sh', 'c.sh', 'd.sh', 'none.sh'];
    const want = () => paths.map((p) => {
      try {
        return hex(blake3(readFileSync(join(root, p))));
      } catch {
        return undefined;
      }
    });

    const first = command(root, cache, later);
    expect(first.io.fileDigests!(paths)!.map(hex)).toEqual(want());
    expect(first.hashed.sort()).toEqual(['echo a\n', 'echo b\n', 'echo c\n', 'echo d\n']);
    await turn();

    const second = command(root, cache, later);
    expect(second.io.fileDigests!(paths)!.map(hex)).toEqual(want());
    expect(second.hashed).toEqual([]); // nothing read or hashed

    // b: same size, other bytes; c: other bytes, then its mtime set back; d: replaced by rename
    writeFileSync(join(root, 'b.sh'), 'echo B\n');
    const c = statSync(join(root, 'c.sh'));
    writeFileSync(join(root, 'c.sh'), 'echo C\n');
    utimesSync(join(root, 'c.sh'), epoch, epoch);
    expect(statSync(join(root, 'c.sh')).mtimeMs).toBe(c.mtimeMs);
    writeFileSync(join(root, 'd.tmp'), 'echo D\n');
    renameSync(join(root, 'd.tmp'), join(root, 'd.sh'));

    const third = command(root, cache, Date.now() + 60_000);
    expect(third.io.fileDigests!(paths)!.map(hex)).toEqual(want());
    expect(third.hashed.sort()).toEqual(['echo B\n', 'echo C\n', 'echo D\n']);
    await turn();
    const fourth = command(root, cache, Date.now() + 60_000);
    expect(fourth.io.fileDigests!(paths)!.map(hex)).toEqual(want());
    expect(fourth.hashed).toEqual([]);
  });

  test('a file changed within the margin before the start is not remembered; a file already read keeps its snapshot', async () => {
    const root = tempDir('ix-recipes-');
    const cache = tempDir('ix-cache-');
    writeFileSync(join(root, 'a.sh'), 'echo a\n');
    const now = command(root, cache, Date.now()); // a.sh was written just now: not settled
    expect(hex(now.io.fileDigests!(['a.sh'])![0])).toBe(hex(blake3(Buffer.from('echo a\n'))));
    await turn();
    const again = command(root, cache, Date.now());
    again.io.fileDigests!(['a.sh']);
    expect(again.hashed).toEqual(['echo a\n']); // read and hashed again

    const later = command(root, cache, Date.now() + 60_000);
    later.io.fileDigests!(['a.sh']);
    await turn();
    // a command that read the file first is answered from those bytes, not from the stat
    const reader = command(root, cache, Date.now() + 60_000);
    expect(Buffer.from(reader.io.readFile('a.sh')!).toString()).toBe('echo a\n');
    writeFileSync(join(root, 'a.sh'), 'echo A\n'); // changed after the read: the snapshot stands
    expect(hex(reader.io.fileDigests!(['a.sh'])![0])).toBe(hex(blake3(Buffer.from('echo a\n'))));
    expect(reader.hashed).toEqual(['echo a\n']);
  });

  test('another recipe root or another digest function does not share the table', async () => {
    const root = tempDir('ix-recipes-');
    const cache = tempDir('ix-cache-');
    writeFileSync(join(root, 'a.sh'), 'echo a\n');
    const later = Date.now() + 60_000;
    command(root, cache, later).io.fileDigests!(['a.sh']);
    await turn();
    const counted: number[] = [];
    const other: Digest = (b) => (counted.push(b.length), new Uint8Array(32).fill(b.length & 255));
    const io = fsHostIO([root], { digest: other, cache: diskCache(cache, 'ns'), snapshot: true, startedMs: later });
    expect([...io.fileDigests!(['a.sh'])![0]!]).toEqual(new Array(32).fill(7));
    expect(counted).toContain(7);
  });
});

describe('listings by stat', () => {
  const sorted = (l: string[] | undefined) => (l ? [...l].sort() : l);
  const listedUnder = (root: string) => listed.filter((d) => d.startsWith(root)).map((d) => d.slice(root.length) || '.');

  test('an unchanged directory is not listed again; an added entry or a new directory is', async () => {
    const root = tempDir('ix-recipes-');
    const cache = tempDir('ix-cache-');
    mkdirSync(join(root, 'bin', 'a'), { recursive: true });
    writeFileSync(join(root, 'bin', 'a', 'ix.sh'), 'x');
    writeFileSync(join(root, 'bin', 'x.sh'), 'x');
    const later = Date.now() + 60_000;
    const first = command(root, cache, later).io;
    expect(sorted(first.listDir('bin'))).toEqual(['a/', 'x.sh']);
    expect(sorted(first.listDir('bin/a'))).toEqual(['ix.sh']);
    expect(first.listDir('none')).toBeUndefined();
    await turn();
    listed.length = 0;
    const second = command(root, cache, later).io;
    expect(sorted(second.listDir('bin'))).toEqual(['a/', 'x.sh']);
    expect(sorted(second.listDir('bin/a'))).toEqual(['ix.sh']);
    expect(second.listDir('none')).toBeUndefined();
    expect(listedUnder(root)).toEqual([]); // the absent one is seen absent by its stat

    writeFileSync(join(root, 'bin', 'y.sh'), 'y');
    unlinkSync(join(root, 'bin', 'a', 'ix.sh'));
    listed.length = 0;
    const third = command(root, cache, Date.now() + 60_000).io;
    expect(sorted(third.listDir('bin'))).toEqual(['a/', 'x.sh', 'y.sh']);
    expect(sorted(third.listDir('bin/a'))).toEqual([]);
    expect(listedUnder(root).sort()).toEqual(['/bin', '/bin/a']);

    // changed within the margin before the start: listed, and not remembered
    const now = Date.now();
    writeFileSync(join(root, 'bin', 'z.sh'), 'z');
    command(root, cache, now).io.listDir('bin');
    await turn();
    listed.length = 0;
    expect(sorted(command(root, cache, now).io.listDir('bin'))).toEqual(['a/', 'x.sh', 'y.sh', 'z.sh']);
    expect(listedUnder(root)).toEqual(['/bin']);
  });

  test('a directory holding a symbolic link is listed every time: its target may turn into a directory', async () => {
    const root = tempDir('ix-recipes-');
    const cache = tempDir('ix-cache-');
    mkdirSync(join(root, 'bin'));
    writeFileSync(join(root, 'target'), 'x');
    symlinkSync(join(root, 'target'), join(root, 'bin', 'link'));
    const later = Date.now() + 60_000;
    expect(command(root, cache, later).io.listDir('bin')).toEqual(['link']);
    await turn();
    unlinkSync(join(root, 'target'));
    mkdirSync(join(root, 'target')); // bin itself is unchanged
    listed.length = 0;
    expect(command(root, cache, later).io.listDir('bin')).toEqual(['link/']);
    expect(listedUnder(root)).toEqual(['/bin']);
  });

  test('two roots: a directory absent from one or a file there is skipped without a listing; a link loop is still an error', () => {
    const top = tempDir('ix-recipes-');
    const low = tempDir('ix-recipes-');
    const cache = tempDir('ix-cache-');
    mkdirSync(join(top, 'bin'));
    writeFileSync(join(top, 'bin', 'only.sh'), 'x');
    writeFileSync(join(top, 'file'), 'x');
    mkdirSync(join(low, 'bin', 'b'), { recursive: true });
    mkdirSync(join(low, 'file'));
    writeFileSync(join(low, 'file', 'in-low'), 'x');
    symlinkSync('loop', join(top, 'loop'));
    const io = fsHostIO([top, low], { cache: diskCache(cache, 'ns'), snapshot: true, startedMs: Date.now() + 60_000 });
    listed.length = 0;
    expect(sorted(io.listDir('bin'))).toEqual(['b/', 'only.sh']);
    expect(sorted(io.listDir('bin/b'))).toEqual([]);
    expect(sorted(io.listDir('file'))).toEqual(['in-low']); // a file in the top root, a directory below
    expect(io.listDir('none')).toBeUndefined();
    expect(listed.filter((d) => d.startsWith(top) || d.startsWith(low)).sort()).toEqual([join(top, 'bin'), join(low, 'bin'), join(low, 'bin/b'), join(low, 'file')].sort());
    expect(() => io.listDir('loop')).toThrow(/ELOOP/);
  });
});
