/**
 * Python str/list/dict methods templates call on values (engine/eval/pystr.ts strMethod and
 * containerMethod), as bound Funcs: `'a b'.split()`, `xs.index(x)`, `d.items()`. Arguments are
 * converted as the oracle converts them (JS String() where it uses String()); a method that can
 * grow a string checks the size first (`string result larger than N bytes`).
 *
 * Must not depend on: anything of the core but rt/ and errors.ts.
 */
import { jsLower, jsUpper } from './casemap';
import {
  Value, VNum, VStr, VList, VDict, VFunc,
  K_UNDEF, K_NONE, K_NUM, K_STR, K_LIST, K_DICT,
  UNDEF, NONE, EMPTY_STR, bool_, num, err, str,
} from './value';
import { pyRepr, pyStr } from './pystr';
import { jsString, strictEq, toNumber } from './jsconv';
import { maxOutput } from './state';
import { StrBuf } from './strbuf';
import { codePoints, jsSplit } from './strutil';

const STR_METHODS: StaticArray<string> = [
  'strip', 'lstrip', 'rstrip', 'split', 'splitlines', 'upper', 'lower', 'startswith', 'endswith',
  'find', 'rfind', 'count', 'isdigit', 'isalpha', 'capitalize', 'removeprefix', 'removesuffix',
  'replace', 'join', 'zfill', 'format',
];

@inline function arg(args: Array<Value>, i: i32): Value {
  return i < args.length ? unchecked(args[i]) : UNDEF;
}

function growErr(): Value {
  return err('string result larger than ' + maxOutput.toString() + ' bytes');
}

class StrMethod extends VFunc {
  constructor(public s: string, public id: i32) {
    super();
  }
  call(args: Array<Value>): Value {
    return callStrMethod(this.s, this.id, args);
  }
}

/** The str method `name` bound to `s`, or UNDEF when strings have none of that name. */
export function strMethod(s: string, name: string): Value {
  for (let i = 0; i < STR_METHODS.length; i++) if (unchecked(STR_METHODS[i]) == name) return new StrMethod(s, i);
  return UNDEF;
}

const WS = ' \t\n\r\x0b\x0c';

function stripChars(s: string, chars: Value, left: bool, right: bool): Value {
  const set = chars.k == K_UNDEF || chars.k == K_NONE ? WS : jsString(chars);
  let a = 0;
  let b = s.length;
  if (left) while (a < b && hasUnit(set, s.charCodeAt(a))) a++;
  if (right) while (b > a && hasUnit(set, s.charCodeAt(b - 1))) b--;
  return str(s.substring(a, b));
}

/** Whether code unit `c` occurs in `set` (no one-unit string made per test). */
function hasUnit(set: string, c: i32): bool {
  for (let i = 0; i < set.length; i++) if (set.charCodeAt(i) == c) return true;
  return false;
}

@inline function isSplitSpace(c: i32): bool {
  return c == 32 || (c >= 9 && c <= 13);
}

function strList(xs: Array<string>): VList {
  const out = new Array<Value>(xs.length);
  for (let i = 0; i < xs.length; i++) unchecked((out[i] = str(xs[i])));
  return new VList(out);
}

function pySplit(s: string, sep: Value, maxsplit: Value): Value {
  const max: f64 = maxsplit.k == K_NUM && (<VNum>maxsplit).n >= 0 ? (<VNum>maxsplit).n : -1;
  if (sep.k == K_UNDEF || sep.k == K_NONE) {
    const out = new Array<string>();
    const n = s.length;
    let i = 0;
    while (i < n && isSplitSpace(s.charCodeAt(i))) i++;
    while (i < n) {
      if (max >= 0 && <f64>out.length == max) {
        out.push(s.substring(i));
        break;
      }
      let j = i;
      while (j < n && !isSplitSpace(s.charCodeAt(j))) j++;
      out.push(s.substring(i, j));
      while (j < n && isSplitSpace(s.charCodeAt(j))) j++;
      i = j;
    }
    return strList(out);
  }
  const d = jsString(sep);
  if (d.length == 0) return err('split(): empty separator');
  const parts = jsSplit(s, d);
  if (max < 0 || <f64>parts.length <= max + 1) return strList(parts);
  const m = <i32>Math.floor(max);
  const out = parts.slice(0, m);
  out.push(parts.slice(m).join(d));
  return strList(out);
}

function splitlines(s: string): Value {
  const out = new Array<string>();
  const n = s.length;
  let start = 0;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c == 13 || c == 10) {
      out.push(s.substring(start, i));
      i += c == 13 && i + 1 < n && s.charCodeAt(i + 1) == 10 ? 2 : 1;
      start = i;
    } else i++;
  }
  const last = s.substring(start);
  if (last.length > 0) out.push(last);
  return strList(out);
}

function anyPrefix(s: string, p: Value, end: bool): Value {
  if (p.k == K_LIST) {
    const xs = (<VList>p).items;
    for (let i = 0; i < xs.length; i++) {
      const x = jsString(xs[i]);
      if (end ? s.endsWith(x) : s.startsWith(x)) return bool_(true);
    }
    return bool_(false);
  }
  const x = jsString(p);
  return bool_(end ? s.endsWith(x) : s.startsWith(x));
}

function allIn(s: string, lo1: i32, hi1: i32, lo2: i32, hi2: i32): bool {
  if (s.length == 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= lo1 && c <= hi1) || (c >= lo2 && c <= hi2))) return false;
  }
  return true;
}

function countOf(s: string, x: string): i32 {
  if (x.length == 0) return s.length + 1;
  let c = 0;
  let i = s.indexOf(x);
  while (i >= 0) {
    c++;
    i = s.indexOf(x, i + x.length);
  }
  return c;
}

function pyReplace(s: string, a: string, b: string, n: Value): Value {
  const limit: f64 = n.k == K_NUM && (<VNum>n).n >= 0 ? (<VNum>n).n : Infinity;
  if (a.length == 0) {
    if (<f64>s.length + <f64>b.length * <f64>(s.length + 1) > <f64>maxOutput) return growErr();
    const cps = codePoints(s);
    const sb = new StrBuf();
    let used: f64 = 0;
    for (let i = 0; i <= cps.length; i++) {
      if (used < limit) {
        sb.add(b);
        used++;
      }
      if (i < cps.length) sb.add(cps[i]);
    }
    return str(sb.toString());
  }
  const parts = jsSplit(s, a);
  const k: f64 = Math.min(<f64>(parts.length - 1), limit);
  if (<f64>s.length + <f64>(b.length - a.length) * k > <f64>maxOutput) return growErr();
  if (k == <f64>(parts.length - 1)) return str(parts.join(b));
  const kk = <i32>Math.floor(k);
  return str(parts.slice(0, kk + 1).join(b) + a + parts.slice(kk + 1).join(a));
}

function strJoin(s: string, xs: Value): Value {
  let items: Array<string>;
  if (xs.k == K_LIST) {
    const l = (<VList>xs).items;
    items = new Array<string>(l.length);
    for (let i = 0; i < l.length; i++) items[i] = pyStr(l[i]);
  } else if (xs.k == K_STR && !(<VStr>xs).safe) items = codePoints((<VStr>xs).s);
  else items = new Array<string>();
  let total: f64 = 0;
  for (let i = 0; i < items.length; i++) total += items[i].length;
  total += <f64>s.length * <f64>(items.length > 1 ? items.length - 1 : 0);
  if (total > <f64>maxOutput) return growErr();
  return str(items.join(s));
}

function zfill(s: string, w: Value): Value {
  const n = toNumber(w);
  if (n > <f64>maxOutput) return growErr();
  if (!(n > <f64>s.length)) return str(s);
  const width = <i32>Math.floor(n);
  if (width <= s.length) return str(s);
  return str('0'.repeat(width - s.length) + s);
}

function format(s: string, args: Array<Value>): Value {
  const sb = new StrBuf();
  const n = s.length;
  let auto = 0;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c == 123) {
      let j = i + 1;
      while (j < n && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
      if (j < n && s.charCodeAt(j) == 125) {
        let idx: f64;
        if (j == i + 1) idx = <f64>(auto++);
        else idx = parseFloat(s.substring(i + 1, j));
        if (idx < <f64>args.length) sb.add(pyStr(args[<i32>idx]));
        i = j + 1;
        continue;
      }
    }
    sb.addCode(c);
    i++;
  }
  if (sb.length > maxOutput) return growErr();
  return str(sb.toString());
}

function callStrMethod(s: string, id: i32, args: Array<Value>): Value {
  switch (id) {
    case 0: return stripChars(s, arg(args, 0), true, true);
    case 1: return stripChars(s, arg(args, 0), true, false);
    case 2: return stripChars(s, arg(args, 0), false, true);
    case 3: return pySplit(s, arg(args, 0), arg(args, 1));
    case 4: return splitlines(s);
    case 5: return str(jsUpper(s));
    case 6: return str(jsLower(s));
    case 7: return anyPrefix(s, arg(args, 0), false);
    case 8: return anyPrefix(s, arg(args, 0), true);
    case 9: return num(<f64>s.indexOf(jsString(arg(args, 0))));
    case 10: return num(<f64>s.lastIndexOf(jsString(arg(args, 0))));
    case 11: return num(<f64>countOf(s, jsString(arg(args, 0))));
    case 12: return bool_(allIn(s, 48, 57, 48, 57));
    case 13: return bool_(allIn(s, 65, 90, 97, 122));
    case 14: return s.length == 0 ? EMPTY_STR : str(jsUpper(s.charAt(0)) + jsLower(s.substring(1)));
    case 15: {
      const p = jsString(arg(args, 0));
      return str(s.startsWith(p) ? s.substring(p.length) : s);
    }
    case 16: {
      const p = jsString(arg(args, 0));
      return str(p.length > 0 && s.endsWith(p) ? s.substring(0, s.length - p.length) : s);
    }
    case 17: return pyReplace(s, jsString(arg(args, 0)), jsString(arg(args, 1)), arg(args, 2));
    case 18: return strJoin(s, arg(args, 0));
    case 19: return zfill(s, arg(args, 0));
    case 20: return format(s, args);
    default: return UNDEF;
  }
}

// ---- list and dict methods -------------------------------------------------------------------------

class ContainerMethod extends VFunc {
  constructor(public obj: Value, public id: i32) {
    super();
  }
  call(args: Array<Value>): Value {
    return callContainerMethod(this.obj, this.id, args);
  }
}

/** The list/dict method `name` bound to `v`, or UNDEF. */
export function containerMethod(v: Value, name: string): Value {
  if (v.k == K_LIST) {
    if (name == 'index') return new ContainerMethod(v, 0);
    if (name == 'count') return new ContainerMethod(v, 1);
    return UNDEF;
  }
  if (v.k == K_DICT) {
    if (name == 'items') return new ContainerMethod(v, 2);
    if (name == 'keys') return new ContainerMethod(v, 3);
    if (name == 'values') return new ContainerMethod(v, 4);
    if (name == 'get') return new ContainerMethod(v, 5);
  }
  return UNDEF;
}

function callContainerMethod(v: Value, id: i32, args: Array<Value>): Value {
  if (id <= 1) {
    const xs = (<VList>v).items;
    const x = arg(args, 0);
    if (id == 0) {
      for (let i = 0; i < xs.length; i++) if (strictEq(xs[i], x)) return num(<f64>i);
      return err(pyRepr(x) + ' is not in list');
    }
    let c = 0;
    for (let i = 0; i < xs.length; i++) if (strictEq(xs[i], x)) c++;
    return num(<f64>c);
  }
  const d = <VDict>v;
  const o = d.order();
  if (id == 5) {
    const got = d.get(jsString(arg(args, 0)));
    if (got !== null) return got;
    const dflt = arg(args, 1);
    return dflt.k == K_UNDEF ? NONE : dflt;
  }
  const out = new Array<Value>(o.length);
  for (let i = 0; i < o.length; i++) {
    const k = o[i];
    if (id == 2) {
      const pair = new Array<Value>(2);
      pair[0] = new VStr(d.keys[k]);
      pair[1] = d.vals[k];
      out[i] = new VList(pair);
    } else if (id == 3) out[i] = new VStr(d.keys[k]);
    else out[i] = d.vals[k];
  }
  return new VList(out);
}

export { K_STR, K_DICT };
