/**
 * A test-only entry over rt/ (test/core-rt.test.ts builds it with `asc --bindings esm`): values
 * cross as a small text encoding so the test can compare them with the oracle's exactly.
 *   u undefined · n None · t/f booleans · i<16 hex>; number (f64 bits) · F<16 hex>; PyFloat
 *   s<len>:<text> string · S<len>:<text> SafeString · l<count>: items · d<count>: key/value pairs
 *   k<count>: keyword arguments (a dict with nunjucks' __keywords marker) · N<count>: namespace
 *   E<len>:<detail> an error (results only) · c a callable (results only)
 *
 * Must not depend on: anything of the core but rt/ (it is not part of the component).
 */
import {
  Value, VBool, VNum, VFloat, VStr, VList, VDict, VNs, VErr, UNDEF, NONE, TRUE, FALSE,
  K_UNDEF, K_NONE, K_BOOL, K_NUM, K_FLOAT, K_STR, K_LIST, K_DICT, K_NS, K_FUNC, K_ERR,
} from './value';
import { StrBuf } from './strbuf';
import { jsNum, pyFloatRepr } from './numfmt';

export function jsNumT(n: f64): string {
  return jsNum(n);
}

export function pyFloatReprT(n: f64): string {
  return pyFloatRepr(n);
}

let src: string = '';
let pos: i32 = 0;

function readInt(): i32 {
  let v = 0;
  for (;;) {
    const c = src.charCodeAt(pos);
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    pos++;
  }
  return v;
}

function readHexF64(): f64 {
  let v: u64 = 0;
  for (let i = 0; i < 16; i++) {
    const c = src.charCodeAt(pos++);
    v = (v << 4) | <u64>(c <= 57 ? c - 48 : c - 87);
  }
  pos++; // ';'
  return reinterpret<f64>(v);
}

function decode(): Value {
  const t = src.charCodeAt(pos++);
  switch (t) {
    case 117: return UNDEF; // u
    case 110: return NONE; // n
    case 116: return TRUE; // t
    case 102: return FALSE; // f
    case 105: return new VNum(readHexF64()); // i
    case 70: return new VFloat(readHexF64()); // F
    case 115: // s
    case 83: { // S
      const n = readInt();
      pos++;
      const s = src.substring(pos, pos + n);
      pos += n;
      return new VStr(s, t == 83);
    }
    case 108: { // l
      const n = readInt();
      pos++;
      const xs = new Array<Value>();
      for (let i = 0; i < n; i++) xs.push(decode());
      return new VList(xs);
    }
    case 100: // d
    case 107: // k
    case 78: { // N
      const n = readInt();
      pos++;
      const d = new VDict();
      for (let i = 0; i < n; i++) {
        const k = decode();
        d.set((<VStr>k).s, decode());
      }
      if (t == 107) d.set('__keywords', TRUE);
      if (t == 78) {
        const ns = new VNs();
        ns.attrs = d;
        return ns;
      }
      return d;
    }
    default: return UNDEF;
  }
}

const HEXD = '0123456789abcdef';

function encodeInto(b: StrBuf, v: Value): void {
  switch (v.k) {
    case K_UNDEF: b.add('u'); return;
    case K_NONE: b.add('n'); return;
    case K_BOOL: b.add((<VBool>v).b ? 't' : 'f'); return;
    case K_NUM:
    case K_FLOAT: {
      b.add(v.k == K_NUM ? 'i' : 'F');
      const f = v.k == K_NUM ? (<VNum>v).n : (<VFloat>v).n;
      // every NaN is one NaN (its sign and payload cannot be observed)
      const x = f != f ? <u64>0x7ff8000000000000 : reinterpret<u64>(f);
      for (let i = 15; i >= 0; i--) b.addCode(HEXD.charCodeAt(<i32>((x >> (<u64>i * 4)) & 15)));
      b.add(';');
      return;
    }
    case K_STR: {
      const s = (<VStr>v).s;
      b.add((<VStr>v).safe ? 'S' : 's');
      b.add(s.length.toString());
      b.add(':');
      b.add(s);
      return;
    }
    case K_LIST: {
      const xs = (<VList>v).items;
      b.add('l' + xs.length.toString() + ':');
      for (let i = 0; i < xs.length; i++) encodeInto(b, xs[i]);
      return;
    }
    case K_DICT:
    case K_NS: {
      const d = v.k == K_DICT ? <VDict>v : (<VNs>v).attrs;
      const o = d.order();
      b.add((v.k == K_DICT ? 'd' : 'N') + o.length.toString() + ':');
      for (let i = 0; i < o.length; i++) {
        const k = d.keys[o[i]];
        b.add('s' + k.length.toString() + ':' + k);
        encodeInto(b, d.vals[o[i]]);
      }
      return;
    }
    case K_FUNC: b.add('c'); return;
    case K_ERR: {
      const m = (<VErr>v).err.detail;
      b.add('E' + m.length.toString() + ':' + m);
      return;
    }
  }
}

export function decodeArgs(text: string): Array<Value> {
  src = text;
  pos = 0;
  const out = new Array<Value>();
  while (pos < src.length) out.push(decode());
  return out;
}

export function encode(v: Value): string {
  const b = new StrBuf();
  encodeInto(b, v);
  return b.toString();
}

// ---- the operations a test can run ----------------------------------------------------------------

import { pyStr, pyRepr, pyJsonDumps, truthy } from './pystr';
import {
  add, sub, mul, div, floordiv, mod, pow, neg, pos as unaryPlus, concat, compare, cmpCode, contains, getitem, slice,
  callValue, fromIterator,
} from './ops';
import { filter, test as runTestByName } from './filters_tests';
import { filterNames } from './filters';
import { globalLookup, setattr, loopItem } from './globals';
import { ixObject } from './ixfilters';
import { beginEval } from './state';
import { str } from './value';

/** Reset the evaluation counters for package `pkg` with the given bounds. */
export function begin(pkg: string, maxOutput: i32, maxLoop: i32): void {
  beginEval(pkg, maxOutput, maxLoop);
}

/** Run operation `op` on the encoded arguments; the encoded result. */
export function run(op: string, enc: string): string {
  const a = decodeArgs(enc);
  const x = a.length > 0 ? a[0] : UNDEF;
  const y = a.length > 1 ? a[1] : UNDEF;
  let r: Value = UNDEF;
  if (op == 'pyStr') r = str(pyStr(x));
  else if (op == 'pyRepr') r = str(pyRepr(x));
  else if (op == 'json') r = pyJsonDumps(x);
  else if (op == 'truthy') r = truthy(x) ? TRUE : FALSE;
  else if (op == '+') r = add(x, y);
  else if (op == '-') r = sub(x, y);
  else if (op == '*') r = mul(x, y);
  else if (op == '/') r = div(x, y);
  else if (op == '//') r = floordiv(x, y);
  else if (op == '%') r = mod(x, y);
  else if (op == '**') r = pow(x, y);
  else if (op == 'neg') r = neg(x);
  else if (op == 'pos') r = unaryPlus(x);
  else if (op == '~') r = concat(x, y);
  else if (op == 'in') r = contains(x, y);
  else if (op == 'getitem') r = getitem(x, y);
  else if (op == 'slice') r = slice(x, y, a.length > 2 ? a[2] : NONE, a.length > 3 ? a[3] : NONE);
  else if (op == 'iter') r = fromIterator(x);
  else if (op == 'setattr') {
    const e = setattr(x, y, a[2]);
    r = e !== null ? e : x;
  } else if (op == 'loopItem') r = loopItem(x, <i32>(<VNum>y).n);
  else if (op.startsWith('cmp:')) r = compare(cmpCode(op.substring(4)), x, y);
  else if (op.startsWith('filter:')) r = filter(op.substring(7), a);
  else if (op.startsWith('test:')) r = runTestByName(op.substring(5), a);
  else if (op.startsWith('method:')) {
    // getattr then call: a[0] is the object, the rest the arguments
    const m = getitem(x, str(op.substring(7)));
    r = m.isErr || m.k != K_FUNC ? m : callValue(m, op.substring(7), a.slice(1));
  } else if (op.startsWith('global:')) {
    // call a global with the arguments; `global:NAME:N` calls the result's method N times more
    const parts = op.split(':');
    const g = globalLookup(parts[1]);
    r = g === null ? UNDEF : callValue(g, parts[1], a);
  } else if (op.startsWith('ix:')) {
    const m = getitem(ixObject('pkg/x'), str(op.substring(3)));
    r = callValue(m, op.substring(3), a);
  } else if (op == 'cycler') {
    // cycler(items...).next() called n times (n = last argument), results listed
    const n = <i32>(<VNum>a[a.length - 1]).n;
    const c = callValue(<Value>globalLookup('cycler'), 'cycler', a.slice(0, a.length - 1));
    const nx = getitem(c, str('next'));
    const out = new Array<Value>();
    for (let i = 0; i < n; i++) out.push(callValue(nx, 'next', []));
    out.push(c);
    r = new VList(out);
  } else if (op == 'joiner') {
    const j = callValue(<Value>globalLookup('joiner'), 'joiner', a);
    const out = new Array<Value>();
    for (let i = 0; i < 3; i++) out.push(callValue(j, 'j', []));
    r = new VList(out);
  }
  return encode(r);
}

/** The filter names a template may use, comma-separated. */
export function filterNamesT(): string {
  return filterNames().join(',');
}
