/**
 * The state of the one evaluation in progress: bounds, counters, the loader, the line maps of
 * compiled templates. Evaluation is synchronous and not re-entrant, so the compiled templates'
 * runtime reaches it through `current()`; renderPackage installs it and removes it in `finally`.
 *
 * Must not depend on: Node, host modules, nunjucks.
 */
import type { HostIO } from '../api';
import { IxError } from '../errors';
import type { Source, SourceLoader } from './loader';

export interface EvalLimits {
  /** extends + include + self-call nesting. */
  maxDepth: number;
  /** Bytes rendered per package (also bounds any single string built while rendering). */
  maxOutput: number;
  /** Loop iterations per package (also bounds range() and list sizes). */
  maxLoop: number;
}

export const DEFAULT_LIMITS: EvalLimits = { maxDepth: 64, maxOutput: 8 * 1024 * 1024, maxLoop: 1_000_000 };

export interface EvalState {
  pkg: string;
  io: HostIO;
  limits: EvalLimits;
  loader: SourceLoader;
  /** Preprocessed sources by logical template path (for error lines). */
  sources: Map<string, Source>;
  loops: number;
  emitted: number;
  /** Current nesting of self.NAME() calls and extends/include loads. */
  depth: number;
  /** Templates entered via extends, in order (cycle detection). */
  chain: string[];
  /** Context names the render looked up (found or not): the part of its context it depended on. */
  names: Set<string>;
}

let active: EvalState | undefined;

export function current(): EvalState {
  if (active === undefined) throw new Error('ix: template code ran outside an evaluation');
  return active;
}

export function install(s: EvalState | undefined): EvalState | undefined {
  const prev = active;
  active = s;
  return prev;
}

/** Count `n` loop iterations; IxError once the package's budget is exceeded. */
export function countLoop(n: number): void {
  const s = current();
  s.loops += n;
  if (s.loops > s.limits.maxLoop) throw new IxError(`evaluation of ${s.pkg} exceeded ${s.limits.maxLoop} loop iterations`);
}

/** Check a string about to be produced; IxError when larger than the output bound. */
export function checkSize(n: number): void {
  const s = current();
  if (n > s.limits.maxOutput) throw new IxError(`evaluation of ${s.pkg} exceeded ${s.limits.maxOutput} bytes of output`);
}

/** Count bytes emitted into any template buffer. */
export function countEmit(n: number): void {
  const s = current();
  s.emitted += n;
  if (s.emitted > s.limits.maxOutput * 4) throw new IxError(`evaluation of ${s.pkg} exceeded ${s.limits.maxOutput} bytes of output`);
}
