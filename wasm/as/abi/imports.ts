/**
 * The host imports of wasm/core.wit (`ix:core/host@0.4.0`), lowered onto the canonical ABI with
 * UTF-16 strings (see canon.ts): each WIT function is a core import taking (pointer, length)
 * pairs and, when its result does not fit one value, a return-area pointer the host writes into.
 * `digest` and `digest-text` are not imported: this core hashes natively.
 *
 * Must not depend on: anything of the core but canon.ts.
 */
import { liftBytes, liftStrings, stringPairs } from './canon';

// @ts-ignore: decorator
@external('ix:core/host@0.4.0', 'read-file')
declare function hostReadFile(ptr: usize, len: usize, ret: usize): void;
// @ts-ignore: decorator
@external('ix:core/host@0.4.0', 'list-dir')
declare function hostListDir(ptr: usize, len: usize, ret: usize): void;
// @ts-ignore: decorator
@external('ix:core/host@0.4.0', 'file-digests')
declare function hostFileDigests(ptr: usize, len: usize, ret: usize): void;
// @ts-ignore: decorator
@external('ix:core/host@0.4.0', 'cache-get')
declare function hostCacheGet(ptr: usize, len: usize, ret: usize): void;
// @ts-ignore: decorator
@external('ix:core/host@0.4.0', 'cache-put')
declare function hostCachePut(kptr: usize, klen: usize, vptr: usize, vlen: usize): void;

/** The imports' return area: option<list<..>> is a tag byte, then (pointer, length) at 4 and 8. */
const RET: usize = memory.data(16, 8);

function optBytes(): Uint8Array | null {
  if (load<u8>(RET) == 0) return null;
  return liftBytes(load<u32>(RET, 4), load<u32>(RET, 8));
}

export function readFile(path: string): Uint8Array | null {
  hostReadFile(changetype<usize>(path), path.length, RET);
  return optBytes();
}

export function listDir(path: string): Array<string> | null {
  hostListDir(changetype<usize>(path), path.length, RET);
  if (load<u8>(RET) == 0) return null;
  return liftStrings(load<u32>(RET, 4), load<u32>(RET, 8));
}

export function fileDigests(paths: Array<string>): Array<Uint8Array | null> | null {
  const args = stringPairs(paths);
  hostFileDigests(args, paths.length, RET);
  __free(args);
  if (load<u8>(RET) == 0) return null;
  const ptr: usize = load<u32>(RET, 4);
  const n: i32 = load<u32>(RET, 8);
  const out = new Array<Uint8Array | null>(n);
  // each element: option<list<u8>>, 12 bytes (tag, pointer at 4, length at 8)
  for (let i = 0; i < n; i++) {
    const e = ptr + <usize>i * 12;
    unchecked((out[i] = load<u8>(e) == 0 ? null : liftBytes(load<u32>(e, 4), load<u32>(e, 8))));
  }
  if (n > 0) __free(ptr);
  return out;
}

export function cacheGet(key: string): Uint8Array | null {
  hostCacheGet(changetype<usize>(key), key.length, RET);
  return optBytes();
}

export function cachePut(key: string, value: string): void {
  hostCachePut(changetype<usize>(key), key.length, changetype<usize>(value), value.length);
}

/** cachePut of the `len` UTF-16 code units at `ptr` (the host copies them before it returns). */
export function cachePutUtf16(key: string, ptr: usize, len: i32): void {
  hostCachePut(changetype<usize>(key), key.length, ptr, len);
}

