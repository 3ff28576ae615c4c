/**
 * The value model of the compiled core: what a template expression evaluates to, mirroring the
 * oracle's JavaScript values (engine/eval) kind by kind so every operator, filter and printed
 * form can match it byte for byte:
 *   Undefined  JS undefined (Jinja2's Undefined: prints "", iterates as empty)
 *   None       JS null
 *   Bool       JS boolean
 *   Num        JS number: integer or not, NaN and Infinity included; prints as V8 prints numbers
 *   Float      PyFloat: a float literal (or a sum of floats), prints as Python's float repr
 *   Str        JS string (UTF-16); `safe` marks nunjucks' SafeString (the `safe` filter)
 *   List       JS array
 *   Dict       plain JS object: string keys, iterating as JS property order does (canonical
 *              array-index keys first ascending, then insertion order)
 *   Namespace  Jinja2's namespace(): assignable attributes
 *   Func       something callable (globals, methods, macros): an abstract class
 *   Err        an error travelling as a value (AssemblyScript traps on throw): every function
 *              of rt/ that can fail returns an Err instead of throwing; callers test `isErr`.
 * None, True, False and Undefined are interned singletons; compare kinds with `v.k`.
 *
 * Must not depend on: anything of the core but errors.ts.
 */
import { IxErr } from '../errors';

export const K_UNDEF: i32 = 0;
export const K_NONE: i32 = 1;
export const K_BOOL: i32 = 2;
export const K_NUM: i32 = 3;
export const K_FLOAT: i32 = 4;
export const K_STR: i32 = 5;
export const K_LIST: i32 = 6;
export const K_DICT: i32 = 7;
export const K_NS: i32 = 8;
export const K_FUNC: i32 = 9;
export const K_ERR: i32 = 10;

export class Value {
  constructor(public readonly k: i32) {}
  @inline get isErr(): bool {
    return this.k == K_ERR;
  }
}

export class VBool extends Value {
  constructor(public readonly b: bool) {
    super(K_BOOL);
  }
}

/** A JS number (integer-valued or not). */
export class VNum extends Value {
  constructor(public readonly n: f64) {
    super(K_NUM);
  }
}

/** A Python float (PyFloat of the oracle). */
export class VFloat extends Value {
  constructor(public readonly n: f64) {
    super(K_FLOAT);
  }
}

export class VStr extends Value {
  constructor(public readonly s: string, public readonly safe: bool = false) {
    super(K_STR);
  }
}

export class VList extends Value {
  constructor(public items: Array<Value> = new Array<Value>()) {
    super(K_LIST);
  }
}

/** Is `s` a canonical array index ("0", "17", not "01", below 2**32 - 1): JS orders these first. */
export function isIndexKey(s: string): bool {
  const n = s.length;
  if (n == 0 || n > 10) return false;
  const c0 = s.charCodeAt(0);
  if (c0 == 48) return n == 1;
  let v: u64 = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
    v = v * 10 + <u64>(c - 48);
  }
  return v < 4294967295;
}

/**
 * A plain JS object: string keys in insertion order plus the JS iteration order computed when
 * an index-like key is present. Small dicts are scanned linearly; larger ones get a Map index.
 */
export class VDict extends Value {
  keys: Array<string> = new Array<string>();
  vals: Array<Value> = new Array<Value>();
  private index: Map<string, i32> | null = null;
  private hasIndexKeys: bool = false;
  private ordered: Array<i32> | null = null;

  constructor() {
    super(K_DICT);
  }

  /** Position of `key` in insertion order, or -1. */
  find(key: string): i32 {
    const idx = this.index;
    if (idx !== null) return idx.has(key) ? idx.get(key) : -1;
    const ks = this.keys;
    const n = ks.length;
    for (let i = 0; i < n; i++) if (ks[i] == key) return i;
    return -1;
  }

  has(key: string): bool {
    return this.find(key) >= 0;
  }

  /** The value under `key`, or null when absent. */
  get(key: string): Value | null {
    const i = this.find(key);
    return i < 0 ? null : this.vals[i];
  }

  set(key: string, v: Value): void {
    const i = this.find(key);
    if (i >= 0) {
      this.vals[i] = v;
      return;
    }
    const pos = this.keys.length;
    this.keys.push(key);
    this.vals.push(v);
    const idx = this.index;
    if (idx !== null) idx.set(key, pos);
    else if (pos >= 8) {
      const m = new Map<string, i32>();
      for (let j = 0; j <= pos; j++) m.set(this.keys[j], j);
      this.index = m;
    }
    if (isIndexKey(key)) this.hasIndexKeys = true;
    this.ordered = null;
  }

  get size(): i32 {
    return this.keys.length;
  }

  /** Insertion positions in JS property order (index keys ascending, then insertion order). */
  order(): Array<i32> {
    let o = this.ordered;
    if (o !== null) return o;
    const n = this.keys.length;
    o = new Array<i32>(n);
    if (!this.hasIndexKeys) {
      for (let i = 0; i < n; i++) o[i] = i;
    } else {
      let w = 0;
      const idx = new Array<i32>();
      for (let i = 0; i < n; i++) if (isIndexKey(this.keys[i])) idx.push(i);
      // few index keys in practice: insertion sort by numeric value
      for (let a = 1; a < idx.length; a++) {
        const x = idx[a];
        const xv = parseIndex(this.keys[x]);
        let b = a - 1;
        while (b >= 0 && parseIndex(this.keys[idx[b]]) > xv) {
          idx[b + 1] = idx[b];
          b--;
        }
        idx[b + 1] = x;
      }
      for (let a = 0; a < idx.length; a++) o[w++] = idx[a];
      for (let i = 0; i < n; i++) if (!isIndexKey(this.keys[i])) o[w++] = i;
    }
    this.ordered = o;
    return o;
  }

  /** Keys in JS property order (a fresh array). */
  orderedKeys(): Array<string> {
    const o = this.order();
    const out = new Array<string>(o.length);
    for (let i = 0; i < o.length; i++) out[i] = this.keys[o[i]];
    return out;
  }
}

function parseIndex(s: string): u64 {
  let v: u64 = 0;
  for (let i = 0; i < s.length; i++) v = v * 10 + <u64>(s.charCodeAt(i) - 48);
  return v;
}

/** Jinja2's namespace(): attributes live in a dict (JS property order, like the oracle's object). */
export class VNs extends Value {
  attrs: VDict = new VDict();
  constructor() {
    super(K_NS);
  }
}

/**
 * Something a template can call. `args` are positional; keyword arguments arrive as the oracle
 * passes them to plain functions: one trailing Dict whose `kw` flag is set (its `__keywords`
 * entry is present, as in nunjucks). Returns a Value or an Err.
 */
export abstract class VFunc extends Value {
  /** What `is callable` says: false for a namespace of callables that is not one itself (`self`). */
  callable: bool = true;
  /**
   * What JS String() gives for it where the oracle's text is known (the runtime's own methods);
   * null: a function whose source text only the oracle has ("<function>" stands in).
   */
  source: string | null = null;
  constructor() {
    super(K_FUNC);
  }
  abstract call(args: Array<Value>): Value;
}

export class VErr extends Value {
  constructor(public readonly err: IxErr) {
    super(K_ERR);
  }
}

// ---- interned singletons and constructors ------------------------------------------------------

export const UNDEF: Value = new Value(K_UNDEF);
export const NONE: Value = new Value(K_NONE);
export const TRUE: VBool = new VBool(true);
export const FALSE: VBool = new VBool(false);
export const EMPTY_STR: VStr = new VStr('');

const SMALL_INTS: StaticArray<VNum> = makeSmallInts();
function makeSmallInts(): StaticArray<VNum> {
  const a = new StaticArray<VNum>(257);
  for (let i = 0; i < 257; i++) a[i] = new VNum(<f64>(i - 1));
  return a;
}

@inline export function bool_(b: bool): VBool {
  return b ? TRUE : FALSE;
}

/** A JS number; -1..255 (not -0) come from a table. */
export function num(n: f64): VNum {
  if (n >= -1 && n <= 255) {
    const i = <i32>n;
    if (<f64>i == n && !(n == 0 && 1 / n < 0)) return unchecked(SMALL_INTS[i + 1]);
  }
  return new VNum(n);
}

export function float_(n: f64): VFloat {
  return new VFloat(n);
}

export function str(s: string): VStr {
  return s.length == 0 ? EMPTY_STR : new VStr(s);
}

export function list(items: Array<Value>): VList {
  return new VList(items);
}

export function err(detail: string): VErr {
  return new VErr(new IxErr(detail));
}

/** A dict holding keyword arguments: `kw=1` → { kw: 1, __keywords: true } as nunjucks passes them. */
export function kwargs(names: Array<string>, vals: Array<Value>): VDict {
  const d = new VDict();
  for (let i = 0; i < names.length; i++) d.set(names[i], vals[i]);
  d.set('__keywords', TRUE);
  return d;
}

/** Does this dict carry keyword arguments (nunjucks' `__keywords` marker)? */
export function isKwargs(v: Value): bool {
  if (v.k != K_DICT) return false;
  const x = (<VDict>v).get('__keywords');
  return x !== null && x === TRUE;
}

/** The number inside a Num or Float (callers check the kind). */
@inline export function numOf(v: Value): f64 {
  return v.k == K_NUM ? (<VNum>v).n : (<VFloat>v).n;
}
