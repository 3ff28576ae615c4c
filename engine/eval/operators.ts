/**
 * Python's arithmetic and comparison operators for template values, so a template computes what
 * Jinja2 computes or fails with a one-line error, never what JavaScript would (`1/0` is not
 * Infinity, `'x' * 3` is not NaN, `'1' == 1` is not true). The compiled templates call these
 * through the runtime (jinja-compat.ts compiles `-`, `*`, `/`, `//`, `%`, `**` and comparisons to
 * them; `+` is runtime.ts ixAdd, which uses `checkedInt` here).
 *
 *  - division (`/`, `//`, `%`) by 0, 0.0 or False: `division by zero`;
 *  - `//` floors and `%` takes the divisor's sign (Python);
 *  - `str * int`, `int * str`, `list * int`, `int * list` repeat (count <= 0 gives empty, a bool
 *    counts 0 or 1), bounded by the output and loop bounds; any other `*` with a str or list:
 *    `unsupported operands for *: <repr a> and <repr b>`, and the same form for other operators
 *    given a value that is not a number (Python raises TypeError there too);
 *  - an integer result (of two int or bool operands) beyond 2**53 - 1 in magnitude:
 *    `integer overflow: the result of <op> exceeds 2**53` (Python would give an exact big int);
 *  - `<`, `>`, `<=`, `>=`: numbers with numbers, str with str (UTF-16 code units), lists with
 *    lists (lexicographic); any other pair: `'<' not supported between <type a> and <type b>`;
 *  - `==`, `!=`: Python's equality (1 == 1.0 == True, '1' != 1, lists and dicts by content).
 * A float literal stays a float (PyFloat) through these when either operand is one.
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import * as nj from 'nunjucks/browser/nunjucks.js';
import { IxError } from '../errors';
import { isPlainObject, Namespace, PyFloat, pyRepr } from './pystr';
import { checkSize, current } from './state';

const MAX = Number.MAX_SAFE_INTEGER;

/** A string of the template (a nunjucks SafeString has its text in `val`). */
function strOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof nj.runtime.SafeString) return (v as { val: string }).val;
  return undefined;
}

/** int, bool or float: the operand as a JS number, or undefined for anything else. */
function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof PyFloat) return v.v;
  return undefined;
}

/** True for Python ints (and bools): a JS integer that is not a float literal. */
function isInt(v: unknown): boolean {
  return typeof v === 'boolean' || (typeof v === 'number' && Number.isInteger(v));
}

/** The result of an integer operation, refused beyond 2**53 - 1 in magnitude. */
export function checkedInt(r: number, op: string): number {
  if (!(Math.abs(r) <= MAX)) throw new IxError(`integer overflow: the result of ${op} exceeds 2**53`);
  return r === 0 ? 0 : r;
}

function unsupported(op: string, a: unknown, b: unknown): IxError {
  return new IxError(`unsupported operands for ${op}: ${pyRepr(a)} and ${pyRepr(b)}`);
}

/** Float contagion: a PyFloat operand makes the result a PyFloat. */
function wrap(r: number, a: unknown, b: unknown): number | PyFloat {
  return a instanceof PyFloat || b instanceof PyFloat ? new PyFloat(r) : r;
}

/** Python's float modulo (the sign of the divisor). */
function pyMod(x: number, y: number): number {
  let m = x % y;
  if (m !== 0 && m < 0 !== y < 0) m += y;
  return m === 0 ? (y < 0 ? -0 : 0) : m;
}

/** Python's float floor division (CPython float_floor_div). */
function pyFloorDiv(x: number, y: number): number {
  const mod = x % y;
  let div = (x - mod) / y;
  if (mod !== 0 && y < 0 !== mod < 0) div -= 1;
  if (div === 0) return 0;
  let f = Math.floor(div);
  if (div - f > 0.5) f += 1;
  return f;
}

function repeat(seq: string | unknown[], count: unknown): string | unknown[] {
  const n = typeof count === 'boolean' ? (count ? 1 : 0) : (count as number);
  if (n <= 0 || seq.length === 0) return typeof seq === 'string' ? '' : [];
  if (typeof seq === 'string') {
    checkSize(seq.length * n);
    return seq.repeat(n);
  }
  const max = current().limits.maxLoop;
  if (seq.length * n > max) throw new IxError(`list longer than ${max} items`);
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) for (const x of seq) out.push(x);
  return out;
}

function multiply(a: unknown, b: unknown): unknown {
  const x = num(a);
  const y = num(b);
  if (x !== undefined && y !== undefined) return isInt(a) && isInt(b) ? checkedInt(x * y, '*') : wrap(x * y, a, b);
  const sa = strOf(a) ?? (Array.isArray(a) ? a : undefined);
  const sb = strOf(b) ?? (Array.isArray(b) ? b : undefined);
  if (sa !== undefined && sb === undefined && isInt(b)) return repeat(sa, b);
  if (sb !== undefined && sa === undefined && isInt(a)) return repeat(sb, a);
  throw unsupported('*', a, b);
}

function divide(op: string, a: unknown, b: unknown): unknown {
  const x = num(a);
  const y = num(b);
  if (x === undefined || y === undefined) throw unsupported(op, a, b);
  if (y === 0) throw new IxError('division by zero');
  if (op === '/') return wrap(x / y, a, b);
  const ints = isInt(a) && isInt(b);
  const r = op === '%' ? pyMod(x, y) : pyFloorDiv(x, y);
  return ints ? checkedInt(r, op) : wrap(r, a, b);
}

function power(a: unknown, b: unknown): unknown {
  const x = num(a);
  const y = num(b);
  if (x === undefined || y === undefined) throw unsupported('**', a, b);
  if (!(isInt(a) && isInt(b)) || y < 0) return wrap(x ** y, a, b);
  // Exact for integers: |x| >= 2 overflows past exponent 53, so BigInt never grows large.
  if (Math.abs(x) >= 2 && y > 53) throw new IxError('integer overflow: the result of ** exceeds 2**53');
  const r = BigInt(x) ** BigInt(y);
  if (r > BigInt(MAX) || r < -BigInt(MAX)) throw new IxError('integer overflow: the result of ** exceeds 2**53');
  return Number(r);
}

/** `a OP b` for the arithmetic operators other than `+` (and `+`'s numbers via checkedInt). */
export function arith(op: string, a: unknown, b: unknown): unknown {
  switch (op) {
    case '-': {
      const x = num(a);
      const y = num(b);
      if (x === undefined || y === undefined) throw unsupported('-', a, b);
      return isInt(a) && isInt(b) ? checkedInt(x - y, '-') : wrap(x - y, a, b);
    }
    case '*':
      return multiply(a, b);
    case '/':
    case '//':
    case '%':
      return divide(op, a, b);
    case '**':
      return power(a, b);
    default:
      throw new Error(`ix: unknown operator ${op}`);
  }
}

/** Python's type name of a template value, for comparison errors. */
export function pyTypeName(v: unknown): string {
  if (v === undefined) return 'Undefined';
  if (v === null) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof PyFloat) return 'float';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (strOf(v) !== undefined) return 'str';
  if (Array.isArray(v)) return 'list';
  if (isPlainObject(v)) return 'dict';
  if (v instanceof Namespace) return 'namespace';
  return typeof v === 'function' ? 'function' : 'object';
}

/** Python's `a == b`. */
export function pyEq(a: unknown, b: unknown): boolean {
  const x = num(a);
  const y = num(b);
  if (x !== undefined || y !== undefined) return x !== undefined && y !== undefined && x === y;
  const sa = strOf(a);
  const sb = strOf(b);
  if (sa !== undefined || sb !== undefined) return sa === sb;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!pyEq(a[i], b[i])) return false;
    return true;
  }
  if (isPlainObject(a) || isPlainObject(b)) {
    if (!isPlainObject(a) || !isPlainObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!Object.prototype.hasOwnProperty.call(b, k) || !pyEq(a[k], b[k])) return false;
    return true;
  }
  return a === b;
}

/** Python's ordering `a OP b` for `<`, `>`, `<=`, `>=`. */
function order(op: string, a: unknown, b: unknown): boolean {
  const x = num(a);
  const y = num(b);
  let c: number | undefined;
  if (x !== undefined && y !== undefined) {
    if (Number.isNaN(x) || Number.isNaN(y)) return false;
    c = x < y ? -1 : x > y ? 1 : 0;
  } else {
    const sa = strOf(a);
    const sb = strOf(b);
    if (sa !== undefined && sb !== undefined) c = sa < sb ? -1 : sa > sb ? 1 : 0;
    else if (Array.isArray(a) && Array.isArray(b)) {
      // lexicographic: the first unequal pair decides, else the shorter list is smaller
      const n = Math.min(a.length, b.length);
      for (let i = 0; i < n; i++) if (!pyEq(a[i], b[i])) return order(op, a[i], b[i]);
      c = a.length - b.length;
    }
  }
  if (c === undefined) throw new IxError(`'${op}' not supported between ${pyTypeName(a)} and ${pyTypeName(b)}`);
  switch (op) {
    case '<':
      return c < 0;
    case '>':
      return c > 0;
    case '<=':
      return c <= 0;
    default:
      return c >= 0;
  }
}

/** `a OP b` for a comparison operator as nunjucks names it (`==`, `===`, `!=`, `!==`, `<`, ...). */
export function compare(op: string, a: unknown, b: unknown): boolean {
  if (op === '==' || op === '===') return pyEq(a, b);
  if (op === '!=' || op === '!==') return !pyEq(a, b);
  return order(op, a, b);
}

/**
 * A comparison chain `a OP1 b OP2 c ...` (Python: `a OP1 b and b OP2 c`, each operand evaluated
 * at most once, left to right, stopping at the first false): `rest` alternates operators and
 * thunks of the following operands.
 */
export function compareChain(first: unknown, ...rest: unknown[]): boolean {
  let left = first;
  for (let i = 0; i < rest.length; i += 2) {
    const right = (rest[i + 1] as () => unknown)();
    if (!compare(rest[i] as string, left, right)) return false;
    left = right;
  }
  return true;
}
