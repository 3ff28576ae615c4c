/**
 * Operators of template expressions with the oracle's semantics (engine/eval/runtime.ts
 * ixAdd/ixCat/inOperator/memberLookup/ixSlice, engine/eval/operators.ts) and the decided changes:
 *  - `/`, `//`, `%` by 0, 0.0 or False: `division by zero`; `//` floors and `%` takes the
 *    divisor's sign (Python);
 *  - `str * int`, `list * int` (either order) repeat, bounded by the output and loop bounds; any
 *    other operand that is not a number: `unsupported operands for OP: <repr a> and <repr b>`;
 *  - an integer result (int or bool operands) beyond 2**53 - 1: `integer overflow: ...`;
 *  - `<`, `>`, `<=`, `>=`: numbers, strings (UTF-16 code units) or lists (lexicographic) only;
 *    `==` and `!=` are Python's equality.
 * A float literal (Float) stays a Float through arithmetic when either operand is one.
 * Every function returns a Value or an Err (never throws).
 *
 * Must not depend on: anything of the core but rt/ and errors.ts.
 */
import {
  Value, VBool, VNum, VFloat, VStr, VList, VDict, VNs, VFunc, VErr,
  K_UNDEF, K_NONE, K_BOOL, K_NUM, K_FLOAT, K_STR, K_LIST, K_DICT, K_NS, K_FUNC, K_ERR,
  UNDEF, TRUE, FALSE, EMPTY_STR, bool_, num, err, str,
} from './value';
import { pyRepr, pyStr, truthy } from './pystr';
import { jsNum } from './numfmt';
import { toNumber } from './jsconv';
import { checkSize, countLoop, listErr, maxLoop, outputErr } from './state';
import { StrBuf } from './strbuf';
import { strMethod, containerMethod } from './methods';

const MAX_SAFE: f64 = 9007199254740991;

/** int, bool or float: is the operand a number for arithmetic? */
@inline function isNumLike(v: Value): bool {
  return v.k == K_NUM || v.k == K_BOOL || v.k == K_FLOAT;
}

@inline function numVal(v: Value): f64 {
  return v.k == K_NUM ? (<VNum>v).n : v.k == K_FLOAT ? (<VFloat>v).n : (<VBool>v).b ? 1 : 0;
}

/** A Python int: a bool or an integer-valued JS number (not a float literal). */
export function isInt(v: Value): bool {
  if (v.k == K_BOOL) return true;
  if (v.k != K_NUM) return false;
  const n = (<VNum>v).n;
  return n == Math.trunc(n) && isFinite(n);
}

@inline function isStrLike(v: Value): bool {
  return v.k == K_STR || v.k == K_UNDEF;
}

function unsupported(op: string, a: Value, b: Value): VErr {
  return err('unsupported operands for ' + op + ': ' + pyRepr(a) + ' and ' + pyRepr(b));
}

/** The result of an integer operation, refused beyond 2**53 - 1 in magnitude (-0 becomes 0). */
function checkedInt(r: f64, op: string): Value {
  if (!(Math.abs(r) <= MAX_SAFE)) return err('integer overflow: the result of ' + op + ' exceeds 2**53');
  return num(r == 0 ? 0 : r);
}

/** Float contagion: a Float operand makes the result a Float. */
@inline function wrap(r: f64, a: Value, b: Value): Value {
  return a.k == K_FLOAT || b.k == K_FLOAT ? new VFloat(r) : num(r);
}

/** Python's float modulo (the divisor's sign). */
export function pyMod(x: f64, y: f64): f64 {
  let m = x % y;
  if (m != 0 && (m < 0) != (y < 0)) m += y;
  return m == 0 ? (y < 0 ? -0.0 : 0.0) : m;
}

/** Python's float floor division (CPython float_floor_div). */
export function pyFloorDiv(x: f64, y: f64): f64 {
  const m = x % y;
  let d = (x - m) / y;
  if (m != 0 && (y < 0) != (m < 0)) d -= 1;
  if (d == 0) return 0;
  let f = Math.floor(d);
  if (d - f > 0.5) f += 1;
  return f;
}

/** `a + b`. */
export function add(a: Value, b: Value): Value {
  const ka = a.k;
  const kb = b.k;
  if (isNumLike(a) && isNumLike(b)) {
    const r = numVal(a) + numVal(b);
    if (isInt(a) && isInt(b)) return checkedInt(r, '+');
    // a float literal makes the sum a float literal (the oracle's 1 + 1.0 prints 2.0)
    return ka == K_FLOAT || kb == K_FLOAT ? new VFloat(r) : num(r);
  }
  if (isStrLike(a) && isStrLike(b)) return concat(a, b);
  if (ka == K_LIST && kb == K_LIST) {
    const xa = (<VList>a).items;
    const xb = (<VList>b).items;
    if (xa.length + xb.length > maxLoop) return listErr();
    return new VList(xa.concat(xb));
  }
  return unsupported('+', a, b);
}

/** `a ~ b`: both printed and joined, size-checked. */
export function concat(a: Value, b: Value): Value {
  const x = pyStr(a);
  const y = pyStr(b);
  const e = checkSize(<f64>(x.length + y.length));
  if (e !== null) return e;
  if (x.length == 0) return str(y);
  if (y.length == 0) return str(x);
  return new VStr(x + y);
}

/** `a - b`. */
export function sub(a: Value, b: Value): Value {
  if (!isNumLike(a) || !isNumLike(b)) return unsupported('-', a, b);
  const r = numVal(a) - numVal(b);
  return isInt(a) && isInt(b) ? checkedInt(r, '-') : wrap(r, a, b);
}

function repeat(seq: Value, count: Value): Value {
  const n = numVal(count);
  if (seq.k == K_STR) {
    const s = (<VStr>seq).s;
    if (n <= 0 || s.length == 0) return EMPTY_STR;
    if (<f64>s.length * n > <f64>maxOutputNow()) return outputErr();
    return new VStr(s.repeat(<i32>n));
  }
  const xs = (<VList>seq).items;
  if (n <= 0 || xs.length == 0) return new VList();
  if (<f64>xs.length * n > <f64>maxLoop) return listErr();
  const cnt = <i32>n;
  const out = new Array<Value>(xs.length * cnt);
  let w = 0;
  for (let i = 0; i < cnt; i++) for (let j = 0; j < xs.length; j++) unchecked((out[w++] = xs[j]));
  return new VList(out);
}

import { maxOutput } from './state';
@inline function maxOutputNow(): i32 {
  return maxOutput;
}

/** `a * b`. */
export function mul(a: Value, b: Value): Value {
  if (isNumLike(a) && isNumLike(b)) {
    const r = numVal(a) * numVal(b);
    return isInt(a) && isInt(b) ? checkedInt(r, '*') : wrap(r, a, b);
  }
  const sa = a.k == K_STR || a.k == K_LIST;
  const sb = b.k == K_STR || b.k == K_LIST;
  if (sa && !sb && isInt(b)) return repeat(a, b);
  if (sb && !sa && isInt(a)) return repeat(b, a);
  return unsupported('*', a, b);
}

const OP_DIV: i32 = 0;
const OP_FLOORDIV: i32 = 1;
const OP_MOD: i32 = 2;

function divide(op: i32, a: Value, b: Value): Value {
  const name = op == OP_DIV ? '/' : op == OP_FLOORDIV ? '//' : '%';
  if (!isNumLike(a) || !isNumLike(b)) return unsupported(name, a, b);
  const x = numVal(a);
  const y = numVal(b);
  if (y == 0) return err('division by zero');
  if (op == OP_DIV) return wrap(x / y, a, b);
  const r = op == OP_MOD ? pyMod(x, y) : pyFloorDiv(x, y);
  return isInt(a) && isInt(b) ? checkedInt(r, name) : wrap(r, a, b);
}

/** `a / b`. */
export function div(a: Value, b: Value): Value {
  return divide(OP_DIV, a, b);
}
/** `a // b`. */
export function floordiv(a: Value, b: Value): Value {
  return divide(OP_FLOORDIV, a, b);
}
/** `a % b`. */
export function mod(a: Value, b: Value): Value {
  return divide(OP_MOD, a, b);
}

/** JS `x ** y` (Math.pow differs from C's pow for 1 ** ±Infinity and x ** NaN). */
export function jsPow(x: f64, y: f64): f64 {
  if (y != y) return NaN;
  if (!isFinite(y) && Math.abs(x) == 1) return NaN;
  // fdlibm's (V8's) exact cases
  if (y == 2) return x * x;
  if (y == 1) return x;
  if (y == -1) return 1 / x;
  if (y == 0.5 && (x > 0 || (x == 0 && 1 / x > 0))) return Math.sqrt(x);
  // an exactly representable integer power is computed exactly (both engines agree on it)
  if (y > 0 && y <= 64 && y == Math.floor(y) && x == Math.floor(x) && Math.abs(x) < 9007199254740992) {
    let r: f64 = 1;
    let k = <i32>y;
    let ok = true;
    while (k-- > 0) {
      r *= x;
      if (Math.abs(r) > 9007199254740992) {
        ok = false;
        break;
      }
    }
    if (ok) return r;
  }
  return Math.pow(x, y);
}

/** `a ** b`. */
export function pow(a: Value, b: Value): Value {
  if (!isNumLike(a) || !isNumLike(b)) return unsupported('**', a, b);
  const x = numVal(a);
  const y = numVal(b);
  if (!(isInt(a) && isInt(b)) || y < 0) return wrap(jsPow(x, y), a, b);
  // exact for integers: |x| >= 2 overflows past exponent 53, and while the running product
  // stays within 2**53 every step is exact
  const ax = Math.abs(x);
  if (ax >= 2 && y > 53) return err('integer overflow: the result of ** exceeds 2**53');
  if (ax < 2) {
    if (y == 0) return num(1);
    if (x == 0) return num(0);
    if (x == 1) return num(1);
    return num(y % 2 == 0 ? 1 : -1);
  }
  let r: f64 = 1;
  const k = <i32>y;
  for (let i = 0; i < k; i++) {
    r *= x;
    if (Math.abs(r) > MAX_SAFE) return err('integer overflow: the result of ** exceeds 2**53');
  }
  return num(r);
}

/** `-a` (JavaScript's unary minus, as the oracle compiles it). */
export function neg(a: Value): Value {
  return num(-toNumber(a));
}

/** `+a` (JavaScript's unary plus). */
export function pos(a: Value): Value {
  return num(toNumber(a));
}

/** `not a`. */
export function not(a: Value): Value {
  return bool_(!truthy(a));
}

// ---- comparison ---------------------------------------------------------------------------------

export const CMP_EQ: i32 = 0;
export const CMP_NE: i32 = 1;
export const CMP_LT: i32 = 2;
export const CMP_GT: i32 = 3;
export const CMP_LE: i32 = 4;
export const CMP_GE: i32 = 5;

const CMP_NAMES: StaticArray<string> = ['==', '!=', '<', '>', '<=', '>='];

/** The CMP_* code of a comparison operator as written (`==`, `===`, `!=`, `!==`, `<`, ...), or -1. */
export function cmpCode(op: string): i32 {
  if (op == '==' || op == '===') return CMP_EQ;
  if (op == '!=' || op == '!==') return CMP_NE;
  if (op == '<') return CMP_LT;
  if (op == '>') return CMP_GT;
  if (op == '<=') return CMP_LE;
  if (op == '>=') return CMP_GE;
  return -1;
}

/** Python's type name of a value (comparison errors). */
export function pyTypeName(v: Value): string {
  switch (v.k) {
    case K_UNDEF: return 'Undefined';
    case K_NONE: return 'NoneType';
    case K_BOOL: return 'bool';
    case K_FLOAT: return 'float';
    case K_NUM: return isInt(v) ? 'int' : 'float';
    case K_STR: return 'str';
    case K_LIST: return 'list';
    case K_DICT: return 'dict';
    case K_NS: return 'namespace';
    case K_FUNC: return 'function';
    default: return 'object';
  }
}

/** Python's `a == b`. */
export function eq(a: Value, b: Value): bool {
  const na = isNumLike(a);
  const nb = isNumLike(b);
  if (na || nb) return na && nb && numVal(a) == numVal(b);
  const sa = a.k == K_STR;
  const sb = b.k == K_STR;
  if (sa || sb) return sa && sb && (<VStr>a).s == (<VStr>b).s;
  if (a.k == K_LIST || b.k == K_LIST) {
    if (a.k != K_LIST || b.k != K_LIST) return false;
    const xa = (<VList>a).items;
    const xb = (<VList>b).items;
    if (xa.length != xb.length) return false;
    for (let i = 0; i < xa.length; i++) if (!eq(xa[i], xb[i])) return false;
    return true;
  }
  if (a.k == K_DICT || b.k == K_DICT) {
    if (a.k != K_DICT || b.k != K_DICT) return false;
    const da = <VDict>a;
    const db = <VDict>b;
    if (da.size != db.size) return false;
    for (let i = 0; i < da.keys.length; i++) {
      const y = db.get(da.keys[i]);
      if (y === null || !eq(da.vals[i], y)) return false;
    }
    return true;
  }
  return a === b;
}

/** -1/0/1 ordering of a and b for `op`, or an Err when Python would raise TypeError; -2 for NaN. */
let orderErr: VErr | null = null;
function order(op: i32, a: Value, b: Value): i32 {
  if (isNumLike(a) && isNumLike(b)) {
    const x = numVal(a);
    const y = numVal(b);
    if (x != x || y != y) return -2;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.k == K_STR && b.k == K_STR) {
    const x = (<VStr>a).s;
    const y = (<VStr>b).s;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.k == K_LIST && b.k == K_LIST) {
    const xa = (<VList>a).items;
    const xb = (<VList>b).items;
    const n = xa.length < xb.length ? xa.length : xb.length;
    for (let i = 0; i < n; i++) if (!eq(xa[i], xb[i])) return order(op, xa[i], xb[i]);
    return xa.length < xb.length ? -1 : xa.length > xb.length ? 1 : 0;
  }
  orderErr = err("'" + CMP_NAMES[op] + "' not supported between " + pyTypeName(a) + ' and ' + pyTypeName(b));
  return -3;
}

/** `a <op> b` for the CMP_* operators: TRUE, FALSE or an Err. */
export function compare(op: i32, a: Value, b: Value): Value {
  if (op == CMP_EQ) return bool_(eq(a, b));
  if (op == CMP_NE) return bool_(!eq(a, b));
  const c = order(op, a, b);
  if (c == -3) {
    const e = <VErr>orderErr;
    orderErr = null;
    return e;
  }
  if (c == -2) return FALSE;
  if (op == CMP_LT) return bool_(c < 0);
  if (op == CMP_GT) return bool_(c > 0);
  if (op == CMP_LE) return bool_(c <= 0);
  return bool_(c >= 0);
}

/** `key in container`: TRUE, FALSE or an Err. */
export function contains(key: Value, container: Value): Value {
  switch (container.k) {
    case K_UNDEF: return FALSE;
    case K_LIST: {
      const xs = (<VList>container).items;
      for (let i = 0; i < xs.length; i++) if (eq(unchecked(xs[i]), key)) return TRUE;
      return FALSE;
    }
    case K_STR: return bool_((<VStr>container).s.includes(pyStr(key)));
    case K_DICT: return bool_((<VDict>container).has(pyStr(key)));
    default: return err("'in' needs a string, list or dict on the right, got " + pyRepr(container));
  }
}

// ---- member access, slices, calls, iteration -------------------------------------------------------

function indexOf(n: i32, i: f64): i32 {
  const k = i < 0 ? <f64>n + i : i;
  if (k >= 0 && k < <f64>n && k == Math.floor(k)) return <i32>k;
  return -1;
}

/** `obj[key]` and `obj.key` (the oracle's memberLookup): a Value, UNDEF when absent, or an Err. */
export function getitem(obj: Value, key: Value): Value {
  switch (obj.k) {
    case K_UNDEF:
      return err((key.k == K_NUM ? 'item ' + jsNum((<VNum>key).n) : "attribute '" + pyStr(key) + "'") + ' of an undefined value');
    case K_STR: {
      const s = (<VStr>obj).s;
      if (key.k == K_NUM) {
        const i = indexOf(s.length, (<VNum>key).n);
        return i < 0 ? UNDEF : new VStr(String.fromCharCode(s.charCodeAt(i)));
      }
      return strMethod(s, pyStr(key));
    }
    case K_LIST: {
      const xs = (<VList>obj).items;
      if (key.k == K_NUM) {
        const i = indexOf(xs.length, (<VNum>key).n);
        return i < 0 ? UNDEF : xs[i];
      }
      return containerMethod(obj, pyStr(key));
    }
    case K_DICT: {
      const k = pyStr(key);
      const v = (<VDict>obj).get(k);
      if (v !== null) return v;
      return containerMethod(obj, k);
    }
    case K_NS: {
      const v = (<VNs>obj).attrs.get(pyStr(key));
      return v !== null ? v : UNDEF;
    }
    case K_FLOAT:
      // a PyFloat is a JS object with one own field, `v`
      return pyStr(key) == 'v' ? num((<VFloat>obj).n) : UNDEF;
    default:
      return UNDEF;
  }
}

/** `obj.name`. */
export function getattr(obj: Value, name: string): Value {
  return getitem(obj, new VStr(name));
}

function sliceIndex(v: Value, what: string): f64 {
  if (v.k == K_NONE || v.k == K_UNDEF) return NaN;
  if (isInt(v)) return numVal(v);
  sliceErr = err('slice ' + what + ' must be an integer or None, got ' + pyRepr(v));
  return NaN;
}
let sliceErr: VErr | null = null;

function clamp(v: f64, dflt: f64, lo: f64, hi: f64, n: f64): f64 {
  if (v != v) return dflt;
  const k = v < 0 ? v + n : v;
  return k < lo ? lo : k > hi ? hi : k;
}

/** `obj[start:stop:step]` (Python's, on strings by code units and on lists); absent parts are None. */
export function slice(obj: Value, start: Value, stop: Value, step: Value): Value {
  if (obj.k != K_STR && obj.k != K_LIST) {
    if (obj.k == K_UNDEF) return UNDEF;
    return err('cannot slice ' + pyRepr(obj));
  }
  const isStr = obj.k == K_STR;
  const n: f64 = isStr ? (<VStr>obj).s.length : (<VList>obj).items.length;
  sliceErr = null;
  let st = sliceIndex(step, 'step');
  if (sliceErr !== null) return takeSliceErr();
  if (st != st) st = 1;
  if (st == 0) return err('slice step cannot be zero');
  const s0 = sliceIndex(start, 'start');
  if (sliceErr !== null) return takeSliceErr();
  const a = st > 0 ? clamp(s0, 0, 0, n, n) : clamp(s0, n - 1, -1, n - 1, n);
  const s1 = sliceIndex(stop, 'stop');
  if (sliceErr !== null) return takeSliceErr();
  const b = st > 0 ? clamp(s1, n, 0, n, n) : clamp(s1, -1, -1, n - 1, n);
  if (st == 1) {
    const e = b > a ? b : a;
    if (isStr) return str((<VStr>obj).s.substring(<i32>a, <i32>e));
    return new VList((<VList>obj).items.slice(<i32>a, <i32>e));
  }
  let cnt: i32 = 0;
  if (isStr) {
    const s = (<VStr>obj).s;
    const sb = new StrBuf();
    for (let i = a; st > 0 ? i < b : i > b; i += st) {
      sb.addCode(s.charCodeAt(<i32>i));
      cnt++;
    }
    const e = countLoop(<f64>cnt);
    if (e !== null) return e;
    return str(sb.toString());
  }
  const xs = (<VList>obj).items;
  const out = new Array<Value>();
  for (let i = a; st > 0 ? i < b : i > b; i += st) out.push(xs[<i32>i]);
  const e = countLoop(<f64>out.length);
  if (e !== null) return e;
  return new VList(out);
}

function takeSliceErr(): VErr {
  const e = <VErr>sliceErr;
  sliceErr = null;
  return e;
}

/** Call `fn` (named `name` in messages) with arguments (kwargs as a trailing kwargs dict). */
export function callValue(fn: Value, name: string, args: Array<Value>): Value {
  if (fn.k == K_FUNC) return (<VFunc>fn).call(args);
  if (fn.k == K_UNDEF || fn.k == K_NONE) return err("call of undefined '" + name + "'");
  return err("'" + name + "' is not callable");
}

/**
 * What a `for` loop iterates (the oracle's fromIterator): a List or Str as is, a Dict's keys
 * (JS order) as a List, anything else an empty List; the items count as loop iterations.
 */
export function fromIterator(v: Value): Value {
  if (v.k == K_LIST || v.k == K_STR) {
    const n = v.k == K_LIST ? (<VList>v).items.length : (<VStr>v).s.length;
    const e = countLoop(<f64>n);
    if (e !== null) return e;
    // a SafeString iterates as its text
    return v.k == K_STR && (<VStr>v).safe ? str((<VStr>v).s) : v;
  }
  if (v.k == K_DICT) {
    const ks = (<VDict>v).orderedKeys();
    const e = countLoop(<f64>ks.length);
    if (e !== null) return e;
    const out = new Array<Value>(ks.length);
    for (let i = 0; i < ks.length; i++) out[i] = new VStr(ks[i]);
    return new VList(out);
  }
  return new VList();
}

/** The Err of a failed operation, or null. */
export function errOf(v: Value): VErr | null {
  return v.k == K_ERR ? <VErr>v : null;
}
