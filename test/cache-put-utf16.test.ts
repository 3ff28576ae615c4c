// The compiled core's cache puts handed to the Node host as UTF-16 code units (HostIO
// cachePutUtf16, hosts/node/utf8-units.ts): the bytes stored are exactly those the string path
// (cachePut of the decoded text) stores, lone surrogates included, and a HostIO without cachePut
// stores nothing even though it has cachePutUtf16.
import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import type { HostIO } from '../engine/api';
import { cacheBase, diskCache } from '../hosts/node/cache';
import { loadIndexes } from '../hosts/node/cache-pack';
import { loadCore, type Core } from '../hosts/node/core';
import { loadDigest } from '../hosts/node/digest';
import { fsHostIO } from '../hosts/node/io';
import { encodeUtf8Into, textOf, utf8Of } from '../hosts/node/utf8-units';
import { ensureCoreBuilt, outDir, recipe, tempDir, world, writeTree } from './support/cli';

const codeUnits = (s: string): Uint16Array => {
  const u = new Uint16Array(s.length);
  for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
  return u;
};

describe('UTF-8 of code units', () => {
  test('the UTF-8 of the decoded string, for every kind of code unit, by each encoder', () => {
    const cases = ['', 'plain ascii {"a":1}\n', 'é ü ß € 中文', 'pair 😀 and 𝄞', '\ud800', 'a\udc00b', 'end \ud83d', '\udfff\ud800x', '\u0000\u007f\u0080\u07ff\u0800\uffff'];
    // a long mixed text, past any small-buffer path
    let long = '';
    for (let i = 0; i < 20_000; i++) long += String.fromCharCode((i * 7919) % 0x10000);
    cases.push(long, 'x'.repeat(100_000), `${'y'.repeat(300_000)}é`);
    // every case also after an ASCII run (the encoder's word loop stops at its first other unit)
    for (const s of [...cases, ...cases.map((c) => `abcdefg${c}`), ...cases.map((c) => `abcdef${c}xy`)]) {
      const u = codeUnits(s);
      const want = Buffer.from(s, 'utf8');
      expect(utf8Of(u).equals(want)).toBe(true);
      expect(Buffer.from(textOf(u), 'utf8').equals(want)).toBe(true);
      // at each alignment of the units: 4-byte aligned (word loop) and not (unit loop)
      for (const skew of [0, 1, 2, 3]) {
        const mem = new Uint16Array(u.length + skew);
        mem.set(u, skew);
        const view = mem.subarray(skew);
        // and into `out` at an aligned place (four units a store) and not
        for (const at of [0, 4, 5]) {
          const out = new Uint8Array(3 * u.length + 8).fill(0xaa);
          const n = encodeUtf8Into(view, out, at);
          expect(n).toBe(want.length);
          expect(Buffer.from(out.subarray(at, at + n)).equals(want)).toBe(true);
          expect(out.subarray(0, at).every((b) => b === 0xaa)).toBe(true);
          expect(out.subarray(at + n).every((b) => b === 0xaa)).toBe(true);
        }
      }
    }
    // a view into a larger memory, at an odd code-unit offset
    const mem = codeUnits('zzz é 😀 \ud800 tail');
    expect(utf8Of(mem.subarray(3, 12)).equals(Buffer.from(String.fromCharCode(...mem.subarray(3, 12)), 'utf8'))).toBe(true);
  });
});

describe('cache puts of the compiled core through fsHostIO', () => {
  let core: Core;
  let root: string;
  beforeAll(async () => {
    ensureCoreBuilt();
    core = await loadCore(outDir);
    // non-ASCII text in a script, so the stored entries are not ASCII only
    root = writeTree({ ...world, 'bin/lone/ix.sh': recipe({ script: 'echo lone é 中 😀' }) });
  }, 180_000);

  /** Every entry of a cache directory: key -> body bytes (hex). */
  function entries(dir: string): Map<string, string> {
    const out = new Map<string, string>();
    const c = diskCache(dir);
    for (const key of loadIndexes(cacheBase(dir)).keys()) out.set(key, Buffer.from(c.get(key)!).toString('hex'));
    return out;
  }

  /** A cold plan of the world in a fresh cache directory, the HostIO changed by `edit`; the directory. */
  async function coldPlan(edit: (io: HostIO) => void): Promise<{ dir: string; bytes: string }> {
    const dir = tempDir('ix-cache-');
    const io = fsHostIO([root], { digest: await loadDigest(), cache: diskCache(dir) });
    edit(io);
    const bytes = Buffer.from(core.plan(io, { packages: ['set/all', 'bin/lone'], target: 'linux-x86_64' })).toString('hex');
    return { dir, bytes };
  }

  test('the same entries, byte for byte, as the string path stores', async () => {
    let viaUnits = 0;
    const a = await coldPlan((io) => {
      const put = io.cachePutUtf16!;
      io.cachePutUtf16 = (k, v) => (viaUnits++, put(k, v));
    });
    let viaString = 0;
    const b = await coldPlan((io) => {
      delete io.cachePutUtf16;
      const put = io.cachePut!;
      io.cachePut = (k, v) => (viaString++, put(k, v));
    });
    expect(viaUnits).toBeGreaterThan(0);
    expect(viaString).toBe(viaUnits);
    expect(a.bytes).toBe(b.bytes);
    const ea = entries(a.dir);
    expect(ea.size).toBeGreaterThan(0);
    expect([...ea.keys()].sort()).toEqual([...entries(b.dir).keys()].sort());
    expect(ea).toEqual(entries(b.dir));
  });

  test('a HostIO without cachePut stores nothing, even with cachePutUtf16', async () => {
    let called = 0;
    const c = await coldPlan((io) => {
      delete io.cachePut;
      io.cachePutUtf16 = () => void called++;
    });
    expect(called).toBe(0);
    expect(readdirSync(c.dir)).toEqual([]);
  });
});
