/**
 * One node's job in a run, as the scheduler calls it: in the "subst" pool, `substitute`
 * (step-substitute.ts: found present, or downloaded from the cache the top-down decision named,
 * or undefined: build it); in the node's pool, `build` (step-build.ts, which may find it present
 * too: step-present.ts). The steps get only the narrow context each needs.
 *
 * Must not depend on: the CLI, the terminal (events go through `emit`), the planner.
 */
import type { PlanNode } from '../../../engine/api';
import type { ExecEvent } from './events';
import type { NodeLog } from './logs';
import type { Outcome } from './scheduler';
import type { Decision } from './topdown';
import type { Make } from './make';
import { reportFailure, type FailureContext } from './failure';
import { substitute } from './step-substitute';
import { build } from './step-build';
import type { ExecStore, Substituter, SubstituteHit } from './types';

export interface JobContext {
  store: ExecStore;
  make: Make;
  emit(e: ExecEvent): void;
  signal: AbortSignal;
  /** Where failures are reported (failure.ts). */
  failure: FailureContext;
  /** Caches to download from (none: every node not present is built). */
  substituter?: Substituter;
  /** The top-down decision on a node (topdown.ts). */
  decision(id: string): Decision<SubstituteHit> | undefined;
  /** Called for each node built and committed here. */
  built?(n: PlanNode): void;
}

export interface NodeJob {
  build(n: PlanNode): Promise<Outcome>;
  substitute?(n: PlanNode): Promise<Outcome | undefined>;
  fail(n: PlanNode, reason: string, log?: NodeLog, ms?: number): Outcome;
}

export function nodeJob(ctx: JobContext): NodeJob {
  const { store, emit, signal } = ctx;
  const logs = store.layout.logs;
  const fail = (n: PlanNode, reason: string, log?: NodeLog, ms?: number) => reportFailure(ctx.failure, n, reason, log, ms);
  const sub = ctx.substituter;
  return {
    fail,
    build: (n) => build({ store, logs, make: ctx.make, emit, fail, built: ctx.built }, n),
    substitute: sub ? (n) => substitute({ store, logs, substituter: sub, emit, signal }, n, ctx.decision(n.id)) : undefined,
  };
}
