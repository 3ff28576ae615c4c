/**
 * The engine's entry points: plan(), render() and listPackages(), bytes in, bytes out, all I/O
 * through HostIO. The WASM core (wasm/) and the V8 oracle both call exactly these.
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import type { HostIO, PlanRequest, RenderRequest } from './api';
import { renderPackage } from './eval/index';
import { canonicalJson, utf8 } from './hash/index';
import { makePlan, renderOne } from './plan/index';
import { planKey, planLookup, planStore, recordingIO } from './plan/plan-cache';
import type { Evaluator } from './plan/types';
import { archRecord } from './targets';
import type { ArchRecord } from './targets';

export type { HostIO, PlanRequest, RenderRequest, Plan, PlanNode, Flags } from './api';
export { IxError } from './errors';
export { listPackages } from './plan/packages';

/** The real evaluator (engine/eval) as the planner sees it. */
export const evaluator: Evaluator<ArchRecord> = {
  arch: archRecord,
  render: (io, input) => renderPackage(io, input),
};

/** Canonical JSON bytes (engine/hash canonicalJson) of the Plan (engine/api.ts) for `req`. */
export function plan(io: HostIO, req: PlanRequest): Uint8Array {
  const key = planKey(req);
  const hit = planLookup(io, key);
  if (hit) return hit;
  const rec = recordingIO(io);
  const bytes = utf8(canonicalJson(makePlan(rec.io, req, evaluator)));
  planStore(rec.io, key, rec.paths, bytes);
  return bytes;
}

/** Descriptor text of one package, exactly as its template chain rendered it. */
export function render(io: HostIO, req: RenderRequest): string {
  return renderOne(io, req, evaluator);
}
