// The WASM core: the Node host's digest equals the engine's pure BLAKE3; the component and a
// direct V8 run of wasm/out/core.bundle.js give the same bytes; the component imports nothing
// but ix:core/host; errors cross the boundary as results; an unchanged build is skipped.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { beforeAll, describe, expect, test } from 'vitest';
import { pureBlake3, toHex } from '../engine/hash/index';
import { diskCache } from '../hosts/node/cache';
import { CoreError, loadCore } from '../hosts/node/core';
import { loadDigest } from '../hosts/node/digest';
import { fsHostIO } from '../hosts/node/io';
import { freshCore } from './support/browser-node';
import { ensureCoreBuilt, outDir, repoRoot, tempDir, world, writeTree } from './support/cli';

setFlagsFromString('--experimental-wasm-extended-const');

let root: string;
beforeAll(() => {
  ensureCoreBuilt();
  root = writeTree(world);
});

/** The official BLAKE3 test-vector input: bytes i % 251. */
const input = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 251);

describe('host digest', () => {
  test('hash-wasm BLAKE3 equals the pure-JS BLAKE3 on the official vector lengths', async () => {
    const digest = await loadDigest();
    for (const n of [0, 1, 63, 64, 65, 1023, 1024, 1025, 2048, 2049, 8193, 31744, 102400]) {
      expect(toHex(digest(input(n))), `length ${n}`).toBe(toHex(pureBlake3(input(n))));
    }
    // Published vectors (BLAKE3 test_vectors.json), first 32 bytes.
    expect(toHex(digest(input(0)))).toBe('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
    expect(toHex(digest(input(1)))).toBe('2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213');
  });
});

describe('component vs V8', () => {
  const requests = [
    { packages: ['bin/app'] },
    { packages: ['set/all', 'bin/lone(opt=2)'], flags: { verbose: '1' } },
    { packages: ['bin/app'], target: 'linux-aarch64' },
  ];

  test('a direct V8 run of core.bundle.js gives the same plan and render bytes as the component', async () => {
    const core = await loadCore(outDir);
    const fast = fsHostIO([root], { digest: await loadDigest(), cache: diskCache(tempDir('ix-c-')) });
    const v8 = (await import(pathToFileURL(join(outDir, 'core.bundle.js')).href)) as {
      createCore(io: unknown): { plan(r: string): { tag: string; val: string | Uint8Array }; render(r: string): string; listPackages(): string[] };
    };
    const plain = v8.createCore(fsHostIO([root]));
    for (const req of requests) {
      const a = Buffer.from(core.plan(fast, req));
      const p = plain.plan(JSON.stringify(req)); // no cache: always the fresh text
      expect(p.tag).toBe('text');
      expect(a.equals(Buffer.from(p.val as string, 'utf8')), JSON.stringify(req)).toBe(true);
      expect(Buffer.from(core.plan(fast, req)).equals(a)).toBe(true); // twice in one instance: through the descriptor cache and node memo
    }
    expect(core.render(fast, { package: 'lib/z' })).toBe(plain.render(JSON.stringify({ package: 'lib/z' })));
    expect(core.listPackages(fast)).toEqual(plain.listPackages());
    expect(core.listPackages(fast)).toEqual(['bin/app', 'bin/lone', 'bld/tool', 'lib/z', 'lib/zz', 'set/all']);
  });

  test('engine errors cross the boundary as result errors, and the instance survives them', async () => {
    const core = await loadCore(outDir);
    const io = fsHostIO([root]);
    let err: unknown;
    try {
      core.plan(io, { packages: ['bin/nope'] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CoreError);
    expect((err as CoreError).internal).toBe(false);
    expect((err as CoreError).message).toMatch(/bin\/nope/);
    expect(core.plan(io, { packages: ['bin/lone'] }).length).toBeGreaterThan(0);
  });

  test('a failing host import is reported after the call, not as a trap', async () => {
    const core = await loadCore(outDir);
    const io = fsHostIO([root]);
    const broken = { ...io, readFile: () => { throw new Error('disk on fire'); } };
    expect(() => core.plan(broken, { packages: ['bin/app'] })).toThrow(/disk on fire/);
    expect(core.plan(io, { packages: ['bin/lone'] }).length).toBeGreaterThan(0);
  });

  test("the host's digest-text is used only after it agrees with BLAKE3 of UTF-8; a wrong one is refused (interpreted core); the compiled core hashes natively", async () => {
    const io = fsHostIO([root], { digest: await loadDigest() });
    const plain = fsHostIO([root]);
    let texts = 0;
    let digests = 0;
    const counted = { ...io, digest: (d: Uint8Array) => (digests++, io.digest!(d)), digestText: (s: string) => (texts++, io.digestText!(s)) };
    const core = await freshCore(counted);
    const bytes = Buffer.from(core.plan({ packages: ['bin/app'] }));
    expect(bytes.equals(Buffer.from((await freshCore(plain)).plan({ packages: ['bin/app'] })))).toBe(true);
    const backend = JSON.parse(readFileSync(join(process.env.IX_CORE_DIR ?? outDir, 'manifest.json'), 'utf8')).backend;
    const liar = await freshCore({ ...io, digest: () => new Uint8Array(32), digestText: () => new Uint8Array(32) });
    if (backend === 'as') {
      expect([texts, digests]).toEqual([0, 0]); // it imports neither
      expect(Buffer.from(liar.plan({ packages: ['bin/app'] })).equals(bytes)).toBe(true);
    } else {
      expect(texts).toBeGreaterThan(1); // the check, then node ids
      const liarText = await freshCore({ ...io, digestText: () => new Uint8Array(32) });
      expect(() => liarText.plan({ packages: ['bin/app'] })).toThrow(/host digest-text is not BLAKE3-256 of UTF-8/);
    }
  });
});

describe('build', () => {
  test('the component imports only ix:core/host (no WASI at all)', () => {
    const glue = readFileSync(join(outDir, 'core', 'core.js'), 'utf8');
    expect(glue).not.toMatch(/^import /m); // no WASI shim module is needed
    const dts = readFileSync(join(outDir, 'core', 'core.d.ts'), 'utf8');
    const importObject = /export interface ImportObject \{([^}]*)\}/.exec(dts)?.[1] ?? '';
    expect([...importObject.matchAll(/'([^']+)'/g)].map((m) => m[1])).toEqual(['ix:core/host@0.4.0']);
  });

  test('rebuilding with unchanged inputs skips componentize (the core hash stays)', () => {
    const build = () => spawnSync(process.execPath, [join(repoRoot, 'wasm', 'build.mjs')], { encoding: 'utf8' });
    expect(build().status).toBe(0); // brings wasm/out up to date with the current sources
    const before = readFileSync(join(outDir, 'manifest.json'), 'utf8');
    const r = spawnSync(process.execPath, [join(repoRoot, 'wasm', 'build.mjs')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/up to date/);
    expect(readFileSync(join(outDir, 'manifest.json'), 'utf8')).toBe(before);
  });
});
