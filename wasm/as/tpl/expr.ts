/**
 * Expressions of the interpreter (interp.ts) with the oracle's runtime semantics: name lookup
 * (loop slots, frames, the context, globals, constants; context names recorded), literals,
 * operators and comparisons through rt, `is` tests, filters (unknown names fail before the
 * arguments are evaluated), calls with keyword arguments, member access and slices, `self.NAME`,
 * super() and super.super(), and the callables the templates see of the evaluator.
 *
 * Must not depend on: plan, abi, host.
 */
import * as rt from '../rt/index';
import { Value, VFunc, VStr, VDict, UNDEF, NONE, TRUE, FALSE, EMPTY_STR } from '../rt/index';
import * as A from './ast';
import { Node } from './ast';
import { BlockDef } from './compile';
import { Ctx } from './scope';
import { ev, Fn, internal, runDetached, selfCallId, TYPE_ERROR } from './interp';
import { blockName, knownBlockId } from './block-ids';

// ---- template callables ---------------------------------------------------------------------

/** `self`: self.NAME is a callable rendering the most-derived block NAME. */
export class SelfRef extends VFunc {
  ctx: Ctx;
  // the oracle's `self` is an object holding the block callables: not callable itself
  constructor(ctx: Ctx) { super(); this.ctx = ctx; this.callable = false; }
  call(args: Array<Value>): Value { return rt.err(TYPE_ERROR); }
}

class SelfMethod extends VFunc {
  ctx: Ctx;
  name: string;
  constructor(ctx: Ctx, name: string) { super(); this.ctx = ctx; this.name = name; }
  call(args: Array<Value>): Value {
    const n = this.name;
    const id = knownBlockId(n);
    const b = id >= 0 ? this.ctx.block(id) : null;
    if (b === null) return rt.err('self.' + n + "(): no block '" + n + "' in this template chain");
    return runDetached(b, this.ctx, n);
  }
}

/** `self.NAME()` without arguments (interp.ts selfCallId): SelfMethod#call's answer. */
function selfCall(id: i32, f: Fn): Value {
  const ctx = f.ctx;
  const b = ctx.block(id);
  const n = blockName(id);
  if (b === null) return rt.err('self.' + n + "(): no block '" + n + "' in this template chain");
  return runDetached(b, ctx, n);
}

/** loop.cycle(a, b, ...): the argument at the iteration's index modulo their count. */
export class LoopCycle extends VFunc {
  i: i32;
  constructor(i: i32) { super(); this.i = i; }
  call(args: Array<Value>): Value {
    if (args.length == 0) return rt.err('loop.cycle() needs at least one value');
    return args[this.i % args.length];
  }
}

// ---- expressions ----------------------------------------------------------------------------

/** Positional arguments then (if any) the keyword dict, appended to `out`; a VErr or null. */
export function evalArgs(n: Node, f: Fn, out: Array<Value>): Value | null {
  const args = n.args;
  if (args !== null) for (let i = 0; i < args.length; i++) {
    const v = evalExpr(args[i], f);
    if (v.isErr) return v;
    out.push(v);
  }
  const names = n.names;
  if (names !== null && names.length > 0) {
    const kv = n.kwvals!;
    const vals = new Array<Value>();
    for (let i = 0; i < kv.length; i++) {
      const v = evalExpr(kv[i], f);
      if (v.isErr) return v;
      vals.push(v);
    }
    out.push(rt.kwargs(names, vals));
  }
  return null;
}

/**
 * Per context name id (name-ids.ts), the serial of the render that last recorded it in its
 * `names`: a render records a name once, whatever the number of sites. A nested render (intro())
 * overwrites its outer render's marks; the outer one then adds such a name to its set again, which
 * keeps it where it first was.
 */
let recorded = new StaticArray<i32>(0);

/** Record context name `name` (id `id`) as looked up by the running render. */
function record(name: string, id: i32): void {
  const x = ev!;
  let r = recorded;
  if (id >= r.length) {
    const grown = new StaticArray<i32>(max(id + 1, r.length << 1));
    memory.copy(changetype<usize>(grown), changetype<usize>(r), <usize>r.length << 2);
    recorded = r = grown;
  }
  if (unchecked(r[id]) == x.serial) return;
  x.names.add(name);
  unchecked((r[id] = x.serial));
}

/** A name that is not a loop slot (site `n`): frames, then the context (the name recorded), globals, constants. */
function lookupName(n: Node, f: Fn): Value {
  const name = n.s;
  const v = f.frame.lookup(name);
  if (v !== null) return v;
  record(name, -1 - n.n);
  const vars = f.ctx.vars;
  if (vars.has(name)) {
    const c = vars.get(name);
    if (c.k != rt.K_UNDEF) return c;
  } else {
    const g = rt.globalLookup(name);
    if (g !== null) return g;
  }
  const k = rt.constantLookup(name);
  return k !== null ? k : UNDEF;
}

function literal(n: Node): Value {
  switch (n.n) {
    case A.L_STR: return rt.str(n.s);
    case A.L_INT: return rt.num(parseFloat(n.s));
    case A.L_FLOAT: return rt.float_(parseFloat(n.s));
    case A.L_TRUE: return TRUE;
    case A.L_FALSE: return FALSE;
    case A.L_NONE: return NONE;
  }
  return rt.str('/' + n.s + '/');
}

function binop(kind: i32, a: Value, b: Value): Value {
  switch (kind) {
    case A.E_ADD: return rt.add(a, b);
    case A.E_SUB: return rt.sub(a, b);
    case A.E_MUL: return rt.mul(a, b);
    case A.E_DIV: return rt.div(a, b);
    case A.E_FLOORDIV: return rt.floordiv(a, b);
    case A.E_MOD: return rt.mod(a, b);
    case A.E_POW: return rt.pow(a, b);
    case A.E_CAT: return rt.concat(a, b);
  }
  return new rt.VErr(internal('unknown operator'));
}

function cmpCode(op: i32): i32 {
  // parser codes: 0 ==, 1 !=, 2 <, 3 >, 4 <=, 5 >=, 6 ===, 7 !==
  if (op == 6) return rt.CMP_EQ;
  if (op == 7) return rt.CMP_NE;
  return op;
}

export function evalExpr(n: Node, f: Fn): Value {
  switch (n.kind) {
    case A.E_LIT: return literal(n);
    case A.E_SYM: return n.n >= 0 ? f.slots[n.n] : lookupName(n, f);
    case A.E_SELF: return new SelfRef(f.ctx);
    case A.E_ADD: case A.E_SUB: case A.E_MUL: case A.E_DIV: case A.E_FLOORDIV: case A.E_MOD: case A.E_POW: case A.E_CAT: {
      const a = evalExpr(n.a!, f);
      if (a.isErr) return a;
      const b = evalExpr(n.b!, f);
      if (b.isErr) return b;
      return binop(n.kind, a, b);
    }
    case A.E_AND: {
      const a = evalExpr(n.a!, f);
      if (a.isErr || !rt.truthy(a)) return a;
      return evalExpr(n.b!, f);
    }
    case A.E_OR: {
      const a = evalExpr(n.a!, f);
      if (a.isErr || rt.truthy(a)) return a;
      return evalExpr(n.b!, f);
    }
    case A.E_NOT: {
      const a = evalExpr(n.a!, f);
      if (a.isErr) return a;
      return rt.bool_(!rt.truthy(a));
    }
    case A.E_NEG: { const a = evalExpr(n.a!, f); return a.isErr ? a : rt.neg(a); }
    case A.E_POS: { const a = evalExpr(n.a!, f); return a.isErr ? a : rt.pos(a); }
    case A.E_IN: {
      const a = evalExpr(n.a!, f);
      if (a.isErr) return a;
      const b = evalExpr(n.b!, f);
      if (b.isErr) return b;
      return rt.contains(a, b);
    }
    case A.E_IS: {
      if (!rt.hasTest(n.s)) return rt.err("unknown test '" + n.s + "'");
      const args = new Array<Value>();
      const a = evalExpr(n.a!, f);
      if (a.isErr) return a;
      args.push(a);
      const e = evalArgs(n, f, args);
      if (e !== null) return e;
      const r = rt.test(n.s, args);
      if (r.isErr) return r;
      return rt.bool_(r === TRUE);
    }
    case A.E_CMP: {
      let a = evalExpr(n.a!, f);
      if (a.isErr) return a;
      const ops = n.ops!;
      const xs = n.args!;
      if (xs.length == 1) {
        const b = evalExpr(xs[0], f);
        if (b.isErr) return b;
        return rt.compare(cmpCode(ops[0]), a, b);
      }
      // a chain (Python): each later operand only while the chain holds; the result is a bool
      for (let i = 0; i < xs.length; i++) {
        const b = evalExpr(xs[i], f);
        if (b.isErr) return b;
        const r = rt.compare(cmpCode(ops[i]), a, b);
        if (r.isErr) return r;
        if (!rt.truthy(r)) return FALSE;
        a = b;
      }
      return TRUE;
    }
    case A.E_IFEXP: {
      const c = evalExpr(n.a!, f);
      if (c.isErr) return c;
      if (rt.truthy(c)) return evalExpr(n.b!, f);
      const e = n.c;
      return e !== null ? evalExpr(e, f) : EMPTY_STR;
    }
    case A.E_LOOKUP: {
      const o = evalExpr(n.a!, f);
      if (o.isErr) return o;
      const k = evalExpr(n.b!, f);
      if (k.isErr) return k;
      if (o instanceof SelfRef) return new SelfMethod((<SelfRef>o).ctx, rt.pyStr(k));
      return n.n == 1 ? rt.getattr(o, (<VStr>k).s) : rt.getitem(o, k);
    }
    case A.E_SLICE: {
      const o = evalExpr(n.a!, f);
      if (o.isErr) return o;
      const a = evalExpr(n.b!, f);
      if (a.isErr) return a;
      const b = evalExpr(n.c!, f);
      if (b.isErr) return b;
      const c = evalExpr(n.d!, f);
      if (c.isErr) return c;
      return rt.slice(o, a, b, c);
    }
    case A.E_CALL: {
      f.line = n.line;
      // self.NAME(): as SelfRef, SelfMethod and their call would, without making them
      const sn = selfCallId(n);
      if (sn >= 0) return selfCall(sn, f);
      const fn = evalExpr(n.a!, f);
      if (fn.isErr) return fn;
      const args = new Array<Value>();
      const e = evalArgs(n, f, args);
      if (e !== null) return e;
      return rt.callValue(fn, n.s, args);
    }
    case A.E_FILTER: {
      f.line = n.line;
      // n.n: 1 + the filter's id (rt.filterId), found by name at its first call (the parser and
      // compiler do not depend on rt), 0 until then or when unknown
      let id = n.n - 1;
      if (id < 0) {
        id = rt.filterId(n.s);
        n.n = id + 1;
      }
      if (id < 0) return rt.err("unknown filter '" + n.s + "'");
      const args = new Array<Value>();
      const e = evalArgs(n, f, args);
      if (e !== null) return e;
      return rt.applyFilter(id, args);
    }
    case A.E_LIST: case A.E_TUPLE: {
      const items = new Array<Value>();
      const xs = n.args!;
      for (let i = 0; i < xs.length; i++) {
        const v = evalExpr(xs[i], f);
        if (v.isErr) return v;
        items.push(v);
      }
      return rt.list(items);
    }
    case A.E_DICT: {
      const d = new VDict();
      const ks = n.names!;
      const xs = n.args!;
      for (let i = 0; i < xs.length; i++) {
        const v = evalExpr(xs[i], f);
        if (v.isErr) return v;
        d.set(ks[i], v);
      }
      return d;
    }
    case A.E_SUPERCALL: {
      const t = superBlock(n, f);
      if (t === null) return superErr;
      return runDetached(t, f.ctx, null);
    }
  }
  return new rt.VErr(internal('unknown expression'));
}

/** superBlock's error when it returns null. */
export let superErr: Value = UNDEF;

/** The block `super()` (n.n levels up) of the running block runs, or null with superErr set. */
export function superBlock(n: Node, f: Fn): BlockDef | null {
  const b = f.block;
  const depth = n.n;
  if (b === null) { superErr = new rt.VErr(internal('super() outside a block')); return null; }
  const d = f.ctx.superDef(b, depth);
  if (d === null) {
    if (depth == 1) { superErr = rt.err("super(): block '" + b.name + "' has no parent block"); return null; }
    let sup = 'super';
    for (let k = 1; k < depth; k++) sup += '.super';
    superErr = rt.err(sup + "(): block '" + b.name + "' has no block " + depth.toString() + ' levels up');
    return null;
  }
  return d;
}
