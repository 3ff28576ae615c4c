/**
 * The WASM core in a browser page: fetches the transpiled component (the same files the CLI
 * loads from wasm/out/core/, copied next to the page) and loads it through the one core loader
 * (wasm/loader.ts, as the CLI, `ix lsp` and the tests do), over an in-memory recipe tree (an
 * editable map of logical path → text), with hash-wasm's BLAKE3 as the fast digest and an
 * in-memory cache of compiled templates and descriptors (validated by content hashes in the core,
 * so edits never see stale entries). Its modules are compiled asynchronously while loading; a core
 * error keeps its WIT record as the error's `record`. *
 * Must not depend on: Node APIs, hosts/node, the engine's code (types only; the loader brings the
 * engine's pure recipe mounts).
 */
import { createBLAKE3 } from 'hash-wasm';
import type { HostIO, PlanRequest, RenderRequest } from '../../engine/api';
import { bindCore, type CoreGlue, type CoreManifest } from '../../wasm/loader';

export interface BrowserCore {
  /** BLAKE3 of core.wasm as wasm/build.mjs recorded it (what `ix --version` prints). */
  coreHash: string;
  /** Canonical plan text; throws Error(one-line message) for a core error. */
  plan(req: PlanRequest): string;
  render(req: RenderRequest): string;
  listPackages(): string[];
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** HostIO over `files` (read at each call, so edits are seen at once). */
export function treeIO(files: Map<string, string>, digest: (d: Uint8Array) => Uint8Array): HostIO {
  const cache = new Map<string, Uint8Array>();
  return {
    readFile: (p) => (files.has(p) ? enc.encode(files.get(p)!) : undefined),
    listDir(path) {
      const prefix = path === '' || path.endsWith('/') ? path : `${path}/`;
      const names = new Set<string>();
      for (const k of files.keys()) {
        if (!k.startsWith(prefix)) continue;
        const rest = k.slice(prefix.length);
        const slash = rest.indexOf('/');
        names.add(slash < 0 ? rest : rest.slice(0, slash + 1));
      }
      return names.size ? [...names] : undefined;
    },
    digest,
    digestText: (s) => digest(enc.encode(s)),
    fileDigests: (paths) => paths.map((p) => (files.has(p) ? digest(enc.encode(files.get(p)!)) : undefined)),
    cacheGet: (k) => cache.get(k),
    cachePut: (k, v) => void cache.set(k, enc.encode(v)),
  };
}

/** Loads the component from `base` (a URL ending in '/', holding core/ and manifest.json). */
export async function loadCore(base: string, io: () => HostIO): Promise<{ core: BrowserCore; digest: (d: Uint8Array) => Uint8Array }> {
  const blake3 = await createBLAKE3(256);
  const digest = (d: Uint8Array) => blake3.init().update(d).digest('binary');
  const manifest = (await (await fetch(`${base}manifest.json`)).json()) as CoreManifest;
  const glueUrl = `${base}core/core.js`;
  const glue = (await import(/* @vite-ignore */ glueUrl)) as CoreGlue;
  // compiled asynchronously, all at load (a browser refuses to compile large modules synchronously)
  const shared = await bindCore({
    manifest,
    glue,
    compile: async (name) => WebAssembly.compile(await (await fetch(`${base}core/${name}`)).arrayBuffer()),
    eager: true,
  });
  const core: BrowserCore = {
    coreHash: manifest.coreWasmBlake3,
    plan: (req) => dec.decode(shared.plan(io(), req)),
    render: (req) => shared.render(io(), req),
    listPackages: () => shared.listPackages(io()),
  };
  return { core, digest };
}
