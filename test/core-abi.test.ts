// The compiled core's canonical-ABI shim and the Node loader, end to end through a real
// component: a toy AssemblyScript entry (wasm/as/abi/toy.ts) behind the same exports as the
// real core, built by wasm/build-as.mjs and loaded by hosts/node/core.ts as the manifest names
// it. Strings cross as UTF-16 (non-BMP included), every host import is exercised, errors arrive
// as records, and a trap is one line naming the package, after which the next call works.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { HostIO } from '../engine/api';
import { CoreError, CoreTrap, loadCore, type Core } from '../hosts/node/core';
import { classify } from '../hosts/node/errors';
import { buildAsCore } from '../wasm/build-as.mjs';
import { treeIO } from './support/browser-host';
import { tempDir } from './support/cli';

let core: Core;
const enc = new TextEncoder();

beforeAll(async () => {
  const dir = tempDir('ix-toy-core-');
  await buildAsCore(dir, { entry: join(__dirname, '..', 'wasm', 'as', 'abi', 'toy.ts') });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ format: 'ix-core-build/1', backend: 'as', stamp: 'toy', coreWasmBlake3: 'toy', coreWasmBytes: 0 }));
  core = await loadCore(dir);
}, 180_000);

function host(files: Record<string, string>): HostIO & { cache: Map<string, Uint8Array>; digested: string[][] } {
  const base = treeIO(files);
  const cache = new Map<string, Uint8Array>();
  const digested: string[][] = [];
  return {
    ...base,
    cache,
    digested,
    fileDigests: (ps) => (digested.push(ps), ps.map((p) => (p in files ? Uint8Array.of(p.length, 0xab) : undefined))),
    cacheGet: (k) => cache.get(k),
    cachePut: (k, v) => void cache.set(k, enc.encode(v)),
  };
}

describe('the compiled core\'s ABI (toy entry)', () => {
  test('a string argument and result cross as UTF-16, non-BMP characters included; read-file and list-dir lift', () => {
    const text = 'a é 😀 \u{10ffff} {{ x }}\n';
    const io = host({ 'bin/a/ix.sh': text, 'lib/b/ix.sh': '' });
    expect(core.render(io, { package: 'bin/a' })).toBe(text);
    expect(core.render(io, { package: 'lib/b' })).toBe('');
    expect(core.listPackages(io)).toEqual(['bin/', 'lib/']);
  });

  test('plan: file-digests lowers a list of strings and lifts options; cache-put stores text, cache-get gives bytes back', () => {
    const io = host({ 'bin/a/ix.sh': 'x' });
    const first = Buffer.from(core.plan(io, { file: 'bin/a/ix.sh' } as never)).toString('utf8');
    expect(first).toBe('bin/a/ix.sh=0bab no/such/file=none é😀');
    expect(io.digested).toEqual([['bin/a/ix.sh', 'no/such/file']]);
    expect(io.cache.size).toBe(1);
    const again = Buffer.from(core.plan(io, { file: 'bin/a/ix.sh' } as never)).toString('utf8');
    expect(again).toBe(first); // the bytes variant this time
    expect(io.digested.length).toBe(1);
  });

  test('an error arrives as the core-error record, every field set', () => {
    const io = host({});
    let err: unknown;
    try {
      core.plan(io, { fail: 'boom' } as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CoreError);
    const c = err as CoreError;
    expect(c.message).toBe('bin/x/ix.sh:3: toy failure: boom (package bin/y -> bin/x)');
    expect(c.detail).toBe('toy failure:\n  boom');
    expect([c.file, c.line, c.packages, c.suggestions, c.internal]).toEqual(['bin/x/ix.sh', 3, ['bin/y', 'bin/x'], ['bin/z', 'bin/w'], false]);
    expect(() => core.render(io, { package: 'bin/zz' })).toThrow("unknown package 'bin/zz' (package bin/zz)");
  });

  test('a trap is one line naming the package being evaluated (exit 70), and the next call gets a live instance', () => {
    const io = host({ 'bin/a/ix.sh': 'ok' });
    let err: unknown;
    try {
      core.render(io, { package: 'trap/now' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CoreTrap);
    expect((err as Error).message).toMatch(/^the core failed while evaluating trap\/now: .*unreachable/);
    expect((err as Error).message).not.toContain('\n');
    const c = classify(err);
    expect(c.code).toBe(70);
    expect(c.message).toMatch(/^ix: internal error: the core failed while evaluating trap\/now: /);
    expect(core.render(io, { package: 'bin/a' })).toBe('ok');
  });

  test('a host import that throws is the host\'s error after the call, not a trap', () => {
    const io = host({});
    io.readFile = () => {
      throw new Error('disk on fire');
    };
    expect(() => core.render(io, { package: 'bin/a' })).toThrow('disk on fire');
    expect(core.listPackages(host({ 'x/y/ix.sh': '' }))).toEqual(['x/']);
  });
});
