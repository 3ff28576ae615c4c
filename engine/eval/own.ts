/**
 * Own data only: what an attribute or item read of a template value may see. A template's
 * strings, lists and dicts show their own data (a dict's keys, a list's items and length, a
 * string's code units and length), never a member JavaScript objects inherit (`constructor`,
 * `toString`, `__proto__`, `hasOwnProperty`, `valueOf`, ...): such a name reads as undefined,
 * as it does in the compiled core (wasm/as/rt/jsobj.ts). memberLookup, `in` and getattr
 * already read this way (runtime.ts); this module gives the same rule to nunjucks' stock filters
 * that read `item[attr]` directly (selectattr, rejectattr, sum, join, groupby), otherwise
 * unchanged, and a way to store a dict key that is never a prototype setter.
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import * as nj from 'nunjucks/browser/nunjucks.js';
import { newDict } from './pystr';

/**
 * JavaScript's `obj[key]` restricted to own properties: an inherited member is undefined.
 * Reading from None or Undefined is JavaScript's TypeError, as `obj[key]` would throw.
 */
export function ownGet(obj: unknown, key: unknown): unknown {
  if (obj === null || obj === undefined) throw new TypeError(`cannot read '${String(key)}' of ${String(obj)}`);
  const k = String(key);
  return Object.prototype.hasOwnProperty.call(obj, k) ? (obj as Record<string, unknown>)[k] : undefined;
}

/** Store `val` under `key` as an own property, even for `__proto__` (whose assignment sets the prototype). */
export function ownSet(obj: object, key: string, val: unknown): void {
  Object.defineProperty(obj, key, { value: val, enumerable: true, writable: true, configurable: true });
}

type Arr = { filter(f: (x: unknown) => boolean): unknown[]; join(d: unknown): string; reduce(f: (a: unknown, b: unknown) => unknown, s: unknown): unknown };

/** nunjucks' selectattr: items whose own `attr` is truthy. */
function selectattr(arr: unknown, attr: unknown): unknown[] {
  return (arr as Arr).filter((item) => !!ownGet(item, attr));
}

/** nunjucks' rejectattr: items whose own `attr` is falsy. */
function rejectattr(arr: unknown, attr: unknown): unknown[] {
  return (arr as Arr).filter((item) => !ownGet(item, attr));
}

/** nunjucks' sum: JavaScript's `+` over the items (or their own `attr`), after `start`. */
function sum(arr: unknown, attr: unknown, start: unknown = 0): unknown {
  const xs = (attr ? nj.lib.map(arr, (v) => ownGet(v, attr)) : arr) as Arr;
  return (start as number) + (xs.reduce((a, b) => (a as number) + (b as number), 0) as number);
}

/** nunjucks' join: the items (or their own `attr`) joined by `del`. */
function join(arr: unknown, del: unknown, attr: unknown): string {
  const xs = (attr ? nj.lib.map(arr, (v) => ownGet(v, attr)) : arr) as Arr;
  return xs.join(del || '');
}

/**
 * nunjucks' groupby with the groups kept in own properties: the stock filter looks a group up
 * with `result[key] || ...`, so an item whose key is `toString` or `__proto__` found
 * Object.prototype's member and failed. A key names a group, never an inherited member.
 */
function groupby(arr: unknown, attr: unknown): Record<string, unknown[]> {
  const items = arr as ArrayLike<unknown>;
  const key = nj.lib.getAttrGetter(attr);
  const result = newDict<unknown[]>();
  for (let i = 0; i < items.length; i++) {
    const k = String(key(items[i], i));
    if (Object.prototype.hasOwnProperty.call(result, k)) result[k].push(items[i]);
    else ownSet(result, k, [items[i]]);
  }
  return result;
}

/**
 * nunjucks' string and safe convert with the value's own `toString` method, which a dict's key
 * `toString` replaced: they convert as String() does (pystr.ts DICT_PROTO), and still fail on
 * None and Undefined (string) as the stock filter did.
 */
function string(v: unknown): unknown {
  if (v === null || v === undefined) throw new TypeError(`cannot convert ${String(v)} to a string`);
  return v instanceof nj.runtime.SafeString ? new nj.runtime.SafeString(v as unknown as string) : String(v);
}
function safe(v: unknown): unknown {
  if (v instanceof nj.runtime.SafeString) return v;
  return nj.runtime.markSafe(v === null || v === undefined ? '' : String(v));
}

/** The stock filters that read attributes or convert, rebuilt on own data (they replace nunjucks' own). */
export const OWN_FILTERS: Record<string, (...a: unknown[]) => unknown> = { selectattr, rejectattr, sum, join, groupby, string, safe };
