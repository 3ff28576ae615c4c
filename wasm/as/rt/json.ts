/**
 * JSON.parse for the `jl` filter: values as JavaScript builds them (numbers as JS numbers, objects
 * as dicts in JS property order, a repeated key keeping its first place and its last value), and
 * on invalid text the offset and the character engine/eval/json-error.ts reports.
 *
 * Must not depend on: anything of the core but rt/ and errors.ts.
 */
import { Value, VStr, VList, VDict, NONE, TRUE, FALSE, num, str } from './value';
import { StrBuf } from './strbuf';
import { decimalToDouble } from './strtod';

let t: string = '';
let i: i32 = 0;
let failed: bool = false;

function fail(): Value {
  failed = true;
  return NONE;
}

function ws(): void {
  while (i < t.length) {
    const c = t.charCodeAt(i);
    if (c == 32 || c == 9 || c == 10 || c == 13) i++;
    else break;
  }
}

function hexv(c: i32): i32 {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function pstr(): string | null {
  i++;
  const sb = new StrBuf();
  for (;;) {
    if (i >= t.length) {
      failed = true;
      return null;
    }
    const c = t.charCodeAt(i);
    if (c == 34) {
      i++;
      return sb.toString();
    }
    if (c < 0x20) {
      failed = true;
      return null;
    }
    if (c == 92) {
      i++;
      const e = i < t.length ? t.charCodeAt(i) : -1;
      if (e == 117) {
        let v = 0;
        for (let k = 1; k <= 4; k++) {
          const h = i + k < t.length ? hexv(t.charCodeAt(i + k)) : -1;
          if (h < 0) {
            i += k;
            failed = true;
            return null;
          }
          v = (v << 4) | h;
        }
        sb.addCode(v);
        i += 5;
      } else if (e == 34 || e == 92 || e == 47) {
        sb.addCode(e);
        i++;
      } else if (e == 98) { sb.addCode(8); i++; }
      else if (e == 102) { sb.addCode(12); i++; }
      else if (e == 110) { sb.addCode(10); i++; }
      else if (e == 114) { sb.addCode(13); i++; }
      else if (e == 116) { sb.addCode(9); i++; }
      else {
        failed = true;
        return null;
      }
    } else {
      sb.addCode(c);
      i++;
    }
  }
  return null;
}

@inline function isDig(p: i32): bool {
  if (p >= t.length) return false;
  const c = t.charCodeAt(p);
  return c >= 48 && c <= 57;
}

function pnum(): Value {
  const start = i;
  if (i < t.length && t.charCodeAt(i) == 45) i++;
  if (i < t.length && t.charCodeAt(i) == 48) i++;
  else if (i < t.length && t.charCodeAt(i) >= 49 && t.charCodeAt(i) <= 57) while (isDig(i)) i++;
  else return fail();
  if (i < t.length && t.charCodeAt(i) == 46) {
    i++;
    if (!isDig(i)) return fail();
    while (isDig(i)) i++;
  }
  if (i < t.length && (t.charCodeAt(i) | 32) == 101) {
    i++;
    if (i < t.length && (t.charCodeAt(i) == 43 || t.charCodeAt(i) == 45)) i++;
    if (!isDig(i)) return fail();
    while (isDig(i)) i++;
  }
  const neg = t.charCodeAt(start) == 45;
  const v = decimalToDouble(t.substring(neg ? start + 1 : start, i));
  return num(neg ? -v : v);
}

function lit(w: string, v: Value): Value {
  for (let k = 0; k < w.length; k++) {
    if (i >= t.length || t.charCodeAt(i) != w.charCodeAt(k)) return fail();
    i++;
  }
  return v;
}

function value(): Value {
  ws();
  if (i >= t.length) return fail();
  const c = t.charCodeAt(i);
  if (c == 123) {
    i++;
    ws();
    const d = new VDict();
    if (i < t.length && t.charCodeAt(i) == 125) {
      i++;
      return d;
    }
    for (;;) {
      ws();
      if (i >= t.length || t.charCodeAt(i) != 34) return fail();
      const k = pstr();
      if (k === null) return NONE;
      ws();
      if (i >= t.length || t.charCodeAt(i) != 58) return fail();
      i++;
      const v = value();
      if (failed) return NONE;
      d.set(k, v);
      ws();
      if (i < t.length && t.charCodeAt(i) == 44) {
        i++;
        continue;
      }
      if (i < t.length && t.charCodeAt(i) == 125) {
        i++;
        return d;
      }
      return fail();
    }
  }
  if (c == 91) {
    i++;
    ws();
    const xs = new Array<Value>();
    if (i < t.length && t.charCodeAt(i) == 93) {
      i++;
      return new VList(xs);
    }
    for (;;) {
      const v = value();
      if (failed) return NONE;
      xs.push(v);
      ws();
      if (i < t.length && t.charCodeAt(i) == 44) {
        i++;
        continue;
      }
      if (i < t.length && t.charCodeAt(i) == 93) {
        i++;
        return new VList(xs);
      }
      return fail();
    }
  }
  if (c == 34) {
    const s = pstr();
    return s === null ? NONE : str(s);
  }
  if (c == 116) return lit('true', TRUE);
  if (c == 102) return lit('false', FALSE);
  if (c == 110) return lit('null', NONE);
  return pnum();
}

/** The parsed value, or null with `jsonErrOffset`/`jsonErrFound` set. */
export let jsonErrOffset: i32 = 0;
export let jsonErrFound: string = '';

export function parseJson(text: string): Value | null {
  t = text;
  i = 0;
  failed = false;
  const v = value();
  if (!failed) {
    ws();
    if (i < t.length) failed = true;
  }
  if (!failed) return v;
  const at = i < t.length ? i : t.length;
  jsonErrOffset = at;
  if (at >= t.length) jsonErrFound = 'end of text';
  else {
    const c = t.charCodeAt(at);
    let n = 1;
    if (c >= 0xd800 && c <= 0xdbff && at + 1 < t.length) {
      const d = t.charCodeAt(at + 1);
      if (d >= 0xdc00 && d <= 0xdfff) n = 2;
    }
    jsonErrFound = "'" + t.substring(at, at + n) + "'";
  }
  return null;
}

export { VStr };
