/**
 * Globals of the render context (engine/eval/runtime.ts GLOBALS): range(), namespace(),
 * cycler(), joiner(); the name constants; `{% set ns.k = v %}`; the loop helpers the oracle
 * adds (loop.cycle, loop.previtem/nextitem). cycler() is nunjucks' plain object whose methods
 * run with the render context as `this`, so `next()` returns the items in turn while the
 * object's own `current` stays None, exactly as in the oracle.
 *
 * Must not depend on: anything of the core but rt/ and errors.ts.
 */
import {
  Value, VStr, VList, VDict, VNs, VFunc,
  K_UNDEF, K_NONE, K_DICT, K_NS, K_LIST, K_STR,
  UNDEF, NONE, TRUE, FALSE, err, num, str, isKwargs,
} from './value';
import { pyStr, truthy } from './pystr';
import { toNumber } from './jsconv';
import { evalPkg, maxLoop } from './state';
import { jsNum } from './numfmt';

@inline function arg(args: Array<Value>, i: i32): Value {
  return i < args.length ? unchecked(args[i]) : UNDEF;
}

class RangeFn extends VFunc {
  call(args: Array<Value>): Value {
    let start = toNumber(arg(args, 0));
    const b = arg(args, 1);
    const c = arg(args, 2);
    let stop = toNumber(b);
    const step: f64 = c.k == K_UNDEF ? 1 : toNumber(c);
    if (b.k == K_UNDEF) {
      stop = start;
      start = 0;
    }
    if (!isIntF(start) || !isIntF(stop) || !isIntF(step) || step == 0) return err('range(): arguments must be integers, step not 0');
    let n = Math.ceil((stop - start) / step);
    if (n < 0) n = 0;
    if (n > <f64>maxLoop) {
      return err('evaluation of ' + evalPkg + ' exceeded ' + maxLoop.toString() + ' loop iterations (range() of ' + jsNum(n) + ' items)');
    }
    const cnt = <i32>n;
    const out = new Array<Value>(cnt);
    for (let i = 0; i < cnt; i++) out[i] = num(start + <f64>i * step);
    return new VList(out);
  }
}

@inline function isIntF(x: f64): bool {
  return isFinite(x) && x == Math.trunc(x);
}

class NamespaceFn extends VFunc {
  call(args: Array<Value>): Value {
    const ns = new VNs();
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a.k != K_DICT) return err('namespace() takes keyword arguments or a dict');
      const d = <VDict>a;
      const o = d.order();
      for (let j = 0; j < o.length; j++) {
        const k = d.keys[o[j]];
        if (k != '__keywords') ns.attrs.set(k, d.vals[o[j]]);
      }
    }
    return ns;
  }
}

class CyclerState {
  index: i32 = -1;
  constructor(public items: Array<Value>) {}
}

class CyclerMethod extends VFunc {
  constructor(public st: CyclerState, public reset: bool) {
    super();
  }
  call(_args: Array<Value>): Value {
    const st = this.st;
    if (this.reset) {
      st.index = -1;
      return UNDEF;
    }
    st.index++;
    if (st.index >= st.items.length) st.index = 0;
    return st.index < st.items.length ? st.items[st.index] : UNDEF;
  }
}

class CyclerFn extends VFunc {
  call(args: Array<Value>): Value {
    const st = new CyclerState(args.slice(0));
    const d = new VDict();
    d.set('current', NONE);
    d.set('reset', new CyclerMethod(st, true));
    d.set('next', new CyclerMethod(st, false));
    return d;
  }
}

class JoinerCall extends VFunc {
  first: bool = true;
  constructor(public sep: Value) {
    super();
  }
  call(_args: Array<Value>): Value {
    const v = this.first ? str('') : this.sep;
    this.first = false;
    return v;
  }
}

class JoinerFn extends VFunc {
  call(args: Array<Value>): Value {
    const s = arg(args, 0);
    return new JoinerCall(truthy(s) ? s : str(','));
  }
}

const RANGE: Value = new RangeFn();
const NAMESPACE: Value = new NamespaceFn();
const CYCLER: Value = new CyclerFn();
const JOINER: Value = new JoinerFn();

/** The global named `name` (range, namespace, cycler, joiner), or null. */
export function globalLookup(name: string): Value | null {
  if (name == 'range') return RANGE;
  if (name == 'namespace') return NAMESPACE;
  if (name == 'cycler') return CYCLER;
  if (name == 'joiner') return JOINER;
  return null;
}

/** True/False/None/true/false/none, or null. */
export function constantLookup(name: string): Value | null {
  if (name == 'True' || name == 'true') return TRUE;
  if (name == 'False' || name == 'false') return FALSE;
  if (name == 'None' || name == 'none') return NONE;
  return null;
}

/** `{% set obj.key = val %}`: only a namespace has assignable attributes. null, or an Err. */
export function setattr(obj: Value, key: Value, val: Value): Value | null {
  if (obj.k != K_NS) return err("cannot assign attribute '" + pyStr(key) + "': only a namespace() has assignable attributes");
  const k = pyStr(key);
  if (k == '__proto__' || k == 'constructor' || k == 'toString') return err("cannot assign attribute '" + k + "'");
  (<VNs>obj).attrs.set(k, val);
  return null;
}

class LoopCycle extends VFunc {
  constructor(public i: i32) {
    super();
  }
  call(args: Array<Value>): Value {
    if (args.length == 0) return err('loop.cycle() needs at least one value');
    return args[this.i % args.length];
  }
}

/** loop.cycle of iteration `i` (0-based). */
export function loopCycle(i: i32): Value {
  return new LoopCycle(i);
}

/** loop.previtem / loop.nextitem: the neighbour `j` in a list or string, UNDEF past the ends. */
export function loopItem(arr: Value, j: i32): Value {
  if (j < 0) return UNDEF;
  if (arr.k == K_LIST) {
    const xs = (<VList>arr).items;
    return j < xs.length ? xs[j] : UNDEF;
  }
  if (arr.k == K_STR && !(<VStr>arr).safe) {
    const s = (<VStr>arr).s;
    return j < s.length ? str(String.fromCharCode(s.charCodeAt(j))) : UNDEF;
  }
  return UNDEF;
}

export { isKwargs, K_NONE };
