/**
 * IX's filters (engine/eval/filters.ts) and the `ix` object of the render context: list blocks
 * (`parse_list`, `fix_list`, `preproc`, `list_to_json`), url lists (`parse_urls`), base64,
 * JSON in and out, `field`, `pad`, `fjoin`, paths. A list block is parsed by dropping empty
 * lines and lines starting with `#`, then splitting on whitespace. IX's filters call methods on
 * their value, so an undefined value fails in them (except `fjoin`, `defined`, `replace`).
 *
 * Must not depend on: anything of the core but rt/ and errors.ts.
 */
import {
  Value, VNum, VStr, VList, VDict, VFunc, VErr,
  K_UNDEF, K_NUM, K_LIST, K_STR,
  UNDEF, err, num, str,
} from './value';
import { jsonDumpInto, pyJsonDumps, pyStr } from './pystr';
import { checkSize, countLoop } from './state';
import { StrBuf } from './strbuf';
import { codePoints, jsSplit, jsTrim } from './strutil';
import { base64Decode, base64Encode, decodeUtf8, encodeUtf8 } from './textio';
import { parseJson, jsonErrOffset, jsonErrFound } from './json';
import { jsParseInt } from './jsconv';

/** Python's str.isspace() code units (str.strip() with no argument). */
export function isPyWs(c: i32): bool {
  return c == 32 || (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x1f) || c == 0x85 || c == 0xa0 || c == 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

/** Python's str.strip() (its whitespace set, not JS's). */
export function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isPyWs(s.charCodeAt(a))) a++;
  while (b > a && isPyWs(s.charCodeAt(b - 1))) b--;
  return a == 0 && b == s.length ? s : s.substring(a, b);
}

/** The bounds of the item line nextItem found last (module state: no object per line). */
let itemFrom = 0;
let itemTo = 0;

/**
 * The next item line of `s` at or after `from` (a line stripped of Python whitespace, neither
 * empty nor starting with `#`), its bounds into itemFrom/itemTo; where the next search starts,
 * or -1 when no item line is left. Shared by preproc and fix_list, which must agree on the items.
 */
function nextItem(s: string, from: i32): i32 {
  const n = s.length;
  let start = from;
  while (start <= n) {
    let i = start;
    while (i < n && s.charCodeAt(i) != 10) i++;
    let a = start;
    let b = i;
    start = i + 1;
    while (a < b && isPyWs(s.charCodeAt(a))) a++;
    while (b > a && isPyWs(s.charCodeAt(b - 1))) b--;
    if (b > a && s.charCodeAt(a) != 35) {
      itemFrom = a;
      itemTo = b;
      return start;
    }
  }
  return -1;
}

/**
 * IX's `preproc`: the item lines of a list block (nextItem), each a string value, counted as loop
 * iterations. Taken in one pass into the result's list (no array of line strings first: list
 * blocks are parsed several times in every render).
 */
export function preproc(v: Value): Value {
  const s = pyStr(v);
  const out = new Array<Value>();
  const n = s.length;
  for (let p = nextItem(s, 0); p >= 0; p = nextItem(s, p)) {
    out.push(str(itemFrom == 0 && itemTo == n ? s : s.substring(itemFrom, itemTo)));
  }
  const e = countLoop(<f64>out.length);
  if (e !== null) return e;
  return new VList(out);
}

function strList(xs: Array<string>): VList {
  const out = new Array<Value>(xs.length);
  for (let i = 0; i < xs.length; i++) unchecked((out[i] = str(xs[i])));
  return new VList(out);
}

/** fix_list's text while it is built (reused: cleared at every call, nothing called meanwhile). */
const fixBuf = new StrBuf(256);

/**
 * IX's `fix_list`: the item lines (nextItem) joined by single spaces, runs of spaces collapsed, written in
 * one pass over the text (no line strings or array of them); counted as its item lines.
 */
export function fixList(v: Value): Value {
  const s = pyStr(v);
  const sb = fixBuf;
  sb.clear();
  let lines = 0;
  let prevSpace = false;
  for (let p = nextItem(s, 0); p >= 0; p = nextItem(s, p)) {
    if (lines > 0) {
      // the joining space, as if prepended to the line
      if (!prevSpace) sb.addCode(32);
      prevSpace = true;
    }
    lines++;
    for (let j = itemFrom; j < itemTo; j++) {
      const c = s.charCodeAt(j);
      if (c == 32) {
        if (prevSpace) continue;
        prevSpace = true;
      } else prevSpace = false;
      sb.addCode(c);
    }
  }
  const e = countLoop(<f64>lines);
  if (e !== null) return e;
  return str(sb.toString());
}

/**
 * IX's `parse_list`: fix_list's text split on single spaces, empty parts dropped. As fix_list
 * joins the item lines with spaces, that is each item line's runs of characters other than ' ',
 * taken here in one pass over the text (no line strings, joined text or split array: list blocks
 * are parsed several times in every render); counted as fix_list's lines, then as its items.
 */
export function parseList(v: Value): Value {
  const s = pyStr(v);
  const out = new Array<Value>();
  let lines = 0;
  let start = 0;
  const n = s.length;
  for (let i = 0; i <= n; i++) {
    if (i < n && s.charCodeAt(i) != 10) continue;
    let a = start;
    let b = i;
    start = i + 1;
    while (a < b && isPyWs(s.charCodeAt(a))) a++;
    while (b > a && isPyWs(s.charCodeAt(b - 1))) b--;
    if (b == a || s.charCodeAt(a) == 35) continue;
    lines++;
    while (a < b) {
      while (a < b && s.charCodeAt(a) == 32) a++;
      let t = a;
      while (t < b && s.charCodeAt(t) != 32) t++;
      if (t > a) out.push(str(a == 0 && t == n ? s : s.substring(a, t)));
      a = t;
    }
  }
  const e = countLoop(<f64>lines);
  if (e !== null) return e;
  const e2 = countLoop(<f64>out.length);
  if (e2 !== null) return e2;
  return new VList(out);
}

export function listToJson(v: Value): Value {
  const p = preproc(v);
  if (p.isErr) return p;
  return pyJsonDumps(p);
}

/** url + checksum pairs as IX pairs them (a token with `://` sets the url, any other the checksum). */
export function parseUrls(v: Value): Value {
  const f = fixList(v);
  if (f.isErr) return f;
  const toks = jsSplit((<VStr>f).s, ' ');
  const out = new Array<Value>();
  let cur = new VDict();
  for (let i = 0; i < toks.length; i++) {
    const tok = toks[i];
    if (tok.includes('://')) cur.set('url', str(tok));
    else cur.set('md5', str(tok.startsWith('sha:') ? tok.substring(4) : tok));
    if (cur.has('url') && cur.has('md5')) {
      out.push(cur);
      cur = new VDict();
    }
  }
  return new VList(out);
}

function isDigits(s: string): bool {
  let i = 0;
  const n = s.length;
  if (n > 0 && (s.charCodeAt(0) == 43 || s.charCodeAt(0) == 45)) i = 1;
  if (i >= n) return false;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

let toIntErr: VErr | null = null;
function toInt(v: Value, what: string): f64 {
  if (v.k == K_NUM) {
    const n = (<VNum>v).n;
    if (n == Math.trunc(n) && isFinite(n)) return n;
  }
  const s = jsTrim(pyStr(v));
  if (!isDigits(s)) {
    toIntErr = err(what + ": invalid integer '" + s + "'");
    return 0;
  }
  return jsParseInt(s, 10);
}
function takeToIntErr(): VErr | null {
  const e = toIntErr;
  toIntErr = null;
  return e;
}

function field(v: Value, n: Value): Value {
  const s = pyStr(v);
  const parts = jsSplit(s, '.');
  let i = toInt(n, 'field');
  const e = takeToIntErr();
  if (e !== null) return e;
  if (i < 0) i += parts.length;
  if (i < 0 || i >= <f64>parts.length) return err("field: '" + s + "' has no field " + pyStr(n));
  return str(parts[<i32>i]);
}

function pad(v: Value, n: Value): Value {
  const s = pyStr(v);
  const w = toInt(n, 'pad');
  const e = takeToIntErr();
  if (e !== null) return e;
  const e2 = checkSize(w);
  if (e2 !== null) return e2;
  return <f64>s.length >= w ? str(s) : str(s + '0'.repeat(<i32>w - s.length));
}

function fjoin(v: Value, sep: Value): Value {
  let items: Array<string>;
  if (v.k == K_LIST) {
    const xs = (<VList>v).items;
    items = new Array<string>(xs.length);
    for (let i = 0; i < xs.length; i++) items[i] = pyStr(xs[i]);
  } else items = codePoints(pyStr(v));
  const d = pyStr(sep);
  let total: f64 = 0;
  for (let i = 0; i < items.length; i++) total += items[i].length;
  total += <f64>d.length * <f64>(items.length > 1 ? items.length - 1 : 0);
  const e = checkSize(total);
  if (e !== null) return e;
  return str(items.join(d));
}

function dirname(v: Value): Value {
  const s = pyStr(v);
  const i = s.lastIndexOf('/');
  if (i < 0) return str('');
  const head = s.substring(0, i + 1);
  let e = head.length;
  while (e > 0 && head.charCodeAt(e - 1) == 47) e--;
  return e == 0 ? str(head) : str(head.substring(0, e));
}

function b64d(v: Value): Value {
  const bytes = base64Decode(pyStr(v));
  if (bytes === null) return err('b64d: not valid base64');
  const s = decodeUtf8(bytes);
  if (s === null) return err('b64d: decoded bytes are not UTF-8');
  return str(s);
}

function jl(v: Value): Value {
  const r = parseJson(pyStr(v));
  if (r !== null) return r;
  return err('jl: invalid JSON at offset ' + jsonErrOffset.toString() + ': unexpected ' + jsonErrFound);
}

function ixReplace(v: Value, a: Value, b: Value, n: Value): Value {
  const s = pyStr(v);
  const from = pyStr(a);
  const to = pyStr(b);
  if (from.length == 0) return str(s);
  const parts = jsSplit(s, from);
  const lim: f64 = n.k == K_NUM && (<VNum>n).n >= 0 ? (<VNum>n).n : Infinity;
  const k = Math.min(<f64>(parts.length - 1), lim);
  const e = checkSize(<f64>s.length + <f64>(to.length - from.length) * k);
  if (e !== null) return e;
  const kk = <i32>Math.floor(k);
  const head = parts.slice(0, kk + 1).join(to);
  return str(kk < parts.length - 1 ? head + from + parts.slice(kk + 1).join(from) : head);
}

const IX_NAMES: StaticArray<string> = [
  'parse_list', 'fix_list', 'list_to_json', 'preproc', 'parse_urls', 'defined', 'b64e', 'b64d', 'field',
  'fjoin', 'dirname', 'basename', 'strip', 'jd', 'jl', 'pad', 'add', 'lines', 'replace',
];

/** Index of IX filter `name`, or -1. */
export function ixFilterIndex(name: string): i32 {
  for (let i = 0; i < IX_NAMES.length; i++) if (unchecked(IX_NAMES[i]) == name) return i;
  return -1;
}

export function ixFilterNames(): Array<string> {
  const out = new Array<string>();
  for (let i = 0; i < IX_NAMES.length; i++) out.push(IX_NAMES[i]);
  return out;
}

@inline function arg(args: Array<Value>, i: i32): Value {
  return i < args.length ? unchecked(args[i]) : UNDEF;
}

/** IX filter `jd`'s id: a string's JSON is JSON.stringify's with every code unit >= 0x7f escaped (pystr.ts). */
export const JD_FILTER: i32 = 13;

/** Whether IX filter `id` answers JSON text (list_to_json, jd): jsonFilterInto can write it in place. */
export function isJsonFilter(id: i32): bool {
  return id == 2 || id == JD_FILTER;
}

/**
 * The text IX filter `id` (isJsonFilter) answers for `v` alone, appended to `b` instead of made
 * into a string (`{{ x | jd }}` writes it straight into the output); the error or null. On an
 * error `b` may hold part of the text: the caller cuts it back.
 */
export function jsonFilterInto(id: i32, v: Value, b: StrBuf): Value | null {
  if (v.k == K_UNDEF) return err('filter ' + IX_NAMES[id] + ': its value is undefined');
  if (id == JD_FILTER) return jsonDumpInto(b, v);
  const p = preproc(v);
  if (p.isErr) return p;
  return jsonDumpInto(b, p);
}

/** Apply IX filter number `id` (ixFilterIndex) to args[0] with the rest as its arguments. */
export function ixFilter(id: i32, args: Array<Value>): Value {
  const v = arg(args, 0);
  // fjoin, defined, replace see an undefined value themselves
  if (v.k == K_UNDEF && id != 9 && id != 5 && id != 18) return err('filter ' + IX_NAMES[id] + ': its value is undefined');
  switch (id) {
    case 0: return parseList(v);
    case 1: return fixList(v);
    case 2: return listToJson(v);
    case 3: return preproc(v);
    case 4: return parseUrls(v);
    case 5:
      if (v.k == K_UNDEF) return err(pyStr(arg(args, 1)) + ' undefined');
      return v;
    case 6: return str(base64Encode(encodeUtf8(pyStr(v))));
    case 7: return b64d(v);
    case 8: return field(v, arg(args, 1));
    case 9: return fjoin(v, arg(args, 1));
    case 10: return dirname(v);
    case 11: {
      const s = pyStr(v);
      return str(s.substring(s.lastIndexOf('/') + 1));
    }
    case 12: return str(pyStrip(pyStr(v)));
    case 13: return pyJsonDumps(v);
    case 14: return jl(v);
    case 15: return pad(v, arg(args, 1));
    case 16: {
      const a = toInt(v, 'add');
      let e = takeToIntErr();
      if (e !== null) return e;
      const b = toInt(arg(args, 1), 'add');
      e = takeToIntErr();
      if (e !== null) return e;
      return num(a + b);
    }
    case 17: return strList(jsSplit(pyStrip(pyStr(v)), '\n'));
    case 18: return ixReplace(v, arg(args, 1), arg(args, 2), arg(args, 3));
    default: return UNDEF;
  }
}

// ---- the `ix` object ----------------------------------------------------------------------------

/** Reads `load_file` targets for the `ix` object (installed by the renderer: it owns the loader). */
export abstract class FileLoader {
  /** The text of recipe file `name` resolved against package `pkg`'s template, or an Err. */
  abstract load(name: string, pkg: string): Value;
}

export let fileLoader: FileLoader | null = null;
export function setFileLoader(l: FileLoader | null): void {
  fileLoader = l;
}

class IxMethod extends VFunc {
  constructor(public id: i32, public pkg: string) {
    super();
  }
  call(args: Array<Value>): Value {
    const v = arg(args, 0);
    switch (this.id) {
      case 0: return ixFilter(2, args);
      case 1: {
        const u = parseUrls(v);
        return u.isErr ? u : pyJsonDumps(u);
      }
      case 2: return pyJsonDumps(str(pyStr(v)));
      case 3: return parseList(v);
      case 4: return ixFilter(1, args);
      case 5: return parseUrls(v);
      case 6: return err(pyStr(v));
      case 7: {
        const l = fileLoader;
        if (l === null) return err('load_file: no loader');
        return l.load(pyStr(v), this.pkg);
      }
      default: return UNDEF;
    }
  }
}

const IX_METHODS: StaticArray<string> = ['list_to_json', 'urls_to_json', 'string_to_json', 'parse_list', 'fix_list', 'parse_urls', 'error', 'load_file'];

/** The `ix` object of package `pkg`'s render context (methods named as in IX's trees). */
export function ixObject(pkg: string): VDict {
  const d = new VDict();
  for (let i = 0; i < IX_METHODS.length; i++) d.set(IX_METHODS[i], new IxMethod(i, pkg));
  return d;
}

export { K_STR };
