/**
 * Counters of the collector (gc.ts), for benchmarks: deterministic figures where this VM's CPU
 * times are not (the same request gives the same counts on every run). Always kept: the number
 * of collections and the heap's span (gc.ts span(): the memory the allocator has touched) before
 * and after each. With IX_AS_GC_STATS=1 (wasm/build-as.mjs defines IX_GC_STATS) each collection
 * also walks the allocator's blocks before and after it: the objects (used blocks) it found, the
 * ones it kept (what it marked), and so the objects allocated between two collections. The walk
 * reads and allocates nothing the core uses, so a stats core collects at the same points and
 * plans the same bytes, only slower.
 *
 * Read by the host through `gc_stats` (abi/index.ts, outside the WIT world like
 * `evaluating_package`): the address of SLOTS f64s, in the order of the constants below, then
 * of the first LOG collections' (span before, bytes kept) pairs (bench/gc-stats.mjs prints them).
 *
 * Must not depend on: anything of the core (only the allocator's layout, ~lib/rt/tlsf.ts, wasm32:
 * the root's size and the block header's size and FREE flag).
 */
import { ROOT } from '~lib/rt/tlsf';

// @ts-ignore: a constant asc defines with --use
const STATS: bool = isDefined(IX_GC_STATS);

const SLOTS = 16;
/** After the counters, the first LOG collections: (span before, bytes kept) each. */
const LOG = 64;
/** The counters: f64 each (byte totals pass 2^32). */
const AT: usize = memory.data((SLOTS + 2 * LOG) * 8, 8);

/** Slots (f64 indices). */
const COLLECTIONS = 0;
const SPAN_BEFORE_SUM = 1;
const SPAN_MAX = 2;
const SPAN_AFTER_LAST = 3;
const SPAN_NOW = 4;
const MEMORY_NOW = 5;
const WALKED = 6; // 1 in a stats build
const OBJECTS_MARKED = 7; // sum over collections of the objects each kept
const BYTES_MARKED = 8;
const OBJECTS_ALLOCATED = 9; // up to now (gc_stats' own walk counts the last stretch)
const BYTES_ALLOCATED = 10;
const OBJECTS_NOW = 11;
const BYTES_NOW = 12;
const SPAN_AFTER_SUM = 13;
const BYTES_AFTER_MAX = 14; // the largest live set a collection left

function get(i: i32): f64 {
  return load<f64>(AT + (<usize>i << 3));
}
function set(i: i32, v: f64): void {
  store<f64>(AT + (<usize>i << 3), v);
}
function add(i: i32, v: f64): void {
  set(i, get(i) + v);
}

/** Block header size, the used/free flag and the tag bits (tlsf.ts BLOCK_OVERHEAD, FREE, TAGS_MASK). */
const OVERHEAD: usize = 4;
const FREE: usize = 1;
const TAGS: usize = 3;
/** The root's size (tlsf.ts ROOT_SIZE: HL_END, as gc.ts TAIL_AT, and the tail pointer). */
const ROOT_SIZE: usize = 96 + 23 * 16 * 4 + 4;

/** Used blocks and their bytes (header included) from the allocator's first block to its tail. */
let walkObjects: f64 = 0;
let walkBytes: f64 = 0;
function walk(): void {
  walkObjects = 0;
  walkBytes = 0;
  const root = changetype<usize>(ROOT);
  if (root == 0) return;
  const end = (<usize>memory.size()) << 16;
  let b = ((root + ROOT_SIZE + OVERHEAD + 15) & ~15) - OVERHEAD;
  while (b + OVERHEAD <= end) {
    const info = load<usize>(b);
    const size = info & ~TAGS;
    if (size == 0) break; // the tail
    if ((info & FREE) == 0) {
      walkObjects += 1;
      walkBytes += <f64>(size + OVERHEAD);
    }
    b += OVERHEAD + size;
  }
}

/** Objects and bytes a collection left (what the next stretch's allocations are counted from). */
let liveObjects: f64 = 0;
let liveBytes: f64 = 0;

/** Before a collection: the span it starts from, and in a stats build what was allocated since the last. */
export function beforeCollect(spanNow: usize): void {
  const n = <i32>get(COLLECTIONS);
  if (n < LOG) set(SLOTS + 2 * n, <f64>spanNow);
  add(COLLECTIONS, 1);
  add(SPAN_BEFORE_SUM, <f64>spanNow);
  if (<f64>spanNow > get(SPAN_MAX)) set(SPAN_MAX, <f64>spanNow);
  if (!STATS) return;
  walk();
  add(OBJECTS_ALLOCATED, walkObjects - liveObjects);
  add(BYTES_ALLOCATED, walkBytes - liveBytes);
}

/** After a collection: the span it left, and in a stats build what it kept. */
export function afterCollect(spanNow: usize): void {
  set(SPAN_AFTER_LAST, <f64>spanNow);
  add(SPAN_AFTER_SUM, <f64>spanNow);
  if (!STATS) return;
  walk();
  liveObjects = walkObjects;
  liveBytes = walkBytes;
  add(OBJECTS_MARKED, walkObjects);
  const n = <i32>get(COLLECTIONS) - 1;
  if (n < LOG) set(SLOTS + 2 * n + 1, walkBytes);
  add(BYTES_MARKED, walkBytes);
  if (walkBytes > get(BYTES_AFTER_MAX)) set(BYTES_AFTER_MAX, walkBytes);
}

/**
 * The counters' address, with the span, the memory's size and (stats build) the objects now
 * filled in; objects allocated since the last collection are added once, at the first call.
 */
export function gcStats(spanNow: usize): usize {
  set(SPAN_NOW, <f64>spanNow);
  if (<f64>spanNow > get(SPAN_MAX)) set(SPAN_MAX, <f64>spanNow);
  set(MEMORY_NOW, <f64>((<usize>memory.size()) << 16));
  set(WALKED, STATS ? 1 : 0);
  if (STATS && get(OBJECTS_NOW) == 0) {
    walk();
    set(OBJECTS_NOW, walkObjects);
    set(BYTES_NOW, walkBytes);
    add(OBJECTS_ALLOCATED, walkObjects - liveObjects);
    add(BYTES_ALLOCATED, walkBytes - liveBytes);
  }
  return AT;
}
