/**
 * The canonical ABI of the component model, by hand (no binding generator exists for
 * AssemblyScript), with strings as UTF-16 (the component is embedded with
 * `stringEncoding: 'utf16'`, so a WIT string is (pointer, length in code units) and an
 * AssemblyScript string's own data crosses without transcoding).
 *
 * Memory: the host allocates what it hands in through `cabi_realloc` (raw blocks of the
 * runtime's allocator); everything lifted is copied into ordinary objects and the raw block freed
 * at once. What the core hands out (strings, byte arrays) is pinned and listed here until the
 * export's `cabi_post_*` runs, with the raw blocks holding lists of (pointer, length) pairs.
 *
 * Must not depend on: anything of the core but the AssemblyScript runtime.
 */

/** `cabi_realloc(old, oldSize, align, newSize)`: every block is 16-aligned, enough for any WIT type. */
export function realloc(old: usize, oldSize: usize, align: usize, newSize: usize): usize {
  if (old == 0) return __alloc(newSize);
  return __realloc(old, newSize);
}

// --- what the core hands out until the post-return -----------------------------------------

/**
 * Objects pinned for the host, each once (pinning an object twice traps in the incremental GC):
 * `pinnedList` in order, `pinnedSet` an open-addressing set of their addresses (0 = empty).
 * release() must not allocate: a plan's bytes are handed out as a view of this memory
 * (wasm/plan-bytes-view.mjs, wasm/direct-core.ts), and an allocation that grows the memory in the
 * post-return detaches that view (the plan reads as empty). Set#values() and Set#clear() allocate,
 * so neither is used; the set is cleared with memory.fill.
 */
const pinnedList = new Array<usize>();
let pinnedSet = new StaticArray<usize>(64);
/** Raw blocks (lists of pointers) allocated for the host. */
const blocks = new Array<usize>();

/** Whether `obj` is in pinnedSet; adds it when not (the set is at most half full). */
function pinnedAdd(obj: usize): bool {
  const mask = <usize>pinnedSet.length - 1;
  let i = (obj >> 4) & mask;
  let v = unchecked(pinnedSet[<i32>i]);
  while (v != 0) {
    if (v == obj) return false;
    i = (i + 1) & mask;
    v = unchecked(pinnedSet[<i32>i]);
  }
  unchecked((pinnedSet[<i32>i] = obj));
  return true;
}

export function keep(obj: usize): void {
  if (obj == 0) return;
  if ((pinnedList.length + 1) << 1 > pinnedSet.length) {
    // grown here, inside the export, never in release()
    pinnedSet = new StaticArray<usize>(pinnedSet.length << 1);
    for (let i = 0; i < pinnedList.length; i++) pinnedAdd(unchecked(pinnedList[i]));
  }
  if (!pinnedAdd(obj)) return;
  pinnedList.push(obj);
  __pin(obj);
}

export function rawBlock(size: usize): usize {
  const p = __alloc(size < 1 ? 1 : size);
  blocks.push(p);
  return p;
}

/** The post-return of every export: the host has copied the result (or holds a view of it). */
export function release(): void {
  for (let i = 0; i < pinnedList.length; i++) __unpin(unchecked(pinnedList[i]));
  pinnedList.length = 0;
  memory.fill(changetype<usize>(pinnedSet), 0, <usize>pinnedSet.length << alignof<usize>());
  for (let i = 0; i < blocks.length; i++) __free(unchecked(blocks[i]));
  blocks.length = 0;
}

// --- lifting what the host handed in ---------------------------------------------------------

/** A WIT string at (ptr, len code units) as an AssemblyScript string; frees the host's block. */
export function liftString(ptr: usize, len: usize): string {
  if (len == 0) return '';
  const s = String.UTF16.decodeUnsafe(ptr, len << 1);
  __free(ptr);
  return s;
}

/** A WIT list<u8> as a Uint8Array; frees the host's block. */
export function liftBytes(ptr: usize, len: usize): Uint8Array {
  const a = new Uint8Array(<i32>len);
  if (len > 0) {
    memory.copy(a.dataStart, ptr, len);
    __free(ptr);
  }
  return a;
}

/** A WIT list<string> as an array; frees the host's blocks. */
export function liftStrings(ptr: usize, len: usize): Array<string> {
  const out = new Array<string>(<i32>len);
  for (let i: usize = 0; i < len; i++) {
    const e = ptr + (i << 3);
    unchecked((out[<i32>i] = liftString(load<u32>(e), load<u32>(e, 4))));
  }
  if (len > 0) __free(ptr);
  return out;
}

// --- lowering what the core hands out --------------------------------------------------------

/** Writes the (pointer, length) of `s` at `at`, keeping `s` alive until the post-return. */
export function storeString(at: usize, s: string): void {
  const p = changetype<usize>(s);
  keep(p);
  store<u32>(at, <u32>p);
  store<u32>(at, <u32>s.length, 4);
}

/** Writes the (pointer, length) of `a`'s bytes at `at`, keeping them alive. */
export function storeBytes(at: usize, a: Uint8Array): void {
  keep(changetype<usize>(a.buffer));
  store<u32>(at, <u32>a.dataStart);
  store<u32>(at, <u32>a.length, 4);
}

/** Writes a list<string> (a block of (pointer, length) pairs) at `at`. */
export function storeStrings(at: usize, xs: Array<string>): void {
  const n = xs.length;
  const b = rawBlock(<usize>n << 3);
  for (let i = 0; i < n; i++) storeString(b + (<usize>i << 3), unchecked(xs[i]));
  store<u32>(at, <u32>b);
  store<u32>(at, <u32>n, 4);
}

/** A list<string> to pass to an import (the strings stay alive in `xs` during the call). */
export function stringPairs(xs: Array<string>): usize {
  const n = xs.length;
  const b = __alloc(n < 1 ? 8 : <usize>n << 3);
  for (let i = 0; i < n; i++) {
    const s = unchecked(xs[i]);
    store<u32>(b + (<usize>i << 3), <u32>changetype<usize>(s));
    store<u32>(b + (<usize>i << 3), <u32>s.length, 4);
  }
  return b;
}
