/**
 * The Runner: what runs one command node of a plan, as the executor, `ix build --check` and a
 * remote builder see it. The executor never picks one itself: the command line hands it the
 * runner of the host it runs on (hosts/linux-sandbox's sandboxRunner(env) on Linux), and tests hand it fakes.
 * A runner does not decide whether a node needs building, lock, commit or normalise outputs: that
 * is the store's and the executor's job.
 *
 * Must not depend on: anything but the engine's plan types and ./layout.
 */
import type { PlanNode } from '../../engine/api';
import type { Layout } from './layout';

export interface RunOptions {
  /** Physical ix layout: inputs are read from layout.store. */
  layout: Layout;
  /** Physical directory that becomes node.out (must exist and be empty). */
  outDir: string;
  /** Physical $tmp; default <root>/build/<id>, emptied before and removed after. */
  tmpDir?: string;
  /** Keep $tmp after the run (for debugging). */
  keepTmp?: boolean;
  /** make_thrs handed to the node (not hashed); default: every core. */
  cores?: number;
  /** Kill the node after this many milliseconds (0 = never); default: the runner's. */
  timeoutMs?: number;
  /** Receives the node's stdout and stderr, interleaved as they arrive. */
  output?: (chunk: Buffer) => void;
  /** Abort (kill) the node. */
  signal?: AbortSignal;
}

export interface RunResult {
  ok: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  ms: number;
  /** The command line that ran (for debugging; host paths, never hashed). */
  argv: string[];
  /** One line describing a failure ("exit code 2", "timed out after 10 s"). */
  reason?: string;
}

/** Runs one command node into opts.outDir; resolves with how it ended (a failed build is not a throw). */
export type Runner = (node: PlanNode, opts: RunOptions) => Promise<RunResult>;
