/**
 * Step three of a node's job, in the node's pool: build it under its output lock into a pending
 * output with a log file (the store's realise), committed (the store normalises and checks the
 * output) or aborted. A build that fails is the node's failure (reported, with the log's last
 * lines); the store, its lock, or the machine failing around it (disk full, read-only store,
 * missing tool) is thrown, for the run to report as its cause.
 *
 * Must not depend on: the CLI, the terminal (events go through `emit`), the planner.
 */
import type { PlanNode } from '../../../engine/api';
import { isEnvironmentFailure } from '../../common';
import type { ExecEvent } from './events';
import { openLog, type NodeLog } from './logs';
import type { Outcome } from './scheduler';
import type { Make } from './make';
import { present } from './step-present';
import type { ExecStore } from './types';

export interface BuildContext {
  store: Pick<ExecStore, 'realise'>;
  /** The logs folder of the ix root. */
  logs: string;
  make: Make;
  emit(e: ExecEvent): void;
  /** Reports n's failure (failure.ts). */
  fail(n: PlanNode, reason: string, log?: NodeLog, ms?: number): Outcome;
  /** Called for each node built and committed here (uploads with `push`). */
  built?(n: PlanNode): void;
}

export async function build(ctx: BuildContext, n: PlanNode): Promise<Outcome> {
  const { store, emit } = ctx;
  let t = 0;
  let log: NodeLog | undefined;
  const ms = () => Math.round(performance.now() - t);
  try {
    const how = await store.realise(n, async (o) => {
      // realise calls `start` (which opens the log) before the build step
      const made = await ctx.make(n, o, log!);
      if (log!.error !== undefined) throw log!.error;
      if (made.failed !== undefined) return { failed: made.failed };
      // the commit throws a one-line OutputCheckError when the output breaks a store rule
      return { expectHash: made.expectHash };
    }, {
      start: () => {
        t = performance.now();
        log = openLog(ctx.logs, n);
        emit({ event: 'start', id: n.id, name: n.name, out: n.out, pool: n.pool, log: log.path });
      },
    });
    if (how === 'present') return present(emit, n);
    if (how !== 'built') return ctx.fail(n, how.failed, log, ms());
  } catch (e) {
    if (!log) throw e; // the store or its lock failed around the node
    if (isEnvironmentFailure(e)) {
      log?.close();
      throw e; // disk full, read-only store, missing tool: not this node's fault
    }
    return ctx.fail(n, e instanceof Error ? e.message : String(e), log, ms());
  }
  log!.close();
  emit({ event: 'done', id: n.id, name: n.name, out: n.out, status: 'built', ms: ms(), log: log!.path });
  ctx.built?.(n);
  return 'built';
}
