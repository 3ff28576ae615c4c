/**
 * Globals of the render context (engine/eval/runtime.ts GLOBALS): range(), namespace(),
 * cycler(), joiner(); and the name constants True/False/None/true/false/none.
 *
 * Must not depend on: anything of the core but rt/ and errors.ts.
 */
import { Value } from './value';

/** The global named `name` (range, namespace, cycler, joiner), or null. */
export function globalLookup(name: string): Value | null { return null; }

/** True/False/None/true/false/none, or null. */
export function constantLookup(name: string): Value | null { return null; }
