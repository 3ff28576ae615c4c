// ix-archive/1: determinism (same bytes twice, and from two copies of a tree that differ in
// mtimes, owners and other mode bits), readable by ordinary tar/zstd, a round trip that keeps the
// store hash, and unpack safety against hand-crafted malicious tar streams.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import * as tar from 'tar-stream';
import { packArchive, unpackArchive, ArchiveError, ARCHIVE_FORMAT, type Compression } from '../hosts/node/cache/index';
import { zstdCompressStream, frameExtent, withContentSize } from '../hosts/node/cache/zstd-frames';
import { processTree } from '../hosts/node/store/index';

let work: string;
beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'ix-archive-'));
});
afterAll(async () => {
  await fs.rm(work, { recursive: true, force: true });
});

async function bytesOf(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** A small tree with a big incompressible file (several zstd frames), links, odd names. */
async function makeTree(dir: string, big: Buffer): Promise<void> {
  await fs.mkdir(path.join(dir, 'bin'), { recursive: true });
  await fs.mkdir(path.join(dir, 'share', 'deep', 'er'), { recursive: true });
  await fs.writeFile(path.join(dir, 'bin', 'tool'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
  await fs.writeFile(path.join(dir, 'share', 'data'), big);
  await fs.writeFile(path.join(dir, 'share', 'deep', 'er', `${'n'.repeat(120)}-long`), 'long name');
  await fs.writeFile(path.join(dir, 'share', 'ünïcödé'), 'utf8 name');
  await fs.writeFile(path.join(dir, 'empty'), '');
  await fs.symlink('../share/data', path.join(dir, 'bin', 'data-link'));
  await fs.symlink('/ix/store/00000000000000000000000000000000-x/lib', path.join(dir, 'abs-link'));
  await fs.mkdir(path.join(dir, 'emptydir'));
  await fs.symlink(`${'../'.repeat(3)}${'t'.repeat(150)}`, path.join(dir, 'share', 'long-target'));
}

async function pack(dir: string, c: Compression): Promise<{ bytes: Buffer; tar: number }> {
  const a = packArchive(dir, c);
  const bytes = await bytesOf(a.stream);
  return { bytes, tar: a.tarBytes() };
}

describe('archive determinism', () => {
  const big = randomBytes(9 << 20);
  let a: string;
  let b: string;
  beforeAll(async () => {
    a = path.join(work, 'a');
    b = path.join(work, 'b');
    await makeTree(a, big);
    await makeTree(b, big);
    // b: other mtimes, other permission bits beyond the owner's x bit, created in another order.
    for (const f of ['bin/tool', 'share/data', 'empty']) await fs.utimes(path.join(b, f), 123456, 987654);
    await fs.chmod(path.join(b, 'share', 'data'), 0o600);
    await fs.chmod(path.join(b, 'bin', 'tool'), 0o700);
    await fs.chmod(path.join(b, 'emptydir'), 0o700);
    if (process.getuid?.() === 0) await fs.lchown(path.join(b, 'bin', 'tool'), 1234, 5678);
  });

  for (const c of ['zstd', 'gzip'] as const) {
    it(`packs the same tree twice to the same bytes, and two copies alike (${c})`, async () => {
      const one = await pack(a, c);
      const two = await pack(a, c);
      const other = await pack(b, c);
      expect(one.bytes.equals(two.bytes)).toBe(true);
      expect(one.bytes.equals(other.bytes)).toBe(true);
      expect(one.tar).toBeGreaterThan(big.length);
    });
  }

  it('is an ordinary tar.zst: zstd and tar list fixed metadata in sorted order', async () => {
    const { bytes } = await pack(b, 'zstd');
    const f = path.join(work, 'b.tar.zst');
    await fs.writeFile(f, bytes);
    const r = spawnSync('sh', ['-c', `zstd -dc ${f} | tar --numeric-owner -tvf -`], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^drwxr-xr-x 0\/0 +0 1970-01-01 00:00 \.\/$/);
    expect(lines.map((l) => l.split(/ +/)[5])).toEqual([
      './', 'abs-link', 'bin/', 'bin/data-link', 'bin/tool', 'empty', 'emptydir/', 'share/', 'share/data', 'share/deep/', 'share/deep/er/',
      `share/deep/er/${'n'.repeat(120)}-long`, 'share/long-target', 'share/ünïcödé',
    ]);
    expect(lines.find((l) => l.endsWith(' bin/tool'))).toMatch(/^-rwxr-xr-x 0\/0 /);
    expect(lines.find((l) => l.endsWith(' share/data'))).toMatch(/^-rw-r--r-- 0\/0 /);
  });

  it('unpacks to a tree with the same store hash', async () => {
    const { bytes, tar: tarBytes } = await pack(b, 'zstd');
    const dest = await fs.mkdtemp(path.join(work, 'u-'));
    expect(await unpackArchive(Readable.from([bytes]), dest, 'zstd', { maxBytes: tarBytes })).toBe(tarBytes);
    const want = await processTree(a, { normalise: false });
    const got = await processTree(dest, { normalise: false });
    expect(got.hash).toBe(want.hash);
    expect(await fs.readlink(path.join(dest, 'bin', 'data-link'))).toBe('../share/data');
    expect(await fs.readlink(path.join(dest, 'share', 'long-target'))).toBe(`${'../'.repeat(3)}${'t'.repeat(150)}`);
  });

  it('round-trips an empty directory', async () => {
    const d = await fs.mkdtemp(path.join(work, 'empty-'));
    const { bytes, tar: n } = await pack(d, 'zstd');
    const dest = await fs.mkdtemp(path.join(work, 'u-empty-'));
    await unpackArchive(Readable.from([bytes]), dest, 'zstd', { maxBytes: n });
    expect(await fs.readdir(dest)).toEqual([]);
    expect((await processTree(dest, { normalise: false })).hash).toBe((await processTree(d, { normalise: false })).hash);
  });

  it('refuses to pack a tree holding a fifo', async () => {
    const d = await fs.mkdtemp(path.join(work, 'fifo-'));
    spawnSync('mkfifo', [path.join(d, 'p')]);
    await expect(bytesOf(packArchive(d, 'zstd').stream)).rejects.toThrow(/p: not a regular file, directory or symlink/);
  });
});

describe('zstd frames', () => {
  it('writes the content size into every frame and reads frames split anywhere', async () => {
    const data = Buffer.concat([randomBytes(5 << 20), Buffer.alloc(3 << 20, 1)]);
    const z = await bytesOf(Readable.from([data]).pipe(zstdCompressStream(3)));
    const ext = frameExtent(z);
    expect('length' in ext && ext.maxOut).toBe(4 << 20);
    const r = spawnSync('zstd', ['-dc'], { input: z, maxBuffer: 64 << 20 });
    expect(r.status).toBe(0);
    expect(r.stdout.equals(data)).toBe(true);
  });

  it('keeps a frame that states its size as it is', () => {
    const f = Buffer.from('28b52ffd8058000030009c00', 'hex');
    expect(withContentSize(f, 3).equals(f)).toBe(true);
  });
});

// ---- hand-crafted tar streams ---------------------------------------------------------------
type E = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'fifo'; body?: string; linkname?: string; size?: number };
async function craft(entries: E[], opts: { format?: string | null } = {}): Promise<Buffer> {
  const p = tar.pack();
  const out = bytesOf(Readable.from(p as unknown as AsyncIterable<Buffer>));
  const fmt = opts.format === undefined ? ARCHIVE_FORMAT : opts.format;
  const all: E[] = [{ name: './', type: 'directory' }, ...entries];
  for (const [i, e] of all.entries()) {
    const h = { name: e.name, type: e.type ?? 'file', mode: 0o644, linkname: e.linkname, mtime: new Date(1000), ...(i === 0 && fmt ? { pax: { comment: fmt } } : {}) };
    await new Promise<void>((res, rej) => p.entry(h, e.body ?? '', (err) => (err ? rej(err) : res())));
  }
  p.finalize();
  return zlib.gzipSync(await out);
}

async function tryUnpack(buf: Buffer, maxBytes = 1 << 20): Promise<{ err?: string; dir: string }> {
  const dir = await fs.mkdtemp(path.join(work, 'evil-'));
  try {
    await unpackArchive(Readable.from([buf]), dir, 'gzip', { maxBytes });
    return { dir };
  } catch (e) {
    expect(e).toBeInstanceOf(ArchiveError);
    return { err: (e as Error).message, dir };
  }
}

describe('unpack safety', () => {
  const outside = () => path.join(work, 'outside');

  it('accepts a well-formed crafted archive (the harness itself works)', async () => {
    const r = await tryUnpack(await craft([{ name: 'd/', type: 'directory' }, { name: 'd/f', body: 'ok' }]));
    expect(r.err).toBeUndefined();
    expect(await fs.readFile(path.join(r.dir, 'd', 'f'), 'utf8')).toBe('ok');
  });

  it("refuses '..' in a name and writes nothing outside", async () => {
    const r = await tryUnpack(await craft([{ name: '../outside', body: 'x' }]));
    expect(r.err).toMatch(/unsafe entry \.\.\/outside: '\.\.' in its name/);
    await expect(fs.stat(outside())).rejects.toThrow();
  });

  it('refuses absolute names', async () => {
    expect((await tryUnpack(await craft([{ name: '/tmp/ix-evil', body: 'x' }]))).err).toMatch(/absolute name/);
  });

  it('refuses a symlink escaping the target, then a write through it', async () => {
    const r = await tryUnpack(await craft([{ name: 'esc', type: 'symlink', linkname: work }, { name: 'esc/outside', body: 'x' }]));
    expect(r.err).toMatch(/unsafe entry esc\/outside: its parent is not a directory of the archive/);
    await expect(fs.stat(outside())).rejects.toThrow();
  });

  it('never writes through a symlink of the same name (no follow, no replace)', async () => {
    const r = await tryUnpack(await craft([{ name: 'f', type: 'symlink', linkname: outside() }, { name: 'f', body: 'x' }]));
    expect(r.err).toMatch(/appears twice/);
    await expect(fs.stat(outside())).rejects.toThrow();
  });

  it('refuses hard links, devices and fifos', async () => {
    expect((await tryUnpack(await craft([{ name: 'a', body: 'x' }, { name: 'b', type: 'link', linkname: 'a' }]))).err).toMatch(/type link/);
    expect((await tryUnpack(await craft([{ name: 'tty', type: 'character-device' }]))).err).toMatch(/type character-device/);
    expect((await tryUnpack(await craft([{ name: 'p', type: 'fifo' }]))).err).toMatch(/type fifo/);
  });

  it('stops a decompression bomb at the declared size', async () => {
    const bomb = await craft([{ name: 'zeros', body: '\0'.repeat(8 << 20) }]);
    expect(bomb.length).toBeLessThan(64 << 10);
    const r = await tryUnpack(bomb, 1 << 20);
    expect(r.err).toMatch(/larger than the 1048576 bytes its record declares/);
    const st = await fs.stat(path.join(r.dir, 'zeros')).catch(() => undefined);
    expect(st?.size ?? 0).toBeLessThanOrEqual(1 << 20);
  });

  it('refuses an archive without the format, and a newer format', async () => {
    expect((await tryUnpack(await craft([{ name: 'a', body: 'x' }], { format: null }))).err).toMatch(/not an ix-archive\/1 archive/);
    expect((await tryUnpack(await craft([{ name: 'a', body: 'x' }], { format: 'ix-archive/2' }))).err).toMatch(/archive format ix-archive\/2 is newer/);
  });

  it('refuses a truncated archive and a damaged zstd stream', async () => {
    const good = await craft([{ name: 'a', body: 'y'.repeat(100000) }]);
    expect((await tryUnpack(good.subarray(0, good.length >> 1))).err).toMatch(/damaged or truncated/);
    const dir = await fs.mkdtemp(path.join(work, 'z-'));
    const junk = Buffer.concat([Buffer.from('28b52ffd0058', 'hex'), randomBytes(100)]);
    await expect(unpackArchive(Readable.from([junk]), dir, 'zstd', { maxBytes: 1 << 20 })).rejects.toThrow(/archive is damaged: zstd frame does not state its content size/);
  });
});
