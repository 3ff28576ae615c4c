/**
 * Printed forms of values, as engine/eval/pystr.ts prints them: Python's str() and repr() of
 * template values (True, None, ['a'], {'k': 1}), json.dumps with Python's default separators
 * and ensure_ascii, and JavaScript truthiness (the oracle's `if` is JavaScript's: lists, dicts
 * and float literals are always true, "" and 0 false).
 *
 * Must not depend on: anything of the core but rt/value.ts, rt/numfmt.ts, rt/strbuf.ts, errors.ts.
 */
import {
  Value, VBool, VNum, VFloat, VStr, VList, VDict, VNs, VErr, err,
  K_UNDEF, K_NONE, K_BOOL, K_NUM, K_FLOAT, K_STR, K_LIST, K_DICT, K_NS, K_FUNC,
} from './value';
import { jsNum, pyFloatRepr } from './numfmt';
import { StrBuf } from './strbuf';

/** Python str() of a template value; Undefined prints as "". */
export function pyStr(v: Value): string {
  switch (v.k) {
    case K_STR: return (<VStr>v).s;
    case K_UNDEF: return '';
    case K_NONE: return 'None';
    case K_BOOL: return (<VBool>v).b ? 'True' : 'False';
    case K_NUM: return jsNum((<VNum>v).n);
    case K_FLOAT: return pyFloatRepr((<VFloat>v).n);
    case K_LIST:
    case K_DICT: {
      const b = new StrBuf();
      reprInto(b, v);
      return b.toString();
    }
    case K_NS: return '<Namespace>';
    case K_FUNC: return '<function>';
    default: return '';
  }
}

/** Python repr() of strings, lists and dicts; anything else prints as pyStr (a SafeString unquoted). */
export function pyRepr(v: Value): string {
  if (v.k == K_STR && !(<VStr>v).safe) return reprStr((<VStr>v).s);
  if (v.k == K_LIST || v.k == K_DICT) {
    const b = new StrBuf();
    reprInto(b, v);
    return b.toString();
  }
  return pyStr(v);
}

function reprInto(b: StrBuf, v: Value): void {
  if (v.k == K_LIST) {
    const xs = (<VList>v).items;
    b.addCode(91);
    for (let i = 0; i < xs.length; i++) {
      if (i > 0) b.add(', ');
      reprInto(b, unchecked(xs[i]));
    }
    b.addCode(93);
  } else if (v.k == K_DICT) {
    const d = <VDict>v;
    const o = d.order();
    b.addCode(123);
    for (let i = 0; i < o.length; i++) {
      if (i > 0) b.add(', ');
      b.add(reprStr(d.keys[o[i]]));
      b.add(': ');
      reprInto(b, d.vals[o[i]]);
    }
    b.addCode(125);
  } else b.add(pyRepr(v));
}

/** repr() of a string: single quotes unless it holds ' and no ", escaping \ \n \r \t (and the quote). */
export function reprStr(s: string): string {
  const dq = s.indexOf("'") >= 0 && s.indexOf('"') < 0;
  const q: i32 = dq ? 34 : 39;
  const b = new StrBuf();
  b.addCode(q);
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c == 92) b.add('\\\\');
    else if (c == 10) b.add('\\n');
    else if (c == 13) b.add('\\r');
    else if (c == 9) b.add('\\t');
    else if (c == 39 && !dq) b.add("\\'");
    else b.addCode(c);
  }
  b.addCode(q);
  return b.toString();
}

/** JavaScript truthiness of a value (the oracle's `if`, `and`, `or`, `not`). */
export function truthy(v: Value): bool {
  switch (v.k) {
    case K_UNDEF:
    case K_NONE: return false;
    case K_BOOL: return (<VBool>v).b;
    case K_NUM: {
      const n = (<VNum>v).n;
      return n != 0 && n == n;
    }
    case K_STR: return (<VStr>v).safe || (<VStr>v).s.length > 0;
    default: return true;
  }
}

/** Python json.dumps(v) with default options (", " and ": ", ensure_ascii); an Err for NaN/Infinity numbers. */
export function pyJsonDumps(v: Value): Value {
  // one buffer for every dump (recipes dump whole descriptors): no buffer grown per call
  const reuse = !dumpBusy;
  const b = reuse ? dumpBuf : new StrBuf();
  if (reuse) {
    b.clear();
    dumpBusy = true;
  }
  const e = jsonInto(b, v);
  if (reuse) dumpBusy = false;
  if (e !== null) return e;
  return new VStr(b.toString());
}

const dumpBuf = new StrBuf(4096);
let dumpBusy = false;

/** pyJsonDumps' text of `v` appended to `b` (part of it when it fails: the caller cuts `b` back). */
export function jsonDumpInto(b: StrBuf, v: Value): VErr | null {
  return jsonInto(b, v);
}

function jsonInto(b: StrBuf, v: Value): VErr | null {
  switch (v.k) {
    case K_UNDEF:
    case K_NONE: b.add('null'); return null;
    case K_BOOL: b.add((<VBool>v).b ? 'true' : 'false'); return null;
    case K_NUM: {
      const n = (<VNum>v).n;
      if (!isFinite(n)) return err('cannot encode ' + jsNum(n) + ' as JSON');
      b.add(jsNum(n));
      return null;
    }
    case K_FLOAT: b.add(pyFloatRepr((<VFloat>v).n)); return null;
    case K_STR:
      if (!(<VStr>v).safe) {
        asciiJsonInto(b, (<VStr>v).s);
        return null;
      }
      break;
    case K_LIST: {
      const xs = (<VList>v).items;
      b.addCode(91);
      for (let i = 0; i < xs.length; i++) {
        if (i > 0) b.add(', ');
        const e = jsonInto(b, unchecked(xs[i]));
        if (e !== null) return e;
      }
      b.addCode(93);
      return null;
    }
    case K_DICT: {
      const d = <VDict>v;
      const o = d.order();
      b.addCode(123);
      for (let i = 0; i < o.length; i++) {
        if (i > 0) b.add(', ');
        asciiJsonInto(b, d.keys[o[i]]);
        b.add(': ');
        const e = jsonInto(b, d.vals[o[i]]);
        if (e !== null) return e;
      }
      b.addCode(125);
      return null;
    }
    default: break;
  }
  asciiJsonInto(b, pyStr(v));
  return null;
}

const HEX = '0123456789abcdef';

/** Lanes of eight UTF-16 code units that asciiJsonUnitsInto escapes: below 0x20 or above 0x7e, a quote, a backslash. */
// @ts-ignore: decorator
@inline function asciiEscLanes(v: v128): v128 {
  const out = v128.or(i16x8.lt_u(v, i16x8.splat(0x20)), i16x8.gt_u(v, i16x8.splat(0x7e)));
  return v128.or(out, v128.or(i16x8.eq(v, i16x8.splat(34)), i16x8.eq(v, i16x8.splat(92))));
}

/** JSON.stringify of a string with every code unit >= 0x7f written as \uXXXX (lower-case hex). */
export function asciiJsonInto(b: StrBuf, s: string): void {
  asciiJsonUnitsInto(b, changetype<usize>(s), s.length);
}

/**
 * asciiJsonInto of the `n` code units at address `p` (a string's or another buffer's, never
 * `b`'s own: appending may move it).
 */
export function asciiJsonUnitsInto(b: StrBuf, p: usize, n: i32): void {
  b.addCode(34);
  let run = 0;
  for (let i = 0; i < n; i++) {
    // with SIMD, eight code units a step up to the first one to escape
    if (ASC_FEATURE_SIMD) {
      while (i + 8 <= n) {
        const bits = i16x8.bitmask(asciiEscLanes(v128.load(p + (<usize>i << 1))));
        if (bits != 0) {
          i += <i32>ctz(bits);
          break;
        }
        i += 8;
      }
      if (i >= n) break;
    }
    const c = <i32>load<u16>(p + (<usize>i << 1));
    if (c >= 0x20 && c < 0x7f && c != 34 && c != 92) continue;
    b.addUnits(p + (<usize>run << 1), i - run);
    run = i + 1;
    if (c == 34) b.add('\\"');
    else if (c == 92) b.add('\\\\');
    else if (c == 8) b.add('\\b');
    else if (c == 12) b.add('\\f');
    else if (c == 10) b.add('\\n');
    else if (c == 13) b.add('\\r');
    else if (c == 9) b.add('\\t');
    else {
      b.add('\\u');
      b.addCode(HEX.charCodeAt((c >> 12) & 15));
      b.addCode(HEX.charCodeAt((c >> 8) & 15));
      b.addCode(HEX.charCodeAt((c >> 4) & 15));
      b.addCode(HEX.charCodeAt(c & 15));
    }
  }
  b.addUnits(p + (<usize>run << 1), n - run);
  b.addCode(34);
}

/** A pyStr usable in messages of namespaces etc. (kept for symmetry with the oracle's String()). */
export function nsStr(_v: VNs): string {
  return '<Namespace>';
}
