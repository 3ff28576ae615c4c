/**
 * The engine's entry points: plan() and render(), bytes in, bytes out, all I/O through HostIO.
 * The WASM core (wasm/core.ts) and the V8 oracle both call exactly these.
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
export type { HostIO, PlanRequest, RenderRequest, Plan, PlanNode, Flags } from './api';
export { IxError } from './errors';
