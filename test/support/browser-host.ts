/**
 * A minimal host for the transpiled WASM core (wasm/out/core/core.js) that runs unchanged in
 * Node and in a browser page: the caller supplies how to get the core wasm modules (fs or
 * fetch) and a HostIO; this binds them to the WIT `host` import and unwraps `result` errors.
 * Used by the determinism tests (fresh instances in Node) and bundled into the Chromium page.
 * Also: `treeIO`, an in-memory HostIO over { path: text } with an optional reversed listDir.
 *
 * Must not depend on: Node or DOM APIs (only WebAssembly, TextEncoder, globalThis), the engine's
 * code (types only), hosts/.
 */
import type { HostIO, PlanRequest } from '../../engine/api';
import type { PlanOut } from '../../wasm/core';

/** The exports of the transpiled component (world `core` in wasm/core.wit). */
interface CoreExports {
  plan(request: string): PlanOut;
  render(request: string): string;
  listPackages(): string[];
}

/** The glue module jco generates with `--instantiation async`. */
export interface CoreGlue {
  instantiate(getCoreModule: (name: string) => Promise<WebAssembly.Module>, imports: object): Promise<CoreExports>;
}

/** One instance of the core, bound to a HostIO that can be swapped between calls. */
export interface CoreInstance {
  io: HostIO;
  /** Canonical plan bytes; throws Error(message) for a core `err` result. */
  plan(req: PlanRequest): Uint8Array;
  render(pkg: string, target?: string): string;
}

/** Instantiates a fresh core (a new component instance: no state shared with others). */
export async function instantiateCore(
  glue: CoreGlue,
  getCoreModule: (name: string) => Promise<WebAssembly.Module>,
  io: HostIO,
): Promise<CoreInstance> {
  const inst = { io } as CoreInstance;
  const host = {
    readFile: (p: string) => inst.io.readFile(p),
    listDir: (p: string) => inst.io.listDir(p),
    digest: (d: Uint8Array) => inst.io.digest?.(d),
    digestText: (s: string) => (inst.io.digest ? inst.io.digestText?.(s) : undefined),
    fileDigests: (ps: string[]) => inst.io.fileDigests?.(ps),
    cacheGet: (k: string) => inst.io.cacheGet?.(k),
    cachePut: (k: string, v: string) => inst.io.cachePut?.(k, v),
  };
  // the glue looks up the unversioned key, the .d.ts names the versioned one: pass both
  const ex = await glue.instantiate(getCoreModule, { 'ix:core/host': host, 'ix:core/host@0.4.0': host });
  const unwrap = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      // a result error is the WIT record core-error; its message is the one-line form
      const payload = (e as { payload?: { message?: unknown; internal?: unknown } }).payload;
      if (typeof payload?.message !== 'string') throw new Error(String(e));
      throw new Error(payload.internal ? `internal error: ${payload.message}` : payload.message);
    }
  };
  inst.plan = (req) => {
    const out = unwrap(() => ex.plan(JSON.stringify(req)));
    return out.tag === 'text' ? new TextEncoder().encode(out.val) : out.val;
  };
  inst.render = (pkg, target) => unwrap(() => ex.render(JSON.stringify(target ? { package: pkg, target } : { package: pkg })));
  return inst;
}

/**
 * HostIO over an in-memory tree { "bin/x/ix.sh": "text" }. With `reverse`, every listDir answer
 * comes in reverse-sorted order (the engine must sort, so plans may not change). An optional
 * cache map backs cacheGet/cachePut.
 */
export function treeIO(files: Record<string, string>, opts: { reverse?: boolean; cache?: Map<string, Uint8Array> } = {}): HostIO {
  const enc = new TextEncoder();
  const keys = Object.keys(files);
  const io: HostIO = {
    readFile: (p) => (Object.prototype.hasOwnProperty.call(files, p) ? enc.encode(files[p]) : undefined),
    listDir(path) {
      const prefix = path === '' || path.endsWith('/') ? path : path + '/';
      const names = new Set<string>();
      for (const k of keys) {
        if (!k.startsWith(prefix)) continue;
        const rest = k.slice(prefix.length);
        const slash = rest.indexOf('/');
        names.add(slash < 0 ? rest : rest.slice(0, slash + 1));
      }
      if (!names.size) return undefined;
      const list = [...names].sort();
      return opts.reverse ? list.reverse() : list;
    },
  };
  const cache = opts.cache;
  if (cache) {
    io.cacheGet = (k) => cache.get(k);
    io.cachePut = (k, v) => void cache.set(k, enc.encode(v));
  }
  return io;
}

/** Lowercase hex of bytes (for comparing plan bytes across a process or page boundary). */
export function hexBytes(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += (x < 16 ? '0' : '') + x.toString(16);
  return s;
}
