// Substitution and pushing end to end through the library: a path built in
// store A is pushed to a cache and substituted into store B, over a directory, nginx and s3rver;
// then every kind of bad cache is refused with one line naming the cache, the path and the
// reason, and nothing enters the store. The misbehaving HTTP servers are tiny node servers.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createReadStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import * as tar from 'tar-stream';
import { openStore, processTree, type OutputNode, type Store } from '../hosts/node/store/index';
import {
  archiveKey, encodeCacheInfo, encodeRecord, generateKey, importPath, openCache, packPath, parseRecord, parseSecretKey, pushPath, receiveInto, recordKey,
  signRecord, substituteInto, ARCHIVE_FORMAT, CACHE_INFO_FORMAT, ImportError, type CacheBackend, type CacheRecord, type SecretKey,
} from '../hosts/node/cache/index';
import { available, NGINX, S3RVER, startNginx, startS3rver, useS3rverCredentials, type Server } from './support/cache-servers';

const B32 = '0123456789abcdfghijklmnpqrsvwxyz';
const newId = () => [...randomBytes(32)].map((b) => B32[b & 31]).join('');
function node(name: string, runtime: string[] = []): OutputNode {
  const id = newId();
  return { id, out: `/ix/store/${id}-${name}`, name, inputs: [], runtime };
}

let work: string;
let storeA: Store;
let storeB: Store;
let dep: OutputNode;
let pkg: OutputNode;
let key: SecretKey;
let evil: SecretKey;
const big = randomBytes(3 << 20);

async function storeAt(name: string): Promise<Store> {
  return openStore({ root: path.join(work, name), onWait: () => undefined });
}

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'ix-subst-'));
  storeA = await storeAt('a');
  storeB = await storeAt('b');
  key = parseSecretKey(generateKey('builder').secret);
  evil = parseSecretKey(generateKey('stranger').secret);
  dep = node('musl');
  pkg = node('zstd', [dep.out]);
  const fillDep = async (o: { tmpOut: string }) => fs.writeFile(path.join(o.tmpOut, 'libc.a'), 'musl bytes');
  await storeA.realise(dep, fillDep);
  await storeB.realise(dep, fillDep);
  await storeA.realise(pkg, async (o) => {
    await fs.mkdir(path.join(o.tmpOut, 'bin'));
    await fs.writeFile(path.join(o.tmpOut, 'bin', 'zstd'), Buffer.concat([Buffer.from(`#!${dep.out}/libc.a\n`), big]), { mode: 0o755 });
    await fs.symlink('zstd', path.join(o.tmpOut, 'bin', 'unzstd'));
  });
});
afterAll(async () => {
  await (await import('../hosts/common')).removeTree(work);
});

/** Substitute `n` into `store` the way the executor does; returns what came back and the refusals. */
async function substitute(store: Store, n: OutputNode, caches: CacheBackend[], trusted = [key.public]) {
  const refused: string[] = [];
  const progress: number[] = [];
  const r = await store.withOutputLock(n.out, async () => {
    const pending = await store.beginOutput(n);
    const got = await substituteInto(n, pending, caches, trusted, {
      onRefused: (l) => refused.push(l),
      onProgress: (b) => progress.push(b),
      havePath: (p) => store.isBuilt(p),
    });
    if (!got) {
      await pending.abort();
      return undefined;
    }
    await pending.commit({ expectHash: got.expectHash });
    return got;
  });
  return { r, refused, progress };
}

/** Nothing of `n` in `store`: not built, no directory, no record, nothing left in build/. */
async function expectNothingStored(store: Store, n: OutputNode) {
  expect(await store.isBuilt(n.out)).toBe(false);
  await expect(fs.stat(store.physical(n.out))).rejects.toThrow();
  expect(await fs.readdir(store.layout.build)).toEqual([]);
}

async function dirCache(name: string): Promise<CacheBackend> {
  return openCache(pathToFileURL(path.join(work, name)).href);
}

describe('push and substitute over every backend', () => {
  const targets: { name: string; ok: () => boolean; start: () => Promise<{ cache: CacheBackend; server?: Server }> }[] = [
    { name: 'directory', ok: () => true, start: async () => ({ cache: await dirCache('cache-dir') }) },
    {
      name: 'nginx', ok: () => available(NGINX, 'nginx-light'),
      start: async () => {
        const server = await startNginx(path.join(work, 'nginx'), path.join(work, 'www'));
        return { cache: openCache(server.url), server };
      },
    },
    {
      name: 's3rver', ok: () => available(S3RVER, 's3rver'),
      start: async () => {
        useS3rverCredentials();
        const server = await startS3rver(path.join(work, 's3'));
        return { cache: openCache(server.url), server };
      },
    },
  ];
  for (const t of targets) {
    it.skipIf(!t.ok())(`${t.name}: pushes archive then signed record, skips a second push, and a fresh store substitutes it bit for bit`, async () => {
      const { cache, server } = await t.start();
      try {
        const first = await pushPath(storeA, pkg.out, cache, key);
        expect(first.status).toBe('pushed');
        expect((await pushPath(storeA, pkg.out, cache, key)).status).toBe('present');
        const b = await storeAt(`b-${t.name}`);
        await b.realise(dep, async (o) => fs.writeFile(path.join(o.tmpOut, 'libc.a'), 'musl bytes'));
        const { r, refused, progress } = await substitute(b, pkg, [cache]);
        expect(refused).toEqual([]);
        expect(r?.cache).toBe(cache.url);
        expect(progress.at(-1)).toBe(r?.bytes);
        expect(await b.isBuilt(pkg.out)).toBe(true);
        const want = await storeA.record(pkg.out);
        expect((await b.record(pkg.out))?.hash).toBe(want?.hash);
        expect((await processTree(b.physical(pkg.out), { normalise: false })).deviations).toEqual([]);
        expect((await b.record(pkg.out))?.refs).toEqual([dep.out]);
      } finally {
        await server?.stop();
      }
    }, 60_000);
  }
});

// ---- bad caches ------------------------------------------------------------------------------
/** A directory cache holding pkg pushed by `signer`; returns it and the pushed record. */
async function pushed(name: string, signer = key): Promise<{ cache: CacheBackend; rec: CacheRecord; dir: string }> {
  const cache = await dirCache(name);
  await pushPath(storeA, pkg.out, cache, signer);
  const rec = parseRecord(await fs.readFile(path.join(work, name, recordKey(pkg.out)), 'utf8'));
  return { cache, rec, dir: path.join(work, name) };
}

async function refusedBy(caches: CacheBackend[], store = storeB): Promise<string[]> {
  const { r, refused } = await substitute(store, pkg, caches);
  expect(r).toBeUndefined();
  await expectNothingStored(store, pkg);
  return refused;
}

/** Replace the record with `rec` re-signed by the trusted key (a signer that made a mistake). */
async function resign(dir: string, rec: CacheRecord, archive?: Buffer): Promise<void> {
  const signed = signRecord({ ...rec, signatures: [] }, key);
  await fs.writeFile(path.join(dir, recordKey(pkg.out)), encodeRecord(signed));
  if (archive) {
    await fs.mkdir(path.join(dir, 'archives'), { recursive: true });
    await fs.writeFile(path.join(dir, archiveKey(rec.archive.hash, rec.archive.compression)), archive);
  }
}

describe('bad caches are refused with one line and nothing enters the store', () => {
  it('a record signed by an untrusted key', async () => {
    const { cache } = await pushed('untrusted', evil);
    const [line, ...more] = await refusedBy([cache]);
    expect(more).toEqual([]);
    expect(line).toBe(`cache ${cache.url}: ${pkg.out}: not signed by a trusted key (signed by stranger)`);
  });

  it('a valid signature over a record whose archive was replaced', async () => {
    const { cache, rec, dir } = await pushed('replaced');
    const other = await packPath(storeA, dep.out);
    await fs.copyFile(other.file, path.join(dir, archiveKey(rec.archive.hash, 'zstd')));
    await other.dispose();
    expect(await refusedBy([cache])).toEqual([expect.stringMatching(new RegExp(`^cache ${cache.url}: ${pkg.out}: archive archives/[0-9a-f]+\\.tar\\.zst (does not match its record|is truncated)`))]);
  });

  it('a replaced archive of the same size', async () => {
    const { cache, rec, dir } = await pushed('same-size');
    const f = path.join(dir, archiveKey(rec.archive.hash, 'zstd'));
    const bytes = await fs.readFile(f);
    bytes[bytes.length >> 1] ^= 0xff;
    await fs.writeFile(f, bytes);
    expect((await refusedBy([cache]))[0]).toMatch(/does not match its record \(hash blake3:[0-9a-f]{64}, signed blake3:/);
  });

  it('a truncated archive', async () => {
    const { cache, rec, dir } = await pushed('truncated');
    const f = path.join(dir, archiveKey(rec.archive.hash, 'zstd'));
    await fs.truncate(f, rec.archive.size >> 1);
    expect(await refusedBy([cache])).toEqual([`cache ${cache.url}: ${pkg.out}: archive ${archiveKey(rec.archive.hash, 'zstd')} is truncated (${rec.archive.size >> 1} of ${rec.archive.size} bytes)`]);
  });

  it('a record naming references the client does not have', async () => {
    const { cache } = await pushed('refs');
    const empty = await storeAt('empty');
    expect(await refusedBy([cache], empty)).toEqual([`cache ${cache.url}: ${pkg.out}: record refers to ${dep.out}, which is not in the local store`]);
  });

  it('a record naming references the plan does not declare', async () => {
    const { cache, rec, dir } = await pushed('undeclared');
    const stranger = `/ix/store/${newId()}-evil`;
    await resign(dir, { ...rec, refs: [...rec.refs, stranger] });
    expect((await refusedBy([cache]))[0]).toBe(`cache ${cache.url}: ${pkg.out}: record refers to ${stranger}, which the plan does not declare for this node`);
  });

  it('a signed record replayed under another path', async () => {
    const { cache, dir } = await pushed('replay');
    const other = node('zstd', [dep.out]);
    await fs.copyFile(path.join(dir, recordKey(pkg.out)), path.join(dir, recordKey(other.out)));
    const { r, refused } = await substitute(storeB, other, [cache]);
    expect(r).toBeUndefined();
    expect(refused).toEqual([`cache ${cache.url}: ${other.out}: record is for another path (${pkg.out})`]);
  });

  it('a cache of a newer format, and a directory that is not a cache', async () => {
    const { cache, dir } = await pushed('newer');
    await fs.writeFile(path.join(dir, 'ix-cache-info'), encodeCacheInfo({ format: 'ix-cache/2' as typeof CACHE_INFO_FORMAT, compression: 'zstd', priority: 1 }));
    const none = await dirCache('nothing-here');
    expect(await refusedBy([cache, none])).toEqual([
      `cache ${cache.url}: ${pkg.out}: format ix-cache/2 is newer than this ix reads (ix-cache/1); upgrade ix to use it`,
      `cache ${none.url}: ${pkg.out}: has no ix-cache-info (not an ix cache, or nothing pushed yet)`,
    ]);
  });

  it('an archive with unsafe entries or more bytes than its record says (signed by a trusted key)', async () => {
    const { cache, rec, dir } = await pushed('evil-entries');
    const evilTar = async (name: string) => {
      const p = tar.pack();
      const out = (async () => Buffer.concat(await (Readable.from(p as unknown as AsyncIterable<Buffer>).toArray() as Promise<Buffer[]>)))();
      p.entry({ name: './', type: 'directory', pax: { comment: ARCHIVE_FORMAT } });
      p.entry({ name, type: 'file', mode: 0o644 }, 'x');
      p.finalize();
      return zlib.gzipSync(await out);
    };
    for (const [name, why] of [['../escape', /unsafe entry \.\.\/escape/], ['/etc/evil', /absolute name/]] as const) {
      const bytes = await evilTar(name);
      const { hash } = await (await import('../hosts/node/cache/index')).hashFile(await tmpFile(bytes));
      await resign(dir, { ...rec, archive: { hash, size: bytes.length, compression: 'gzip', unpackedSize: 1 << 20 } }, bytes);
      expect((await refusedBy([cache]))[0]).toMatch(why);
    }
    // the genuine archive, with a record declaring fewer unpacked bytes than it holds
    await resign(dir, { ...rec, archive: { ...rec.archive, unpackedSize: 1 << 20 } });
    expect((await refusedBy([cache]))[0]).toMatch(/archive is larger than the 1048576 bytes its record declares/);
    // and one whose tree is not the one the record names
    await resign(dir, { ...rec, treeHash: `blake3:${'0'.repeat(64)}` });
    expect((await refusedBy([cache]))[0]).toMatch(/unpacked tree hash blake3:[0-9a-f]{64} differs from the record's blake3:0{64}/);
  });
});

async function tmpFile(bytes: Buffer): Promise<string> {
  const f = path.join(work, `tmp-${newId()}`);
  await fs.writeFile(f, bytes);
  return f;
}

describe('misbehaving HTTP servers', () => {
  let good: { cache: CacheBackend; rec: CacheRecord; dir: string };
  const servers: http.Server[] = [];
  beforeAll(async () => {
    good = await pushed('http-source');
  });
  afterAll(async () => {
    for (const s of servers) s.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  /** Serves the good directory cache, except that `misbehave` handles what it wants to. */
  async function serve(misbehave: (req: http.IncomingMessage, res: http.ServerResponse) => boolean): Promise<string> {
    const s = http.createServer((req, res) => {
      if (misbehave(req, res)) return;
      const f = path.join(good.dir, decodeURIComponent(new URL(req.url!, 'http://x').pathname).replace(/^\/cache\//, ''));
      fs.stat(f).then(
        (st) => {
          res.writeHead(200, { 'content-length': st.size });
          if (req.method === 'HEAD') res.end();
          else createReadStream(f).pipe(res);
        },
        () => res.writeHead(404).end(),
      );
    });
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(s.address() as { port: number }).port}/cache`;
  }
  const isArchive = (req: http.IncomingMessage) => req.url!.includes('/archives/');

  it('answers 500: retried a bounded number of times, then refused', async () => {
    let hits = 0;
    const url = await serve((req, res) => (isArchive(req) ? (hits++, res.writeHead(500).end(), true) : false));
    const cache = openCache(url, { retries: 2, timeoutMs: 2000 });
    expect(await refusedBy([cache])).toEqual([expect.stringMatching(new RegExp(`^cache ${url}: ${pkg.out}: GET archives/[0-9a-f]+\\.tar\\.zst: HTTP 500 \\(after 3 attempts\\)$`))]);
    expect(hits).toBe(3);
  });

  it('hangs: times out, retried, then refused', async () => {
    const url = await serve((req) => isArchive(req));
    const cache = openCache(url, { retries: 1, timeoutMs: 300 });
    expect((await refusedBy([cache]))[0]).toMatch(/GET archives\/[0-9a-f]+\.tar\.zst: no answer within 300 ms \(after 2 attempts\)$/);
  });

  it('closes the connection halfway: retried, then refused', async () => {
    let hits = 0;
    const url = await serve((req, res) => {
      if (!isArchive(req)) return false;
      hits++;
      res.writeHead(200, { 'content-length': good.rec.archive.size });
      res.write(Buffer.alloc(good.rec.archive.size >> 1), () => res.socket?.destroy());
      return true;
    });
    const cache = openCache(url, { retries: 0, timeoutMs: 2000 });
    expect((await refusedBy([cache]))[0]).toMatch(/transfer of archive archives\/[0-9a-f]+\.tar\.zst broke off after \d+ of \d+ bytes .*; gave up after 3 attempts$/);
    expect(hits).toBe(3);
  });

  it('stalls halfway through the body: the idle time-out ends each attempt, then refused', async () => {
    const url = await serve((req, res) => {
      if (!isArchive(req)) return false;
      res.writeHead(200, { 'content-length': good.rec.archive.size });
      res.write(Buffer.alloc(1000));
      return true;
    });
    const cache = openCache(url, { retries: 0, timeoutMs: 300 });
    expect((await refusedBy([cache]))[0]).toMatch(/broke off after 1000 of \d+ bytes \(GET archives\/[0-9a-f]+\.tar\.zst: no data for 300 ms\); gave up after 3 attempts$/);
  });

  it('falls back: a failing cache is reported and the next one serves, lower priority number first', async () => {
    const bad = openCache(await serve((req, res) => (isArchive(req) ? (res.writeHead(500).end(), true) : false)), { retries: 0 });
    const b = await storeAt('fallback');
    await b.realise(dep, async (o) => fs.writeFile(path.join(o.tmpOut, 'libc.a'), 'musl bytes'));
    // the good cache has priority 50 (the default); a failing one with priority 10 is asked first
    // although listed last, and `bad` (also 50, listed after the good one) is never asked
    const prio = await serve((req, res) => {
      if (req.url === '/cache/ix-cache-info') {
        const body = encodeCacheInfo({ format: CACHE_INFO_FORMAT, compression: 'zstd', priority: 10 });
        res.writeHead(200, { 'content-length': Buffer.byteLength(body) }).end(body);
        return true;
      }
      if (isArchive(req)) return (res.writeHead(500).end(), true);
      return false;
    });
    const first = openCache(prio, { retries: 0 });
    const { r, refused } = await substitute(b, pkg, [good.cache, bad, first]);
    expect(r?.cache).toBe(good.cache.url);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(new RegExp(`^cache ${first.url}: ${pkg.out}: GET archives/[0-9a-f]+\\.tar\\.zst: HTTP 500 \\(after 1 attempts\\)$`));
    expect(await b.isBuilt(pkg.out)).toBe(true);
  });
});

describe('importPath (shared with remote builders)', () => {
  it('imports a packed path under its lock and commits it with the expected hash', async () => {
    const packed = await packPath(storeA, pkg.out);
    const c = await storeAt('import');
    await c.realise(dep, async (o) => fs.writeFile(path.join(o.tmpOut, 'libc.a'), 'musl bytes'));
    const rec = await importPath(c, pkg, packed.record, createReadStream(packed.file));
    expect(rec !== 'present' && rec.hash).toBe(packed.record.treeHash);
    expect(await importPath(c, pkg, packed.record, createReadStream(packed.file))).toBe('present');
    await packed.dispose();
  });

  it('refuses an altered archive, an unsigned record when keys are required, and leaves nothing', async () => {
    const packed = await packPath(storeA, pkg.out);
    const c = await storeAt('import-bad');
    await c.realise(dep, async (o) => fs.writeFile(path.join(o.tmpOut, 'libc.a'), 'musl bytes'));
    const bytes = await fs.readFile(packed.file);
    bytes[100] ^= 1;
    await expect(importPath(c, pkg, packed.record, Readable.from([bytes]))).rejects.toThrow(/archive does not match its record/);
    await expect(importPath(c, pkg, packed.record, createReadStream(packed.file), { trusted: [key.public] })).rejects.toThrow(ImportError);
    await expectNothingStored(c, pkg);
    await packed.dispose();
  });

  it('refuses a record naming another tree hash than its archive unpacks to (checked once, by the commit), and leaves nothing', async () => {
    const packed = await packPath(storeA, pkg.out);
    const c = await storeAt('import-lie');
    await c.realise(dep, async (o) => fs.writeFile(path.join(o.tmpOut, 'libc.a'), 'musl bytes'));
    const lie = { ...packed.record, treeHash: `blake3:${'0'.repeat(64)}` };
    await expect(importPath(c, pkg, lie, createReadStream(packed.file))).rejects.toThrow(/tree hash blake3:[0-9a-f]{64} differs from the expected blake3:0{64}/);
    await expectNothingStored(c, pkg);
    await packed.dispose();
  });

  it('packPath refuses a damaged store path; with recheck: false it packs it and the receiver refuses it', async () => {
    const s = await storeAt('damaged');
    const n = node('damaged');
    await s.realise(n, async (o) => fs.writeFile(path.join(o.tmpOut, 'f'), 'as built'));
    const f = path.join(s.physical(n.out), 'f');
    await fs.chmod(s.physical(n.out), 0o755);
    await fs.chmod(f, 0o644);
    await fs.writeFile(f, 'changed!');
    await expect(packPath(s, n.out)).rejects.toThrow(/does not match its store record/);
    const packed = await packPath(s, n.out, { recheck: false });
    const c = await storeAt('damaged-receiver');
    await c.withOutputLock(n.out, async () => {
      const o = await c.beginOutput(n);
      await expect(receiveInto(n, packed.record, createReadStream(packed.file), o, { havePath: async () => true })).rejects.toThrow(/unpacked tree hash blake3:[0-9a-f]{64} differs from the record's/);
      await o.abort();
    });
    await expectNothingStored(c, n);
    await packed.dispose();
  });
});

describe('fixed-output (seed) nodes', () => {
  it('refuses a record without the pinned tree hash, or whose tree is not it, even when a trusted key signed it', async () => {
    const seed = node('boot-tools');
    const fill = async (o: { tmpOut: string }) => fs.writeFile(path.join(o.tmpOut, 'sh'), 'host tools', { mode: 0o755 });
    await storeA.realise(seed, fill);
    const pin = (await storeA.record(seed.out))!.hash;
    const cache = await dirCache('seed');
    await pushPath(storeA, seed.out, cache, key);
    const dir = path.join(work, 'seed');
    const rec = parseRecord(await fs.readFile(path.join(dir, recordKey(seed.out)), 'utf8'));
    const other = `blake3:${'1'.repeat(64)}`;

    // The recipe pins another tree: the record (honestly signed) does not carry the pin.
    const pinnedElse = { ...seed, fixed: other };
    const c1 = await storeAt('seed-1');
    const a = await substitute(c1, pinnedElse, [cache]);
    expect(a.r).toBeUndefined();
    expect(a.refused).toEqual([`cache ${cache.url}: ${seed.out}: record's tree hash ${pin} is not the ${other} this fixed-output node pins`]);
    await expectNothingStored(c1, pinnedElse);

    // A record that claims the pin but whose archive holds another tree.
    const pinned = { ...seed, fixed: pin };
    const wrong = node('wrong');
    await storeA.realise(wrong, async (o) => fs.writeFile(path.join(o.tmpOut, 'sh'), 'other tools', { mode: 0o755 }));
    const packed = await packPath(storeA, wrong.out);
    const archive = await fs.readFile(packed.file);
    await packed.dispose();
    const forged = signRecord({ ...rec, archive: packed.record.archive, treeSize: packed.record.treeSize, signatures: [] }, key);
    const forgedDir = path.join(work, 'seed-forged');
    await fs.mkdir(path.join(forgedDir, 'archives'), { recursive: true });
    await fs.mkdir(path.join(forgedDir, 'records'), { recursive: true });
    await fs.copyFile(path.join(dir, 'ix-cache-info'), path.join(forgedDir, 'ix-cache-info'));
    await fs.writeFile(path.join(forgedDir, recordKey(seed.out)), encodeRecord(forged));
    await fs.writeFile(path.join(forgedDir, archiveKey(forged.archive.hash, forged.archive.compression)), archive);
    const forgedCache = await dirCache('seed-forged');
    const c2 = await storeAt('seed-2');
    const b = await substitute(c2, pinned, [forgedCache]);
    expect(b.r).toBeUndefined();
    expect(b.refused).toEqual([expect.stringMatching(new RegExp(`^cache ${forgedCache.url}: ${seed.out}: unpacked tree hash blake3:[0-9a-f]{64} differs from the record's ${pin}$`))]);
    await expectNothingStored(c2, pinned);

    // The honest record of the pinned tree is taken.
    const c3 = await storeAt('seed-3');
    const ok = await substitute(c3, pinned, [forgedCache, cache]);
    expect(ok.r?.cache).toBe(cache.url);
    expect((await c3.record(seed.out))?.hash).toBe(pin);
  });
});

describe('store commit with expectHash', () => {
  it('throws and stores nothing when the normalised tree hashes otherwise, commits when it matches', async () => {
    const c = await storeAt('expect');
    const n = node('plain');
    const fill = (dir: string) => fs.writeFile(path.join(dir, 'f'), 'content');
    await c.withOutputLock(n.out, async () => {
      const o = await c.beginOutput(n);
      await fill(o.tmpOut);
      await expect(o.commit({ expectHash: `blake3:${'0'.repeat(64)}` })).rejects.toThrow(/tree hash blake3:[0-9a-f]{64} differs from the expected blake3:0{64}/);
    });
    await expectNothingStored(c, n);
    const probe = path.join(work, 'probe');
    await fs.mkdir(probe);
    await fill(probe);
    const want = (await processTree(probe, { normalise: false })).hash;
    await c.withOutputLock(n.out, async () => {
      const o = await c.beginOutput(n);
      await fill(o.tmpOut);
      expect((await o.commit({ expectHash: want })).hash).toBe(want);
    });
    expect(await c.isBuilt(n.out)).toBe(true);
  });
});

describe('HTTP credentials from netrc', () => {
  it('finds the machine entry, else the default, and sends it as Basic authentication', async () => {
    const { netrcLookup } = await import('../hosts/node/cache/backend/netrc');
    const text = 'machine other login o password p\nmachine 127.0.0.1\n  login ci\n  password s3cret\ndefault login anon password x\n';
    expect(netrcLookup(text, '127.0.0.1')).toEqual({ login: 'ci', password: 's3cret' });
    expect(netrcLookup(text, 'elsewhere')).toEqual({ login: 'anon', password: 'x' });
    const netrc = path.join(work, 'netrc');
    await fs.writeFile(netrc, text, { mode: 0o600 });
    const seen: (string | undefined)[] = [];
    const s = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(req.headers.authorization ? 404 : 401).end();
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(s.address() as { port: number }).port}/c`;
    try {
      expect(await openCache(url, { netrc }).get('ix-cache-info')).toBeUndefined();
      await expect(openCache(url, { netrc: path.join(work, 'no-such-netrc') }).get('ix-cache-info')).rejects.toThrow(`cache ${url}: GET ix-cache-info: HTTP 401 (check the netrc entry for this host)`);
      expect(seen[0]).toBe(`Basic ${Buffer.from('ci:s3cret').toString('base64')}`);
    } finally {
      await new Promise((r) => s.close(r));
    }
  });
});

describe('packPathStream (for transports that send the record after the archive)', () => {
  it('streams an archive whose record, known at the end, imports like packPath', async () => {
    const { packPathStream } = await import('../hosts/node/cache/index');
    const { stream, record } = await packPathStream(storeA, pkg.out);
    const bytes = Buffer.concat(await (stream.toArray() as Promise<Buffer[]>));
    const rec = await record;
    const file = await packPath(storeA, pkg.out);
    expect(rec).toEqual(file.record);
    expect(bytes.equals(await fs.readFile(file.file))).toBe(true);
    await file.dispose();
    const c = await storeAt('stream-import');
    await c.realise(dep, async (o) => fs.writeFile(path.join(o.tmpOut, 'libc.a'), 'musl bytes'));
    const got = await importPath(c, pkg, rec, Readable.from([bytes]));
    expect(got !== 'present' && got.hash).toBe(rec.treeHash);
  });
});

describe('the cache chooses the compression', () => {
  it('pushes gzip archives to a cache whose info says gzip, and substitutes them', async () => {
    const { ensureCacheInfo } = await import('../hosts/node/cache/index');
    const cache = await dirCache('gzip-cache');
    await ensureCacheInfo(cache, { compression: 'gzip', priority: 5 });
    const r = await pushPath(storeA, pkg.out, cache, key);
    expect(r.status === 'pushed' && r.record.archive.compression).toBe('gzip');
    expect(await fs.readdir(path.join(work, 'gzip-cache', 'archives'))).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.tar\.gz$/)]);
    const b = await storeAt('gzip-client');
    await b.realise(dep, async (o) => fs.writeFile(path.join(o.tmpOut, 'libc.a'), 'musl bytes'));
    const { r: got, refused } = await substitute(b, pkg, [cache]);
    expect(refused).toEqual([]);
    expect(got?.expectHash).toBe((await storeA.record(pkg.out))?.hash);
  });
});

/** A directory cache whose ix-cache-info reads as `partial` the first `times` GETs (a put another process has begun). */
function halfWritten(inner: CacheBackend, partial: string, times: number): CacheBackend & { infoGets: () => number } {
  let gets = 0;
  return {
    url: inner.url,
    head: (k) => inner.head(k),
    put: (k, body, size) => inner.put(k, body, size),
    get: async (k) => {
      if (k !== 'ix-cache-info') return inner.get(k);
      gets++;
      return gets <= times ? Readable.from([Buffer.from(partial)]) : inner.get(k);
    },
    infoGets: () => gets,
  };
}

describe('an ix-cache-info another process is still writing', () => {
  it('is read again until whole, by a pusher and by a substituter', async () => {
    const { ensureCacheInfo, readCacheInfo, PARTIAL_INFO_WAITS } = await import('../hosts/node/cache/index');
    const inner = await dirCache('half-info');
    await ensureCacheInfo(inner, { compression: 'gzip', priority: 7 });
    for (const partial of ['', '{"compression":"gz']) {
      const seen = halfWritten(inner, partial, PARTIAL_INFO_WAITS.length);
      expect(await readCacheInfo(seen)).toEqual({ format: CACHE_INFO_FORMAT, compression: 'gzip', priority: 7 });
      expect(seen.infoGets()).toBe(PARTIAL_INFO_WAITS.length + 1);
    }
    const pushing = halfWritten(inner, '', 2);
    const r = await pushPath(storeA, pkg.out, pushing, key);
    expect(r.status === 'pushed' && r.record.archive.compression).toBe('gzip');
    expect(pushing.infoGets()).toBe(3);
  });

  it('is refused with one line naming the cache when it stays broken', async () => {
    const { readCacheInfo, PARTIAL_INFO_WAITS } = await import('../hosts/node/cache/index');
    const inner = await dirCache('broken-info');
    const seen = halfWritten(inner, '{"format":', PARTIAL_INFO_WAITS.length + 1);
    await expect(readCacheInfo(seen)).rejects.toThrow(`cache ${inner.url}: ix-cache-info is not JSON`);
    expect(seen.infoGets()).toBe(PARTIAL_INFO_WAITS.length + 1);
  });

  it('is read once per backend object by a run pushing many paths', async () => {
    const inner = await dirCache('info-once');
    const counting = halfWritten(inner, '', 0);
    await pushPath(storeA, dep.out, counting, key);
    await pushPath(storeA, pkg.out, counting, key);
    expect(counting.infoGets()).toBe(1);
  });
});

describe('findInCaches (dry run) and nodeOfRecord (import without a plan)', () => {
  it('names the cache and the bytes without downloading, refusing untrusted records', async () => {
    const { findInCaches, nodeOfRecord } = await import('../hosts/node/cache/index');
    const { cache: untrusted } = await pushed('dry-untrusted', evil);
    const { cache, rec } = await pushed('dry-good');
    const refused: string[] = [];
    const found = await findInCaches(pkg, [untrusted, cache], [key.public], { onRefused: (l) => refused.push(l) });
    expect(found).toEqual({ cache: cache.url, record: rec, bytes: rec.archive.size });
    expect(refused).toEqual([`cache ${untrusted.url}: ${pkg.out}: not signed by a trusted key (signed by stranger)`]);
    expect(await findInCaches(node('absent'), [cache], [key.public], { onRefused: (l) => refused.push(l) })).toBeUndefined();
    const n = nodeOfRecord(rec);
    expect(n).toEqual({ id: pkg.id, out: pkg.out, name: 'zstd', inputs: [dep.out], runtime: [dep.out] });
    const c = await storeAt('copy-from');
    await c.realise(dep, async (o) => fs.writeFile(path.join(o.tmpOut, 'libc.a'), 'musl bytes'));
    const src = (await cache.get(archiveKey(rec.archive.hash, rec.archive.compression)))!;
    expect(await importPath(c, n, rec, src, { trusted: [key.public] })).not.toBe('present');
    expect(await c.isBuilt(pkg.out)).toBe(true);
  });
});
