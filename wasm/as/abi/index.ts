/**
 * The compiled core's entry: the exports of world `core` (wasm/core.wit) over plan/index.ts.
 * Each export takes its string argument as (pointer, length in UTF-16 code units), returns a
 * pointer to its result in the return area (results.ts), and has a `cabi_post_*` that frees
 * what the result held. wasm/build-as.mjs renames `list_packages` to the WIT name.
 *
 * Each export starts with no recipe mount remembered (a kept instance serves later calls), and
 * with a safe point (../gc.ts): a kept instance frees what earlier calls left.
 *
 * Must not depend on: anything but plan/ (the entry functions), mount/ (its reset), gc.ts, gc-stats.ts and this folder.
 */
import { resetMounts } from '../mount/index';
import * as api from '../plan/index';
import { liftString, realloc, release } from './canon';
import { listResult, planResult, strResult } from './results';
import { clearEvaluating } from './state';
import { safePoint, span } from '../gc';
import { gcStats } from '../gc-stats';

export { evaluating_package } from './state';

/** Not part of the WIT world (as evaluating_package): the collector's counters (gc-stats.ts), for benchmarks. */
export function gc_stats(): usize {
  return gcStats(span());
}

export function cabi_realloc(old: usize, oldSize: usize, align: usize, newSize: usize): usize {
  return realloc(old, oldSize, align, newSize);
}

export function plan(ptr: usize, len: usize): usize {
  safePoint(); // nothing of this call exists yet: the last call's garbage may go
  const req = liftString(ptr, len);
  clearEvaluating();
  resetMounts();
  return planResult(api.plan(req));
}

export function render(ptr: usize, len: usize): usize {
  safePoint(); // nothing of this call exists yet: the last call's garbage may go
  const req = liftString(ptr, len);
  clearEvaluating();
  resetMounts();
  return strResult(api.render(req));
}

export function list_packages(): usize {
  safePoint(); // nothing of this call exists yet: the last call's garbage may go
  clearEvaluating();
  resetMounts();
  return listResult(api.listPackages());
}

export function cabi_post_plan(ret: usize): void {
  release();
}

export function cabi_post_render(ret: usize): void {
  release();
}

export function cabi_post_list_packages(ret: usize): void {
  release();
}
