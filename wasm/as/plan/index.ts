/**
 * The core's three entry functions as AssemblyScript values, mirroring wasm/core.ts over
 * engine/index.ts: `plan` (request JSON in, the Plan's canonical JSON out as text or as cached
 * bytes), `render` (the descriptor text of one package) and `listPackages`. Every failure is an
 * IxErr value (its `format()` is the one-line message of the wire API); nothing here throws.
 * abi/ lifts these results onto the WIT world (wasm/core.wit).
 *
 * Must not depend on: abi/ (abi depends on this), anything but tpl, rt, hash, errors, host.
 */
import { IxErr } from '../errors';

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

/** Plans the PlanRequest in `requestJson` (engine/api.ts). */
export function plan(requestJson: string): PlanResult {
  const r = new PlanResult();
  r.err = new IxErr('plan: not implemented yet');
  r.err!.internal = true;
  return r;
}

/** Renders the RenderRequest in `requestJson`: the text its template chain produced. */
export function render(requestJson: string): StrResult {
  const r = new StrResult();
  r.err = new IxErr('render: not implemented yet');
  r.err!.internal = true;
  return r;
}

/** Every package name of the recipe roots, sorted. */
export function listPackages(): ListResult {
  const r = new ListResult();
  r.err = new IxErr('listPackages: not implemented yet');
  r.err!.internal = true;
  return r;
}
