/**
 * The Node host's side of the one core loader (wasm/loader.ts, shared with `ix lsp`, the browser
 * playground and the tests): reads the core named by wasm/out/manifest.json from disk (`backend`:
 * the compiled AssemblyScript core `as`, or the interpreted `quickjs`/`starlingmonkey` one), sets
 * the V8 flags an interpreted core needs, loads it once per process and directory, and turns the
 * loader's failures into the CLI's error classes: CoreError (the core's `core-error` record: a
 * user mistake, exit 2, or `internal`, exit 70), CoreTrap (a trap, exit 70, naming the package)
 * and HostError (a host import failed: exit 2, or 3 for an environment failure). Every plan in
 * every host goes through this component; a caller making thousands of calls must return to the
 * event loop now and then (ix lsp checks one package per turn): see wasm/loader.ts.
 *
 * Must not depend on: the engine's code (types only); it talks to the core through the WIT world.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EnvironmentError, isEnvironmentFailure, EXIT, UserError } from '../common';
import type { ErrorRecord } from '../../wasm/core';
import { bindCore, type Core, type CoreFailures, type CoreGlue, type CoreManifest } from '../../wasm/loader';
import { loadDigest } from './digest';

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

export type { Core, CoreManifest } from '../../wasm/loader';

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
  /**
   * Bind a compiled core through jco's transpiled glue instead of directly (wasm/direct-core.ts):
   * only to compare the two; the glue is not even imported otherwise.
   */
  viaGlue?: boolean;
}

/** The core built in `outDir` (wasm/out), loaded once per process. */
export function loadCore(outDir: string, opts: LoadOptions = {}): Promise<Core> {
  const key = opts.viaGlue ? `${outDir}\0glue` : outDir;
  let p = loaded.get(key);
  if (!p) {
    p = instantiateCore(outDir, opts);
    loaded.set(key, p);
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

/** The Node host's failures: the error classes the CLI's classifier knows by their exit codes. */
const nodeFailures: CoreFailures = {
  core: (r) => new CoreError(r),
  trap: (pkg, cause, stack) => new CoreTrap(pkg, cause, stack),
  // a recipe root it may not read is an environment failure (exit 3); any other is the host's
  host: (e) => (isEnvironmentFailure(e) ? e : new HostError((e as { message?: string }).message ?? String(e))),
};

async function instantiateCore(outDir: string, opts: LoadOptions): Promise<Core> {
  const manifest = opts.manifest ?? readManifest(outDir);
  if (manifest.backend !== 'as') await setWasmFlags(opts);
  const dir = join(outDir, 'core');
  const viaGlue = manifest.backend !== 'as' || opts.viaGlue === true;
  const glue = viaGlue ? ((await import(pathToFileURL(join(dir, 'core.js')).href)) as CoreGlue) : undefined;
  return bindCore({ manifest, glue, viaGlue, compile: (name) => new WebAssembly.Module(readFileSync(join(dir, name))) }, nodeFailures);
}
