/**
 * What the planner needs from the evaluator, as a narrow interface, so the planner can be driven by
 * the real evaluator (engine/eval) in production and by anything with the same shape in tests.
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import type { Flags, HostIO } from '../api';
import type { Descriptor } from '../descriptor';
import type { FullBootEnv } from '../eval/boot-env';
import type { SourceCache } from '../eval/loader';

/** The part of an architecture record the planner reads: its canonical name and its id (hash). */
export interface ArchLike {
  id: string;
  /** Canonical "<os>-<arch>" name ("linux-x86_64"). */
  name: string;
}

/** One package as its template chain rendered it. */
export interface RenderedPackage {
  /** Exact descriptor text. */
  text: string;
  descriptor: Descriptor;
  /** Logical recipe paths the chain read, sorted. */
  files: string[];
  /** Context names the chain looked up, sorted (absent: unknown, so the render is not shared). */
  names?: string[];
  /** The flags behind those names (plan/reads.ts), as stored with a cached render. */
  reads?: string[];
}

/** The evaluator as seen by the planner (engine/eval's renderPackage + archRecord). */
export interface Evaluator<A extends ArchLike = ArchLike> {
  /** Architecture record of a target name or alias; unknown names throw IxError. */
  arch(target: string): A;
  /** Renders one package; `flags` already holds kind and target (the canonical target name). */
  render(io: HostIO, input: { name: string; flags: Flags; host: A; target: A; boot: FullBootEnv; intro?: (selector: string) => Record<string, unknown>; sources?: SourceCache }): RenderedPackage;
}
