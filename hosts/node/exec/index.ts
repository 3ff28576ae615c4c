/**
 * The executor: plan graph and critical-path priorities (graph.ts), what a run needs, decided
 * top-down (topdown.ts), pools (scheduler.ts), per-node logs (logs.ts), events and displays
 * (events.ts), pre-run checks (preflight.ts), remote builders as pools beside this machine (builders.ts), each
 * node's job and its steps (node-job.ts, step-*.ts, make.ts), the run (execute.ts), and the types
 * they share (types.ts).
 *
 * Must not depend on: the CLI.
 */
export { execute, type ExecuteOptions, type ExecuteResult, type RunStatus } from './execute';
export type { ExecStore, FetchNode, Substituter, SubstituteHit, SubstituteHooks, Pusher } from './types';
export { buildGraph, POOL_COST, type Graph } from './graph';
export { schedule, type Outcome, type ScheduleOptions, type Task } from './scheduler';
export { TopDown, wantedAt, wantedOutputs, mapLimit, LOOKUP_CONCURRENCY, type Decision, type TopDownHit, type TopDownIO, type RefTable } from './topdown';
export { openLog, readLog, tailFile, logPath, nodeFilePath, reproduceCommand, runNodeCommand, LOG_FORMAT } from './logs';
export { jsonReporter, plainReporter, ttyReporter, pickReporter, formatBytes, formatTransfer, EVENTS_FORMAT, type ExecEvent, type Reporter, type Sink, type NodeStatus } from './events';
export { checkPlanRunnable, UNSUPPORTED_MARKER } from './preflight';
export { checkNode as checkRebuild, diffTrees, type CheckResult } from './check';
export { BuilderPool, hereBuilder, type Builder, type BuildIO, type BuildOutcome } from './builders';
export { DiskFullError, diskFull, diskWatch } from './disk-full';
