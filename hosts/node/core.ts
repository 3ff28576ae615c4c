/**
 * Loads the transpiled WASM core (wasm/out/core/) once per process and exposes plan, render
 * and listPackages over a HostIO. Every plan in every host goes through this component.
 * Result errors become CoreError (user mistake, or `internal` for a bug in ix); an exception in
 * a host import is caught, reported to the core as "absent", and rethrown after the call, so a
 * host failure never unwinds through the guest.
 *
 * Must not depend on: the engine's code (types only); it talks to the core through the WIT world.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HostIO, PlanRequest, RenderRequest } from '../../engine/api';
import type { PlanOut } from '../../wasm/core';
import { loadDigest } from './digest';
import { EnvironmentError, isEnvironmentFailure } from './env-error';

/** Mirrors INTERNAL_PREFIX in wasm/core.ts: result errors with it are bugs in ix. */
const INTERNAL_PREFIX = 'internal error: ';
const WIT_HOST = 'ix:core/host';
const WIT_VERSION = '0.3.0';

/** An error reported by the core: a one-line user-facing message, or an internal bug. */
export class CoreError extends Error {
  readonly internal: boolean;
  constructor(message: string) {
    const internal = message.startsWith(INTERNAL_PREFIX);
    super(internal ? message.slice(INTERNAL_PREFIX.length) : message);
    this.name = 'CoreError';
    this.internal = internal;
  }
}

/** An error of the host itself while serving the core (an unreadable recipe file...). */
export class HostError extends Error {
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
   * Compile the core with V8's baseline tier only (`--liftoff-only`): its optimising tier-up costs
   * more than it saves on a small plan, and with it a whole-IX-tree plan overflowed the stack (the
   * ix CLI sets this unless IX_WASM_TIERUP=1: hosts/node/context.ts). A V8 flag: it holds for
   * every module compiled later in the process.
   */
  liftoffOnly?: boolean;
}

/** The core built in `outDir` (wasm/out), instantiated once per process. */
export function loadCore(outDir: string, opts: LoadOptions = {}): Promise<Core> {
  let p = loaded.get(outDir);
  if (!p) {
    p = instantiateCore(outDir, opts);
    loaded.set(outDir, p);
  }
  return p;
}

/**
 * V8 flags the core needs, set just before it is compiled (node:v8 is imported only here, so a
 * command that never loads the core does not pay for it): the QuickJS core uses extended-const,
 * still behind a flag on Node 20.
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

async function instantiateCore(outDir: string, opts: LoadOptions): Promise<Core> {
  const manifest = readManifest(outDir);
  await setWasmFlags(opts);
  const dir = join(outDir, 'core');
  const glue = (await import(pathToFileURL(join(dir, 'core.js')).href)) as {
    instantiate(getCoreModule: (name: string) => Promise<WebAssembly.Module>, imports: object): Promise<CoreExports>;
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
  const exports = await glue.instantiate(
    async (name) => WebAssembly.compile(readFileSync(join(dir, name))),
    { [WIT_HOST]: host, [`${WIT_HOST}@${WIT_VERSION}`]: host },
  );
  const call = <R>(with_: HostIO, f: () => R): R => {
    io = with_;
    hostError = undefined;
    try {
      const r = f();
      if (hostError !== undefined) throw hostError;
      return r;
    } catch (e) {
      if (hostError !== undefined) {
        if (isEnvironmentFailure(hostError)) throw hostError; // e.g. a recipe root it may not read: exit 3
        const h = hostError as { message?: string };
        throw new HostError(h.message ?? String(hostError));
      }
      const payload = (e as { payload?: unknown }).payload ?? e;
      if (typeof payload === 'string') throw new CoreError(payload);
      throw e;
    } finally {
      io = undefined;
      hostError = undefined;
    }
  };
  return {
    manifest,
    plan: (with_, req) => call(with_, () => {
      const out = exports.plan(JSON.stringify(req));
      return out.tag === 'text' ? Buffer.from(out.val, 'utf8') : out.val;
    }),
    render: (with_, req) => call(with_, () => exports.render(JSON.stringify(req))),
    listPackages: (with_) => call(with_, () => exports.listPackages()),
  };
}
