/**
 * Garbage collection of the store: roots (roots.ts: realm generations, explicit roots, paths held
 * by live processes, builds in progress), holds (holds.ts: how a running process protects what it
 * uses), the collection itself (collect.ts), why-alive chains (why.ts), the shared/exclusive gc
 * lock (store/lock.ts, flockWait) and its paths (layout.ts).
 *
 * Must not depend on: the CLI, the planner.
 */
export { GcLayout } from './layout';
export { holdPaths, withHold, liveHolds, HOLD_FORMAT, type Hold, type LiveHold } from './holds';
export { addRoot, removeRoot, listRoots, allRoots, toStorePath, ROOT_FORMAT, type Root } from './roots';
export { collectGarbage, diskUsage, reachable, GC_REPORT_FORMAT, type GcOptions, type GcReport } from './collect';
export { whyAlive, WHY_FORMAT, type WhyAlive } from './why';
