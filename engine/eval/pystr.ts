/**
 * Python semantics recipes rely on, for values inside templates: str() of a value (True, None,
 * lists as ['a']), json.dumps with Python's default separators, and the str methods recipes call
 * on strings (`self.version().strip()`, `.split()`, `.replace()`, ...). Every method that can
 * grow a string checks the size first against `max` so a recipe cannot exhaust memory.
 *
 * Must not depend on: Node, host modules, nunjucks, locale (no toLocale*).
 */
import { IxError } from '../errors';

/** A float literal of a template (`11.0`): numbers in JS do not remember that they were floats. */
export class PyFloat {
  constructor(readonly v: number) {}
  valueOf(): number {
    return this.v;
  }
  toString(): string {
    return pyFloatRepr(this.v);
  }
}

/** Jinja2's namespace(): an object whose attributes `{% set ns.k = v %}` may assign, also in loops. */
export class Namespace {
  toString(): string {
    return '<Namespace>';
  }
  /** JavaScript's conversions of a namespace, which an attribute `toString` or `valueOf` cannot replace (as DICT_PROTO). */
  [Symbol.toPrimitive](): string {
    return '<Namespace>';
  }
}

/** Python repr() of a float. */
export function pyFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return `${n}.0`;
  return String(n).replace(/e\+?(-?)(\d)$/, 'e+$10$2').replace('e+-', 'e-');
}

/** Python str() of a template value; undefined renders as "" (Jinja2's Undefined). */
export function pyStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof PyFloat) return pyFloatRepr(v.v);
  if (v === undefined) return '';
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return pyNum(v);
  if (Array.isArray(v) || isPlainObject(v)) return pyRepr(v);
  if (typeof v === 'object' && typeof (v as { val?: unknown }).val === 'string') return (v as { val: string }).val;
  // a callable prints as a placeholder, never as its JavaScript source (which differs by build)
  if (typeof v === 'function') return '<function>';
  return String(v);
}

function pyNum(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(n);
}

/**
 * The prototype of the dicts templates make (literals, filter results, parsed JSON): instead of
 * Object.prototype, only the conversion JavaScript gives a plain object ('[object Object]'), as
 * Symbol.toPrimitive, which a dict's own keys cannot replace. String(), `+`, `<` and join in
 * nunjucks' filters then treat a dict alike whatever its keys (with Object.prototype, a key
 * `toString` or `valueOf` replaced the conversion and failed it), as the compiled core does.
 * Its toString and valueOf (not enumerable, never seen by a template's own-data lookups) keep
 * explicit calls of code written for plain objects working.
 */
export const DICT_PROTO: object = Object.freeze(Object.create(null, {
  [Symbol.toPrimitive]: { value: () => '[object Object]' },
  toString: { value: () => '[object Object]' },
  valueOf: { value(this: unknown) { return this; } },
}));

/** An empty dict of a template (DICT_PROTO). */
export function newDict<T = unknown>(): Record<string, T> {
  return Object.create(DICT_PROTO) as Record<string, T>;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null || p === DICT_PROTO;
}

/** Python repr() of strings, lists and dicts. */
export function pyRepr(v: unknown): string {
  if (typeof v === 'string') {
    const q = v.includes("'") && !v.includes('"') ? '"' : "'";
    let s = v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
    if (q === "'") s = s.replace(/'/g, "\\'");
    return q + s + q;
  }
  if (Array.isArray(v)) return '[' + v.map(pyRepr).join(', ') + ']';
  if (isPlainObject(v)) return '{' + Object.keys(v).map((k) => `${pyRepr(k)}: ${pyRepr(v[k])}`).join(', ') + '}';
  return pyStr(v);
}

/** Python json.dumps(v) with default options (", " and ": ", ensure_ascii). */
export function pyJsonDumps(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new IxError(`cannot encode ${v} as JSON`);
    return String(v);
  }
  if (v instanceof PyFloat) return pyFloatRepr(v.v);
  if (typeof v === 'string') return asciiJsonString(v);
  if (Array.isArray(v)) return '[' + v.map(pyJsonDumps).join(', ') + ']';
  if (isPlainObject(v)) return '{' + Object.keys(v).map((k) => `${asciiJsonString(k)}: ${pyJsonDumps(v[k])}`).join(', ') + '}';
  return asciiJsonString(pyStr(v));
}

function asciiJsonString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

const WS = ' \t\n\r\x0b\x0c';

function stripChars(s: string, chars: string | undefined, left: boolean, right: boolean): string {
  const set = chars === undefined || chars === null ? WS : String(chars);
  let a = 0;
  let b = s.length;
  if (left) while (a < b && set.includes(s[a])) a++;
  if (right) while (b > a && set.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

function pySplit(s: string, sep?: unknown, maxsplit?: unknown): string[] {
  const max = typeof maxsplit === 'number' && maxsplit >= 0 ? maxsplit : -1;
  if (sep === undefined || sep === null) {
    const out: string[] = [];
    let rest = s.replace(/^[ \t\n\r\v\f]+/, '');
    while (rest !== '') {
      if (max >= 0 && out.length === max) {
        out.push(rest);
        break;
      }
      const m = /[ \t\n\r\v\f]+/.exec(rest);
      if (!m) {
        out.push(rest);
        break;
      }
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    return out;
  }
  const d = String(sep);
  if (d === '') throw new IxError('split(): empty separator');
  const parts = s.split(d);
  if (max < 0 || parts.length <= max + 1) return parts;
  return [...parts.slice(0, max), parts.slice(max).join(d)];
}

/** Python str methods callable on template strings; `max` bounds the size of results. */
export function strMethod(s: string, name: string, max: number): ((...a: unknown[]) => unknown) | undefined {
  const grow = (n: number): void => {
    if (n > max) throw new IxError(`string result larger than ${max} bytes`);
  };
  switch (name) {
    case 'strip': return (c?: unknown) => stripChars(s, c as string, true, true);
    case 'lstrip': return (c?: unknown) => stripChars(s, c as string, true, false);
    case 'rstrip': return (c?: unknown) => stripChars(s, c as string, false, true);
    case 'split': return (sep?: unknown, m?: unknown) => pySplit(s, sep, m);
    case 'splitlines': return () => s.split(/\r\n|\r|\n/).filter((x, i, a) => i < a.length - 1 || x !== '');
    case 'upper': return () => s.toUpperCase();
    case 'lower': return () => s.toLowerCase();
    case 'startswith': return (p: unknown) => (Array.isArray(p) ? p : [p]).some((x) => s.startsWith(String(x)));
    case 'endswith': return (p: unknown) => (Array.isArray(p) ? p : [p]).some((x) => s.endsWith(String(x)));
    case 'find': return (x: unknown) => s.indexOf(String(x));
    case 'rfind': return (x: unknown) => s.lastIndexOf(String(x));
    case 'count': return (x: unknown) => (String(x) === '' ? s.length + 1 : s.split(String(x)).length - 1);
    case 'isdigit': return () => /^[0-9]+$/.test(s);
    case 'isalpha': return () => /^[A-Za-z]+$/.test(s);
    case 'capitalize': return () => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
    case 'removeprefix': return (p: unknown) => (s.startsWith(String(p)) ? s.slice(String(p).length) : s);
    case 'removesuffix': return (p: unknown) => (String(p) !== '' && s.endsWith(String(p)) ? s.slice(0, -String(p).length) : s);
    case 'replace': return (a: unknown, b: unknown, n?: unknown) => pyReplace(s, String(a), String(b), n, grow);
    case 'join': return (xs: unknown) => {
      const items = Array.isArray(xs) ? xs.map(pyStr) : typeof xs === 'string' ? [...xs] : [];
      grow(items.reduce((t, x) => t + x.length, 0) + s.length * Math.max(items.length - 1, 0));
      return items.join(s);
    };
    case 'zfill': return (w: unknown) => {
      grow(Number(w));
      return s.padStart(Number(w), '0');
    };
    case 'format': return (...args: unknown[]) => {
      let i = 0;
      const out = s.replace(/\{(\d*)\}/g, (_m, d: string) => pyStr(args[d === '' ? i++ : Number(d)]));
      grow(out.length);
      return out;
    };
    default: return undefined;
  }
}

function pyReplace(s: string, a: string, b: string, n: unknown, grow: (n: number) => void): string {
  const limit = typeof n === 'number' && n >= 0 ? n : Infinity;
  if (a === '') {
    grow(s.length + b.length * (s.length + 1));
    const chars = [...s];
    const out: string[] = [];
    let used = 0;
    for (let i = 0; i <= chars.length; i++) {
      if (used < limit) {
        out.push(b);
        used++;
      }
      if (i < chars.length) out.push(chars[i]);
    }
    return out.join('');
  }
  const parts = s.split(a);
  const k = Math.min(parts.length - 1, limit);
  grow(s.length + (b.length - a.length) * k);
  if (k === parts.length - 1) return parts.join(b);
  return parts.slice(0, k + 1).join(b) + a + parts.slice(k + 1).join(a);
}

/** Python list/dict methods recipes may call. */
export function containerMethod(v: unknown, name: string): ((...a: unknown[]) => unknown) | undefined {
  if (Array.isArray(v)) {
    if (name === 'index') return (x: unknown) => {
      const i = v.indexOf(x);
      if (i < 0) throw new IxError(`${pyRepr(x)} is not in list`);
      return i;
    };
    if (name === 'count') return (x: unknown) => v.filter((y) => y === x).length;
    return undefined;
  }
  if (isPlainObject(v)) {
    if (name === 'items') return () => Object.keys(v).map((k) => [k, v[k]]);
    if (name === 'keys') return () => Object.keys(v);
    if (name === 'values') return () => Object.keys(v).map((k) => v[k]);
    if (name === 'get') return (k: unknown, d?: unknown) => (Object.prototype.hasOwnProperty.call(v, String(k)) ? v[String(k)] : d === undefined ? null : d);
  }
  return undefined;
}
