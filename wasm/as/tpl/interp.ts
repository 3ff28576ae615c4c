/**
 * The interpreter over compiled templates (compile.ts), with the oracle's runtime semantics
 * (engine/eval/runtime.ts + the code nunjucks 3.2.4 generates as patched by jinja-compat.ts):
 * statements (scopes in scope.ts, expressions in expr.ts): top-level sets reaching the context,
 * extends with the output before it kept, blocks and lifted super(), runtime include, loops and
 * loop.*, namespace assignment, capture blocks, the `lineno` the oracle keeps current (error
 * lines), the nesting/output/loop bounds with the oracle's messages, and errors travelling as
 * the oracle's callbacks carry them. An expression yields a VErr; a statement returns OK, STOP
 * or EXC (the unwinding error in `ev.err`).
 *
 * Must not depend on: plan, abi.
 */
import { IxErr } from '../errors';
import * as rt from '../rt/index';
import { Value, VFunc, VStr, VList, VDict, VNs, UNDEF, NONE, TRUE, FALSE, EMPTY_STR } from '../rt/index';
import * as A from './ast';
import { Node } from './ast';
import { BlockDef, Template, compileTemplate } from './compile';
import { blockName } from './block-ids';
import { resolveName, Source, SourceLoader } from './loader';
import { Ctx, Frame } from './scope';
import { evalArgs, evalExpr, LoopCycle, superBlock, superErr } from './expr';

export { Ctx, Frame } from './scope';

export const TYPE_ERROR = 'a value used here is undefined, null or of the wrong type';

/** A bug of the evaluator (never the recipe's fault). */
export function internal(what: string): IxErr {
  const e = new IxErr('internal error in the template evaluator: ' + what);
  e.internal = true;
  return e;
}

// ---- the evaluation -----------------------------------------------------------------------------

let evalCount = 0;

/**
 * Whether a string reference is null. AssemblyScript compiles `s === null` / `s !== null` of a
 * string to a call of String.__eq; a per-statement test costs that call.
 */
@inline function isNull(s: string | null): bool { return changetype<usize>(s) == 0; }

/** One render in progress (the oracle's EvalState). */
export class Eval {
  pkg: string;
  loader: SourceLoader;
  sources: Map<string, Source> = new Map<string, Source>();
  chain: Array<string> = new Array<string>();
  depth: i32 = 0;
  maxDepth: i32 = 64;
  err: IxErr | null = null;
  /**
   * The tail site of the function that finished last: the oracle's generated code continues a
   * scope inside the callback of a block call (or include, or lifted super()), so an error later
   * in that scope is caught by the callee's try first and takes the callee's template and final
   * line. `tailPath` null: no callee.
   */
  tailPath: string | null = null;
  tailLine: i32 = -1;
  /** Context names the render looked up (found or not). */
  names: Set<string> = new Set<string>();
  /** This evaluation's number among the instance's, from 1 (expr.ts records a name once per evaluation by it). */
  serial: i32 = ++evalCount;
  /**
   * The render's text came out of the base template's buffer whole, already through IX's
   * newline post-pass (rootWith's `capNewlines`): render.ts need not scan it again.
   */
  capped: bool = false;
  constructor(pkg: string, loader: SourceLoader) { this.pkg = pkg; this.loader = loader; }

  /** Logical file and line of 0-based line `lineno` of template `path`. */
  site(e: IxErr, path: string, lineno: i32): IxErr {
    if (e.file !== null) return e;
    if (this.sources.has(path)) {
      const s = this.sources.get(path);
      if (lineno >= 0 && lineno < s.count) { e.file = s.fileAt(lineno); e.line = s.lines[lineno]; return e; }
    }
    e.file = path;
    e.line = -1;
    return e;
  }

  /** Load and compile a template (loader.ts + compile.ts); null with `err` set on failure. */
  load(path: string): Template | null {
    const l = this.loader.load(path);
    if (l.err !== null) { this.err = l.err; return null; }
    const src = l.src!;
    this.sources.set(path, src);
    let t = src.compiled;
    if (t === null || t.path != path) {
      t = compileTemplate(path, src.text);
      src.compiled = t;
    }
    if (t.err !== null) {
      const e = new IxErr(t.nesting ? t.err! : 'template syntax error: ' + cleanMessage(t.err!));
      if (t.errLine > 0) {
        const k = t.errLine - 1;
        if (k < src.count) { e.file = src.fileAt(k); e.line = src.lines[k]; } else e.file = path;
      } else e.file = path;
      this.err = e;
      return null;
    }
    return t;
  }
}

/** The evaluation in progress (renders are synchronous; one nested in another, through intro(),
 *  saves and restores it: render.ts). */
export let ev: Eval | null = null;
export function setEval(e: Eval | null): void { ev = e; }

/**
 * One running function (a template's root or a block): its line, frame, slots and output. Taken
 * from a pool (takeFn) and given back when the function returns: renders run a function per
 * block, and an object and a slot array per call were most of the interpreter's garbage.
 */
export class Fn {
  tpl: Template;
  ctx: Ctx;
  frame: Frame;
  slots: StaticArray<Value> = NO_SLOTS;
  line: i32 = 0;
  out: rt.StrBuf;
  block: BlockDef | null = null;
  parent: Template | null = null;
  pre: string | null = null;
  /** The catcher at the end of the function's top-level scope (see Eval.tailPath). */
  tailPath: string | null = null;
  tailLine: i32 = -1;
  constructor(tpl: Template, ctx: Ctx, frame: Frame, out: rt.StrBuf) {
    this.tpl = tpl; this.ctx = ctx; this.frame = frame; this.out = out;
  }
}

const NO_SLOTS = new StaticArray<Value>(0);

// Functions nest (a block inside a block, a parent template's root after its child's, a render
// inside a render through intro()), so they are taken and given back in LIFO order: each caller
// of takeFn puts fnTop back to where it found it when the function returns.
const fnPool = new Array<Fn>();
let fnTop = 0;

/**
 * A function from the pool, as a new one would be; `out`: write into this buffer (a block run in
 * place) instead of a pooled one. Its slots read as unset: giveFns cleared them.
 */
function takeFn(tpl: Template, ctx: Ctx, frame: Frame, nslots: i32, out: rt.StrBuf | null = null): Fn {
  const o = out !== null ? out : takeBuf();
  let f: Fn;
  if (fnTop < fnPool.length) {
    f = unchecked(fnPool[fnTop]);
    f.tpl = tpl; f.ctx = ctx; f.frame = frame; f.out = o;
    f.line = 0; f.block = null; f.parent = null; f.pre = null; f.tailPath = null; f.tailLine = -1;
  } else {
    f = new Fn(tpl, ctx, frame, o);
    fnPool.push(f);
  }
  fnTop++;
  let sl = f.slots;
  if (sl.length < nslots) {
    sl = new StaticArray<Value>(nslots);
    for (let i = 0; i < nslots; i++) unchecked((sl[i] = UNDEF));
    f.slots = sl;
  }
  return f;
}

/**
 * Gives back the functions taken since the pool's top was `top`: their slots are set unset and
 * what they pointed to let go now, not at their next use (a pooled function would keep the last
 * call's values, and through its parent template and text, alive until then).
 */
function giveFns(top: i32): void {
  for (let k = top; k < fnTop; k++) {
    const f = unchecked(fnPool[k]);
    const sl = f.slots;
    for (let i = 0; i < sl.length; i++) unchecked((sl[i] = UNDEF));
    f.block = null; f.parent = null; f.pre = null; f.tailPath = null;
  }
  fnTop = top;
}

// Output buffers are reused: functions and captures nest, so they are taken and given back in
// LIFO order (every exit of runRoot/runBlockFn and of a capture gives its buffer back).
const bufPool = new Array<rt.StrBuf>();
let bufTop = 0;
function takeBuf(): rt.StrBuf {
  if (bufTop < bufPool.length) {
    const b = unchecked(bufPool[bufTop++]);
    b.clear();
    return b;
  }
  const b = new rt.StrBuf(256);
  bufPool.push(b);
  bufTop++;
  return b;
}
@inline function giveBuf(): void { bufTop--; }
/** The buffer's text, the buffer given back. */
function bufDone(b: rt.StrBuf): string {
  const s = b.toString();
  giveBuf();
  return s;
}

/** exec / execList outcomes: OK (on to the next statement), STOP (the rest of the scope is skipped
 *  without an exception: a callee did not succeed, or a callee's try caught one), EXC (an exception
 *  unwinds, in ev.err). */
const OK: i32 = 0;
const STOP: i32 = 1;
const EXC: i32 = 2;

function fail(e: IxErr): i32 {
  const x = ev!;
  if (x.err === null) x.err = e;
  return EXC;
}
function failMsg(msg: string): i32 { return fail(new IxErr(msg)); }
@inline function errOfValue(v: Value): IxErr { return (<rt.VErr>v).err; }

/**
 * Where a function's errors go: the oracle's callbacks hand an error to the nearest consumer that
 * is not a continuation (the render itself, or a self.NAME()/super.super() call), which keeps the
 * last one; the code after the failed call's scope goes on running.
 */
let failure: IxErr | null = null;

function report(e: IxErr): void {
  failure = e;
}

/**
 * Run `t`'s root as the whole render: its text, or null with ev.err set to the failure. The text
 * comes with IX's post-pass applied when the base template's buffer is all of it (runs of more
 * than two newlines cut to two while copying it out: render.ts collapses what is left).
 */
export function renderRoot(t: Template, ctx: Ctx, frame: Frame): string | null {
  const saved = failure;
  failure = null;
  // a nested render (intro()) takes buffers above the outer one's; every render leaves the pool's
  // top where it found it, even one whose failure skipped a buffer's return
  const top = bufTop;
  const s = runRoot(t, ctx, frame, true);
  bufTop = top;
  const c = failure;
  failure = saved;
  const x = ev!;
  if (c !== null) { x.err = c; return null; }
  if (s === null) { x.err = internal('render stopped without an error'); return null; }
  return s;
}

/**
 * Run template `t`'s root with `ctx` and `frame`: its output if it succeeded, else null (errors
 * reported). `capNewlines`: the output is the whole render's, copied out with the post-pass.
 */
export function runRoot(t: Template, ctx: Ctx, frame: Frame, capNewlines: bool = false): string | null {
  const top = fnTop;
  const s = rootWith(takeFn(t, ctx, frame, t.nslots), t, ctx, frame, capNewlines);
  giveFns(top);
  return s;
}

function rootWith(f: Fn, t: Template, ctx: Ctx, frame: Frame, capNewlines: bool): string | null {
  const r = execList(t.body, f, null, -1, true);
  if (r == EXC) { giveBuf(); report(takeErr(t.path, f.line)); return null; }
  if (r == STOP) { giveBuf(); return null; }
  const p = f.parent;
  if (p !== null) {
    giveBuf();
    const pre = f.pre;
    // text written before the extends comes first: the post-pass must see the joined text
    const out = runRoot(p, ctx, frame, capNewlines && (pre === null || pre.length == 0));
    if (out === null) return null;
    // most child templates write nothing before their extends: no copy of the parent's output
    return pre !== null && pre.length > 0 ? pre + out : out;
  }
  setTail(f.tailPath, f.tailLine, t.path, f.line);
  if (!capNewlines) return bufDone(f.out);
  const s = f.out.toStringCappingNewlines();
  giveBuf();
  ev!.capped = true;
  return s;
}

/** The unwinding error, sited at (path, lineno) unless an inner function sited it; ev.err cleared. */
function takeErr(path: string, lineno: i32): IxErr {
  const x = ev!;
  const e = x.err!;
  x.err = null;
  return x.site(e, path, lineno);
}

function setTail(path: string | null, line: i32, selfPath: string, selfLine: i32): void {
  const x = ev!;
  if (!isNull(path)) { x.tailPath = path; x.tailLine = line; } else { x.tailPath = selfPath; x.tailLine = selfLine; }
}

// A block's own frame lives exactly as long as its call (no value keeps a frame: there are no
// macros or closures), so block frames come from a pool too, taken and given back in LIFO order
// by runBlockFn/runBlockInto; a block run on its own (self.NAME(), super()) has the one empty
// caller frame, which nobody writes (set() stops at the block's isolated frame).
const framePool = new Array<Frame>();
let frameTop = 0;
const NO_CALLER = new Frame(null, false);

/** A frame from the pool, as `new Frame(parent, isolate)` would be. */
function takeFrame(parent: Frame | null, isolate: bool): Frame {
  if (frameTop < framePool.length) {
    const fr = unchecked(framePool[frameTop++]);
    fr.reset(parent, isolate);
    return fr;
  }
  const fr = new Frame(parent, isolate);
  framePool.push(fr);
  frameTop++;
  return fr;
}

/** Gives back the frames taken since the pool's top was `top`, emptied (their names, values and parent let go now). */
function giveFrames(top: i32): void {
  for (let k = top; k < frameTop; k++) unchecked(framePool[k]).reset(null, false);
  frameTop = top;
}

/** Run block `b` with the caller's frame (pushed, isolated): its output if it succeeded, else null. */
export function runBlockFn(b: BlockDef, ctx: Ctx, callerFrame: Frame): string | null {
  const top = fnTop;
  const ftop = frameTop;
  const s = blockFnWith(takeFn(b.tpl, ctx, takeFrame(callerFrame, true), b.nslots), b);
  giveFns(top);
  giveFrames(ftop);
  return s;
}

function blockFnWith(f: Fn, b: BlockDef): string | null {
  f.block = b;
  f.line = b.node.line;
  const r = execList(b.node.body!, f, null, -1, true);
  if (r == EXC) { giveBuf(); report(takeErr(b.tpl.path, f.line)); return null; }
  if (r == STOP) { giveBuf(); return null; }
  setTail(f.tailPath, f.tailLine, b.tpl.path, f.line);
  return bufDone(f.out);
}

/**
 * Run block `b` as `{% block %}` does: its output is written straight into `out` (the caller's
 * buffer), then counted as one emitted text, as runBlockFn's string would be. On failure `out` is
 * cut back to where the block started and the outcome is STOP (the error reported), as for
 * runBlockFn's null.
 */
function runBlockInto(b: BlockDef, ctx: Ctx, callerFrame: Frame, out: rt.StrBuf): i32 {
  const top = fnTop;
  const ftop = frameTop;
  const r = blockIntoWith(takeFn(b.tpl, ctx, takeFrame(callerFrame, true), b.nslots, out), b, out);
  giveFns(top);
  giveFrames(ftop);
  return r;
}

function blockIntoWith(f: Fn, b: BlockDef, out: rt.StrBuf): i32 {
  const mark = out.length;
  f.block = b;
  f.line = b.node.line;
  const r = execList(b.node.body!, f, null, -1, true);
  if (r == EXC) { out.truncate(mark); report(takeErr(b.tpl.path, f.line)); return STOP; }
  if (r == STOP) { out.truncate(mark); return STOP; }
  setTail(f.tailPath, f.tailLine, b.tpl.path, f.line);
  return OK;
}

/**
 * A block run on its own (self.NAME(), super.super()): bounded by the nesting depth; its failure
 * is thrown. `selfName`: the NAME of self.NAME() (its depth error says so; the text is made only
 * then), else null.
 */
export function runDetached(b: BlockDef, ctx: Ctx, selfName: string | null): Value {
  const x = ev!;
  if (x.depth >= x.maxDepth) {
    const hint = selfName !== null ? ' (self.' + selfName + '() recursion?)' : '';
    return rt.err('evaluation of ' + x.pkg + ' exceeded nesting depth ' + x.maxDepth.toString() + hint);
  }
  x.depth++;
  const saved = failure;
  failure = null;
  const s = runBlockFn(b, ctx, NO_CALLER);
  const c = failure;
  failure = saved;
  x.depth--;
  if (c !== null) return new rt.VErr(c);
  if (s === null) return new rt.VErr(internal('block stopped without an error'));
  return rt.str(s);
}

/**
 * `{{ super() }}` (or super.super()...): as evaluating it with runDetached and emitting its string,
 * but the block's text is written straight into f's output (cut back if it fails).
 */
function superOut(a: Node, f: Fn): i32 {
  const t = superBlock(a, f);
  if (t === null) return fail(errOfValue(superErr));
  const x = ev!;
  if (x.depth >= x.maxDepth) return fail(errOfValue(rt.err('evaluation of ' + x.pkg + ' exceeded nesting depth ' + x.maxDepth.toString())));
  return blockInto(t, f);
}

/**
 * Runs block `b` one nesting level deeper (the caller checked the bound) with its text written
 * straight into f's output; on failure that output is cut back to where the block began.
 */
function blockInto(b: BlockDef, f: Fn): i32 {
  const x = ev!;
  x.depth++;
  const saved = failure;
  failure = null;
  const out = f.out;
  const mark = out.length;
  const r = runBlockInto(b, f.ctx, NO_CALLER, out);
  const c = failure;
  failure = saved;
  x.depth--;
  if (c !== null) {
    out.truncate(mark);
    return fail(errOfValue(new rt.VErr(c)));
  }
  if (r != OK) {
    out.truncate(mark);
    return fail(errOfValue(new rt.VErr(internal('block stopped without an error'))));
  }
  const e = rt.countEmit(<f64>(out.length - mark));
  if (e !== null) {
    out.truncate(mark);
    return fail(e.err);
  }
  return OK;
}

/** The block name id of `self.NAME()` / `self["NAME"]()` without arguments (the compiler marks it), else -1. */
@inline export function selfCallId(a: Node): i32 {
  return a.n - 1;
}

/**
 * `{{ self.NAME() }}`: as evaluating the call (SelfMethod, runDetached) and emitting its string,
 * but the block's text is written straight into f's output (cut back if it fails), as superOut.
 */
function selfOut(id: i32, f: Fn): i32 {
  const b = f.ctx.block(id);
  const name = blockName(id);
  if (b === null) return fail(errOfValue(rt.err('self.' + name + "(): no block '" + name + "' in this template chain")));
  const x = ev!;
  if (x.depth >= x.maxDepth) return fail(errOfValue(rt.err('evaluation of ' + x.pkg + ' exceeded nesting depth ' + x.maxDepth.toString() + ' (self.' + name + '() recursion?)')));
  return blockInto(b, f);
}

// ---- statements -----------------------------------------------------------------------------

/**
 * Run a scope's statements. After a block call or include that succeeded, the rest of the scope
 * runs inside that callee's callback (the oracle's generated code), so an exception there is
 * caught by the callee's try: sited at its tail (the callee's template and final line, unless an
 * inner function sited it), reported, and the scope ends without one (STOP). `cPath`: such a
 * catcher from the start (a block's body after its lifted super()). `top`: the function's
 * top-level scope, whose final catcher is kept in f.tail*.
 */
function execList(list: Array<Node>, f: Fn, cPath: string | null = null, cLine: i32 = -1, top: bool = false): i32 {
  let path = cPath;
  let line = cLine;
  for (let i = 0; i < list.length; i++) {
    const n = list[i];
    const x = ev!;
    x.tailPath = null;
    const r = exec(n, f);
    if (r == STOP) return STOP;
    if (r == EXC) {
      if (isNull(path)) return EXC;
      report(takeErr(path!, line));
      return STOP;
    }
    if ((n.kind == A.S_BLOCK || n.kind == A.S_INCLUDE) && !isNull(x.tailPath)) { path = x.tailPath; line = x.tailLine; }
  }
  if (top) { f.tailPath = path; f.tailLine = line; }
  return OK;
}

/** A nested scope (if/for body, capture): only an exception leaves it. */
@inline function nested(r: i32): i32 { return r == EXC ? EXC : OK; }

function emit(f: Fn, s: string): i32 {
  const e = rt.countEmit(<f64>s.length);
  if (e !== null) return fail(e.err);
  f.out.add(s);
  return OK;
}

/**
 * `{{ x | jd }}` or `{{ x | list_to_json }}` once the filter is resolved (expr.ts): as evaluating
 * it and emitting its string, but the JSON text is written straight into f's output (cut back if
 * it fails); -1 for any other output, which is evaluated as usual.
 */
function jsonOut(a: Node, f: Fn): i32 {
  const id = a.n - 1;
  if (!rt.isJsonFilter(id)) return -1;
  const args = a.args;
  const names = a.names;
  if (args === null || args.length != 1 || (names !== null && names.length > 0)) return -1;
  f.line = a.line;
  const arg = unchecked(args[0]);
  if (id == rt.JD_FILTER && arg.kind == A.E_CALL) {
    const id = selfCallId(arg);
    if (id >= 0) {
      f.line = arg.line;
      return selfJsonOut(id, f);
    }
  }
  const v = evalExpr(arg, f);
  if (v.isErr) return fail(errOfValue(v));
  const out = f.out;
  const mark = out.length;
  const e = rt.jsonFilterInto(id, v, out);
  if (e !== null) {
    out.truncate(mark);
    return fail(errOfValue(e));
  }
  const c = rt.countEmit(<f64>(out.length - mark));
  if (c !== null) {
    out.truncate(mark);
    return fail(c.err);
  }
  return OK;
}

/**
 * `{{ self.NAME() | jd }}`: as evaluating the call (expr.ts selfCall, runDetached) and writing
 * the string's JSON into f's output, but the block's text is written into a pooled buffer and
 * escaped from there (no string of it is made: script bodies are the longest texts of a render).
 */
function selfJsonOut(id: i32, f: Fn): i32 {
  const ctx = f.ctx;
  const b = ctx.block(id);
  const name = blockName(id);
  if (b === null) return fail(errOfValue(rt.err('self.' + name + "(): no block '" + name + "' in this template chain")));
  const x = ev!;
  if (x.depth >= x.maxDepth) return fail(errOfValue(rt.err('evaluation of ' + x.pkg + ' exceeded nesting depth ' + x.maxDepth.toString() + ' (self.' + name + '() recursion?)')));
  x.depth++;
  const saved = failure;
  failure = null;
  const text = takeBuf();
  const r = runBlockInto(b, ctx, NO_CALLER, text);
  const c = failure;
  failure = saved;
  x.depth--;
  if (c !== null) { giveBuf(); return fail(c); }
  if (r != OK) { giveBuf(); return fail(internal('block stopped without an error')); }
  const out = f.out;
  const mark = out.length;
  rt.asciiJsonUnitsInto(out, text.units(), text.length);
  giveBuf();
  const e = rt.countEmit(<f64>(out.length - mark));
  if (e !== null) {
    out.truncate(mark);
    return fail(e.err);
  }
  return OK;
}

function exec(n: Node, f: Fn): i32 {
  switch (n.kind) {
    case A.S_DATA: return n.s.length == 0 ? OK : emit(f, n.s);
    case A.S_OUT: {
      f.line = n.a!.line;
      const a = n.a!;
      if (a.kind == A.E_SUPERCALL && a.n > 0) return superOut(a, f);
      if (a.kind == A.E_CALL) {
        const id = selfCallId(a);
        if (id >= 0) return selfOut(id, f);
      }
      if (a.kind == A.E_FILTER) {
        const r = jsonOut(a, f);
        if (r >= 0) return r;
      }
      const v = evalExpr(a, f);
      if (v.isErr) return fail(errOfValue(v));
      return emit(f, v.k == rt.K_STR ? (<VStr>v).s : rt.pyStr(v));
    }
    case A.S_IF: {
      f.line = n.line;
      const c = evalExpr(n.a!, f);
      if (c.isErr) return fail(errOfValue(c));
      if (rt.truthy(c)) return nested(execList(n.body!, f));
      const e = n.els;
      return e !== null ? nested(execList(e, f)) : OK;
    }
    case A.S_FOR: return execFor(n, f);
    case A.S_SET: return execSet(n, f);
    case A.S_SETATTR: {
      const o = evalExpr(n.a!, f);
      if (o.isErr) return fail(errOfValue(o));
      const k = evalExpr(n.b!, f);
      if (k.isErr) return fail(errOfValue(k));
      const v = evalExpr(n.c!, f);
      if (v.isErr) return fail(errOfValue(v));
      const ks = rt.pyStr(k);
      if (o.k != rt.K_NS) return failMsg("cannot assign attribute '" + ks + "': only a namespace() has assignable attributes");
      if (ks == '__proto__' || ks == 'constructor' || ks == 'toString') return failMsg("cannot assign attribute '" + ks + "'");
      (<VNs>o).attrs.set(ks, v);
      return OK;
    }
    case A.S_BLOCK: {
      if (!A.siteAlways(n.n) && f.parent !== null) return OK;
      const d = f.ctx.block(A.siteId(n.n));
      if (d === null) return failMsg("no block '" + n.s + "'");
      const out = f.out;
      const mark = out.length;
      const r = runBlockInto(d, f.ctx, f.frame, out);
      if (r != OK) return r;
      const e = rt.countEmit(<f64>(out.length - mark));
      if (e !== null) {
        out.truncate(mark);
        return fail(e.err);
      }
      return OK;
    }
    case A.S_EXTENDS: return execExtends(n, f);
    case A.S_INCLUDE: return execInclude(n, f);
    case A.S_FILTER: {
      f.line = n.line;
      if (!rt.hasFilter(n.s)) return failMsg("unknown filter '" + n.s + "'");
      const saved = f.out;
      f.out = takeBuf();
      const r = nested(execList(n.body!, f));
      const body = bufDone(f.out);
      f.out = saved;
      if (r == EXC) return EXC;
      const args = new Array<Value>();
      args.push(rt.str(body));
      const v = evalArgs(n, f, args);
      if (v !== null) return fail(errOfValue(v));
      const res = rt.filter(n.s, args);
      if (res.isErr) return fail(errOfValue(res));
      return emit(f, res.k == rt.K_STR ? (<VStr>res).s : rt.pyStr(res));
    }
  }
  return fail(internal('unknown statement'));
}

function execSet(n: Node, f: Fn): i32 {
  f.line = n.line;
  let v: Value;
  const a = n.a;
  if (a !== null) {
    v = evalExpr(a, f);
    if (v.isErr) return fail(errOfValue(v));
  } else {
    const saved = f.out;
    f.out = takeBuf();
    const r = nested(execList(n.body!, f));
    const s = bufDone(f.out);
    f.out = saved;
    if (r == EXC) return EXC;
    v = rt.str(s);
  }
  const names = n.names!;
  const slots = n.args!;
  for (let i = 0; i < names.length; i++) {
    const s = slots[i].n;
    if (s >= 0) f.slots[s] = v;
    f.frame.set(names[i], v, n.n == 0);
    if (f.frame.topLevel) f.ctx.vars.set(names[i], v);
  }
  return OK;
}

function itemAt(arr: Value, j: i32): Value {
  if (arr.k == rt.K_LIST) { const it = (<VList>arr).items; return j >= 0 && j < it.length ? it[j] : UNDEF; }
  if (arr.k == rt.K_STR) { const s = (<VStr>arr).s; return j >= 0 && j < s.length ? rt.str(s.charAt(j)) : UNDEF; }
  return UNDEF;
}

/** JS `x[u]` of a loop item being unpacked. */
function unpack(x: Value, u: i32): Value {
  if (x.k == rt.K_UNDEF || x.k == rt.K_NONE) return rt.err(TYPE_ERROR);
  if (x.k == rt.K_LIST || x.k == rt.K_STR) return itemAt(x, u);
  if (x.k == rt.K_DICT) { const v = (<VDict>x).get(u.toString()); return v !== null ? v : UNDEF; }
  return UNDEF;
}

function bindLoop(fr: Frame, arr: Value, i: i32, len: i32): void {
  const d = fr.loopDict();
  d.set('index', rt.num(i + 1));
  d.set('index0', rt.num(i));
  d.set('revindex', rt.num(len - i));
  d.set('revindex0', rt.num(len - i - 1));
  d.set('first', rt.bool_(i == 0));
  d.set('last', rt.bool_(i == len - 1));
  d.set('length', rt.num(len));
  d.set('previtem', itemAt(arr, i - 1));
  d.set('nextitem', itemAt(arr, i + 1));
  d.set('cycle', new LoopCycle(i));
  d.set('depth', rt.num(1));
  d.set('depth0', rt.num(0));
}

function execFor(n: Node, f: Fn): i32 {
  f.line = n.line;
  const outer = f.frame;
  f.frame = new Frame(outer, false);
  const r = forBody(n, f);
  // an exception leaves the loop's frame in place (the oracle pops it after the loop only)
  if (r != EXC) f.frame = outer;
  return r;
}

function forBody(n: Node, f: Fn): i32 {
  let arr = evalExpr(n.a!, f);
  if (arr.isErr) return fail(errOfValue(arr));
  let len = 0;
  if (rt.truthy(arr)) {
    arr = rt.fromIterator(arr);
    if (arr.isErr) return fail(errOfValue(arr));
    const names = n.names!;
    const slots = n.args!;
    const body = n.body!;
    const fr = f.frame;
    if (n.n == 1 && arr.k == rt.K_STR) {
      // unpacking over a string iterates its keys (indexes) and values (characters)
      const s = (<VStr>arr).s;
      len = s.length;
      for (let i = 0; i < len; i++) {
        const k = rt.str(i.toString());
        const v = rt.str(s.charAt(i));
        if (slots.length > 0) f.slots[slots[0].n] = k;
        if (slots.length > 1) f.slots[slots[1].n] = v;
        fr.setHere(names[0], k);
        if (names.length > 1) fr.setHere(names[1], v);
        bindLoop(fr, arr, i, len);
        if (execList(body, f) == EXC) return EXC;
      }
    } else {
      len = arr.k == rt.K_LIST ? (<VList>arr).items.length : (arr.k == rt.K_STR ? (<VStr>arr).s.length : 0);
      for (let i = 0; i < len; i++) {
        // the list may change while iterating (JS reads arr.length every time)
        const cur = arr.k == rt.K_LIST ? (<VList>arr).items.length : len;
        if (i >= cur) break;
        const item = itemAt(arr, i);
        if (n.n == 1) {
          for (let u = 0; u < names.length; u++) {
            const x = unpack(item, u);
            if (x.isErr) return fail(errOfValue(x));
            f.slots[slots[u].n] = x;
            fr.setHere('[object Object]', x);
          }
        } else {
          f.slots[slots[0].n] = item;
          fr.setHere(names[0], item);
        }
        bindLoop(fr, arr, i, len);
        if (execList(body, f) == EXC) return EXC;
      }
    }
  }
  const e = n.els;
  if (e !== null && len == 0) return nested(execList(e, f));
  return OK;
}

function execExtends(n: Node, f: Fn): i32 {
  f.line = n.line;
  const nameV = evalExpr(n.a!, f);
  if (nameV.isErr) return fail(errOfValue(nameV));
  const x = ev!;
  const r = resolveName(rt.pyStr(nameV), f.tpl.path);
  if (r.err !== null) return fail(r.err!);
  const path = r.path;
  if (x.chain.includes(path)) return failMsg('extends cycle: ' + x.chain.join(' -> ') + ' -> ' + path);
  if (x.chain.length >= x.maxDepth) return failMsg('evaluation of ' + x.pkg + ' exceeded nesting depth ' + x.maxDepth.toString() + ' (extends chain)');
  x.chain.push(path);
  const t = x.load(path);
  if (t === null) return EXC;
  f.parent = t;
  f.ctx.addBlocks(t);
  if (f.pre === null) f.pre = f.out.length > 0 ? f.out.toString() : '';
  return OK;
}

function execInclude(n: Node, f: Fn): i32 {
  f.line = n.line;
  const nameV = evalExpr(n.a!, f);
  if (nameV.isErr) return fail(errOfValue(nameV));
  const x = ev!;
  const r = resolveName(rt.pyStr(nameV), f.tpl.path);
  if (r.err !== null) return fail(r.err!);
  const t = x.load(r.path);
  if (t === null) return EXC;
  if (x.depth >= x.maxDepth) return failMsg('evaluation of ' + x.pkg + ' exceeded nesting depth ' + x.maxDepth.toString());
  x.depth++;
  const c = new Ctx();
  const keys = f.ctx.vars.keys();
  for (let i = 0; i < keys.length; i++) c.vars.set(keys[i], f.ctx.vars.get(keys[i]));
  c.addBlocks(t);
  const fr = new Frame(f.frame, true);
  fr.topLevel = true;
  const s = runRoot(t, c, fr);
  x.depth--;
  if (s === null) return STOP;
  return emit(f, s);
}

/** nunjucks' cleanMessage of a parse error (whitespace runs collapsed, trimmed). */
export function cleanMessage(msg: string): string {
  const b = new rt.StrBuf(msg.length);
  let sp = false;
  for (let i = 0; i < msg.length; i++) {
    const c = msg.charCodeAt(i);
    if (isWs(c)) { sp = true; continue; }
    if (sp && b.length > 0) b.addCode(32);
    sp = false;
    b.addCode(c);
  }
  let s = b.toString();
  if (s.startsWith('Template render error:')) s = s.substring(22).trimStart();
  if (s.startsWith('Error:')) s = s.substring(6).trimStart();
  return s;
}

function isWs(c: i32): bool {
  return c == 9 || c == 10 || c == 11 || c == 12 || c == 13 || c == 32 || c == 0xa0 || c == 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000 || c == 0xfeff;
}
