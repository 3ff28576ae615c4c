/**
 * The engine's entry points: plan(), render() and listPackages(), bytes in, bytes out, all I/O
 * through HostIO. The WASM core (wasm/) and the V8 oracle both call exactly these. Each call sees
 * the recipe roots with their mounts' generated recipes (engine/mount).
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import type { HostIO, PlanRequest, RenderRequest } from './api';
import { renderPackage } from './eval/index';
import { canonicalJson, utf8 } from './hash/index';
import { mountedIO } from './mount/index';
import { listPackages as listAll } from './plan/packages';
import { answerOf, makePlan, renderOne } from './plan/index';
import { memoisedReads } from './plan/read-memo';
import type { Evaluator } from './plan/types';
import { archRecord } from './targets';
import type { ArchRecord } from './targets';

export type { HostIO, PlanRequest, PlanRoots, RenderRequest, Plan, PlanNode, PlanWire, WireNode, FixedFile, Flags } from './api';
export { expandPlan, EXPANDED_FORMAT } from './plan/expand';
export { IxError } from './errors';

/** Every package name under the roots (generated recipes of known mounts included), sorted. */
export function listPackages(io: HostIO): string[] {
  return listAll(mountedIO(io));
}

/** The real evaluator (engine/eval) as the planner sees it. */
export const evaluator: Evaluator<ArchRecord> = {
  arch: archRecord,
  render: (io, input) => renderPackage(io, input),
};

/**
 * The Plan (engine/api.ts) for `req` as canonical JSON (engine/hash canonicalJson) text, or with
 * `output: "roots"` its PlanRoots (the same walk, the same caches written). The
 * engine keeps no whole-plan cache (a host keeps one in front of the core, validated by what the
 * call read: hosts/node/plan-memo.ts); renders and nodes come from its caches (plan/cache.ts,
 * plan/node-memo.ts). The type also admits UTF-8 bytes, which the WASM glue passes on as they are.
 */
export function planOut(host: HostIO, req: PlanRequest): string | Uint8Array {
  return canonicalJson(answerOf(makePlan(memoisedReads(mountedIO(host)), req, evaluator), req));
}

/** Canonical JSON bytes of the Plan for `req`. */
export function plan(io: HostIO, req: PlanRequest): Uint8Array {
  const out = planOut(io, req);
  return typeof out === 'string' ? utf8(out) : out;
}

/** Descriptor text of one package, exactly as its template chain rendered it. */
export function render(io: HostIO, req: RenderRequest): string {
  return renderOne(mountedIO(io), req, evaluator);
}
