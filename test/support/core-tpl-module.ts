/**
 * Loads the raw test module of the compiled evaluator (wasm/as/tpl/testing/entry.ts, built
 * with asc) over an in-memory recipe tree: the host's read-file import answers from `files`.
 * Strings cross as UTF-16 through the module's exported runtime (__new/__pin/__unpin).
 */
import { readFileSync } from 'node:fs';

export interface TplModule {
  /** Replace the recipe tree the host import reads. */
  setFiles(files: Record<string, string | Uint8Array>): void;
  render(name: string, target: string, flags: Record<string, string>, share?: boolean): { text?: string; err?: string; files: string[]; names: string[] };
  targetJson(name: string): string;
}

export async function loadTplModule(wasmPath: string): Promise<TplModule> {
  let files: Record<string, Uint8Array> = {};
  let ex: Record<string, CallableFunction> & { memory: WebAssembly.Memory };
  const enc = new TextEncoder();
  const u16 = () => new Uint16Array(ex.memory.buffer);
  const u8 = () => new Uint8Array(ex.memory.buffer);
  const readStr = (ptr: number, len: number): string => {
    const a = u16().subarray(ptr >>> 1, (ptr >>> 1) + len);
    let s = '';
    for (let i = 0; i < a.length; i += 8192) s += String.fromCharCode(...a.subarray(i, i + 8192));
    return s;
  };
  const liftString = (ptr: number): string => {
    const len = new Uint32Array(ex.memory.buffer)[(ptr - 4) >>> 2] >>> 1;
    return readStr(ptr, len);
  };
  const lowerString = (s: string): number => {
    const p = (ex.__new as (n: number, id: number) => number)(s.length << 1, 2) >>> 0;
    const a = u16();
    for (let i = 0; i < s.length; i++) a[(p >>> 1) + i] = s.charCodeAt(i);
    return p;
  };
  const imports = {
    env: {
      abort(msg: number, file: number, line: number, col: number): never {
        throw new Error(`abort: ${msg ? liftString(msg >>> 0) : msg} at ${file ? liftString(file >>> 0) : file}:${line}:${col}`);
      },
      seed: () => 0,
    },
    'ix:core/host@0.4.0': {
      'read-file'(ptr: number, len: number, ret: number): void {
        const path = readStr(ptr >>> 0, len >>> 0);
        const b = Object.prototype.hasOwnProperty.call(files, path) ? files[path] : undefined;
        const dv = new DataView(ex.memory.buffer);
        if (b === undefined) { dv.setUint8(ret, 0); return; }
        const p = b.length > 0 ? (ex.testAlloc as (n: number) => number)(b.length) >>> 0 : 0;
        u8().set(b, p);
        const dv2 = new DataView(ex.memory.buffer);
        dv2.setUint8(ret, 1);
        dv2.setUint32(ret + 4, p, true);
        dv2.setUint32(ret + 8, b.length, true);
      },
      'list-dir'(_p: number, _l: number, ret: number): void { new DataView(ex.memory.buffer).setUint8(ret, 0); },
      'file-digests'(_p: number, _l: number, ret: number): void { new DataView(ex.memory.buffer).setUint8(ret, 0); },
      'cache-get'(_p: number, _l: number, ret: number): void { new DataView(ex.memory.buffer).setUint8(ret, 0); },
      'cache-put'(): void {},
    },
  };
  const mod = await WebAssembly.compile(readFileSync(wasmPath));
  const inst = await WebAssembly.instantiate(mod, imports);
  ex = inst.exports as typeof ex;
  const call = (fn: string, args: string[], extra: number[] = []): string => {
    const ptrs = args.map((a) => { const p = lowerString(a); (ex.__pin as (p: number) => number)(p); return p; });
    try {
      return liftString((ex[fn] as (...a: number[]) => number)(...ptrs, ...extra) >>> 0);
    } finally {
      for (const p of ptrs) (ex.__unpin as (p: number) => void)(p);
    }
  };
  return {
    setFiles(f) {
      files = {};
      for (const [k, v] of Object.entries(f)) files[k] = typeof v === 'string' ? enc.encode(v) : v;
    },
    render(name, target, flags, share = false) {
      const fl = Object.keys(flags).sort().flatMap((k) => [k, flags[k]]).join('\u0000');
      const r = call('render', [name, target, fl], [share ? 1 : 0]);
      const [head, fs, ns] = r.split('\u0001');
      const out: { text?: string; err?: string; files: string[]; names: string[] } = {
        files: fs === '' ? [] : fs.split('\u0002'),
        names: ns === '' ? [] : ns.split('\u0002'),
      };
      if (head[0] === 'T') out.text = head.slice(1); else out.err = head.slice(1);
      return out;
    },
    targetJson(name) {
      return call('targetJson', [name]);
    },
  };
}
