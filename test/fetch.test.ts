// The fetcher against a loopback HTTP server started here: success, sha mismatch, retry after 500,
// mirror hit, cache hit with the server down, file:// URLs, apt: URLs through a stand-in apt-get,
// and Debian's snapshot archive (a snapshot-shaped tree on disk and on the server) when apt-get
// no longer finds a pinned version.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { fetchSource, mirrorUrl, mirrorsFromEnv, resolveSourceCache, formatProgress, snapshotBases, FetchError, type FetchProgress } from '../hosts/node/fetch';
import { snapshotIndexUrl } from '../hosts/common';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const sha1 = (b: Buffer | string) => createHash('sha1').update(b).digest('hex');
const DEB = Buffer.from('!<arch>\nan old libc6\n');
const INDEX = JSON.stringify({ _comment: 'foo', binary: 'libc6', binary_version: '2.36-9+deb12u1', result: [{ architecture: 'i386', hash: sha1('other') }, { architecture: 'amd64', hash: sha1(DEB) }] });
const BODY = Buffer.from('int main(void) { return 0; }\n');
const BIG = Buffer.alloc(3 << 20, 7);

let dir: string;
let cache: string;
let dest: string;
let server: http.Server;
let base: string;
/** Per-path queue of status codes to answer before serving (e.g. [500] = fail once). */
let failures: Record<string, number[]>;
let hits: string[];

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ix-fetch-'));
  cache = path.join(dir, 'cache');
  dest = path.join(dir, 'out');
  await fs.mkdir(dest);
  failures = {};
  hits = [];
  server = http.createServer((req, res) => {
    const url = req.url ?? '';
    hits.push(url);
    const q = failures[url];
    if (q && q.length) {
      res.writeHead(q.shift()!);
      return res.end('nope');
    }
    const files: Record<string, Buffer> = {
      '/src/hello.c': BODY,
      '/src/big.bin': BIG,
      '/src/wrong.c': Buffer.from('tampered'),
      [`/mirror/${sha(BODY).slice(0, 2)}/${sha(BODY)}`]: BODY,
      '/snap/mr/binary/libc6/2.36-9%2Bdeb12u1/binfiles': Buffer.from(INDEX),
      [`/snap/file/${sha1(DEB)}`]: DEB,
    };
    const body = files[url];
    if (!body) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await new Promise((r) => server.close(r));
  await fs.chmod(path.join(cache, 'sha256'), 0o755).catch(() => undefined);
  await fs.rm(dir, { recursive: true, force: true });
});

const opts = () => ({ cacheDir: cache, mirrors: [] as string[], backoffMs: 10 });

describe('fetchSource', () => {
  it('downloads, verifies, stores in the cache and in the destination', async () => {
    const r = await fetchSource({ urls: [`${base}/src/hello.c`], sha256: sha(BODY), file: 'hello.c' }, dest, opts());
    expect(r).toEqual({ path: path.join(dest, 'hello.c'), source: 'url', url: `${base}/src/hello.c`, bytes: BODY.length });
    expect(await fs.readFile(path.join(dest, 'hello.c'))).toEqual(BODY);
    expect(await fs.readFile(path.join(cache, 'sha256', sha(BODY)))).toEqual(BODY);
    expect(await fs.readdir(path.join(cache, 'tmp'))).toEqual([]);
  });

  it('accepts a "sha256:" prefix', async () => {
    const r = await fetchSource({ urls: [`${base}/src/hello.c`], sha256: `sha256:${sha(BODY)}`, file: 'h.c' }, dest, opts());
    expect(r.source).toBe('url');
  });

  it('a sha256 mismatch stores nothing and names the URL, the expected and the actual sum', async () => {
    const want = sha(BODY);
    const err = await fetchSource({ urls: [`${base}/src/wrong.c`], sha256: want, file: 'w.c' }, dest, { ...opts(), name: 'lib/w' }).catch((e) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect(err.message).toBe(`cannot fetch w.c (sha256 ${want}): sha256 mismatch for ${base}/src/wrong.c: expected ${want}, got ${sha('tampered')} (package lib/w)`);
    expect(await fs.readdir(dest)).toEqual([]);
    expect(await fs.readdir(cache)).toEqual(['tmp']);
    expect(await fs.readdir(path.join(cache, 'tmp'))).toEqual([]);
  });

  it('retries a 500 with backoff and then succeeds', async () => {
    failures['/src/hello.c'] = [500, 503];
    const retries: string[] = [];
    const r = await fetchSource({ urls: [`${base}/src/hello.c`], sha256: sha(BODY), file: 'hello.c' }, dest, { ...opts(), onRetry: (m) => retries.push(m) });
    expect(r.source).toBe('url');
    expect(hits).toEqual(['/src/hello.c', '/src/hello.c', '/src/hello.c']);
    expect(retries).toEqual([`${base}/src/hello.c: HTTP 500; retrying in 10 ms`, `${base}/src/hello.c: HTTP 503; retrying in 20 ms`]);
  });

  it('gives up after the bounded number of retries, and does not retry a 404', async () => {
    failures['/src/hello.c'] = [500, 500, 500];
    const err = await fetchSource(
      { urls: [`${base}/src/hello.c`, `${base}/src/missing.c`], sha256: sha(BODY), file: 'hello.c' },
      dest, { ...opts(), retries: 2 }).catch((e) => e);
    expect(err.message).toBe(`cannot fetch hello.c (sha256 ${sha(BODY)}): ${base}/src/hello.c: HTTP 500; ${base}/src/missing.c: HTTP 404`);
    expect(hits).toEqual(['/src/hello.c', '/src/hello.c', '/src/hello.c', '/src/missing.c']);
  });

  it('falls through to the next URL when one fails', async () => {
    const r = await fetchSource({ urls: [`${base}/src/wrong.c`, `${base}/src/hello.c`], sha256: sha(BODY), file: 'x.c' }, dest, opts());
    expect(r.url).toBe(`${base}/src/hello.c`);
  });

  it('uses a content-addressed mirror ({sha2}/{sha}) before the URLs', async () => {
    const r = await fetchSource({ urls: [`${base}/src/hello.c`], sha256: sha(BODY), file: 'hello.c' }, dest,
      { ...opts(), mirrors: [`${base}/empty/{sha}`, `${base}/mirror/{sha2}/{sha}`] });
    expect(r.source).toBe('mirror');
    expect(r.url).toBe(`${base}/mirror/${sha(BODY).slice(0, 2)}/${sha(BODY)}`);
    expect(hits).toEqual([`/empty/${sha(BODY)}`, `/mirror/${sha(BODY).slice(0, 2)}/${sha(BODY)}`]);
  });

  it('serves from the cache with the server down, and re-fetches a corrupt cache entry', async () => {
    const spec = { urls: [`${base}/src/hello.c`], sha256: sha(BODY), file: 'hello.c' };
    await fetchSource(spec, dest, opts());
    await new Promise((r) => server.close(r));
    await fs.rm(path.join(dest, 'hello.c'));
    const r = await fetchSource(spec, dest, opts());
    expect(r).toEqual({ path: path.join(dest, 'hello.c'), source: 'cache', bytes: BODY.length });
    expect(await fs.readFile(path.join(dest, 'hello.c'))).toEqual(BODY);

    // A corrupt entry is not trusted; with the server down the fetch then fails.
    const entry = path.join(cache, 'sha256', sha(BODY));
    await fs.chmod(entry, 0o644);
    await fs.writeFile(entry, 'rotten');
    const err = await fetchSource(spec, path.join(dir), { ...opts(), retries: 0 }).catch((e) => e);
    expect(err.message).toMatch(new RegExp(`^cannot fetch hello.c \\(sha256 ${sha(BODY)}\\): ${base}/src/hello.c: ECONNREFUSED$`));
    await expect(fs.stat(entry)).rejects.toThrow(/ENOENT/);
    server = http.createServer(); // closed again by afterEach
    server.listen(0, '127.0.0.1');
  });

  it('reads file:// URLs', async () => {
    const src = path.join(dir, 'local.tar');
    await fs.writeFile(src, BODY);
    const r = await fetchSource({ urls: [pathToFileURL(src).href], sha256: sha(BODY), file: 'local.tar' }, dest, opts());
    expect(r.source).toBe('url');
    expect(await fs.readFile(path.join(dest, 'local.tar'))).toEqual(BODY);
    const err = await fetchSource({ urls: [pathToFileURL(`${src}.no`).href], sha256: sha(BODY), file: 'x' }, dest, { ...opts(), cacheDir: path.join(dir, 'c2') }).catch((e) => e);
    expect(err.message).toBe(`cannot fetch x (sha256 ${sha(BODY)}): ${pathToFileURL(`${src}.no`).href}: no such file`);
  });

  it('reports progress for large downloads only', async () => {
    const seen: FetchProgress[] = [];
    await fetchSource({ urls: [`${base}/src/hello.c`], sha256: sha(BODY), file: 'hello.c' }, dest, { ...opts(), onProgress: (p) => seen.push(p) });
    expect(seen).toEqual([]);
    await fetchSource({ urls: [`${base}/src/big.bin`], sha256: sha(BIG), file: 'big.bin' }, dest, { ...opts(), onProgress: (p) => seen.push(p) });
    const last = seen[seen.length - 1];
    expect(last).toEqual({ url: `${base}/src/big.bin`, file: 'big.bin', received: BIG.length, total: BIG.length, done: true });
    expect(formatProgress(last)).toBe('fetch big.bin 3.0/3.0 MiB 100% done');
    expect(formatProgress({ ...last, received: 1 << 20, done: false })).toBe('fetch big.bin 1.0/3.0 MiB 33%');
  });

  it('fetches apt:NAME=VERSION/ARCH with "apt-get download NAME:ARCH=VERSION" in a private dir', async () => {
    const deb = Buffer.from('!<arch>\nfake deb\n');
    const fake = path.join(dir, 'apt-get');
    const argsLog = path.join(dir, 'args');
    await fs.writeFile(fake, `#!/bin/sh\necho "$@" > ${argsLog}\npwd >> ${argsLog}\nprintf '!<arch>\\nfake deb\\n' > zlib1g_1.2.13_amd64.deb\n`, { mode: 0o755 });
    const r = await fetchSource({ urls: ['apt:zlib1g=1:1.2.13.dfsg-1/amd64'], sha256: sha(deb), file: 'zlib1g.deb' }, dest, { ...opts(), aptGet: fake });
    expect(r.source).toBe('url');
    expect(await fs.readFile(path.join(dest, 'zlib1g.deb'))).toEqual(deb);
    const [args, cwd] = (await fs.readFile(argsLog, 'utf8')).trim().split('\n');
    expect(args).toBe('download zlib1g:amd64=1:1.2.13.dfsg-1');
    expect(cwd.startsWith(path.join(cache, 'tmp', 'apt-'))).toBe(true);
    expect(await fs.readdir(path.join(cache, 'tmp'))).toEqual([]);

    const bad = await fetchSource({ urls: ['apt:zlib1g'], sha256: sha(deb), file: 'z.deb' }, dest, { ...opts(), cacheDir: path.join(dir, 'c3'), aptGet: fake }).catch((e) => e);
    expect(bad.message).toBe(`cannot fetch z.deb (sha256 ${sha(deb)}): apt:zlib1g: not of the form apt:NAME=VERSION/ARCH`);
  });

  describe("Debian's snapshot archive after apt-get", () => {
    const URL = 'apt:libc6=2.36-9+deb12u1/amd64';
    /** An apt-get that no longer finds the version, as an ordinary mirror after a point release. */
    const gone = async () => {
      const fake = path.join(dir, 'apt-get-gone');
      await fs.writeFile(fake, `#!/bin/sh\necho run >> ${path.join(dir, 'apt-runs')}\necho "E: Version '2.36-9+deb12u1' for 'libc6' was not found" >&2\nexit 100\n`, { mode: 0o755 });
      return fake;
    };
    /** A snapshot-shaped tree on disk: mr/binary/NAME/VERSION/binfiles and file/<sha1>. */
    const tree = async (files: Record<string, Buffer | string>) => {
      const root = path.join(dir, 'snapshot');
      for (const [p, body] of Object.entries(files)) {
        await fs.mkdir(path.dirname(path.join(root, p)), { recursive: true });
        await fs.writeFile(path.join(root, p), body);
      }
      return pathToFileURL(root).href;
    };

    it('downloads the pinned version from a file:// snapshot tree, verified by sha256', async () => {
      const snap = await tree({ 'mr/binary/libc6/2.36-9+deb12u1/binfiles': INDEX, [`file/${sha1(DEB)}`]: DEB });
      const r = await fetchSource({ urls: [URL], sha256: sha(DEB), file: 'libc6.deb' }, dest, { ...opts(), aptGet: await gone(), snapshots: [snap] });
      expect(r).toMatchObject({ source: 'snapshot', url: `${snap}/file/${sha1(DEB)}`, bytes: DEB.length });
      expect(await fs.readFile(path.join(dest, 'libc6.deb'))).toEqual(DEB);
      expect(await fs.readFile(path.join(cache, 'sha256', sha(DEB)))).toEqual(DEB);
      expect(await fs.readFile(path.join(dir, 'apt-runs'), 'utf8')).toBe('run\n'); // a missing version is not retried
    });

    it('downloads it over HTTP with the version percent-encoded, after a base that does not answer', async () => {
      const r = await fetchSource({ urls: [URL], sha256: sha(DEB), file: 'libc6.deb' }, dest, { ...opts(), aptGet: await gone(), snapshots: [`${base}/nothing`, `${base}/snap`] });
      expect(r).toMatchObject({ source: 'snapshot', url: `${base}/snap/file/${sha1(DEB)}` });
      expect(hits).toContain('/snap/mr/binary/libc6/2.36-9%2Bdeb12u1/binfiles');
      expect(snapshotIndexUrl('https://s', 'libstdc++6', '1:12.2.0-14')).toBe('https://s/mr/binary/libstdc%2B%2B6/1%3A12.2.0-14/binfiles');
    });

    it('is not asked when apt-get delivers', async () => {
      const fake = path.join(dir, 'apt-get-ok');
      await fs.writeFile(fake, "#!/bin/sh\nprintf '!<arch>\\nan old libc6\\n' > libc6.deb\n", { mode: 0o755 });
      const r = await fetchSource({ urls: [URL], sha256: sha(DEB), file: 'libc6.deb' }, dest, { ...opts(), aptGet: fake, snapshots: [`${base}/snap`] });
      expect(r.source).toBe('url');
      expect(hits).toEqual([]);
    });

    it('when nothing matches, one error names the package, the sum it needs and every place tried', async () => {
      const wrong = Buffer.from('!<arch>\na rebuilt libc6\n');
      const snap = await tree({
        'mr/binary/libc6/2.36-9+deb12u1/binfiles': JSON.stringify({ result: [{ architecture: 'amd64', hash: sha1(wrong) }] }),
        [`file/${sha1(wrong)}`]: wrong,
      });
      const err = await fetchSource({ urls: [URL], sha256: sha(DEB), file: 'libc6.deb' }, dest, { ...opts(), aptGet: await gone(), snapshots: [`${base}/nothing`, snap], name: 'bld/boot/tools' }).catch((e) => e);
      expect(err).toBeInstanceOf(FetchError);
      expect(err.message).toBe([
        `cannot fetch libc6.deb (sha256 ${sha(DEB)}): ${URL}: apt-get download failed: E: Version '2.36-9+deb12u1' for 'libc6' was not found`,
        `snapshot ${base}/nothing/mr/binary/libc6/2.36-9%2Bdeb12u1/binfiles: HTTP 404`,
        `sha256 mismatch for ${snap}/file/${sha1(wrong)}: expected ${sha(DEB)}, got ${sha(wrong)} (package bld/boot/tools)`,
      ].join('; '));
      expect(await fs.readdir(path.join(cache, 'sha256')).catch(() => [])).toEqual([]); // nothing stored
      const noArch = await tree({ 'mr/binary/libc6/2.36-9+deb12u1/binfiles': JSON.stringify({ result: [{ architecture: 'arm64', hash: sha1(DEB) }] }) });
      const err2 = await fetchSource({ urls: [URL], sha256: sha(DEB), file: 'libc6.deb' }, dest, { ...opts(), aptGet: await gone(), snapshots: [noArch] }).catch((e) => e);
      expect(err2.message).toMatch(/; snapshot file:\/\/.*\/mr\/binary\/libc6\/2\.36-9%2Bdeb12u1\/binfiles: no amd64 file for libc6=2\.36-9\+deb12u1$/);
    });

    it('takes its bases from IX_DEBIAN_SNAPSHOT, "none" for no snapshot mirror', () => {
      expect(snapshotBases({})).toEqual(['https://snapshot.debian.org']);
      expect(snapshotBases({ IX_DEBIAN_SNAPSHOT: ' file:///m/  http://s ' })).toEqual(['file:///m', 'http://s']);
      expect(snapshotBases({ IX_DEBIAN_SNAPSHOT: 'none' })).toEqual([]);
    });
  });

  it('reads its defaults from the environment', () => {
    expect(mirrorsFromEnv({ IX_MIRRORS: ' http://a/{sha}  file:///m/{sha2}/{sha} ' })).toEqual(['http://a/{sha}', 'file:///m/{sha2}/{sha}']);
    expect(mirrorUrl('http://m/{sha2}/{sha}.src', 'abcdef')).toBe('http://m/ab/abcdef.src');
    expect(resolveSourceCache({ IX_SOURCE_CACHE: '/c' })).toBe('/c');
    expect(resolveSourceCache({ IX_ROOT: '/r' })).toBe('/r/cache/sources');
  });

  it('rejects a malformed sha256 and an unsupported scheme', async () => {
    await expect(fetchSource({ urls: [`${base}/x`], sha256: 'abc', file: 'x' }, dest, opts())).rejects.toThrow('bad sha256 "abc" (want 64 lowercase hex digits)');
    await expect(fetchSource({ urls: ['ftp://h/x'], sha256: sha(BODY), file: 'x' }, dest, opts())).rejects.toThrow(`cannot fetch x (sha256 ${sha(BODY)}): ftp://h/x: unsupported URL scheme (http, https, file, apt)`);
  });
});
