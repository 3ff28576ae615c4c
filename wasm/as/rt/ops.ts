/**
 * Operators of template expressions with the oracle's semantics (nunjucks' compiled JavaScript
 * plus engine/eval/runtime.ts's ixAdd/ixCat/inOperator/memberLookup/ixSlice) and the decided
 * changes: division by zero is an error, `%` and `//` are Python's, repetition of strings and
 * lists, integer overflow past 2**53 is an error, ordering and equality are Python's.
 * Every function returns a Value or an Err (never throws).
 *
 * Must not depend on: anything of the core but rt/ and errors.ts.
 */
import { Value, VErr, err, UNDEF, FALSE } from './value';

/** `a + b`. */
export function add(a: Value, b: Value): Value { return err('add: not implemented'); }
/** `a - b`. */
export function sub(a: Value, b: Value): Value { return err('sub: not implemented'); }
/** `a * b`. */
export function mul(a: Value, b: Value): Value { return err('mul: not implemented'); }
/** `a / b`. */
export function div(a: Value, b: Value): Value { return err('div: not implemented'); }
/** `a // b`. */
export function floordiv(a: Value, b: Value): Value { return err('floordiv: not implemented'); }
/** `a % b`. */
export function mod(a: Value, b: Value): Value { return err('mod: not implemented'); }
/** `a ** b`. */
export function pow(a: Value, b: Value): Value { return err('pow: not implemented'); }
/** `-a`. */
export function neg(a: Value): Value { return err('neg: not implemented'); }
/** `+a`. */
export function pos(a: Value): Value { return err('pos: not implemented'); }
/** `a ~ b`. */
export function concat(a: Value, b: Value): Value { return err('concat: not implemented'); }

export const CMP_EQ: i32 = 0;
export const CMP_NE: i32 = 1;
export const CMP_LT: i32 = 2;
export const CMP_GT: i32 = 3;
export const CMP_LE: i32 = 4;
export const CMP_GE: i32 = 5;

/** `a <op> b` for the CMP_* operators: TRUE, FALSE or an Err. */
export function compare(op: i32, a: Value, b: Value): Value { return err('compare: not implemented'); }
/** Python equality. */
export function eq(a: Value, b: Value): bool { return false; }
/** `key in container`: TRUE, FALSE or an Err. */
export function contains(key: Value, container: Value): Value { return FALSE; }
/** `obj.name` (attribute lookup, incl. str/list/dict methods as bound Funcs). */
export function getattr(obj: Value, name: string): Value { return UNDEF; }
/** `obj[key]`. */
export function getitem(obj: Value, key: Value): Value { return UNDEF; }
/** `obj[start:stop:step]`; absent parts are None. */
export function slice(obj: Value, start: Value, stop: Value, step: Value): Value { return UNDEF; }
/** Call `fn` (named `name` in messages) with arguments (kwargs as a trailing kwargs dict). */
export function callValue(fn: Value, name: string, args: Array<Value>): Value { return err('call: not implemented'); }
/** What a `for` loop iterates: a List, a Str (its code units), a dict's keys as a List; else an empty List. */
export function fromIterator(v: Value): Value { return err('iterate: not implemented'); }
/** The Err of a failed operation, or null. */
export function errOf(v: Value): VErr | null { return v.isErr ? <VErr>v : null; }
