/**
 * How a node's failure is reported: one line in the run's failures ("bin/x: exit code 2"), the
 * reason appended to its log, and a `done` event with the log's last lines and the command that
 * reproduces the node.
 *
 * Must not depend on: the store, the CLI, the terminal (events go through `emit`).
 */
import type { PlanNode } from '../../../engine/api';
import type { ExecEvent } from './events';
import { reproduceCommand, tailFile, type NodeLog } from './logs';
import type { Outcome } from './scheduler';

export interface FailureContext {
  emit(e: ExecEvent): void;
  /** The ix root and its logs folder (for the reproducing command). */
  root: string;
  logs: string;
  /** Lines of the log shown with a failure. */
  tailLines: number;
  /** The run's failure lines; one is added. */
  failures: string[];
}

export function reportFailure(ctx: FailureContext, n: PlanNode, reason: string, log?: NodeLog, ms?: number): Outcome {
  ctx.failures.push(`${n.name}: ${reason}`);
  const tail = log ? tailFile(log.path, ctx.tailLines) : undefined;
  log?.write(`\n# ix: ${reason}\n`);
  log?.close();
  ctx.emit({
    event: 'done', id: n.id, name: n.name, out: n.out, status: 'failed', ms, reason, log: log?.path, tail,
    reproduce: n.cmd ? reproduceCommand(ctx.logs, n.id, ctx.root) : undefined,
  });
  return 'failed';
}

/** The first line of an error's message. */
export function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}
