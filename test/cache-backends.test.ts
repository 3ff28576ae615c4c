// One conformance suite for every cache backend, each against a real server on 127.0.0.1:
// a directory, Debian's nginx with WebDAV PUT, and s3rver (a separate process). Under CI=true a
// missing nginx or s3rver fails the run instead of skipping.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { openCache, CacheError, type CacheBackend } from '../hosts/node/cache/index';
import { available, NGINX, resetFirstPut, S3RVER, startNginx, startS3rver, useS3rverCredentials, type Server } from './support/cache-servers';

async function readAll(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

interface Target {
  name: string;
  ok: () => boolean;
  start: (work: string) => Promise<{ cache: CacheBackend; server?: Server; files?: string }>;
}

const targets: Target[] = [
  {
    name: 'directory',
    ok: () => true,
    start: async (work) => ({ cache: openCache(pathToFileURL(path.join(work, 'dir')).href), files: path.join(work, 'dir') }),
  },
  {
    name: 'nginx (WebDAV PUT)',
    ok: () => available(NGINX, 'nginx-light'),
    start: async (work) => {
      const server = await startNginx(path.join(work, 'nginx'), path.join(work, 'www'));
      return { cache: openCache(server.url, { timeoutMs: 5000, retries: 1 }), server, files: path.join(work, 'www', 'cache') };
    },
  },
  {
    name: 's3rver',
    ok: () => available(S3RVER, 's3rver'),
    start: async (work) => {
      useS3rverCredentials();
      const server = await startS3rver(path.join(work, 's3'));
      return { cache: openCache(server.url, { timeoutMs: 5000, retries: 1 }), server };
    },
  },
];

for (const t of targets) {
  describe.skipIf(!t.ok())(`cache backend: ${t.name}`, () => {
    let work: string;
    let cache: CacheBackend;
    let server: Server | undefined;
    let files: string | undefined;
    beforeAll(async () => {
      work = await fs.mkdtemp(path.join(os.tmpdir(), 'ix-cache-be-'));
      ({ cache, server, files } = await t.start(work));
    }, 30_000);
    afterAll(async () => {
      await server?.stop();
      await fs.rm(work, { recursive: true, force: true });
    });

    it('answers undefined for a missing object, on get and head', async () => {
      expect(await cache.get('records/missing.json')).toBeUndefined();
      expect(await cache.head('records/missing.json')).toBeUndefined();
    });

    it('stores bytes and reads them back, with their size', async () => {
      const data = Buffer.from('{"format":"test"}');
      await cache.put('records/a.json', data, data.length);
      expect(await cache.head('records/a.json')).toEqual({ size: data.length });
      expect((await readAll((await cache.get('records/a.json'))!)).equals(data)).toBe(true);
    });

    it('streams a large object in and out unchanged', async () => {
      const data = randomBytes(5 << 20);
      await cache.put('archives/big.tar.zst', () => Readable.from([data.subarray(0, 1 << 20), data.subarray(1 << 20)]), data.length);
      expect(await cache.head('archives/big.tar.zst')).toEqual({ size: data.length });
      expect((await readAll((await cache.get('archives/big.tar.zst'))!)).equals(data)).toBe(true);
    });

    it('replaces an object whole', async () => {
      await cache.put('ix-cache-info', Buffer.from('one'), 3);
      await cache.put('ix-cache-info', Buffer.from('second'), 6);
      expect((await readAll((await cache.get('ix-cache-info'))!)).toString()).toBe('second');
    });

    it('refuses keys that could leave the cache', async () => {
      for (const k of ['../x', 'a/../../x', '/etc/passwd', 'a//b', '.hidden']) {
        await expect(cache.put(k, Buffer.from('x'), 1)).rejects.toThrow(CacheError);
        await expect(cache.get(k)).rejects.toThrow(/bad object key/);
      }
    });

    // Backend-specific checks are defined only for the backends they concern.
    if (t.name === 'directory') {
      it('leaves no temp file behind and writes by rename', async () => {
        await cache.put('records/b.json', Buffer.from('b'), 1);
        expect((await fs.readdir(path.join(files!, 'records'))).filter((n) => n.startsWith('.'))).toEqual([]);
      });
    }

    if (t.name !== 'directory') {
      it('sends a streamed PUT again with a fresh stream when its connection is cut', async () => {
        const port = Number(/127\.0\.0\.1:(\d+)/.exec(server!.url)![1]);
        const proxy = await resetFirstPut(port);
        try {
          const via = openCache(server!.url.replace(`127.0.0.1:${port}`, `127.0.0.1:${proxy.port}`), { timeoutMs: 5000, retries: 2 });
          const data = randomBytes(256 << 10);
          let opened = 0;
          await via.put('archives/cut.tar.zst', () => (opened++, Readable.from([data])), data.length);
          expect(proxy.resets()).toBe(1);
          expect(opened).toBe(2);
          expect((await readAll((await cache.get('archives/cut.tar.zst'))!)).equals(data)).toBe(true);
        } finally {
          await proxy.stop();
        }
      });
    }

    if (t.name !== 's3rver') {
      it('keeps objects as plain files a static server can serve', async () => {
        expect(await fs.readFile(path.join(files!, 'records', 'a.json'), 'utf8')).toBe('{"format":"test"}');
      });
    }
  });
}
