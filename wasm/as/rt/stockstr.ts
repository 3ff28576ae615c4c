/**
 * nunjucks 3.2.4's stock filters on strings and numbers, as nunjucks implements them in
 * JavaScript (their quirks included): capitalize, lower, upper, title, trim, truncate,
 * striptags, wordcount, urlencode, safe, string, int, float, abs, round, default.
 * A string method called on a value that is not a string is JavaScript's TypeError, reported
 * with the oracle's portable message.
 *
 * Must not depend on: anything of the core but rt/ and errors.ts.
 */
import { jsLower, jsUpper } from './casemap';
import {
  Value, VStr, VList, VDict,
  K_UNDEF, K_NONE, K_BOOL, K_STR, K_LIST,
  UNDEF, NONE, err, num, str, isKwargs,
} from './value';
import { truthy } from './pystr';
import { jsString, jsParseFloat, jsParseInt, toNumber, toPrimitive, strictEq } from './jsconv';
import { jsPow } from './ops';
import { jsTrim } from './strutil';
import { StrBuf } from './strbuf';
import { isJsSpace } from '../errors';
import { typeErr, isPrimStr, jsKeys, jsGetKey } from './jsobj';

@inline function arg(args: Array<Value>, i: i32): Value {
  return i < args.length ? unchecked(args[i]) : UNDEF;
}

/** nunjucks' normalize(v, ''): null, undefined and false become "". */
function normalize(v: Value): Value {
  if (v.k == K_UNDEF || v.k == K_NONE || (v.k == K_BOOL && !truthy(v))) return str('');
  return v;
}

/** r.copySafeness(dest, s): a SafeString when dest was one. */
function copySafeness(dest: Value, s: string): Value {
  if (dest.k == K_STR && (<VStr>dest).safe) return new VStr(s, true);
  return str(s);
}

/** makeMacro's argument binding: positional first, then keyword arguments by name. */
export function macroArgs(args: Array<Value>, names: StaticArray<string>): Array<Value> {
  let count = args.length;
  let kw: VDict | null = null;
  if (count > 0 && isKwargs(args[count - 1])) {
    kw = <VDict>args[count - 1];
    count--;
  }
  const out = new Array<Value>(names.length);
  for (let i = 0; i < names.length; i++) {
    if (i < count) out[i] = args[i];
    else if (kw !== null) {
      const v = kw.get(names[i]);
      out[i] = v !== null ? v : UNDEF;
    } else out[i] = UNDEF;
  }
  return out;
}

function capitalizeStr(s: string): string {
  const r = jsLower(s);
  if (r.length == 0) return r;
  return jsUpper(r.charAt(0)) + r.substring(1);
}

export function fCapitalize(v: Value): Value {
  const s = normalize(v);
  if (s.k != K_STR) return typeErr();
  return copySafeness(s, capitalizeStr((<VStr>s).s));
}

export function fLower(v: Value): Value {
  const s = normalize(v);
  if (s.k != K_STR) return typeErr();
  return str(jsLower((<VStr>s).s));
}

export function fUpper(v: Value): Value {
  const s = normalize(v);
  if (s.k != K_STR) return typeErr();
  return str(jsUpper((<VStr>s).s));
}

export function fTitle(v: Value): Value {
  const s = normalize(v);
  if (s.k != K_STR) return typeErr();
  const words = (<VStr>s).s.split(' ');
  for (let i = 0; i < words.length; i++) words[i] = capitalizeStr(words[i]);
  return copySafeness(s, words.join(' '));
}

export function fTrim(v: Value): Value {
  if (v.k != K_STR) return typeErr();
  return copySafeness(v, jsTrim((<VStr>v).s));
}

export function fTruncate(v: Value, lengthArg: Value, killwords: Value, end: Value): Value {
  const orig = v;
  const input = normalize(v);
  const length: f64 = truthy(lengthArg) ? toNumber(lengthArg) : 255;
  const lenV = jsGetKey(input, 'length');
  if (lenV.k != K_UNDEF && toNumber(lenV) <= length) return input;
  if (input.k != K_STR) return typeErr();
  const s = (<VStr>input).s;
  let cut: string;
  if (truthy(killwords)) cut = s.substring(0, clampIndex(length, s.length));
  else {
    const from = length != length ? s.length : clampIndex(length, s.length);
    let idx: f64 = <f64>s.lastIndexOf(' ', from);
    if (idx == -1) idx = length;
    cut = s.substring(0, clampIndex(idx, s.length));
  }
  // `input += end`: string concatenation converts a float literal by its valueOf
  const tail = end.k != K_UNDEF && end.k != K_NONE ? jsString(toPrimitive(end)) : '...';
  return copySafeness(orig, cut + tail);
}

/** ToIntegerOrInfinity clamped to [0, n] (String.prototype.substring's argument handling). */
function clampIndex(x: f64, n: i32): i32 {
  if (x != x || x <= 0) return 0;
  if (x >= <f64>n) return n;
  return <i32>Math.trunc(x);
}

@inline function isAlpha(c: i32): bool {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
@inline function isAlnum(c: i32): bool {
  return isAlpha(c) || (c >= 48 && c <= 57);
}
@inline function isWord(c: i32): bool {
  return isAlnum(c) || c == 95;
}

/** End of a match of /<\/?([a-z][a-z0-9]*)\b[^>]*>|<!--[\s\S]*?-->/i at p, or -1. */
function tagAt(s: string, p: i32): i32 {
  const n = s.length;
  let q = p + 1;
  if (q < n && s.charCodeAt(q) == 47) q++;
  if (q < n && isAlpha(s.charCodeAt(q))) {
    let r = q + 1;
    while (r < n && isAlnum(s.charCodeAt(r))) r++;
    if (r >= n || !isWord(s.charCodeAt(r))) {
      const gt = s.indexOf('>', r);
      if (gt >= 0) return gt + 1;
    }
  }
  if (s.startsWith('<!--', p)) {
    const e = s.indexOf('-->', p + 4);
    if (e >= 0) return e + 3;
  }
  return -1;
}

@inline function isLineTerm(c: i32): bool {
  return c == 10 || c == 13 || c == 0x2028 || c == 0x2029;
}

export function fStriptags(v: Value, preserve: Value): Value {
  const input = normalize(v);
  if (input.k != K_STR) return typeErr();
  const s = (<VStr>input).s;
  const sb = new StrBuf();
  let i = 0;
  while (i < s.length) {
    if (s.charCodeAt(i) == 60) {
      const e = tagAt(s, i);
      if (e >= 0) {
        i = e;
        continue;
      }
    }
    sb.addCode(s.charCodeAt(i));
    i++;
  }
  const t = jsTrim(sb.toString());
  const out = new StrBuf();
  if (truthy(preserve)) {
    // /^ +| +$/gm removed, / +/g squashed, \r\n -> \n, \n\n\n+ -> \n\n
    const a = new StrBuf();
    let ls = 0;
    for (let j = 0; j <= t.length; j++) {
      if (j == t.length || isLineTerm(t.charCodeAt(j))) {
        let x = ls;
        let y = j;
        while (x < y && t.charCodeAt(x) == 32) x++;
        while (y > x && t.charCodeAt(y - 1) == 32) y--;
        a.addRange(t, x, y);
        if (j < t.length) a.addCode(t.charCodeAt(j));
        ls = j + 1;
      }
    }
    const b = a.toString();
    const c = new StrBuf();
    for (let j = 0; j < b.length; j++) {
      const ch = b.charCodeAt(j);
      if (ch == 32 && j > 0 && b.charCodeAt(j - 1) == 32) continue;
      if (ch == 13 && j + 1 < b.length && b.charCodeAt(j + 1) == 10) continue;
      c.addCode(ch);
    }
    const d = c.toString();
    let j = 0;
    while (j < d.length) {
      if (d.charCodeAt(j) == 10) {
        let k = j;
        while (k < d.length && d.charCodeAt(k) == 10) k++;
        if (k - j >= 3) out.add('\n\n');
        else out.addRange(d, j, k);
        j = k;
      } else {
        out.addCode(d.charCodeAt(j));
        j++;
      }
    }
  } else {
    let j = 0;
    while (j < t.length) {
      if (isJsSpace(t.charCodeAt(j))) {
        while (j < t.length && isJsSpace(t.charCodeAt(j))) j++;
        out.addCode(32);
      } else {
        out.addCode(t.charCodeAt(j));
        j++;
      }
    }
  }
  return copySafeness(input, out.toString());
}

export function fWordcount(v: Value): Value {
  const s = normalize(v);
  if (!truthy(s)) return NONE;
  if (s.k != K_STR) return typeErr();
  const t = (<VStr>s).s;
  let n = 0;
  let i = 0;
  while (i < t.length) {
    if (isWord(t.charCodeAt(i))) {
      n++;
      while (i < t.length && isWord(t.charCodeAt(i))) i++;
    } else i++;
  }
  return n == 0 ? NONE : num(<f64>n);
}

const URI_KEEP = "-_.!~*'()";
const HEXU = '0123456789ABCDEF';

/** encodeURIComponent; null for a lone surrogate (URIError). */
export function encodeURIComponentJs(s: string): string | null {
  const sb = new StrBuf();
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (isAlnum(c) || (c < 128 && URI_KEEP.includes(String.fromCharCode(c)))) {
      sb.addCode(c);
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return null;
    if (c >= 0xd800 && c <= 0xdbff) {
      if (i + 1 >= n) return null;
      const d = s.charCodeAt(i + 1);
      if (d < 0xdc00 || d > 0xdfff) return null;
      c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
      i++;
    }
    let bytes: StaticArray<i32>;
    if (c < 0x80) bytes = [c];
    else if (c < 0x800) bytes = [0xc0 | (c >> 6), 0x80 | (c & 63)];
    else if (c < 0x10000) bytes = [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)];
    else bytes = [0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)];
    for (let k = 0; k < bytes.length; k++) {
      sb.addCode(37);
      sb.addCode(HEXU.charCodeAt(bytes[k] >> 4));
      sb.addCode(HEXU.charCodeAt(bytes[k] & 15));
    }
  }
  return sb.toString();
}

export function fUrlencode(v: Value): Value {
  if (isPrimStr(v)) {
    const r = encodeURIComponentJs((<VStr>v).s);
    return r === null ? err('URI malformed') : str(r);
  }
  const pairs = new Array<Value>();
  if (v.k == K_LIST) {
    const xs = (<VList>v).items;
    for (let i = 0; i < xs.length; i++) pairs.push(xs[i]);
  } else if (v.k != K_UNDEF && v.k != K_NONE) {
    const ks = jsKeys(v);
    for (let i = 0; i < ks.length; i++) {
      const p = new Array<Value>(2);
      p[0] = str(ks[i]);
      p[1] = jsGetKey(v, ks[i]);
      pairs.push(new VList(p));
    }
  }
  const parts = new Array<string>();
  for (let i = 0; i < pairs.length; i++) {
    const k = jsGetKey(pairs[i], '0');
    if (k.isErr) return k;
    const val = jsGetKey(pairs[i], '1');
    if (val.isErr) return val;
    const a = encodeURIComponentJs(jsString(k));
    const b = encodeURIComponentJs(jsString(val));
    if (a === null || b === null) return err('URI malformed');
    parts.push(a + '=' + b);
  }
  return str(parts.join('&'));
}

export function fSafe(v: Value): Value {
  if (v.k == K_STR && (<VStr>v).safe) return v;
  if (v.k == K_UNDEF || v.k == K_NONE) return new VStr('', true);
  return new VStr(jsString(v), true);
}

export function fString(v: Value): Value {
  if (v.k == K_STR && (<VStr>v).safe) return v;
  if (v.k == K_UNDEF || v.k == K_NONE) return typeErr();
  return str(jsString(v));
}

const INT_NAMES: StaticArray<string> = ['value', 'default', 'base'];

/** ToInt32. */
function toInt32(x: f64): i32 {
  if (!isFinite(x)) return 0;
  const t = Math.trunc(x);
  const m = t - Math.floor(t / 4294967296) * 4294967296;
  return <i32>(<u32>(<i64>m));
}

export function fInt(args: Array<Value>): Value {
  const a = macroArgs(args, INT_NAMES);
  const base = a[2];
  const radix = base.k == K_UNDEF ? 10 : toInt32(toNumber(base));
  const r = jsParseInt(jsString(a[0]), radix);
  return r != r ? a[1] : num(r);
}

export function fFloat(v: Value, def: Value): Value {
  const r = jsParseFloat(jsString(v));
  return r != r ? def : num(r);
}

export function fAbs(v: Value): Value {
  return num(Math.abs(toNumber(v)));
}

/** JS Math.round. */
export function jsRound(x: f64): f64 {
  if (x != x || !isFinite(x)) return x;
  if (x < 0 && x >= -0.5) return -0.0;
  const f = Math.floor(x);
  return x - f >= 0.5 ? f + 1 : f;
}

export function fRound(v: Value, precision: Value, method: Value): Value {
  const p: f64 = truthy(precision) ? toNumber(precision) : 0;
  const factor = jsPow(10, p);
  const x = toNumber(v) * factor;
  let r: f64;
  if (strictEq(method, str('ceil'))) r = Math.ceil(x);
  else if (strictEq(method, str('floor'))) r = Math.floor(x);
  else r = jsRound(x);
  return num(r / factor);
}

export function fDefault(v: Value, def: Value, b: Value): Value {
  if (truthy(b)) return truthy(v) ? v : def;
  return v.k != K_UNDEF ? v : def;
}
