/**
 * What the core may ask of its host (wasm/core.wit `host`), as plain AssemblyScript functions.
 * Every path is a logical recipe path ("bin/zstd/ix.sh"), never a host path. The bodies lower
 * these calls onto the component's imports (abi/); everything else in the core calls only these.
 * Reads, listings and digests of recipe files go through the recipe mounts (mount/), so files a
 * mount generates (IX's pip/) are files here like stored ones.
 *
 * Must not depend on: anything else of the core but abi/ imports and mount/.
 */
import * as imp from './abi/imports';
import * as st from './abi/state';
import { IxErr } from './errors';
import * as mount from './mount/index';

/** Bytes of a recipe file through the layered recipe roots (first root wins) or a mount, null when none has it. */
export function readFile(path: string): Uint8Array | null {
  const b = mount.readFile(path);
  const l = missLog;
  if (b === null && l !== null) {
    l.push(path);
    // a mount decided this path and failed: what it read is not a recipe file anyone notes
    if (mount.readFault() !== null) l.push(MISS_FAULT);
  }
  return b;
}

/** Noted after a missing path when a recipe mount's fault, not absence, made it missing. */
export const MISS_FAULT = '\x00fault';

/** Paths read and found missing are noted here while set (a render's probes: plan/graph.ts). */
let missLog: Array<string> | null = null;

/** Sets the list missing reads are noted in; returns the one it replaces. */
export function swapMissLog(l: Array<string> | null): Array<string> | null {
  const old = missLog;
  missLog = l;
  return old;
}

/**
 * Why the last readFile gave null though a recipe mount decides the path (an unknown mount.py, an
 * unusable index or record), as an error naming the file at fault; null when the file is missing.
 */
export function readFault(): IxErr | null {
  return mount.readFault();
}

/** Entry names of a recipe directory merged over all roots (directories end with "/"), unsorted; null when none has it. */
export function listDir(path: string): Array<string> | null {
  return mount.listDir(path);
}

/** BLAKE3 of each file's bytes as readFile would return them (null where it would), or null when the host cannot. */
export function fileDigests(paths: Array<string>): Array<Uint8Array | null> | null {
  return mount.fileDigests(paths);
}

/** Persistent cache: the UTF-8 bytes cachePut stored under `key`, null on a miss. Never changes plan bytes. */
export function cacheGet(key: string): Uint8Array | null {
  return imp.cacheGet(key);
}

/** Store a cache entry (the host keeps its UTF-8 bytes; it may drop it silently). */
export function cachePut(key: string, value: string): void {
  imp.cachePut(key, value);
}

/**
 * cachePut of the `len` UTF-16 code units at `ptr` (a builder's text, stored without first
 * making a string of it). The host copies them during the call, which allocates nothing in the
 * core, so the buffer may be reused as soon as it returns.
 */
export function cachePutUtf16(key: string, ptr: usize, len: i32): void {
  imp.cachePutUtf16(key, ptr, len);
}

/**
 * Names the package whose evaluation starts now ("bin/zstd"); cheap (no host call). If the core
 * traps (out of memory, a bug), the host's one-line report names the last package set here.
 */
export function evaluating(pkg: string): void {
  st.setEvaluating(pkg);
}

/** The package last named by `evaluating` (a render inside a render names its outer one again after). */
export function evaluatingNow(): string {
  return st.evaluatingNow();
}
