/**
 * JSON values as the core reads them (requests, rendered descriptors, cache entries): a reader
 * with JSON.parse's syntax (RFC 8259, any nesting depth, duplicate keys: the last value wins at
 * the first key's place) whose failures are reported exactly as engine/eval/json-error.ts reports
 * them (see json-error.ts), and JS's views of a value that the oracle's messages print: the
 * property order of a parsed object (integer-like keys first, ascending) and String(value).
 *
 * Must not depend on: anything else of the core but builder.ts, numfmt.ts and json-error.ts.
 */
import { StrBuilder } from './builder';
import { jsNumber, jsonNumber } from "./numfmt";
import { foundAt, jsonErrorAt } from './json-error';

export const J_NULL: u8 = 0;
export const J_BOOL: u8 = 1;
export const J_NUM: u8 = 2;
export const J_STR: u8 = 3;
export const J_ARR: u8 = 4;
export const J_OBJ: u8 = 5;

/** One JSON value; which fields mean something depends on `kind`. */
export class JValue {
  kind: u8;
  b: bool = false;
  n: f64 = 0;
  s: string = '';
  /** Array items, or object values (parallel to `keys`). */
  items: Array<JValue> | null = null;
  /** Object keys in insertion order (first occurrence). */
  keys: Array<string> | null = null;

  constructor(kind: u8) {
    this.kind = kind;
  }

  static str(s: string): JValue {
    const v = new JValue(J_STR);
    v.s = s;
    return v;
  }

  static bool(b: bool): JValue {
    const v = new JValue(J_BOOL);
    v.b = b;
    return v;
  }

  static num(n: f64): JValue {
    const v = new JValue(J_NUM);
    v.n = n;
    return v;
  }

  static arr(): JValue {
    const v = new JValue(J_ARR);
    v.items = new Array<JValue>();
    return v;
  }

  static obj(): JValue {
    const v = new JValue(J_OBJ);
    v.items = new Array<JValue>();
    v.keys = new Array<string>();
    return v;
  }

  /** The member `k` of an object, or null (also when this is no object). */
  get(k: string): JValue | null {
    const ks = this.keys;
    if (ks === null) return null;
    for (let i = ks.length - 1; i >= 0; i--) if (unchecked(ks[i]) == k) return unchecked(this.items![i]);
    return null;
  }

  /** Sets member `k` (kept at its first place when it exists). */
  set(k: string, v: JValue): void {
    const ks = this.keys!;
    for (let i = 0; i < ks.length; i++) {
      if (unchecked(ks[i]) == k) {
        this.items![i] = v;
        return;
      }
    }
    ks.push(k);
    this.items!.push(v);
  }

  /** An object member that is absent, null or undefined in JS terms is "missing". */
  isNullish(): bool {
    return this.kind == J_NULL;
  }

  /** Object keys in JS property order: array-index keys ascending first, then insertion order. */
  jsKeys(): Array<string> {
    const ks = this.keys!;
    let idx = 0;
    for (let i = 0; i < ks.length; i++) if (arrayIndex(unchecked(ks[i])) >= 0) idx++;
    if (idx == 0) return ks;
    const ints = new Array<string>();
    const rest = new Array<string>();
    for (let i = 0; i < ks.length; i++) {
      const k = unchecked(ks[i]);
      if (arrayIndex(k) >= 0) ints.push(k);
      else rest.push(k);
    }
    ints.sort((a: string, b: string): i32 => <i32>(arrayIndex(a) - arrayIndex(b)));
    return ints.concat(rest);
  }
}

/** The value of a canonical array-index key ("0", "17"; below 2^32 - 1), else -1. */
export function arrayIndex(k: string): i64 {
  const n = k.length;
  if (n == 0 || n > 10) return -1;
  const c0 = k.charCodeAt(0);
  if (c0 == 48) return n == 1 ? 0 : -1;
  let v: i64 = 0;
  for (let i = 0; i < n; i++) {
    const c = k.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v < 4294967295 ? v : -1;
}

/** JS's String(v) of a parsed JSON value (arrays joined by ",", objects "[object Object]"). */
export function jsString(v: JValue): string {
  switch (v.kind) {
    case J_NULL: return 'null';
    case J_BOOL: return v.b ? 'true' : 'false';
    case J_NUM: return jsNumber(v.n);
    case J_STR: return v.s;
    case J_ARR: {
      const sb = new StrBuilder();
      const it = v.items!;
      for (let i = 0; i < it.length; i++) {
        if (i > 0) sb.ch(44);
        const x = unchecked(it[i]);
        if (x.kind != J_NULL) sb.str(jsString(x));
      }
      return sb.toString();
    }
    default: return '[object Object]';
  }
}

/** The result of parsing: a value, or the offset where JSON.parse would have failed. */
export class JParse {
  value: JValue | null = null;
  /** Offset of the first syntax error (json-error.ts), or -1. */
  errAt: i32 = -1;
  /** What was found there: "'x'" or "end of text". */
  found: string = '';
}

/** Parses `text` as JSON.parse does. Iterative: nesting depth is bounded only by memory. */
export function parseJson(text: string): JParse {
  const p = new Parser(text);
  const v = p.parse();
  const r = new JParse();
  if (v !== null) {
    r.value = v;
    return r;
  }
  const at = jsonErrorAt(text);
  if (at < 0) {
    // json-error.ts found nothing wrong where JSON.parse did: the oracle's fallback
    r.errAt = 0;
    r.found = 'text';
  } else {
    r.errAt = at;
    r.found = foundAt(text, at);
  }
  return r;
}

/** The parsers' one builder for unescaped strings (grown once to the longest script, not per parse). */
const UNESCAPED = new StrBuilder(1 << 12);

/** Parser.parse's stacks, reused (emptied at each parse's start). */
const STACK = new Array<JValue>();
const PENDING = new Array<string>();

/** Lanes of eight UTF-16 code units that end a string's plain run: a quote, a backslash, below 0x20. */
// @ts-ignore: decorator
@inline function stopLanes(v: v128): v128 {
  return v128.or(v128.or(i16x8.eq(v, i16x8.splat(34)), i16x8.eq(v, i16x8.splat(92))), i16x8.lt_u(v, i16x8.splat(0x20)));
}

class Parser {
  text: string;
  i: i32 = 0;
  n: i32;
  /** Strings with escapes are put together here (shared: str() copies out before returning). */
  sb: StrBuilder = UNESCAPED;
  constructor(text: string) {
    this.text = text;
    this.n = text.length;
  }

  // @ts-ignore: decorator
  @inline c(): i32 {
    return this.i < this.n ? <i32>this.text.charCodeAt(this.i) : -1;
  }

  ws(): void {
    const t = changetype<usize>(this.text);
    while (this.i < this.n) {
      const c = load<u16>(t + (<usize>this.i << 1));
      if (c == 32 || c == 9 || c == 10 || c == 13) this.i++;
      else break;
    }
  }

  /** Null on a syntax error (the reason is found again by json-error.ts). */
  parse(): JValue | null {
    // containers being filled, and for objects the key awaiting its value (a parse runs no
    // other parse: one pair of arrays serves every parse)
    const stack = STACK;
    const pendingKey = PENDING;
    stack.length = 0;
    pendingKey.length = 0;
    for (;;) {
      // read one value (scalars directly; a container is opened and pushed)
      this.ws();
      const c = this.c();
      let v: JValue | null = null;
      if (c == 123) {
        this.i++;
        this.ws();
        const o = JValue.obj();
        if (this.c() == 125) {
          this.i++;
          v = o;
        } else {
          if (this.c() != 34) return null;
          const k = this.str();
          if (k === null) return null;
          this.ws();
          if (this.c() != 58) return null;
          this.i++;
          stack.push(o);
          pendingKey.push(k);
          continue;
        }
      } else if (c == 91) {
        this.i++;
        this.ws();
        const a = JValue.arr();
        if (this.c() == 93) {
          this.i++;
          v = a;
        } else {
          stack.push(a);
          pendingKey.push('');
          continue;
        }
      } else if (c == 34) {
        const s = this.str();
        if (s === null) return null;
        v = JValue.str(s);
      } else if (c == 116) {
        if (!this.lit('true')) return null;
        v = JValue.bool(true);
      } else if (c == 102) {
        if (!this.lit('false')) return null;
        v = JValue.bool(false);
      } else if (c == 110) {
        if (!this.lit('null')) return null;
        v = new JValue(J_NULL);
      } else {
        v = this.num();
        if (v === null) return null;
      }
      // attach v to the containers, closing those that end here
      for (;;) {
        if (stack.length == 0) {
          this.ws();
          return this.i < this.n ? null : v;
        }
        const top = stack[stack.length - 1];
        if (top.kind == J_ARR) top.items!.push(v!);
        else top.set(pendingKey[pendingKey.length - 1], v!);
        this.ws();
        const d = this.c();
        if (d == 44) {
          this.i++;
          if (top.kind == J_OBJ) {
            this.ws();
            if (this.c() != 34) return null;
            const k = this.str();
            if (k === null) return null;
            this.ws();
            if (this.c() != 58) return null;
            this.i++;
            pendingKey[pendingKey.length - 1] = k;
          }
          break;
        }
        if ((d == 93 && top.kind == J_ARR) || (d == 125 && top.kind == J_OBJ)) {
          this.i++;
          stack.pop();
          pendingKey.pop();
          v = top;
          continue;
        }
        return null;
      }
    }
    return null;
  }

  lit(w: string): bool {
    const n = w.length;
    if (this.i + n > this.n) return false;
    for (let k = 0; k < n; k++) if (this.text.charCodeAt(this.i + k) != w.charCodeAt(k)) return false;
    this.i += n;
    return true;
  }

  str(): string | null {
    this.i++;
    const t = changetype<usize>(this.text);
    const start = this.i;
    // fast path: no escapes
    let i = start;
    const end = this.n;
    while (i < end) {
      // with SIMD, eight code units a step up to the first that ends the fast path's run
      if (ASC_FEATURE_SIMD) {
        while (i + 8 <= end) {
          const bits = i16x8.bitmask(stopLanes(v128.load(t + (<usize>i << 1))));
          if (bits != 0) {
            i += <i32>ctz(bits);
            break;
          }
          i += 8;
        }
        if (i >= end) break;
      }
      const c = load<u16>(t + (<usize>i << 1));
      if (c == 34) {
        this.i = i + 1;
        return this.text.substring(start, i);
      }
      if (c < 0x20) {
        this.i = i;
        return null;
      }
      if (c == 92) break;
      i++;
    }
    this.i = i;
    const sb = this.sb;
    sb.clear();
    sb.sub(this.text, start, this.i);
    const n = this.n;
    while (this.i < n) {
      // a run of plain code units is copied at once (a script's lines between its escapes),
      // scanned with the index in a local (a field store per unit was most of this loop)
      const run = this.i;
      let j = run;
      if (ASC_FEATURE_SIMD) {
        while (j + 8 <= n) {
          const bits = i16x8.bitmask(stopLanes(v128.load(t + (<usize>j << 1))));
          if (bits != 0) {
            j += <i32>ctz(bits);
            break;
          }
          j += 8;
        }
        if (j >= n) {
          this.i = j;
          return null;
        }
      }
      let c = <i32>load<u16>(t + (<usize>j << 1));
      while (c != 34 && c != 92 && c >= 0x20) {
        if (++j >= n) {
          this.i = j;
          return null;
        }
        c = <i32>load<u16>(t + (<usize>j << 1));
      }
      this.i = j;
      sb.sub(this.text, run, j);
      if (c == 34) {
        this.i++;
        return sb.toString();
      }
      if (c < 0x20) return null;
      this.i++;
      const e = this.c();
      this.i++;
      if (e == 117) {
        let u = 0;
        for (let k = 0; k < 4; k++) {
          const h = this.c();
          let d = -1;
          if (h >= 48 && h <= 57) d = h - 48;
          else if (h >= 97 && h <= 102) d = h - 87;
          else if (h >= 65 && h <= 70) d = h - 55;
          if (d < 0) return null;
          u = (u << 4) | d;
          this.i++;
        }
        sb.ch(u);
      } else if (e == 34 || e == 92 || e == 47) sb.ch(e);
      else if (e == 98) sb.ch(8);
      else if (e == 102) sb.ch(12);
      else if (e == 110) sb.ch(10);
      else if (e == 114) sb.ch(13);
      else if (e == 116) sb.ch(9);
      else return null;
    }
    return null;
  }

  num(): JValue | null {
    const start = this.i;
    if (this.c() == 45) this.i++;
    let c = this.c();
    if (c == 48) this.i++;
    else if (c >= 49 && c <= 57) {
      while ((c = this.c()) >= 48 && c <= 57) this.i++;
    } else return null;
    let frac = false;
    if (this.c() == 46) {
      this.i++;
      c = this.c();
      if (!(c >= 48 && c <= 57)) return null;
      while ((c = this.c()) >= 48 && c <= 57) this.i++;
      frac = true;
    }
    c = this.c();
    if (c == 101 || c == 69) {
      this.i++;
      c = this.c();
      if (c == 43 || c == 45) this.i++;
      c = this.c();
      if (!(c >= 48 && c <= 57)) return null;
      while ((c = this.c()) >= 48 && c <= 57) this.i++;
      frac = true;
    }
    const len = this.i - start;
    if (!frac && len <= 16) {
      // small integers exactly, without a float parse
      let neg = false;
      let k = start;
      if (this.text.charCodeAt(k) == 45) {
        neg = true;
        k++;
      }
      let v: i64 = 0;
      for (; k < this.i; k++) v = v * 10 + (this.text.charCodeAt(k) - 48);
      return JValue.num(neg ? -<f64>v : <f64>v);
    }
    return JValue.num(jsonNumber(this.text.substring(start, this.i)));
  }
}
