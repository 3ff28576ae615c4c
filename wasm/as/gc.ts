/**
 * Garbage collection at safe points. The core is built with AssemblyScript's `minimal` runtime
 * (wasm/build-as.mjs): a two-colour mark & sweep that never runs by itself and scans no stack
 * (no shadow stack is kept, which is also why it is cheaper than the incremental runtime). A
 * collection frees every object that is not reachable from a global, so `safePoint()` may only
 * be called where each object a caller still uses after the call is reachable from a global
 * (the callers say which globals hold what: plan/planner.ts, plan/graph.ts, abi/index.ts).
 *
 * Policy (GOGC-like, on what the allocator has touched): collect when the heap's span (the
 * memory up to the start of the allocator's free block at its end, ~lib/rt/tlsf.ts: what the
 * process has had to touch) grew by a budget since the last collection, the budget being an
 * eighth of the span then (at least 32 MB). The allocator reuses freed blocks before it takes
 * from the free block at the end, so the span grows only once the garbage has filled the holes,
 * and between two collections it grows by at most the budget. "Collect when the memory grew" let
 * the garbage fill the memory the allocator had just doubled: on a whole IX tree the CLI peaked
 * at 1.37 GB of RSS (0.98 GB with the incremental runtime); a quarter of the span, 1.03 GB; an
 * eighth, 0.96 GB at ~0.9x the incremental runtime's CPU (BENCHMARKS.md). Re-measured on
 * 2026-12-07 at load 9-13 (BENCHMARKS.md, "The collector's policy and live lists"): a quarter
 * gave 0.72-1.04x the CPU of an eighth (cold CLI peak 787-836 MB, an eighth 681-794 MB), a half
 * 0.67-1.10x (843-888 MB), a least budget of 128 MB 0.69-1.18x (818-849 MB); pairs at that load
 * differ by 10-20% alone, and the die/base.sh re-plan (1.47 GB) was measured with a quarter only,
 * unpaired: none was shown better, so an eighth stays (a quarter is the one to measure again).
 *
 * Stress build (wasm/build-as.mjs, IX_AS_GC_STRESS=1 defines IX_GC_STRESS): every safe point
 * collects, and freed objects are poisoned (gc-stress.ts), so an object that only a local holds
 * across a safe point is freed and overwritten on every tree, not only where memory happened to
 * grow (test/gc-stress.test.ts compares its answers with the normal core's).
 *
 * Counters (gc-stats.ts): every collection is counted with the span before and after it; a
 * build with IX_AS_GC_STATS=1 also counts the objects each one kept (read by bench/gc-stats.mjs).
 *
 * Must not depend on: anything of the core (only the runtime's __collect and the allocator's
 * layout: its root's tail pointer and the block header's flags, ~lib/rt/tlsf.ts, wasm32).
 */
import { ROOT } from '~lib/rt/tlsf';
import { afterCollect, beforeCollect } from './gc-stats';

/** True in the stress build (see the module comment). */
// @ts-ignore: a constant asc defines with --use
const STRESS: bool = isDefined(IX_GC_STRESS);

/** The least budget (bytes the span may grow by between collections). */
const MIN_BUDGET: usize = 32 << 20;
/** The budget is the span at the last collection shifted right by this. */
const BUDGET_SHIFT: usize = 3;
/** Where the root keeps its tail block (HL_END in ~lib/rt/tlsf.ts for wasm32: 23 first-level x 16 second-level heads after the maps). */
const TAIL_AT: usize = 96 + 23 * 16 * 4;
/** A block header's flag: the block before this one is free (tlsf.ts LEFTFREE). */
const LEFTFREE: usize = 2;
/** A block header's tag bits (tlsf.ts TAGS_MASK). */
const TAGS: usize = 3;

/**
 * The heap's span in bytes: the memory's size less the free block that ends at the allocator's
 * tail (the tail is the zero-size block at the memory's end; a free block before it stores its
 * address in the word before the tail).
 */
export function span(): usize {
  const end = (<usize>memory.size()) << 16;
  const root = changetype<usize>(ROOT);
  if (root == 0) return end;
  const tail = load<usize>(root + TAIL_AT);
  // a layout other than the one read here gives addresses outside the heap: then the memory's size
  if (tail <= root || tail >= end || (load<usize>(tail) & LEFTFREE) == 0) return end;
  const free = load<usize>(tail - sizeof<usize>());
  const size = load<usize>(free) & ~TAGS;
  if (free <= root || free >= tail || free + size + sizeof<usize>() != tail) return end;
  return free;
}

/** The span right after the last collection, and how far it may grow before the next one. */
let spanAtLast: usize = 0;
let budget: usize = MIN_BUDGET;

/** Collects if the span grew by the budget since the last collection; see the module comment for when it is safe. */
export function safePoint(): void {
  if (!STRESS && span() < spanAtLast + budget) return;
  collectNow();
}

/** Collects now (a safe point where a large allocation follows that should reuse freed memory). */
export function collectNow(): void {
  beforeCollect(span());
  __collect();
  spanAtLast = span();
  afterCollect(spanAtLast);
  const b = spanAtLast >> BUDGET_SHIFT;
  budget = b > MIN_BUDGET ? b : MIN_BUDGET;
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
