// Compiles a small AssemblyScript test entry (its source given as text) into a temp dir with
// `asc`, and loads it. `@as/` in the entry means the compiled core's wasm/as/. With `hostImports`,
// wasm/as is copied into the temp dir and abi/imports.ts replaced by plain imports ("ixtest"
// module) that JS answers through the raw bindings, so tests give the core a host without the
// component's canonical ABI. Wasm SIMD is on, as in the shipped core (wasm/build-as.mjs), unless
// `scalar`. Used by the core-* parity tests.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../..');
const ASC = join(ROOT, 'node_modules/.bin/asc');

/** abi/imports.ts for tests: the host functions as plain imports lifted by asc's raw bindings. */
const TEST_IMPORTS = `
// @ts-ignore: decorator
@external('ixtest', 'readFile') declare function tReadFile(path: string): Uint8Array | null;
// @ts-ignore: decorator
@external('ixtest', 'listDir') declare function tListDir(path: string): Array<string> | null;
// @ts-ignore: decorator
@external('ixtest', 'cacheGet') declare function tCacheGet(key: string): Uint8Array | null;
// @ts-ignore: decorator
@external('ixtest', 'cachePut') declare function tCachePut(key: string, value: string): void;
export function readFile(path: string): Uint8Array | null { return tReadFile(path); }
export function listDir(path: string): Array<string> | null { return tListDir(path); }
export function fileDigests(paths: Array<string>): Array<Uint8Array | null> | null { return null; }
export function cacheGet(key: string): Uint8Array | null { return tCacheGet(key); }
export function cachePut(key: string, value: string): void { tCachePut(key, value); }
export function cachePutUtf16(key: string, ptr: usize, len: i32): void { tCachePut(key, String.UTF16.decodeUnsafe(ptr, <usize>len << 1)); }
`;

export interface TestHost {
  readFile(path: string): Uint8Array | null;
  listDir(path: string): string[] | null;
  cacheGet(key: string): Uint8Array | null;
  cachePut(key: string, value: string): void;
}

export async function compileEntry<T>(source: string, opts: { hostImports?: boolean; args?: string[]; scalar?: boolean } = {}): Promise<{ mod: T; dir: string; dispose: () => void; setHost: (h: TestHost) => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'ix-core-as-'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  let asDir = join(ROOT, 'wasm/as');
  if (opts.hostImports) {
    asDir = join(dir, 'as');
    cpSync(join(ROOT, 'wasm/as'), asDir, { recursive: true });
    writeFileSync(join(asDir, 'abi/imports.ts'), TEST_IMPORTS);
  }
  const entry = join(dir, 'entry.ts');
  // asc resolves only relative imports
  writeFileSync(entry, source.replace(/'@as\//g, `'./${relative(dir, asDir)}/`));
  const bindings = opts.hostImports ? 'raw' : 'esm';
  try {
    execFileSync(ASC, [entry, '--outFile', join(dir, 'entry.wasm'), '-O3', '--runtime', 'incremental', '--exportRuntime', '--bindings', bindings, ...(opts.scalar ? [] : ['--enable', 'simd']), ...(opts.args ?? [])], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const err = e as { stderr?: Buffer; stdout?: Buffer };
    throw new Error(`asc failed:\n${String(err.stdout ?? '')}${String(err.stderr ?? '')}`.slice(0, 8000));
  }
  let host: TestHost = { readFile: () => null, listDir: () => null, cacheGet: () => null, cachePut: () => {} };
  const setHost = (h: TestHost): void => {
    host = h;
  };
  let mod: T;
  if (opts.hostImports) {
    const raw = (await import(pathToFileURL(join(dir, 'entry.js')).href)) as { instantiate: (m: WebAssembly.Module, imports: object) => Promise<T> };
    const wasm = await WebAssembly.compile(readFileSync(join(dir, 'entry.wasm')));
    mod = await raw.instantiate(wasm, {
      ixtest: {
        readFile: (p: string) => host.readFile(p),
        listDir: (p: string) => host.listDir(p),
        cacheGet: (k: string) => host.cacheGet(k),
        cachePut: (k: string, v: string) => host.cachePut(k, v),
      },
    });
  } else mod = (await import(pathToFileURL(join(dir, 'entry.js')).href)) as T;
  return { mod, dir, dispose: () => rmSync(dir, { recursive: true, force: true }), setHost };
}
