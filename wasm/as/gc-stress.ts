/**
 * The stress build's poison (wasm/build-as.mjs with IX_AS_GC_STRESS=1 compiles this file beside
 * the entry; the normal core never includes it): the minimal runtime calls a global `__finalize`
 * for each object it frees, just before freeing it, and this one overwrites the object's payload
 * with 0xAB bytes. A use after free then reads poison (a string of U+ABAB, a pointer far outside
 * the memory) instead of the old contents, so it changes the answer or traps. The header is left
 * alone: the sweep and the allocator still read it.
 *
 * Must not depend on: anything of the core (only the object header's layout: rtSize is the u32
 * just before the payload, ~lib/rt/common.ts).
 */

// @ts-ignore: decorator
@global
function __finalize(ptr: usize): void {
  memory.fill(ptr, 0xab, load<u32>(ptr - 4));
}
