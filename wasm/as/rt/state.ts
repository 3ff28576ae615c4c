/**
 * The bounds and counters of the one evaluation in progress (engine/eval/state.ts): output size,
 * loop iterations, the package named in bound errors. The renderer sets them per package with
 * `beginEval`; rt's operators and filters count against them and return Err values. A render can
 * start another one inside it (intro() plans, and so renders, another package): the outer
 * render's counters are saved with `saveEval` and put back with `restoreEval`, as the oracle's
 * `install` keeps the previous state.
 *
 * Must not depend on: anything of the core but rt/value.ts and errors.ts.
 */
import { err, VErr } from './value';

export let evalPkg: string = '';
export let maxOutput: i32 = 8 * 1024 * 1024;
export let maxLoop: i32 = 1000000;
export let maxDepth: i32 = 64;
export let loops: f64 = 0;
export let emitted: f64 = 0;

/** Start counting for package `pkg` (bounds as engine/eval/state.ts DEFAULT_LIMITS unless given). */
export function beginEval(pkg: string, output: i32 = 8 * 1024 * 1024, loop: i32 = 1000000, depth: i32 = 64): void {
  evalPkg = pkg;
  maxOutput = output;
  maxLoop = loop;
  maxDepth = depth;
  loops = 0;
  emitted = 0;
}

/** The bounds and counters of an evaluation, set aside while a nested one runs. */
export class EvalCounters {
  pkg: string = '';
  maxOutput: i32 = 0;
  maxLoop: i32 = 0;
  maxDepth: i32 = 0;
  loops: f64 = 0;
  emitted: f64 = 0;
}

export function saveEval(): EvalCounters {
  const c = new EvalCounters();
  c.pkg = evalPkg; c.maxOutput = maxOutput; c.maxLoop = maxLoop; c.maxDepth = maxDepth;
  c.loops = loops; c.emitted = emitted;
  return c;
}

export function restoreEval(c: EvalCounters): void {
  evalPkg = c.pkg; maxOutput = c.maxOutput; maxLoop = c.maxLoop; maxDepth = c.maxDepth;
  loops = c.loops; emitted = c.emitted;
}

/** Count `n` loop iterations; an Err once the package's budget is exceeded. */
export function countLoop(n: f64): VErr | null {
  loops += n;
  if (loops > <f64>maxLoop) return err('evaluation of ' + evalPkg + ' exceeded ' + maxLoop.toString() + ' loop iterations');
  return null;
}

/** Check a string about to be produced; an Err when larger than the output bound. */
export function checkSize(n: f64): VErr | null {
  if (n > <f64>maxOutput) return outputErr();
  return null;
}

/** Count characters emitted into any template buffer (bounded at 4x the output bound, as the oracle). */
export function countEmit(n: f64): VErr | null {
  emitted += n;
  if (emitted > <f64>maxOutput * 4) return outputErr();
  return null;
}

export function outputErr(): VErr {
  return err('evaluation of ' + evalPkg + ' exceeded ' + maxOutput.toString() + ' bytes of output');
}

/** `list longer than N items` (list `+` and `*`). */
export function listErr(): VErr {
  return err('list longer than ' + maxLoop.toString() + ' items');
}
