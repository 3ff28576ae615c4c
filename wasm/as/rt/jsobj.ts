/**
 * JavaScript property access on template values as nunjucks' stock filters do it (`item[attr]`,
 * hasOwnProperty, for-in keys): a primitive string has its code units and `length`, an array
 * its items and `length`, a SafeString its own `val` and `length`, a PyFloat its `v`, a dict or
 * namespace its keys. Reading a property of None or Undefined is JavaScript's TypeError, which
 * the oracle reports with the portable message below.
 *
 * Must not depend on: anything of the core but rt/ and errors.ts.
 */
import {
  Value, VNum, VFloat, VStr, VList, VDict, VNs, VErr, isIndexKey,
  K_UNDEF, K_NONE, K_STR, K_LIST, K_DICT, K_NS, K_FLOAT,
  UNDEF, err, num, str,
} from './value';
import { jsString } from './jsconv';

/** The oracle's message for a JavaScript TypeError (engine/eval/runtime.ts portableMessage). */
export const TYPE_ERROR = 'a value used here is undefined, null or of the wrong type';

export function typeErr(): VErr {
  return err(TYPE_ERROR);
}

function parseIdx(k: string): i32 {
  return isIndexKey(k) && k.length <= 9 ? I32.parseInt(k) : -1;
}

/** JS `obj[key]` (key as a property key string): a Value, UNDEF, or the TypeError Err. */
export function jsGetKey(obj: Value, k: string): Value {
  switch (obj.k) {
    case K_UNDEF:
    case K_NONE: return typeErr();
    case K_STR: {
      const v = <VStr>obj;
      if (v.safe) {
        if (k == 'val') return str(v.s);
        if (k == 'length') return num(<f64>v.s.length);
        return UNDEF;
      }
      if (k == 'length') return num(<f64>v.s.length);
      const i = parseIdx(k);
      return i >= 0 && i < v.s.length ? str(String.fromCharCode(v.s.charCodeAt(i))) : UNDEF;
    }
    case K_LIST: {
      const xs = (<VList>obj).items;
      if (k == 'length') return num(<f64>xs.length);
      const i = parseIdx(k);
      return i >= 0 && i < xs.length ? xs[i] : UNDEF;
    }
    case K_DICT: {
      const v = (<VDict>obj).get(k);
      return v !== null ? v : UNDEF;
    }
    case K_NS: {
      const v = (<VNs>obj).attrs.get(k);
      return v !== null ? v : UNDEF;
    }
    case K_FLOAT: return k == 'v' ? num((<VFloat>obj).n) : UNDEF;
    default: return UNDEF;
  }
}

/** JS `obj[key]`. */
export function jsGet(obj: Value, key: Value): Value {
  return jsGetKey(obj, jsString(key));
}

/** Object.prototype.hasOwnProperty.call(obj, k): 1, 0, or -1 for the TypeError (None/Undefined). */
export function jsHasOwn(obj: Value, k: string): i32 {
  switch (obj.k) {
    case K_UNDEF:
    case K_NONE: return -1;
    case K_STR: {
      const v = <VStr>obj;
      if (v.safe) return k == 'val' || k == 'length' ? 1 : 0;
      if (k == 'length') return 1;
      const i = parseIdx(k);
      return i >= 0 && i < v.s.length ? 1 : 0;
    }
    case K_LIST: {
      if (k == 'length') return 1;
      const i = parseIdx(k);
      return i >= 0 && i < (<VList>obj).items.length ? 1 : 0;
    }
    case K_DICT: return (<VDict>obj).has(k) ? 1 : 0;
    case K_NS: return (<VNs>obj).attrs.has(k) ? 1 : 0;
    case K_FLOAT: return k == 'v' ? 1 : 0;
    default: return 0;
  }
}

/** Own enumerable keys (Object.keys / lib.keys) of an object-like value, in JS order. */
export function jsKeys(obj: Value): Array<string> {
  switch (obj.k) {
    case K_DICT: return (<VDict>obj).orderedKeys();
    case K_NS: return (<VNs>obj).attrs.orderedKeys();
    case K_FLOAT: return ['v'];
    case K_STR: {
      if ((<VStr>obj).safe) return ['val', 'length'];
      const s = (<VStr>obj).s;
      const out = new Array<string>(s.length);
      for (let i = 0; i < s.length; i++) out[i] = i.toString();
      return out;
    }
    case K_LIST: {
      const n = (<VList>obj).items.length;
      const out = new Array<string>(n);
      for (let i = 0; i < n; i++) out[i] = i.toString();
      return out;
    }
    default: return new Array<string>();
  }
}

/** Is the value '[object Object]' to Object.prototype.toString (lib.isObject)? */
export function isJsObject(v: Value): bool {
  return v.k == K_DICT || v.k == K_NS || v.k == K_FLOAT || (v.k == K_STR && (<VStr>v).safe);
}

/** A primitive string (lib.isString; a SafeString is not one). */
export function isPrimStr(v: Value): bool {
  return v.k == K_STR && !(<VStr>v).safe;
}

/** `obj.length` as JS reads it: a number for strings, lists, SafeStrings; UNDEF for others; TypeError for None/Undefined. */
export function jsLength(v: Value): Value {
  return jsGetKey(v, 'length');
}

/** Items of lib.map(obj, identity) / Array.prototype.slice.call(obj): indexable values by their length. */
export function jsArrayLike(v: Value): Array<Value> {
  if (v.k == K_LIST) return (<VList>v).items.slice(0);
  const out = new Array<Value>();
  if (v.k == K_STR) {
    const s = (<VStr>v).s;
    const safe = (<VStr>v).safe;
    for (let i = 0; i < s.length; i++) out.push(safe ? UNDEF : str(String.fromCharCode(s.charCodeAt(i))));
  }
  return out;
}

export { VNum };
