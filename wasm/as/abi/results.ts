/**
 * Lowers the exports' results into the return area (canonical ABI, 4-byte alignment): the
 * `result` discriminant at 0 and its payload at 4. Layouts (wasm/core.wit):
 *   plan-out        tag @0, (ptr, len) @4
 *   core-error      message @0, detail @8, file option<string> @16 (tag, ptr @+4, len @+8),
 *                   line option<u32> @28 (tag, value @+4), packages @36, suggestions @44,
 *                   internal @52 (size 56)
 *
 * Must not depend on: anything of the core but errors.ts, canon.ts and plan/'s result classes.
 */
import { IxErr } from '../errors';
import { ListResult, PlanResult, StrResult } from '../plan/index';
import { storeBytes, storeString, storeStrings } from './canon';

/** The export return area: a result of a core-error needs 4 + 56 bytes. */
export const RET: usize = memory.data(64, 8);

const PAYLOAD: usize = 4;

export function okString(s: string): usize {
  store<u8>(RET, 0);
  storeString(RET + PAYLOAD, s);
  return RET;
}

export function okStrings(xs: Array<string>): usize {
  store<u8>(RET, 0);
  storeStrings(RET + PAYLOAD, xs);
  return RET;
}

export function okPlanText(s: string): usize {
  store<u8>(RET, 0);
  store<u8>(RET + PAYLOAD, 0);
  storeString(RET + PAYLOAD + 4, s);
  return RET;
}

export function okPlanBytes(b: Uint8Array): usize {
  store<u8>(RET, 0);
  store<u8>(RET + PAYLOAD, 1);
  storeBytes(RET + PAYLOAD + 4, b);
  return RET;
}

/** "a -> b -> c" (the chain as IxErr.format prints it) as a list, outermost first. */
function chain(pkg: string | null): Array<string> {
  if (pkg === null) return new Array<string>();
  return pkg.split(' -> ');
}

/**
 * The suggestions of `e`, or, when it has none, the one the detail names as
 * " (did you mean X?)" (the planner's wording, engine/plan/packages.ts), as wasm/core.ts reads it.
 */
function suggestionsOf(e: IxErr): Array<string> {
  if (e.suggestions.length > 0) return e.suggestions;
  const out = new Array<string>();
  const k = ' (did you mean ';
  const i = e.detail.indexOf(k);
  if (i < 0) return out;
  const start = i + k.length;
  let j = start;
  const d = e.detail;
  // the candidate runs to '?' and holds no whitespace (the oracle's / \(did you mean ([^?\s]+)\?\)/)
  while (j < d.length) {
    const c = d.charCodeAt(j);
    if (c == 63 /* ? */ || c == 32 || c == 9 || c == 10 || c == 13) break;
    j++;
  }
  if (j > start && j + 1 < d.length && d.charCodeAt(j) == 63 && d.charCodeAt(j + 1) == 41 /* ) */) out.push(d.substring(start, j));
  return out;
}

export function err(e: IxErr): usize {
  store<u8>(RET, 1);
  const at = RET + PAYLOAD;
  storeString(at, e.format());
  storeString(at + 8, e.detail);
  const f = e.file;
  if (f !== null) {
    store<u8>(at + 16, 1);
    storeString(at + 20, f);
  } else store<u8>(at + 16, 0);
  if (f !== null && e.line >= 0) {
    store<u8>(at + 28, 1);
    store<u32>(at + 32, <u32>e.line);
  } else store<u8>(at + 28, 0);
  storeStrings(at + 36, chain(e.pkg));
  storeStrings(at + 44, suggestionsOf(e));
  store<u8>(at + 52, e.internal ? 1 : 0);
  return RET;
}

/** An error of the ABI itself (a result with nothing set): a bug in ix. */
export function internal(what: string): usize {
  const e = new IxErr(what);
  e.internal = true;
  return err(e);
}

export function planResult(r: PlanResult): usize {
  const e = r.err;
  if (e !== null) return err(e);
  const t = r.text;
  if (t !== null) return okPlanText(t);
  const b = r.bytes;
  if (b !== null) return okPlanBytes(b);
  return internal('plan returned nothing');
}

export function strResult(r: StrResult): usize {
  const e = r.err;
  if (e !== null) return err(e);
  const v = r.value;
  if (v !== null) return okString(v);
  return internal('render returned nothing');
}

export function listResult(r: ListResult): usize {
  const e = r.err;
  if (e !== null) return err(e);
  const v = r.value;
  if (v !== null) return okStrings(v);
  return internal('listPackages returned nothing');
}
