/**
 * Reading a plan or render request's JSON (plan/index.ts's request checks): its parse, the JS
 * truthiness and absence of a field, the request flags, and the error that marks a bug or a
 * malformed request (`internal`, the oracle's plain Errors).
 *
 * Must not depend on: abi/, graph.ts, session.ts, planner.ts.
 */
import { IxErr } from '../errors';
import { JValue, parseJson, J_NULL, J_BOOL, J_NUM, J_STR, J_OBJ } from '../hash/index';
import { Flags } from './flags';

export function internal(detail: string): IxErr {
  const e = new IxErr(detail);
  e.internal = true;
  return e;
}

/** JS truthiness of a request field. */
export function truthy(v: JValue | null): bool {
  if (v === null) return false;
  switch (v.kind) {
    case J_NULL: return false;
    case J_BOOL: return v.b;
    case J_NUM: return v.n != 0 && !isNaN(v.n);
    case J_STR: return v.s.length > 0;
    default: return true;
  }
}

/** A request field that is absent or null (`??`). */
export function missing(v: JValue | null): bool {
  return v === null || v.kind == J_NULL;
}

/** Parsed request flags, or null with `err` set (plan/index.ts checkFlags). */
export class Checked {
  flags: Flags = new Flags();
  err: IxErr | null = null;
}

export function checkFlags(v: JValue | null): Checked {
  const c = new Checked();
  if (v === null) return c;
  if (v.kind != J_OBJ) {
    c.err = new IxErr('flags must be an object of strings');
    return c;
  }
  const ks = v.jsKeys();
  for (let i = 0; i < ks.length; i++) {
    const x = v.get(ks[i])!;
    if (x.kind != J_STR) {
      c.err = new IxErr("flag '" + ks[i] + "' must be a string");
      return c;
    }
    c.flags.set(ks[i], x.s);
  }
  return c;
}

export function parseRequest(text: string, what: string): JValue | null {
  const p = parseJson(text);
  return p.value;
}
