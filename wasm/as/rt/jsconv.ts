/**
 * JavaScript's own conversions as the oracle's stock code applies them to template values:
 * String(v), Number(v) (ToNumber, StringToNumber), ToPrimitive, strict equality (===) and the
 * abstract relational comparison (`a < b`). nunjucks' filters and tests and the oracle's str
 * methods call these implicitly, so their results (and oddities) are reproduced here.
 *
 * Must not depend on: anything of the core but rt/value.ts, rt/numfmt.ts, rt/strbuf.ts.
 */
import {
  Value, VBool, VNum, VFloat, VStr, VList, VFunc, str,
  K_UNDEF, K_NONE, K_BOOL, K_NUM, K_FLOAT, K_STR, K_LIST, K_DICT, K_NS, K_FUNC,
} from './value';
import { jsNum, pyFloatRepr } from './numfmt';
import { StrBuf } from './strbuf';
import { isJsSpace } from '../errors';
import { decimalToDouble } from './strtod';

/** JS String(v). */
export function jsString(v: Value): string {
  switch (v.k) {
    case K_UNDEF: return 'undefined';
    case K_NONE: return 'null';
    case K_BOOL: return (<VBool>v).b ? 'true' : 'false';
    case K_NUM: return jsNum((<VNum>v).n);
    case K_FLOAT: return pyFloatRepr((<VFloat>v).n);
    case K_STR: return (<VStr>v).s;
    case K_LIST: {
      const b = new StrBuf();
      joinInto(b, <VList>v, ',');
      return b.toString();
    }
    case K_DICT: return '[object Object]';
    case K_NS: return '<Namespace>';
    case K_FUNC: {
      const src = (<VFunc>v).source;
      return src === null ? '<function>' : src;
    }
    default: return '';
  }
}

/** Array.prototype.join: null and undefined items as "", the rest as String(item). */
export function joinInto(b: StrBuf, l: VList, sep: string): void {
  const xs = l.items;
  for (let i = 0; i < xs.length; i++) {
    if (i > 0) b.add(sep);
    const x = unchecked(xs[i]);
    if (x.k != K_UNDEF && x.k != K_NONE) b.add(jsString(x));
  }
}

/** ToPrimitive(v, number): a Str, Num, Bool, None or Undefined (PyFloat by its valueOf). */
export function toPrimitive(v: Value): Value {
  switch (v.k) {
    case K_FLOAT: return new VNum((<VFloat>v).n);
    case K_STR: return (<VStr>v).safe ? str((<VStr>v).s) : v;
    case K_LIST:
    case K_DICT:
    case K_NS:
    case K_FUNC: return str(jsString(v));
    default: return v;
  }
}

/** JS Number(v). */
export function toNumber(v: Value): f64 {
  switch (v.k) {
    case K_UNDEF: return NaN;
    case K_NONE: return 0;
    case K_BOOL: return (<VBool>v).b ? 1 : 0;
    case K_NUM: return (<VNum>v).n;
    case K_FLOAT: return (<VFloat>v).n;
    case K_STR: return stringToNumber((<VStr>v).s);
    default: return stringToNumber(jsString(v));
  }
}

function digitVal(c: i32): i32 {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 122) return c - 87;
  if (c >= 65 && c <= 90) return c - 55;
  return 99;
}

/** JS StringToNumber: trimmed, "" is 0, Infinity, 0x/0o/0b, decimal literals; NaN otherwise. */
export function stringToNumber(s0: string): f64 {
  let a = 0;
  let b = s0.length;
  while (a < b && isJsSpace(s0.charCodeAt(a))) a++;
  while (b > a && isJsSpace(s0.charCodeAt(b - 1))) b--;
  if (a == b) return 0;
  const s = s0.substring(a, b);
  const n = s.length;
  if (n > 2 && s.charCodeAt(0) == 48) {
    const c1 = s.charCodeAt(1) | 32;
    const radix = c1 == 120 ? 16 : c1 == 111 ? 8 : c1 == 98 ? 2 : 0;
    if (radix != 0) {
      let v: f64 = 0;
      for (let i = 2; i < n; i++) {
        const d = digitVal(s.charCodeAt(i));
        if (d >= radix) return NaN;
        v = v * radix + d;
      }
      return v;
    }
  }
  let i = 0;
  let neg = false;
  const c0 = s.charCodeAt(0);
  if (c0 == 43 || c0 == 45) {
    neg = c0 == 45;
    i = 1;
  }
  if (s.substring(i) == 'Infinity') return neg ? -Infinity : Infinity;
  if (!isDecimalLiteral(s, i)) return NaN;
  const v = decimalToDouble(s.substring(i));
  return neg ? -v : v;
}

/** StrUnsignedDecimalLiteral from `i` to the end. */
function isDecimalLiteral(s: string, i: i32): bool {
  const n = s.length;
  let digits = 0;
  while (i < n && isDigit(s.charCodeAt(i))) {
    i++;
    digits++;
  }
  if (i < n && s.charCodeAt(i) == 46) {
    i++;
    while (i < n && isDigit(s.charCodeAt(i))) {
      i++;
      digits++;
    }
  }
  if (digits == 0) return false;
  if (i < n && (s.charCodeAt(i) | 32) == 101) {
    i++;
    if (i < n && (s.charCodeAt(i) == 43 || s.charCodeAt(i) == 45)) i++;
    let ed = 0;
    while (i < n && isDigit(s.charCodeAt(i))) {
      i++;
      ed++;
    }
    if (ed == 0) return false;
  }
  return i == n;
}

@inline function isDigit(c: i32): bool {
  return c >= 48 && c <= 57;
}

/** JS parseFloat(String(v)): the longest decimal prefix after leading whitespace, else NaN. */
export function jsParseFloat(s: string): f64 {
  const n = s.length;
  let a = 0;
  while (a < n && isJsSpace(s.charCodeAt(a))) a++;
  let i = a;
  let neg = false;
  if (i < n && (s.charCodeAt(i) == 43 || s.charCodeAt(i) == 45)) {
    neg = s.charCodeAt(i) == 45;
    i++;
  }
  if (s.substr(i, 8) == 'Infinity') return neg ? -Infinity : Infinity;
  const start = i;
  let digits = 0;
  while (i < n && isDigit(s.charCodeAt(i))) {
    i++;
    digits++;
  }
  if (i < n && s.charCodeAt(i) == 46) {
    let j = i + 1;
    let fd = 0;
    while (j < n && isDigit(s.charCodeAt(j))) {
      j++;
      fd++;
    }
    if (digits + fd > 0) {
      i = j;
      digits += fd;
    }
  }
  if (digits == 0) return NaN;
  if (i < n && (s.charCodeAt(i) | 32) == 101) {
    let j = i + 1;
    if (j < n && (s.charCodeAt(j) == 43 || s.charCodeAt(j) == 45)) j++;
    const e0 = j;
    while (j < n && isDigit(s.charCodeAt(j))) j++;
    if (j > e0) i = j;
  }
  const v = decimalToDouble(s.substring(start, i));
  return neg ? -v : v;
}

/** JS parseInt(String(v), radix) for radix 10 or a given radix (2..36); NaN when no digits. */
export function jsParseInt(s: string, radix: i32): f64 {
  const n = s.length;
  let i = 0;
  while (i < n && isJsSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (i < n && (s.charCodeAt(i) == 43 || s.charCodeAt(i) == 45)) {
    neg = s.charCodeAt(i) == 45;
    i++;
  }
  let r = radix;
  let strip = true;
  if (r != 0) {
    if (r < 2 || r > 36) return NaN;
    if (r != 16) strip = false;
  } else r = 10;
  if (strip && i + 1 < n && s.charCodeAt(i) == 48 && (s.charCodeAt(i + 1) | 32) == 120) {
    i += 2;
    r = 16;
  }
  const start = i;
  let v: f64 = 0;
  while (i < n) {
    const d = digitVal(s.charCodeAt(i));
    if (d >= r) break;
    v = v * r + d;
    i++;
  }
  if (i == start) return NaN;
  // long decimal digit runs: re-read exactly as a decimal literal (JS rounds them correctly)
  if (r == 10 && i - start > 15) v = decimalToDouble(s.substring(start, i));
  return neg ? -v : v;
}

/** JS `a === b` on template values (objects by identity). */
export function strictEq(a: Value, b: Value): bool {
  if (a === b) return a.k != K_NUM || (<VNum>a).n == (<VNum>a).n;
  if (a.k != b.k) return false;
  switch (a.k) {
    case K_BOOL: return (<VBool>a).b == (<VBool>b).b;
    case K_NUM: return (<VNum>a).n == (<VNum>b).n;
    case K_STR: return !(<VStr>a).safe && !(<VStr>b).safe && (<VStr>a).s == (<VStr>b).s;
    default: return false;
  }
}

/**
 * JS `a < b` (the abstract relational comparison): 1 true, 0 false, -1 undefined (NaN met).
 * Strings compare by UTF-16 code units, everything else as numbers.
 */
export function jsLess(a: Value, b: Value): i32 {
  const pa = toPrimitive(a);
  const pb = toPrimitive(b);
  if (pa.k == K_STR && pb.k == K_STR) return (<VStr>pa).s < (<VStr>pb).s ? 1 : 0;
  const x = toNumber(pa);
  const y = toNumber(pb);
  if (x != x || y != y) return -1;
  return x < y ? 1 : 0;
}

/** JS `a > b`. */
@inline export function jsGt(a: Value, b: Value): bool {
  return jsLess(b, a) == 1;
}
/** JS `a < b`. */
@inline export function jsLt(a: Value, b: Value): bool {
  return jsLess(a, b) == 1;
}
/** JS `a <= b`. */
@inline export function jsLe(a: Value, b: Value): bool {
  return jsLess(b, a) == 0;
}
/** JS `a >= b`. */
@inline export function jsGe(a: Value, b: Value): bool {
  return jsLess(a, b) == 0;
}
