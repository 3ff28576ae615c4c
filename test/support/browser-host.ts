/**
 * The tests' way to the transpiled WASM core (wasm/out/core/core.js), unchanged in Node and in a
 * browser page: the caller supplies how to get the core wasm modules (fs or fetch), the
 * manifest's backend and a HostIO; the one core loader (wasm/loader.ts) does the rest.
 * Used by the determinism tests (fresh instances in Node) and bundled into the Chromium page.
 * Also: `treeIO`, an in-memory HostIO over { path: text } with an optional reversed listDir.
 *
 * Must not depend on: Node or DOM APIs (only WebAssembly, TextEncoder, globalThis), the engine's
 * code (types only; the loader brings its pure recipe mounts), hosts/.
 */
import type { HostIO, PlanRequest } from '../../engine/api';
import { bindCore, type CoreGlue, type CoreManifest } from '../../wasm/loader';

export type { CoreGlue } from '../../wasm/loader';

/** One loaded core, bound to a HostIO that can be swapped between calls. */
export interface CoreInstance {
  io: HostIO;
  /** Canonical plan bytes; throws Error(message) for a core `err` result. */
  plan(req: PlanRequest): Uint8Array;
  render(pkg: string, target?: string): string;
}

/**
 * Loads a core through the one loader (wasm/loader.ts) from a glue module and an asynchronous
 * compiler of its modules: nothing is shared with another load (the compiled core also gets a
 * fresh instance per plan, as in every host).
 */
export async function instantiateCore(
  glue: CoreGlue,
  getCoreModule: (name: string) => Promise<WebAssembly.Module>,
  io: HostIO,
  manifest: Pick<CoreManifest, 'backend'>,
): Promise<CoreInstance> {
  const core = await bindCore({ manifest, glue, compile: getCoreModule, eager: true });
  const inst: CoreInstance = {
    io,
    plan: (req) => core.plan(inst.io, req),
    render: (pkg, target) => core.render(inst.io, target ? { package: pkg, target } : { package: pkg }),
  };
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
