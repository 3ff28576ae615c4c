/**
 * nunjucks 3.2.4's stock filters on lists and dicts, as nunjucks implements them in JavaScript:
 * batch, dictsort, first, last, groupby, join, length, list, reverse, select, reject,
 * selectattr, rejectattr, sort, sum. Sorting is stable (V8's TimSort is) and puts undefined
 * items last without comparing them, as Array.prototype.sort does.
 *
 * Must not depend on: anything of the core but rt/ and errors.ts.
 */
import { jsLower, jsUpper } from './casemap';
import {
  Value, VStr, VList, VDict, VErr, VFunc,
  K_UNDEF, K_NONE, K_STR, K_LIST, K_DICT, K_BOOL,
  UNDEF, err, num, str,
} from './value';
import { truthy } from './pystr';
import { jsString, jsLess, joinInto, strictEq, toNumber, toPrimitive } from './jsconv';
import { StrBuf } from './strbuf';
import { typeErr, isJsObject, isPrimStr, jsArrayLike, jsGet, jsGetKey, jsHasOwn, jsKeys } from './jsobj';
import { macroArgs } from './stockstr';
import { countLoop } from './state';
import { runTest, testByValue } from './tests';

/** The first error a comparator met while sorting (sorting continues, the result is dropped). */
let sortErr: VErr | null = null;

abstract class Cmp {
  abstract cmp(a: Value, b: Value): i32;
}

/**
 * V8's TimSort as far as its comparisons decide the result: runs found as V8 finds them
 * (a strictly descending run reversed), short runs extended by binary insertion to the minimum
 * run length, then runs merged stably. For a consistent comparator every stable sort gives the
 * same order; for an inconsistent one (mixed types) this matches V8 on arrays shorter than 64.
 */
function stableSort(xs: Array<Value>, c: Cmp): Array<Value> {
  const n = xs.length;
  if (n < 2) return xs;
  let m = n;
  let r = 0;
  while (m >= 64) {
    r |= m & 1;
    m >>= 1;
  }
  const minRun = m + r;
  const runs = new Array<i32>();
  let low = 0;
  while (low < n) {
    let len = countAndMakeRun(xs, low, n, c);
    if (len < minRun) {
      const forced = minRun < n - low ? minRun : n - low;
      binaryInsertionSort(xs, low, low + len, low + forced, c);
      len = forced;
    }
    runs.push(low);
    low += len;
  }
  runs.push(n);
  // merge neighbouring runs until one is left
  let bounds = runs;
  let src = xs;
  while (bounds.length > 2) {
    const dst = new Array<Value>(n);
    const nb = new Array<i32>();
    for (let k = 0; k + 1 < bounds.length; k += 2) {
      const lo = bounds[k];
      const mid = bounds[k + 1];
      const hi = k + 2 < bounds.length ? bounds[k + 2] : mid;
      let i = lo;
      let j = mid;
      let w = lo;
      while (i < mid && j < hi) {
        if (c.cmp(src[j], src[i]) < 0) dst[w++] = src[j++];
        else dst[w++] = src[i++];
      }
      while (i < mid) dst[w++] = src[i++];
      while (j < hi) dst[w++] = src[j++];
      nb.push(lo);
    }
    nb.push(n);
    bounds = nb;
    src = dst;
  }
  return src;
}

function countAndMakeRun(xs: Array<Value>, lowArg: i32, high: i32, c: Cmp): i32 {
  const low = lowArg + 1;
  if (low == high) return 1;
  let runLength = 2;
  let prev = xs[low];
  const desc = c.cmp(prev, xs[low - 1]) < 0;
  for (let idx = low + 1; idx < high; idx++) {
    const cur = xs[idx];
    const order = c.cmp(cur, prev);
    if (desc ? order >= 0 : order < 0) break;
    prev = cur;
    runLength++;
  }
  if (desc) {
    let a = lowArg;
    let b = lowArg + runLength - 1;
    while (a < b) {
      const t = xs[a];
      xs[a] = xs[b];
      xs[b] = t;
      a++;
      b--;
    }
  }
  return runLength;
}

function binaryInsertionSort(xs: Array<Value>, low: i32, startArg: i32, high: i32, c: Cmp): void {
  let start = low == startArg ? startArg + 1 : startArg;
  for (; start < high; start++) {
    let left = low;
    let right = start;
    const pivot = xs[start];
    while (left < right) {
      const mid = left + ((right - left) >> 1);
      if (c.cmp(pivot, xs[mid]) < 0) right = mid;
      else left = mid + 1;
    }
    for (let p = start; p > left; p--) xs[p] = xs[p - 1];
    xs[left] = pivot;
  }
}

/** Array.prototype.sort: undefined items go last uncompared. */
function jsSort(xs: Array<Value>, c: Cmp): Array<Value> {
  const defined = new Array<Value>();
  let undef = 0;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i].k == K_UNDEF) undef++;
    else defined.push(xs[i]);
  }
  const out = stableSort(defined, c);
  for (let i = 0; i < undef; i++) out.push(UNDEF);
  return out;
}

@inline function arg(args: Array<Value>, i: i32): Value {
  return i < args.length ? unchecked(args[i]) : UNDEF;
}

/** lib.getAttrGetter(attr) applied to item: own properties along a dotted path, else UNDEF. */
function attrPath(item: Value, attr: Value): Value {
  if (!truthy(attr)) return item;
  let parts: Array<string>;
  if (isPrimStr(attr)) parts = (<VStr>attr).s.split('.');
  else parts = [jsString(attr)];
  let cur = item;
  for (let i = 0; i < parts.length; i++) {
    const h = jsHasOwn(cur, parts[i]);
    if (h < 0) return typeErr();
    if (h == 0) return UNDEF;
    cur = jsGetKey(cur, parts[i]);
  }
  return cur;
}

export function fBatch(v: Value, linecount: Value, fill: Value): Value {
  const len = jsGetKey(v, 'length');
  if (len.isErr) return len;
  const items = jsArrayLike(v);
  const lc = toNumber(linecount);
  const res = new Array<Value>();
  let tmp = new Array<Value>();
  for (let i = 0; i < items.length; i++) {
    if (<f64>i % lc == 0 && tmp.length > 0) {
      res.push(new VList(tmp));
      tmp = new Array<Value>();
    }
    tmp.push(items[i]);
  }
  if (tmp.length > 0) {
    if (truthy(fill)) {
      // the oracle would exhaust memory on a huge count; the core counts it as loop iterations
      if (lc - <f64>tmp.length > 0) {
        const e = countLoop(lc - <f64>tmp.length);
        if (e !== null) return e;
      }
      for (let i = tmp.length; <f64>i < lc; i++) tmp.push(fill);
    }
    res.push(new VList(tmp));
  }
  return new VList(res);
}

class DictsortCmp extends Cmp {
  constructor(public si: i32, public cs: bool) {
    super();
  }
  cmp(t1: Value, t2: Value): i32 {
    let a = (<VList>t1).items[this.si];
    let b = (<VList>t2).items[this.si];
    if (!this.cs) {
      if (isPrimStr(a)) a = str(jsUpper((<VStr>a).s));
      if (isPrimStr(b)) b = str(jsUpper((<VStr>b).s));
    }
    return jsLess(b, a) == 1 ? 1 : strictEq(a, b) ? 0 : -1;
  }
}

export function fDictsort(v: Value, caseSensitive: Value, by: Value): Value {
  if (!isJsObject(v)) return err('dictsort filter: val must be an object');
  const ks = jsKeys(v);
  const arr = new Array<Value>();
  for (let i = 0; i < ks.length; i++) {
    const p = new Array<Value>(2);
    p[0] = str(ks[i]);
    p[1] = jsGetKey(v, ks[i]);
    arr.push(new VList(p));
  }
  if (v.k == K_STR) {
    // for-in also walks SafeString.prototype's enumerable methods
    arr.push(pair('valueOf', PROTO_VALUE_OF));
    arr.push(pair('toString', PROTO_TO_STRING));
  }
  let si = 0;
  if (by.k == K_UNDEF || strictEq(by, str('key'))) si = 0;
  else if (strictEq(by, str('value'))) si = 1;
  else return err('dictsort filter: You can only sort by either key or value');
  return new VList(jsSort(arr, new DictsortCmp(si, truthy(caseSensitive))));
}

/**
 * SafeString.prototype's valueOf / toString as dictsort's for-in meets them. Sorting by value
 * compares them as JS does, by their source text, so each carries the oracle's (nunjucks'
 * runtime: both builds spell them alike).
 */
class ProtoFn extends VFunc {
  constructor(name: string) {
    super();
    this.source = 'function ' + name + '() {\n  return this.val;\n}';
  }
  call(_args: Array<Value>): Value {
    return UNDEF;
  }
}
const PROTO_VALUE_OF: Value = new ProtoFn('valueOf');
const PROTO_TO_STRING: Value = new ProtoFn('toString');

function pair(k: string, v: Value): VList {
  const p = new Array<Value>(2);
  p[0] = str(k);
  p[1] = v;
  return new VList(p);
}

export function fFirst(v: Value): Value {
  return jsGetKey(v, '0');
}

export function fLast(v: Value): Value {
  const len = jsGetKey(v, 'length');
  if (len.isErr) return len;
  return jsGetKey(v, jsString(num(toNumber(len) - 1)));
}

export function fGroupby(v: Value, attr: Value): Value {
  const len = jsGetKey(v, 'length');
  if (len.isErr) return len;
  const items = jsArrayLike(v);
  const res = new VDict();
  for (let i = 0; i < items.length; i++) {
    const key = attrPath(items[i], attr);
    if (key.isErr) return key;
    const k = jsString(key);
    const cur = res.get(k);
    if (cur === null) {
      const l = new Array<Value>();
      l.push(items[i]);
      res.set(k, new VList(l));
    } else (<VList>cur).items.push(items[i]);
  }
  return res;
}

/** lib.map(arr, v => v[attr]). */
function mapAttr(v: Value, attr: Value): Value {
  if (v.k == K_UNDEF || v.k == K_NONE) return new VList();
  const items = jsArrayLike(v);
  for (let i = 0; i < items.length; i++) {
    const x = jsGet(items[i], attr);
    if (x.isErr) return x;
    items[i] = x;
  }
  return new VList(items);
}

export function fJoin(v: Value, del: Value, attr: Value): Value {
  const d = truthy(del) ? jsString(del) : '';
  let arr = v;
  if (truthy(attr)) arr = mapAttr(v, attr);
  if (arr.isErr) return arr;
  if (arr.k != K_LIST) return typeErr();
  const b = new StrBuf();
  joinInto(b, <VList>arr, d);
  return str(b.toString());
}

export function fLength(v: Value): Value {
  if (v.k == K_UNDEF || v.k == K_NONE || (v.k == K_BOOL && !truthy(v))) return num(0);
  if (isJsObject(v) && !(v.k == K_STR)) return num(<f64>jsKeys(v).length);
  return jsGetKey(v, 'length');
}

export function fList(v: Value): Value {
  if (isPrimStr(v)) {
    const s = (<VStr>v).s;
    const out = new Array<Value>(s.length);
    for (let i = 0; i < s.length; i++) out[i] = str(String.fromCharCode(s.charCodeAt(i)));
    return new VList(out);
  }
  if (isJsObject(v)) {
    const ks = jsKeys(v);
    const out = new Array<Value>();
    for (let i = 0; i < ks.length; i++) {
      const d = new VDict();
      d.set('key', str(ks[i]));
      d.set('value', jsGetKey(v, ks[i]));
      out.push(d);
    }
    return new VList(out);
  }
  if (v.k == K_LIST) return v;
  return err('list filter: type not iterable');
}

export function fReverse(v: Value): Value {
  if (isPrimStr(v)) {
    const s = (<VStr>v).s;
    const b = new StrBuf(s.length);
    for (let i = s.length - 1; i >= 0; i--) b.addCode(s.charCodeAt(i));
    return str(b.toString());
  }
  const items = jsArrayLike(v);
  items.reverse();
  return new VList(items);
}

/** select/reject: items for which test(item, arg) is `expected`. */
export function fSelect(v: Value, testName: Value, second: Value, expected: bool): Value {
  const name = testName.k == K_UNDEF ? str('truthy') : testName;
  const id = testByValue(name);
  if (id < 0) return err("unknown test '" + jsString(name) + "'");
  if (v.k == K_UNDEF || v.k == K_NONE) return typeErr();
  const items = v.k == K_STR && (<VStr>v).safe ? new Array<Value>() : jsArrayLike(v);
  const out = new Array<Value>();
  const targs = new Array<Value>(2);
  targs[1] = second;
  for (let i = 0; i < items.length; i++) {
    targs[0] = items[i];
    const r = runTest(id, targs);
    if (r.isErr) return r;
    if (truthy(r) == expected) out.push(items[i]);
  }
  return new VList(out);
}

/** selectattr/rejectattr: items whose `attr` is truthy (or falsy). */
export function fSelectAttr(v: Value, attr: Value, expected: bool): Value {
  if (v.k != K_LIST) return typeErr();
  const xs = (<VList>v).items;
  const out = new Array<Value>();
  for (let i = 0; i < xs.length; i++) {
    const x = jsGet(xs[i], attr);
    if (x.isErr) return x;
    if (truthy(x) == expected) out.push(xs[i]);
  }
  return new VList(out);
}

class SortCmp extends Cmp {
  constructor(public reversed: bool, public cs: bool, public attr: Value) {
    super();
  }
  cmp(a: Value, b: Value): i32 {
    let x = a;
    let y = b;
    if (truthy(this.attr)) {
      x = attrPath(a, this.attr);
      y = attrPath(b, this.attr);
      if (x.isErr || y.isErr) {
        if (sortErr === null) sortErr = <VErr>(x.isErr ? x : y);
        return 0;
      }
    }
    if (!this.cs && isPrimStr(x) && isPrimStr(y)) {
      x = str(jsLower((<VStr>x).s));
      y = str(jsLower((<VStr>y).s));
    }
    if (jsLess(x, y) == 1) return this.reversed ? 1 : -1;
    if (jsLess(y, x) == 1) return this.reversed ? -1 : 1;
    return 0;
  }
}

const SORT_NAMES: StaticArray<string> = ['value', 'reverse', 'case_sensitive', 'attribute'];

export function fSort(args: Array<Value>): Value {
  const a = macroArgs(args, SORT_NAMES);
  const v = a[0];
  const items = v.k == K_UNDEF || v.k == K_NONE ? new Array<Value>() : jsArrayLike(v);
  sortErr = null;
  const out = jsSort(items, new SortCmp(truthy(a[1]), truthy(a[2]), a[3]));
  if (sortErr !== null) {
    const e = <VErr>sortErr;
    sortErr = null;
    return e;
  }
  return new VList(out);
}

/** JS `a + b`: strings concatenate (after ToPrimitive), everything else adds as numbers. */
export function jsAdd(a: Value, b: Value): Value {
  const pa = toPrimitive(a);
  const pb = toPrimitive(b);
  if (pa.k == K_STR || pb.k == K_STR) return str(jsString(pa) + jsString(pb));
  return num(toNumber(pa) + toNumber(pb));
}

export function fSum(v: Value, attr: Value, start: Value): Value {
  const s = start.k == K_UNDEF ? num(0) : start;
  let arr = v;
  if (truthy(attr)) arr = mapAttr(v, attr);
  if (arr.isErr) return arr;
  if (arr.k != K_LIST) return typeErr();
  const xs = (<VList>arr).items;
  let acc: Value = num(0);
  for (let i = 0; i < xs.length; i++) acc = jsAdd(acc, xs[i]);
  return jsAdd(s, acc);
}

export { K_DICT };
