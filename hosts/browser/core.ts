/**
 * The WASM core in a browser page: fetches the transpiled component (the same files the CLI
 * loads from wasm/out/core/, copied next to the page), binds its WIT `host` import to an
 * in-memory recipe tree (an editable map of logical path → text), with hash-wasm's BLAKE3 as the
 * fast digest and an in-memory cache of compiled templates and descriptors (validated by content
 * hashes in the core, so edits never see stale entries). The compiled core (manifest backend
 * `as`) gets a fresh instance per call (its memory model); an interpreted one keeps its instance.
 * After a trap the dead instance is replaced at the next call.
 *
 * Must not depend on: Node APIs, hosts/node, the engine's code (types only).
 */
import { createBLAKE3 } from 'hash-wasm';
import type { HostIO, PlanRequest, RenderRequest } from '../../engine/api';
import type { ErrorRecord, PlanOut } from '../../wasm/core';

interface CoreExports {
  plan(request: string): PlanOut;
  render(request: string): string;
  listPackages(): string[];
}

interface Glue {
  instantiate(
    getCoreModule: (name: string) => WebAssembly.Module | Promise<WebAssembly.Module>,
    imports: object,
    instantiateCore?: (m: WebAssembly.Module, i: WebAssembly.Imports) => WebAssembly.Instance,
  ): CoreExports | Promise<CoreExports>;
}

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
  const manifest = (await (await fetch(`${base}manifest.json`)).json()) as { coreWasmBlake3: string; backend: string };
  const glueUrl = `${base}core/core.js`;
  const glue = (await import(/* @vite-ignore */ glueUrl)) as Glue;
  const host = {
    readFile: (p: string) => io().readFile(p),
    listDir: (p: string) => io().listDir(p),
    digest: (d: Uint8Array) => io().digest?.(d),
    digestText: (s: string) => io().digestText?.(s),
    fileDigests: (ps: string[]) => io().fileDigests?.(ps),
    cacheGet: (k: string) => io().cacheGet?.(k),
    cachePut: (k: string, v: string) => io().cachePut?.(k, v),
  };
  // the glue looks up the unversioned key, the .d.ts names the versioned one: pass both
  const imports = { 'ix:core/host': host, 'ix:core/host@0.4.0': host };
  // compiled once (asynchronously: a browser refuses to compile large modules synchronously)
  const modules = new Map<string, WebAssembly.Module>();
  const compileAll = async (name: string) => {
    const m = modules.get(name) ?? (await WebAssembly.compile(await (await fetch(`${base}core/${name}`)).arrayBuffer()));
    modules.set(name, m);
    return m;
  };
  const perCall = manifest.backend === 'as';
  let live: CoreExports | undefined = await glue.instantiate(compileAll, imports);
  /** The compiled core: small, instantiated synchronously, a fresh instance per call. */
  const fresh = (): CoreExports => {
    const ex = glue.instantiate((name) => modules.get(name)!, imports, (m: WebAssembly.Module, i: WebAssembly.Imports) => new WebAssembly.Instance(m, i));
    if (ex instanceof Promise) throw new Error('the core glue did not instantiate synchronously');
    return ex;
  };
  const unwrap = <T>(f: (ex: CoreExports) => T): T => {
    const ex = perCall ? fresh() : live;
    if (!ex) throw new Error('internal error in ix: the core is restarting after a failure: try again');
    try {
      return f(ex);
    } catch (e) {
      // a result error is the WIT record core-error (wasm/core.wit)
      const payload = (e as { payload?: ErrorRecord }).payload;
      if (typeof payload?.message === 'string') {
        throw Object.assign(new Error(payload.internal ? `internal error in ix: ${payload.message}` : payload.message), { record: payload });
      }
      if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) {
        // a trap: the instance is dead; an interpreted core is replaced in the background
        if (!perCall) {
          live = undefined;
          void Promise.resolve(glue.instantiate(compileAll, imports)).then((x) => (live = x));
        }
        throw new Error(`internal error in ix: the core failed: ${(e as Error).message.split('\n')[0]}`);
      }
      throw e;
    }
  };
  const core: BrowserCore = {
    coreHash: manifest.coreWasmBlake3,
    plan: (req) => unwrap((ex) => {
      const out = ex.plan(JSON.stringify(req));
      return out.tag === 'text' ? out.val : dec.decode(out.val);
    }),
    render: (req) => unwrap((ex) => ex.render(JSON.stringify(req))),
    listPackages: () => unwrap((ex) => ex.listPackages()),
  };
  return { core, digest };
}
