/**
 * Tests (`x is NAME(arg)`): nunjucks 3.2.4's set as the oracle uses it, with JavaScript's
 * semantics (`is divisibleby` is `%`, `is eq` is `===`, `is lower` calls toLowerCase and fails
 * on a value that is not a string).
 *
 * Must not depend on: anything of the core but rt/ and errors.ts.
 */
import { jsLower, jsUpper } from './casemap';
import {
  Value, VStr, VNum, VFunc,
  K_UNDEF, K_NONE, K_NUM, K_STR, K_LIST, K_DICT, K_NS, K_FLOAT, K_FUNC,
  UNDEF, TRUE, FALSE, bool_, err,
} from './value';
import { truthy } from './pystr';
import { jsString, jsLess, strictEq, toNumber } from './jsconv';
import { typeErr } from './jsobj';

const NAMES: StaticArray<string> = [
  'callable', 'defined', 'divisibleby', 'escaped', 'equalto', 'eq', 'sameas', 'even', 'falsy', 'ge',
  'greaterthan', 'gt', 'le', 'lessthan', 'lt', 'lower', 'ne', 'null', 'number', 'odd', 'string',
  'truthy', 'undefined', 'upper', 'iterable', 'mapping',
];

/** Index of test `name`, or -1. */
export function testIndex(name: string): i32 {
  for (let i = 0; i < NAMES.length; i++) if (unchecked(NAMES[i]) == name) return i;
  return -1;
}

/** Is `name` a test? (`unknown test 'NAME'` otherwise.) */
export function hasTest(name: string): bool {
  return testIndex(name) >= 0;
}

@inline function arg(args: Array<Value>, i: i32): Value {
  return i < args.length ? unchecked(args[i]) : UNDEF;
}

/** JS `a % b` on ToNumber'd values. */
@inline function jsMod(a: Value, b: Value): f64 {
  return toNumber(a) % toNumber(b);
}

/** Run test number `id` (testIndex): args[0] is the tested value. TRUE, FALSE or an Err. */
export function runTest(id: i32, args: Array<Value>): Value {
  const v = arg(args, 0);
  const w = arg(args, 1);
  switch (id) {
    case 0: return bool_(v.k == K_FUNC && (v as VFunc).callable);
    case 1: return bool_(v.k != K_UNDEF);
    case 2: return bool_(jsMod(v, w) == 0);
    case 3: return bool_(v.k == K_STR && (<VStr>v).safe);
    case 4:
    case 5:
    case 6: return bool_(strictEq(v, w));
    case 7: return bool_(jsMod(v, num2) == 0);
    case 8: return bool_(!truthy(v));
    case 9: return bool_(jsLess(v, w) == 0);
    case 10:
    case 11: return bool_(jsLess(w, v) == 1);
    case 12: return bool_(jsLess(w, v) == 0);
    case 13:
    case 14: return bool_(jsLess(v, w) == 1);
    case 15:
    case 23: {
      if (v.k != K_STR) return typeErr();
      if ((<VStr>v).safe) return FALSE;
      const s = (<VStr>v).s;
      return bool_((id == 15 ? jsLower(s) : jsUpper(s)) == s);
    }
    case 16: return bool_(!strictEq(v, w));
    case 17: return bool_(v.k == K_NONE);
    case 18: return bool_(v.k == K_NUM);
    case 19: return bool_(jsMod(v, num2) == 1);
    case 20: return bool_(v.k == K_STR && !(<VStr>v).safe);
    case 21: return bool_(truthy(v));
    case 22: return bool_(v.k == K_UNDEF);
    case 24:
      if (v.k == K_UNDEF || v.k == K_NONE) return typeErr();
      return bool_(v.k == K_LIST || v.k == K_STR);
    case 25: return bool_(v.k == K_DICT || v.k == K_NS || v.k == K_FLOAT || (v.k == K_STR && (<VStr>v).safe));
    default: return FALSE;
  }
}

const num2: Value = new VNum(2);

/** Run test `name`: args[0] is the tested value. TRUE, FALSE or an Err (`unknown test 'NAME'`). */
export function test(name: string, args: Array<Value>): Value {
  const id = testIndex(name);
  if (id < 0) return err("unknown test '" + name + "'");
  return runTest(id, args);
}

/** The test named by a value as env.getTest receives it (a property key: String(v)). */
export function testByValue(v: Value): i32 {
  return testIndex(jsString(v));
}

export { TRUE };
