/**
 * The one loader of the WASM core, for every host (the CLI, `ix lsp`, the browser playground, the
 * tests): binds the component's WIT `host` import to a HostIO given per call and exposes plan,
 * render and listPackages. The compiled core is bound directly (wasm/direct-core.ts: its core
 * module with the canonical ABI by hand); an interpreted core goes through jco's transpiled glue. A host supplies only how to get the files (CoreSource:
 * the manifest, the glue module, a compiler of the component's core modules) and, if it wants its
 * own error classes, how to build the three failures (CoreFailures).
 * - Result errors arrive as the WIT `core-error` record (failures.core).
 * - An exception in a host import is caught, reported to the core as "absent", and rethrown
 *   after the call through failures.host, so a host failure never unwinds through the guest.
 * - A trap (out of memory, an abort, a stack overflow) becomes failures.trap, naming the package
 *   the core was evaluating, and the dead instance is replaced at the next call.
 * - The compiled core (manifest backend `as`) gets a fresh instance per plan (its memory model:
 *   everything a plan allocates is dropped with the instance; each module is compiled once);
 *   renders and package lists share one kept instance, so its compiled templates serve a
 *   long-running host's later renders; it is replaced past RECYCLE_BYTES of memory or after a
 *   trap. The interpreted core keeps one instance.
 *   jco's glue (an interpreted core, or a compiled one bound `viaGlue`) arms a timer per
 *   instance (its deadlock check) that holds the instance until the event loop runs it: a caller
 *   making thousands of calls must return to the event loop now and then, or the instances'
 *   memories pile up.
 *
 * - Recipe mounts (IX's generated pip/ recipes) are served inside either core (engine/mount in
 *   the interpreted one, wasm/as/mount in the compiled one): the host gives only its files.
 *
 * Must not depend on: Node or DOM APIs (only WebAssembly, TextEncoder/TextDecoder), hosts/, the
 * engine's code beyond its types.
 */
import type { HostIO, PlanRequest, RenderRequest } from '../engine/api';
import type { ErrorRecord } from './core';
import { instantiateDirect, MAIN_MODULE, type CoreExports } from './direct-core';

const WIT_HOST = 'ix:core/host';
const WIT_VERSION = '0.4.0';

/** What wasm/build.mjs records about the built core (wasm/out/manifest.json). */
export interface CoreManifest {
  format: string;
  backend: string;
  stamp: string;
  coreWasmBlake3: string;
  coreWasmBytes: number;
}

/** The glue module jco generates with `--instantiation async`. */
export interface CoreGlue {
  instantiate(
    getCoreModule: (name: string) => WebAssembly.Module | Promise<WebAssembly.Module>,
    imports: object,
    instantiateCore?: (m: WebAssembly.Module, imports: WebAssembly.Imports) => WebAssembly.Instance | Promise<WebAssembly.Instance>,
  ): CoreExports | Promise<CoreExports>;
}

/** Where a host gets the built core from (files on disk, a web server, a test's fresh import). */
export interface CoreSource {
  manifest: Pick<CoreManifest, 'backend'> & Partial<CoreManifest>;
  /**
   * jco's transpiled glue: required for an interpreted core; the compiled one (backend `as`) is
   * bound directly (wasm/direct-core.ts) unless `viaGlue` asks for the glue.
   */
  glue?: CoreGlue;
  /** Bind the compiled core through `glue` instead of directly (a parity check of the two). */
  viaGlue?: boolean;
  /** The component's core module `name`, compiled (asked once per name; the loader keeps it). */
  compile(name: string): WebAssembly.Module | Promise<WebAssembly.Module>;
  /**
   * Instantiate once while loading, so every module is compiled before the first call: required
   * when `compile` is asynchronous (a browser page), as calls instantiate synchronously.
   */
  eager?: boolean;
}

/** How a host turns the three failures into its own errors (defaults: plain Errors). */
export interface CoreFailures {
  /** The core reported an error (a user mistake, or `internal` for a bug in ix). */
  core(record: ErrorRecord): Error;
  /** The core trapped while evaluating `pkg` (when known); the instance is dead. */
  trap(pkg: string | undefined, cause: string, causeStack?: string): Error;
  /** A host import threw `e` during the call. */
  host(e: unknown): unknown;
}

/** The failures as a page shows them: one line; a core error keeps its record as `record`. */
export const plainFailures: CoreFailures = {
  core: (r) => Object.assign(new Error(r.internal ? `internal error in ix: ${r.message}` : r.message), { record: r }),
  trap: (pkg, cause) => new Error(`internal error in ix: the core failed${pkg !== undefined ? ` while evaluating ${pkg}` : ''}: ${cause.split('\n')[0]}`),
  host: (e) => e,
};

export interface Core {
  manifest: CoreSource['manifest'];
  /** Canonical JSON bytes of the plan. */
  plan(io: HostIO, req: PlanRequest): Uint8Array;
  /** The exact text the package's template chain rendered. */
  render(io: HostIO, req: RenderRequest): string;
  listPackages(io: HostIO): string[];
}

/** A WebAssembly trap or a stack overflow inside the guest (the instance is dead afterwards). */
function isTrap(e: unknown): boolean {
  return e instanceof WebAssembly.RuntimeError || (e instanceof RangeError && /call stack/i.test(e.message));
}

/** The package a request names first, for a trap report when the core named none. */
function requested(req: string): string | undefined {
  try {
    const r = JSON.parse(req) as { packages?: unknown; package?: unknown };
    if (typeof r.package === 'string') return r.package;
    if (Array.isArray(r.packages) && typeof r.packages[0] === 'string') return r.packages[0];
  } catch {
    // not JSON: no name
  }
  return undefined;
}

const utf16 = new TextDecoder('utf-16le');

/** The package the compiled core last named (abi/state.ts: a (pointer, length) slot of UTF-16). */
function evaluatingPackage(inst: WebAssembly.Instance | undefined): string | undefined {
  const ex = inst?.exports as { memory?: WebAssembly.Memory; evaluating_package?: () => number } | undefined;
  if (!ex?.memory || !ex.evaluating_package) return undefined;
  try {
    const slot = ex.evaluating_package() >>> 0;
    const dv = new DataView(ex.memory.buffer);
    const ptr = dv.getUint32(slot, true);
    const len = dv.getUint32(slot + 4, true);
    if (len === 0) return undefined;
    return utf16.decode(new Uint8Array(ex.memory.buffer, ptr, len * 2));
  } catch {
    return undefined;
  }
}

/** A kept compiled-core instance is dropped once its memory passes this (its next call instantiates). */
const RECYCLE_BYTES = 256 * 1024 * 1024;

/** The core of `src`, bound to no HostIO yet (each call names its own). */
export async function bindCore(src: CoreSource, failures: CoreFailures = plainFailures): Promise<Core> {
  const { manifest } = src;
  const compiled = manifest.backend === 'as';
  const direct = compiled && !src.viaGlue;
  const glue = direct ? undefined : src.glue;
  if (!direct && !glue) throw new Error(`the ${manifest.backend} core needs its transpiled glue`);
  const modules = new Map<string, WebAssembly.Module>();
  const getModule = (name: string): WebAssembly.Module => {
    const m = modules.get(name);
    if (m) return m;
    const c = src.compile(name);
    if (c instanceof Promise) throw new Error(`the core module ${name} compiles asynchronously: load the core with eager set`);
    modules.set(name, c);
    return c;
  };
  const getModuleAsync = async (name: string): Promise<WebAssembly.Module> => {
    const m = modules.get(name) ?? (await src.compile(name));
    modules.set(name, m);
    return m;
  };
  let io: HostIO | undefined;
  let hostError: unknown;
  const guard = <A extends unknown[], R>(f: (...a: A) => R, fallback: R) =>
    (...a: A): R => {
      if (hostError !== undefined) return fallback;
      try {
        return f(...a);
      } catch (e) {
        hostError = e;
        return fallback;
      }
    };
  /**
   * The current call's put of code units, decided when the call binds its HostIO (not per put: a
   * cold whole-tree plan makes ~40,000): none without cachePut (a test drops cachePut to turn the
   * cache's writes off), the HostIO's own cachePutUtf16, or cachePut of the decoded text.
   */
  let putUtf16: ((k: string, v: Uint16Array) => void) | undefined;
  const putOf = (h: HostIO): typeof putUtf16 => {
    const put = h.cachePut;
    if (!put) return undefined;
    const units = h.cachePutUtf16;
    return units ? (k, v) => units.call(h, k, v) : (k, v) => put.call(h, k, utf16.decode(v));
  };
  const current = () => {
    if (!io) throw new Error('core import called outside a core call');
    return io;
  };
  const host = {
    readFile: guard((p: string) => current().readFile(p), undefined),
    listDir: guard((p: string) => current().listDir(p), undefined),
    digest: guard((d: Uint8Array) => current().digest?.(d), undefined),
    digestText: guard((s: string) => (current().digest ? current().digestText?.(s) : undefined), undefined),
    fileDigests: guard((ps: string[]) => current().fileDigests?.(ps), undefined),
    cacheGet: guard((k: string, into?: (n: number) => Uint8Array) => current().cacheGet?.(k, into), undefined),
    cachePut: guard((k: string, v: string) => current().cachePut?.(k, v), undefined),
    cachePutUtf16: guard((k: string, v: Uint16Array) => putUtf16?.(k, v), undefined),
  };
  // the glue looks up the unversioned key, its .d.ts names the versioned one: pass both
  const imports = { [WIT_HOST]: host, [`${WIT_HOST}@${WIT_VERSION}`]: host };
  /** The instance's main core module (the one exporting the evaluating slot), for trap reports. */
  let raw: WebAssembly.Instance | undefined;
  const keepRaw = (m: WebAssembly.Module, i: WebAssembly.Imports): WebAssembly.Instance => {
    const inst = new WebAssembly.Instance(m, i);
    if ('evaluating_package' in inst.exports) raw = inst;
    return inst;
  };
  const instantiate = (): CoreExports => {
    raw = undefined;
    if (!glue) return instantiateDirect(getModule(MAIN_MODULE), host, keepRaw);
    const ex = glue.instantiate(getModule, imports, keepRaw);
    if (ex instanceof Promise) throw new Error('the core glue did not instantiate synchronously');
    return ex;
  };
  let live: CoreExports | undefined;
  if (src.eager && !glue) {
    await getModuleAsync(MAIN_MODULE);
  } else if (src.eager && glue) {
    raw = undefined;
    live = await glue.instantiate(getModuleAsync, imports, keepRaw);
  } else if (!compiled) {
    live = instantiate();
  }
  let liveRaw: WebAssembly.Instance | undefined = raw;
  /** The compiled core's memory in bytes (0 if unknown). */
  const memoryOf = (inst: WebAssembly.Instance | undefined): number => {
    const m = inst?.exports.memory;
    return m instanceof WebAssembly.Memory ? m.buffer.byteLength : 0;
  };
  const call = <R>(with_: HostIO, request: string, f: (ex: CoreExports) => R, keep = false): R => {
    io = with_;
    putUtf16 = putOf(with_);
    hostError = undefined;
    const reuse = !compiled || keep;
    let ex: CoreExports;
    if (reuse && live) {
      ex = live;
      raw = liveRaw;
    } else {
      ex = instantiate();
      if (reuse) { live = ex; liveRaw = raw; }
    }
    try {
      const r = f(ex);
      if (hostError !== undefined) throw hostError;
      if (compiled && reuse && memoryOf(liveRaw) > RECYCLE_BYTES) live = undefined;
      return r;
    } catch (e) {
      if (hostError !== undefined) throw failures.host(hostError);
      const payload = (e as { payload?: unknown }).payload;
      if (payload !== null && typeof payload === 'object' && typeof (payload as ErrorRecord).message === 'string') {
        throw failures.core(payload as ErrorRecord);
      }
      if (isTrap(e)) {
        live = undefined; // dead: the next call instantiates again
        throw failures.trap(evaluatingPackage(raw) ?? requested(request), (e as Error).message, (e as Error).stack);
      }
      throw e;
    } finally {
      io = undefined;
      putUtf16 = undefined;
      hostError = undefined;
      // a plan's instance is not kept: nothing here may hold it (or its memory, ~900 MB after a
      // whole IX tree) while the host goes on with the answer
      if (!reuse) raw = undefined;
    }
  };
  const utf8 = new TextEncoder();
  return {
    manifest,
    plan: (with_, req) => {
      // never on a kept instance: the compiled core's glue hands the bytes out as a view of this
      // instance's memory (wasm/plan-bytes-view.mjs), which a later call would overwrite
      const text = JSON.stringify(req);
      return call(with_, text, (ex) => {
        const out = ex.plan(text);
        return out.tag === 'text' ? utf8.encode(out.val) : out.val;
      });
    },
    render: (with_, req) => {
      // the compiled core hashes every file a render read to store its descriptor: with no cache
      // to store into, `"cache": false` spares it reading them all again
      const text = JSON.stringify(compiled && !with_.cacheGet && !with_.cachePut ? { ...req, cache: false } : req);
      return call(with_, text, (ex) => ex.render(text), true);
    },
    listPackages: (with_) => call(with_, '{}', (ex) => ex.listPackages(), true),
  };
}
