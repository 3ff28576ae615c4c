/**
 * Node-side helpers of the determinism and browser tests: where the built core is
 * (IX_CORE_DIR, else wasm/out), fresh component instances from it, the V8 bundle over a
 * HostIO, the shared synthetic recipe tree and requests, and writing a tree to disk
 * (optionally creating entries in reverse order).
 *
 * Must not depend on: the engine's code (the core is reached only through wasm/out).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import type { HostIO, PlanRequest } from '../../engine/api';
import type { PlanOut } from '../../wasm/core';
// @ts-expect-error plain ESM generator shared with bench/ (no type declarations)
import { generateTree } from '../../bench/gen-tree.mjs';
import { instantiateCore, type CoreGlue, type CoreInstance } from './browser-host';

// the QuickJS core uses extended-const, behind a flag on Node 20 (as in the ix launcher)
setFlagsFromString('--experimental-wasm-extended-const');

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The built core the tests run: IX_CORE_DIR (as the CLI reads it), else wasm/out. */
export const coreOutDir = process.env.IX_CORE_DIR ?? join(repoRoot, 'wasm', 'out');

/** A new, independent component instance of the built core. */
export async function freshCore(io: HostIO): Promise<CoreInstance> {
  const dir = join(coreOutDir, 'core');
  // a query string gives a new module instance of the glue too, so nothing is shared
  const url = `${pathToFileURL(join(dir, 'core.js')).href}?fresh=${++fresh}`;
  const glue = (await import(/* @vite-ignore */ url)) as CoreGlue;
  return instantiateCore(glue, async (name) => WebAssembly.compile(await readFile(join(dir, name))), io, coreManifest());
}
let fresh = 0;

/**
 * A new component instance whose wasm modules are compiled once per test file (a compiled
 * module holds no state; each instance has its own memory and glue): for tests that plan many
 * times.
 */
export async function freshCoreCompiled(io: HostIO): Promise<CoreInstance> {
  const dir = join(coreOutDir, 'core');
  const url = `${pathToFileURL(join(dir, 'core.js')).href}?fresh=${++fresh}`;
  const glue = (await import(/* @vite-ignore */ url)) as CoreGlue;
  const get = (name: string): Promise<WebAssembly.Module> => {
    let m = compiled.get(name);
    if (m === undefined) {
      m = readFile(join(dir, name)).then((b) => WebAssembly.compile(b));
      compiled.set(name, m);
    }
    return m;
  };
  return instantiateCore(glue, get, io, coreManifest());
}
const compiled = new Map<string, Promise<WebAssembly.Module>>();

/** The V8 bundle (wasm/out/core.bundle.js) over a HostIO: the same code, run directly by Node. */
export async function v8Core(io: HostIO): Promise<{ plan(req: PlanRequest): Uint8Array }> {
  const mod = (await import(/* @vite-ignore */ pathToFileURL(join(coreOutDir, 'core.bundle.js')).href)) as {
    createCore(io: HostIO): { plan(request: string): PlanOut };
  };
  const core = mod.createCore(io);
  return {
    plan: (req) => {
      const out = core.plan(JSON.stringify(req));
      return out.tag === 'text' ? new TextEncoder().encode(out.val) : out.val;
    },
  };
}

/** The shared synthetic tree: 40 libraries, 10 programs, 4 tools, set/world (bench/gen-tree.mjs). */
export const TREE: Record<string, string> = generateTree({ libs: 40, bins: 10, seed: 7 });

/** Requests planned by every determinism check: a hub, flags, per-package flags, several roots. */
export const REQUESTS: PlanRequest[] = [
  { packages: ['set/world'] },
  { packages: ['bin/b3', 'lib/l21(opt=on)'], flags: { verbose: '1' } },
];

/** The targets of (d): the native default and two cross targets planned on this x86_64 host. */
export const TARGETS = [undefined, 'linux-aarch64', 'freebsd-x86_64'] as const;

/** Every (request, target) combination, with a stable label. */
export function cases(): { label: string; req: PlanRequest }[] {
  const out: { label: string; req: PlanRequest }[] = [];
  for (const [i, r] of REQUESTS.entries()) {
    for (const t of TARGETS) out.push({ label: `req${i}@${t ?? 'native'}`, req: t ? { ...r, target: t } : r });
  }
  return out;
}

/** Writes `files` under `dir`; with `reverse`, files (and so directories) are created in reverse order. */
export function writeTree(dir: string, files: Record<string, string>, reverse = false): void {
  const paths = Object.keys(files).sort();
  if (reverse) paths.reverse();
  for (const p of paths) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), files[p]);
  }
}

/** The manifest of the core under test (backend and hash), for messages. */
export function coreManifest(): { backend: string; coreWasmBlake3: string } {
  return JSON.parse(readFileSync(join(coreOutDir, 'manifest.json'), 'utf8'));
}
