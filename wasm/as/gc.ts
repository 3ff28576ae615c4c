/**
 * Garbage collection at safe points. The core is built with AssemblyScript's `minimal` runtime
 * (wasm/build-as.mjs): a two-colour mark & sweep that never runs by itself and scans no stack
 * (no shadow stack is kept, which is also why it is cheaper than the incremental runtime). A
 * collection frees every object that is not reachable from a global, so `safePoint()` may only
 * be called where each object a caller still uses after the call is reachable from a global
 * (the callers say which globals hold what: plan/planner.ts, plan/graph.ts, abi/index.ts).
 *
 * Policy: collect when the memory has grown since the last collection (the allocator doubles it
 * when its free space runs out): a call that allocates little never pays a mark, and a whole IX
 * tree's plan collects 9 times (the memory at 1.1 GB at the end of the walk). Collecting also
 * every 16,384 safe points kept it at half that but ran 19 collections of a large live heap,
 * which cost most of the CPU the runtime saved (BENCHMARKS.md).
 *
 * Stress build (wasm/build-as.mjs, IX_AS_GC_STRESS=1 defines IX_GC_STRESS): every safe point
 * collects, and freed objects are poisoned (gc-stress.ts), so an object that only a local holds
 * across a safe point is freed and overwritten on every tree, not only where memory happened to
 * grow (test/gc-stress.test.ts compares its answers with the normal core's).
 *
 * Must not depend on: anything of the core (only the runtime's __collect).
 */

/** True in the stress build (see the module comment). */
// @ts-ignore: a constant asc defines with --use
const STRESS: bool = isDefined(IX_GC_STRESS);

/** The memory's size in pages right after the last collection. */
let pagesAtLast: i32 = 0;
/** Collects if the memory grew since the last collection; see the module comment for when it is safe. */
export function safePoint(): void {
  if (!STRESS && memory.size() <= pagesAtLast) return;
  __collect();
  pagesAtLast = memory.size();
}

/** Collects now (a safe point where a large allocation follows that should reuse freed memory). */
export function collectNow(): void {
  __collect();
  pagesAtLast = memory.size();
}

/** True while the graph's driver runs for a root with nothing but globals above it (plan/planner.ts plan1). */
let driverSafe: bool = false;

/** Says whether the outermost graph driver's steps are safe points (see driverSafePoint). */
export function allowDriverCollections(on: bool): void {
  driverSafe = on;
}

/** A safe point of the graph's driver between two steps, when its caller allowed it. */
export function driverSafePoint(): void {
  if (driverSafe) safePoint();
}
