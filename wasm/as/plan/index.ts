/**
 * The core's three entry functions as AssemblyScript values, mirroring wasm/core.ts over
 * engine/index.ts: `plan` (request JSON in, the Plan's canonical JSON out as text, or as the
 * cached bytes), `render` (the descriptor text of one package, or its normalised descriptor) and
 * `listPackages`. Every failure is an IxErr value (its `format()` is the one-line message of the
 * wire API; `internal` marks a bug or a malformed request); nothing here throws. abi/ lifts these
 * results onto the WIT world (wasm/core.wit).
 *
 * Must not depend on: abi/ (abi depends on this).
 */
import { IxErr } from '../errors';
import { planRequest, renderRequest } from './planner';
import { setupCore, TplRenderer } from './evaluator';
import { listPackages as list } from './packages';

/** The WIT variant `plan-out` or an error: exactly one of text, bytes, err is set. */
export class PlanResult {
  text: string | null = null;
  bytes: Uint8Array | null = null;
  err: IxErr | null = null;
}

/** A string or an error. */
export class StrResult {
  value: string | null = null;
  err: IxErr | null = null;
}

/** A list of strings or an error. */
export class ListResult {
  value: Array<string> | null = null;
  err: IxErr | null = null;
}

function setup(): void {
  setupCore();
}

/** Plans the PlanRequest in `requestJson` (engine/api.ts). */
export function plan(requestJson: string): PlanResult {
  setup();
  const o = planRequest(requestJson, new TplRenderer(), true);
  const r = new PlanResult();
  r.text = o.text;
  r.bytes = o.bytes;
  r.err = o.err;
  return r;
}

/** Renders the RenderRequest in `requestJson`: the text its template chain produced. */
export function render(requestJson: string): StrResult {
  setup();
  const o = renderRequest(requestJson, new TplRenderer(), true);
  const r = new StrResult();
  r.value = o.text;
  r.err = o.err;
  return r;
}

/** Every package name of the recipe roots, sorted. */
export function listPackages(): ListResult {
  const r = new ListResult();
  r.value = list();
  return r;
}
