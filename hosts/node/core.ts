/**
 * Loads the transpiled WASM core named by wasm/out/manifest.json (`backend`: the compiled
 * AssemblyScript core `as`, or the interpreted `quickjs`/`starlingmonkey` one) and exposes plan,
 * render and listPackages over a HostIO. Every plan in every host goes through this component.
 * - Result errors arrive as the WIT `core-error` record and become CoreError (user mistake, or
 *   `internal` for a bug in ix), with the record's fields.
 * - An exception in a host import is caught, reported to the core as "absent", and rethrown
 *   after the call, so a host failure never unwinds through the guest.
 * - A trap (out of memory, an abort, a stack overflow) becomes CoreTrap, one line naming the
 *   package the core was evaluating, and the dead instance is replaced at the next call.
 * - The compiled core gets a fresh instance per plan (its memory model: everything a plan
 *   allocates is dropped with the instance; the module is compiled once); renders and package
 *   lists share one kept instance, so its compiled templates (cached per path and text) serve a
 *   long-running host's later renders; it is replaced past RECYCLE_BYTES of memory or after a
 *   trap. The interpreted core keeps one instance.
 *   jco's glue arms a timer per instance (its deadlock check) that holds the instance until the
 *   event loop runs it: a caller making thousands of calls must return to the event loop now and
 *   then (ix lsp checks one package per turn), or the instances' memories pile up.
 *
 * Must not depend on: the engine's code (types only); it talks to the core through the WIT world.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EnvironmentError, isEnvironmentFailure, EXIT, UserError } from '../common';
import type { HostIO, PlanRequest, RenderRequest } from '../../engine/api';
import { mountedIO } from '../../engine/mount/index';
import type { ErrorRecord, PlanOut } from '../../wasm/core';
import { loadDigest } from './digest';

const WIT_HOST = 'ix:core/host';
const WIT_VERSION = '0.4.0';

/** An error reported by the core: a one-line user-facing message (exit 2), or an internal bug (70). */
export class CoreError extends UserError {
  readonly internal: boolean;
  readonly exitCode: 2 | 3 | 70;
  /** The record's fields (wasm/core.wit `core-error`). */
  readonly detail: string;
  readonly file?: string;
  readonly line?: number;
  /** The package chain, outermost first. */
  readonly packages: string[];
  readonly suggestions: string[];
  constructor(r: ErrorRecord) {
    super(r.message);
    this.name = 'CoreError';
    this.internal = r.internal;
    this.exitCode = r.internal ? EXIT.bug : EXIT.usage;
    this.detail = r.detail;
    if (r.file !== undefined && r.file !== null) this.file = r.file;
    if (r.line !== undefined && r.line !== null) this.line = r.line;
    this.packages = r.packages;
    this.suggestions = r.suggestions;
  }
}

/** The core trapped (a bug in ix, exit 70): one line naming the package it was evaluating. */
export class CoreTrap extends Error {
  readonly pkg?: string;
  constructor(pkg: string | undefined, cause: string, causeStack?: string) {
    super(`the core failed${pkg !== undefined ? ` while evaluating ${pkg}` : ''}: ${cause.split('\n')[0]}`);
    this.name = 'CoreTrap';
    if (pkg !== undefined) this.pkg = pkg;
    // the trap's own frames (wasm functions) are what finds the bug: IX_DEBUG=1 prints the stack
    if (causeStack !== undefined) this.stack = `${this.stack ?? ''}\ntrapped at:\n${causeStack}`;
  }
}

/** An error of the host itself while serving the core (an unreadable recipe file...): exit 2. */
export class HostError extends UserError {
  readonly exitCode: 2 | 3 | 70 = EXIT.usage;
  constructor(message: string) {
    super(message);
    this.name = 'HostError';
  }
}

/** What wasm/build.mjs records about the built core. */
export interface CoreManifest {
  format: string;
  backend: string;
  stamp: string;
  coreWasmBlake3: string;
  coreWasmBytes: number;
}

export interface Core {
  manifest: CoreManifest;
  /** Canonical JSON bytes of the plan. */
  plan(io: HostIO, req: PlanRequest): Uint8Array;
  /** The exact text the package's template chain rendered. */
  render(io: HostIO, req: RenderRequest): string;
  listPackages(io: HostIO): string[];
}

interface CoreExports {
  plan(request: string): PlanOut;
  render(request: string): string;
  listPackages(): string[];
}

type Glue = {
  instantiate(
    getCoreModule: (name: string) => WebAssembly.Module | Promise<WebAssembly.Module>,
    imports: object,
    instantiateCore?: (m: WebAssembly.Module, imports: WebAssembly.Imports) => WebAssembly.Instance | Promise<WebAssembly.Instance>,
  ): CoreExports | Promise<CoreExports>;
};

/** Reads wasm/out/manifest.json; throws EnvironmentError when the core is not built. */
export function readManifest(outDir: string): CoreManifest {
  try {
    return JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as CoreManifest;
  } catch {
    throw new EnvironmentError(`the WASM core is not built (${outDir}): run 'npm install' or 'node wasm/build.mjs'`);
  }
}

const loaded = new Map<string, Promise<Core>>();

export interface LoadOptions {
  /**
   * Compile an interpreted core with V8's baseline tier only (`--liftoff-only`): its optimising
   * tier-up costs more than it saves on a small plan, and with it a whole-IX-tree plan overflowed
   * the stack (the ix CLI sets this unless IX_WASM_TIERUP=1: hosts/node/context.ts). A V8 flag:
   * it holds for every module compiled later in the process. The compiled core ignores it (it
   * needs the optimising tier to be fast).
   */
  liftoffOnly?: boolean;
  /** The manifest of `outDir` when the caller has read it already (the CLI reads it once). */
  manifest?: CoreManifest;
}

/** The core built in `outDir` (wasm/out), loaded once per process. */
export function loadCore(outDir: string, opts: LoadOptions = {}): Promise<Core> {
  let p = loaded.get(outDir);
  if (!p) {
    p = instantiateCore(outDir, opts);
    loaded.set(outDir, p);
  }
  return p;
}

/**
 * V8 flags an interpreted core needs, set just before it is compiled (node:v8 is imported only
 * here): the QuickJS core uses extended-const, still behind a flag on Node 20.
 */
async function setWasmFlags(opts: LoadOptions): Promise<void> {
  const { setFlagsFromString } = await import('node:v8');
  setFlagsFromString('--experimental-wasm-extended-const');
  if (opts.liftoffOnly) {
    // The host's BLAKE3 (hash-wasm: store trees, cache archives) is compiled first, so it keeps
    // V8's optimising tier: under --liftoff-only it hashed 15x slower, which made substituting the
    // bin/zstd closure 3x slower (BENCHMARKS.md, binary caches). The core needs it anyway.
    await loadDigest();
    setFlagsFromString('--liftoff-only');
  }
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
    return Buffer.from(ex.memory.buffer, ptr, len * 2).toString('utf16le');
  } catch {
    return undefined;
  }
}

/** A kept compiled-core instance is dropped once its memory passes this (its next call instantiates). */
const RECYCLE_BYTES = 256 * 1024 * 1024;

async function instantiateCore(outDir: string, opts: LoadOptions): Promise<Core> {
  const manifest = opts.manifest ?? readManifest(outDir);
  const compiled = manifest.backend === 'as';
  if (!compiled) await setWasmFlags(opts);
  const dir = join(outDir, 'core');
  const glue = (await import(pathToFileURL(join(dir, 'core.js')).href)) as Glue;
  /** Compiled once, instantiated per call (compiled core) or once (interpreted). */
  const modules = new Map<string, WebAssembly.Module>();
  const getModule = (name: string): WebAssembly.Module => {
    const m = modules.get(name);
    if (m) return m;
    const c = new WebAssembly.Module(readFileSync(join(dir, name)));
    modules.set(name, c);
    return c;
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
    cacheGet: guard((k: string) => current().cacheGet?.(k), undefined),
    cachePut: guard((k: string, v: string) => current().cachePut?.(k, v), undefined),
  };
  // the glue looks up the unversioned key, its .d.ts names the versioned one: pass both
  const imports = { [WIT_HOST]: host, [`${WIT_HOST}@${WIT_VERSION}`]: host };
  /** The instance's main core module (the one exporting the evaluating slot), for trap reports. */
  let raw: WebAssembly.Instance | undefined;
  const instantiate = (): CoreExports => {
    raw = undefined;
    const ex = glue.instantiate(getModule, imports, (m, i) => {
      const inst = new WebAssembly.Instance(m, i);
      if ('evaluating_package' in inst.exports) raw = inst;
      return inst;
    });
    if (ex instanceof Promise) throw new Error('the core glue did not instantiate synchronously');
    return ex;
  };
  let live: CoreExports | undefined = compiled ? undefined : instantiate();
  let liveRaw: WebAssembly.Instance | undefined = raw;
  /** The compiled core's memory in bytes (0 if unknown). */
  const memoryOf = (inst: WebAssembly.Instance | undefined): number => {
    const m = inst?.exports.memory;
    return m instanceof WebAssembly.Memory ? m.buffer.byteLength : 0;
  };
  const call = <R>(with_: HostIO, request: string, f: (ex: CoreExports) => R, keep = false): R => {
    // Recipe mounts (engine/mount: IX's generated pip/ recipes) are served inside the interpreted
    // core, which bundles the engine; the compiled core has no port of them yet, so the host lays
    // the same pure generator over its recipe roots for it (a stored file still wins over it).
    io = compiled ? mountedIO(with_) : with_;
    hostError = undefined;
    // the interpreted core: one instance, kept. The compiled core: a fresh instance (and memory)
    // per plan; renders and package lists share one kept instance, so a template's compiled form
    // (cached per path and text inside it) serves every later render of a long-running host,
    // until its memory passes RECYCLE_BYTES or it traps
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
      if (hostError !== undefined) {
        if (isEnvironmentFailure(hostError)) throw hostError; // e.g. a recipe root it may not read: exit 3
        const h = hostError as { message?: string };
        throw new HostError(h.message ?? String(hostError));
      }
      const payload = (e as { payload?: unknown }).payload;
      if (payload !== null && typeof payload === 'object' && typeof (payload as ErrorRecord).message === 'string') {
        throw new CoreError(payload as ErrorRecord);
      }
      if (isTrap(e)) {
        live = undefined; // dead: the next call instantiates again
        throw new CoreTrap(evaluatingPackage(raw) ?? requested(request), (e as Error).message, (e as Error).stack);
      }
      throw e;
    } finally {
      io = undefined;
      hostError = undefined;
    }
  };
  return {
    manifest,
    plan: (with_, req) => {
      const text = JSON.stringify(req);
      return call(with_, text, (ex) => {
        const out = ex.plan(text);
        return out.tag === 'text' ? Buffer.from(out.val, 'utf8') : out.val;
      });
    },
    render: (with_, req) => {
      const text = JSON.stringify(req);
      return call(with_, text, (ex) => ex.render(text), true);
    },
    listPackages: (with_) => call(with_, '{}', (ex) => ex.listPackages(), true),
  };
}
