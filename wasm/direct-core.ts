/**
 * The compiled core's component, bound directly: instantiates its main core module with the five
 * host imports of wasm/core.wit lowered by hand and lifts its three exports, with no generated
 * glue in between. The canonical ABI is the one the core was embedded with (strings as UTF-16
 * code units, 4-byte-aligned return areas: wasm/as/abi/) and every lift and lower makes the same
 * `cabi_realloc` calls, in the same order, as jco's transpiled glue of the same component, so the
 * core's memory and answers are the same either way (test/core-direct.test.ts compares them).
 *
 * Why: jco's glue wraps each import call in task bookkeeping (a task and a subtask object, a
 * resolve handler, a promise check) meant for asynchronous components; this component is
 * synchronous, and a cold plan makes thousands of import calls. It also arms no per-instance
 * timer, so a dropped instance is garbage at once.
 *
 * A plan's bytes are lifted as a view of that call's instance memory (a plan never reuses an
 * instance: wasm/loader.ts), as the transpiled glue does (wasm/plan-bytes-view.mjs).
 *
 * Must not depend on: Node or DOM APIs (only WebAssembly and TextDecoder), hosts/, the engine.
 */
import type { ErrorRecord, PlanOut } from './core';

/** The exports of the component (world `core` in wasm/core.wit), bound directly or through the glue. */
export interface CoreExports {
  plan(request: string): PlanOut;
  render(request: string): string;
  listPackages(): string[];
}

/** The main core module of the transpiled component (the one holding the core's code and memory). */
export const MAIN_MODULE = 'core.core.wasm';

const IMPORTS = 'ix:core/host@0.4.0';

/** The host side, as the glue would call it (a result of undefined or null lowers to none). */
export interface DirectHost {
  readFile(path: string): Uint8Array | undefined | null;
  listDir(path: string): string[] | undefined | null;
  fileDigests(paths: string[]): (Uint8Array | undefined | null)[] | undefined | null;
  /** `into`: see engine/api.ts HostIO.cacheGet (allocates in the core's memory). */
  cacheGet(key: string, into?: (n: number) => Uint8Array): Uint8Array | undefined | null;
  cachePut(key: string, value: string): void;
  /** When given, called instead of cachePut with the value's code units in the core's memory (valid during the call). */
  cachePutUtf16?(key: string, value: Uint16Array): void;
}

interface MainExports {
  memory: WebAssembly.Memory;
  cabi_realloc(old: number, oldSize: number, align: number, size: number): number;
  plan(ptr: number, len: number): number;
  render(ptr: number, len: number): number;
  'list-packages'(): number;
  cabi_post_plan(ret: number): void;
  cabi_post_render(ret: number): void;
  'cabi_post_list-packages'(ret: number): void;
}

/** A core error as the transpiled glue throws it (`payload`: the record): wasm/loader.ts reads it. */
class CoreResultError extends Error {
  readonly payload: ErrorRecord;
  constructor(record: ErrorRecord) {
    super(record.message);
    this.payload = record;
  }
}

const utf16 = new TextDecoder('utf-16');

/**
 * Instantiates `module` (MAIN_MODULE) against `host`; `instantiate` lets the caller see the raw
 * instance (trap reports read its evaluating-package slot).
 */
export function instantiateDirect(
  module: WebAssembly.Module,
  host: DirectHost,
  instantiate: (m: WebAssembly.Module, i: WebAssembly.Imports) => WebAssembly.Instance = (m, i) => new WebAssembly.Instance(m, i),
): CoreExports {
  /** The instance's exports, once instantiated (an import called before that is a bug). */
  const bound: { ex?: MainExports } = {};
  let dv: DataView | undefined;
  const mem = (): MainExports => bound.ex ?? unready();
  const view = (): DataView => {
    const buf = mem().memory.buffer;
    if (dv === undefined || dv.buffer !== buf) dv = new DataView(buf);
    return dv;
  };
  const str = (ptr: number, len: number): string => utf16.decode(new Uint16Array(mem().memory.buffer, ptr >>> 0, len >>> 0));
  const alloc = (align: number, size: number): number => mem().cabi_realloc(0, 0, align, size) >>> 0;
  /** Decided once per instance: the host's put of code units, if it has one. */
  const putUnits = host.cachePutUtf16;
  const putString = (s: string): number => {
    const len = s.length;
    const ptr = alloc(2, len * 2);
    const out = new Uint16Array(mem().memory.buffer, ptr, len);
    for (let i = 0; i < len; i++) out[i] = s.charCodeAt(i);
    return ptr;
  };
  const putBytes = (b: Uint8Array): number => {
    const ptr = alloc(1, b.byteLength);
    new Uint8Array(mem().memory.buffer, ptr, b.byteLength).set(b);
    return ptr;
  };
  /** option<list<u8>> at `at`: tag, then (pointer, length) at 4 and 8. */
  const putOptBytes = (at: number, b: Uint8Array | undefined | null): void => {
    if (b === undefined || b === null) {
      view().setUint8(at, 0);
      return;
    }
    view().setUint8(at, 1);
    const ptr = putBytes(b);
    const d = view();
    d.setUint32(at + 8, b.byteLength, true);
    d.setUint32(at + 4, ptr, true);
  };
  const strings = (base: number, n: number): string[] => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const d = view();
      const e = base + i * 8;
      out.push(str(d.getUint32(e, true), d.getUint32(e + 4, true)));
    }
    return out;
  };
  /**
   * Lowers an option<list<T>> to the return area at `at`: the list's `size`-byte elements are
   * allocated first, then each is written by `put` in order (the glue's realloc order).
   */
  const putOptList = <T>(at: number, items: T[] | undefined | null, size: number, put: (at: number, item: T) => void): void => {
    if (items === undefined || items === null) {
      view().setUint8(at, 0);
      return;
    }
    view().setUint8(at, 1);
    const list = alloc(4, items.length * size);
    for (let i = 0; i < items.length; i++) put(list + i * size, items[i]);
    const d = view();
    d.setUint32(at + 8, items.length, true);
    d.setUint32(at + 4, list, true);
  };
  const imports = {
    [IMPORTS]: {
      'read-file': (ptr: number, len: number, ret: number): void => putOptBytes(ret >>> 0, host.readFile(str(ptr, len))),
      'cache-get': (ptr: number, len: number, ret: number): void => {
        // a large entry is read straight into the core's memory, allocated as putBytes would
        // (the same cabi_realloc call), instead of into a Buffer copied over afterwards
        let given: Uint8Array | undefined;
        let at = 0;
        const into = (n: number): Uint8Array => {
          at = alloc(1, n);
          return (given = new Uint8Array(mem().memory.buffer, at, n));
        };
        const b = host.cacheGet(str(ptr, len), into);
        if (b === undefined || b === null || b !== given) return putOptBytes(ret >>> 0, b);
        const d = view();
        d.setUint8(ret >>> 0, 1);
        d.setUint32((ret >>> 0) + 8, b.byteLength, true);
        d.setUint32((ret >>> 0) + 4, at, true);
      },
      // a value is handed over as a view of its code units: the host encodes them straight to the
      // UTF-8 it stores (a cold whole-tree plan puts ~280 MB) instead of through a string
      'cache-put': putUnits
        ? (kp: number, kl: number, vp: number, vl: number): void =>
          putUnits.call(host, str(kp, kl), new Uint16Array(mem().memory.buffer, vp >>> 0, vl >>> 0))
        : (kp: number, kl: number, vp: number, vl: number): void => host.cachePut(str(kp, kl), str(vp, vl)),
      'list-dir': (ptr: number, len: number, ret: number): void =>
        putOptList(ret >>> 0, host.listDir(str(ptr, len)), 8, (at, name) => {
          const p = putString(name);
          const d = view();
          d.setUint32(at + 4, name.length, true);
          d.setUint32(at, p, true);
        }),
      'file-digests': (base: number, n: number, ret: number): void =>
        putOptList(ret >>> 0, host.fileDigests(strings(base >>> 0, n >>> 0)), 12, putOptBytes),
    },
  };
  const inst = instantiate(module, imports);
  const main = inst.exports as unknown as MainExports;
  bound.ex = main;

  /** The core-error record of a result at `ret` (tag 1), payload at ret + 4 (wasm/as/abi/results.ts). */
  const errorAt = (ret: number): ErrorRecord => {
    const d = view();
    const at = ret + 4;
    const file = d.getUint8(at + 16) === 0 ? undefined : str(d.getUint32(at + 20, true), d.getUint32(at + 24, true));
    const line = d.getUint8(at + 28) === 0 ? undefined : d.getUint32(at + 32, true);
    const internal = d.getUint8(at + 52);
    if (internal > 1) throw new TypeError('invalid bool in a core error');
    return {
      message: str(d.getUint32(at, true), d.getUint32(at + 4, true)),
      detail: str(d.getUint32(at + 8, true), d.getUint32(at + 12, true)),
      file,
      line,
      packages: strings(d.getUint32(at + 36, true), d.getUint32(at + 40, true)),
      suggestions: strings(d.getUint32(at + 44, true), d.getUint32(at + 48, true)),
      internal: internal === 1,
    };
  };
  /** Calls an export, lifts its result (ok payload at ret + 4), runs its post-return, throws an error result. */
  const lift = <R>(ret: number, ok: (at: number) => R, post: (ret: number) => void): R => {
    const r = ret >>> 0;
    const tag = view().getUint8(r);
    if (tag > 1) throw new TypeError('invalid result discriminant from the core');
    const out = tag === 0 ? ok(r + 4) : errorAt(r);
    post(ret);
    if (tag === 1) throw new CoreResultError(out as ErrorRecord);
    return out as R;
  };
  const stringAt = (at: number): string => str(view().getUint32(at, true), view().getUint32(at + 4, true));

  return {
    plan(request: string): PlanOut {
      const ptr = putString(request);
      let n = 0;
      const out = lift<PlanOut>(main.plan(ptr, request.length), (at) => {
        const d = view();
        const tag = d.getUint8(at);
        const p = d.getUint32(at + 4, true);
        n = d.getUint32(at + 8, true);
        if (tag === 0) return { tag: 'text', val: str(p, n) } as PlanOut;
        if (tag === 1) return { tag: 'bytes', val: new Uint8Array(main.memory.buffer, p, n) } as PlanOut;
        throw new TypeError('invalid plan-out discriminant from the core');
      }, (r) => main.cabi_post_plan(r));
      // the bytes are a view of the memory: a post-return that grew it would have detached them
      // (wasm/as/abi/canon.ts release() allocates nothing for that reason); never an empty plan
      if (out.tag === 'bytes' && out.val.byteLength !== n) throw new TypeError('the core grew its memory after handing out a plan (its bytes view was detached)');
      return out;
    },
    render(request: string): string {
      const ptr = putString(request);
      return lift(main.render(ptr, request.length), stringAt, (r) => main.cabi_post_render(r));
    },
    listPackages(): string[] {
      return lift(main['list-packages'](), (at) => strings(view().getUint32(at, true), view().getUint32(at + 4, true)), (r) => main['cabi_post_list-packages'](r));
    },
  };
}

function unready(): never {
  throw new Error('a core import was called while the core was being instantiated');
}
