/**
 * The package being evaluated, kept where the host can read it after a trap: a trap kills the
 * call before any result exists, and the host's one-line report names this package. The core
 * sets it through host.ts `evaluating(name)` when it starts evaluating a package.
 *
 * Must not depend on: anything of the core.
 */

/** (pointer, length in code units) of `current`'s UTF-16 data, or (0, 0). */
const SLOT: usize = memory.data(8, 8);
/** Keeps the string alive (a global is a GC root). */
let current: string = '';

export function setEvaluating(name: string): void {
  current = name;
  store<u32>(SLOT, <u32>changetype<usize>(name));
  store<u32>(SLOT, <u32>name.length, 4);
}

/** The package named now (restored by a caller whose render ran another one inside it). */
export function evaluatingNow(): string {
  return current;
}

export function clearEvaluating(): void {
  current = '';
  store<u32>(SLOT, 0);
  store<u32>(SLOT, 0, 4);
}

/** Exported (not part of the WIT world): the address of the slot, read by the host's loader. */
export function evaluating_package(): usize {
  return SLOT;
}
