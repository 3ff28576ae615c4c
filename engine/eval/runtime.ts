/**
 * What compiled templates run against: a render Context (variables, block stacks, `self`), the
 * environment object (filters, tests, globals, template loading) and the runtime functions the
 * compiled code calls. These replace nunjucks' own where Jinja2 semantics or safety differ:
 *  - member access is a whitelist (own data fields, Python str/list/dict methods, self.NAME),
 *    so a recipe cannot reach constructors, prototypes or anything of the host;
 *  - calling an undefined name is an IxError; output and `~`/`+` are size-bounded; every loop
 *    counts its iterations; errors carry the logical file and line.
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import * as nj from 'nunjucks/browser/nunjucks.js';
import { IxError } from '../errors';
import { containerMethod, DICT_PROTO, isPlainObject, Namespace, PyFloat, pyRepr, pyStr, strMethod } from './pystr';
import { arith, checkedInt, compare, compareChain, pyEq } from './operators';
import { checkSize, countEmit, countLoop, current } from './state';
import { IX_FILTERS } from './filters';
import { OWN_FILTERS, ownSet } from './own';

type Fn = (...a: unknown[]) => unknown;
type Cb = (err: unknown, res?: unknown) => void;
/** A compiled block or root function, as nunjucks' compiler emits it. */
export type RenderFn = (env: unknown, context: IxContext, frame: nj.NjFrame, runtime: unknown, cb: Cb) => void;

/** A loaded template: what `extends` and `include` code needs of it. */
export interface LoadedTemplate {
  path: string;
  blocks: Record<string, RenderFn>;
  rootRenderFunc: RenderFn;
  render(vars: Record<string, unknown>, frame: nj.NjFrame | null, cb: Cb): void;
}

const hasOwn = (o: object, k: PropertyKey): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** `self` of a render context: `self.NAME()` renders the most-derived block NAME. */
export class SelfRef {
  constructor(private readonly context: IxContext) {}
  method(name: string): Fn {
    return () => renderBlock(this.context, name);
  }
  /** Printed like a callable (as the compiled core prints it), not as a JavaScript object. */
  toString(): string {
    return '<function>';
  }
}

/** Render one block of a context synchronously and return its text (used by self.NAME()). */
export function renderBlock(context: IxContext, name: string): string {
  if (!hasOwn(context.blocks, name)) throw new IxError(`self.${name}(): no block '${name}' in this template chain`);
  return runBlock(context, context.blocks[name][0], ` (self.${name}() recursion?)`);
}

/** Runs a compiled block synchronously within the nesting bound; `hint` ends the bound's message. */
function runBlock(context: IxContext, block: RenderFn, hint = ''): string {
  const st = current();
  if (st.depth >= st.limits.maxDepth) throw new IxError(`evaluation of ${st.pkg} exceeded nesting depth ${st.limits.maxDepth}${hint}`);
  st.depth++;
  let out = '';
  let failure: unknown;
  try {
    block(env, context, new nj.runtime.Frame(), ixRuntime, (err, res) => {
      if (err) failure = err;
      else out = res as string;
    });
  } finally {
    st.depth--;
  }
  if (failure !== undefined) throw failure;
  return out;
}

/** The render context of one evaluation (nunjucks' Context contract, Jinja2 semantics). */
export class IxContext {
  readonly ctx: Record<string, unknown>;
  readonly blocks: Record<string, RenderFn[]> = Object.create(null);
  private selfRef?: SelfRef;
  constructor(vars: Record<string, unknown>, blocks: Record<string, RenderFn>) {
    this.ctx = Object.assign(Object.create(null), vars);
    for (const k of Object.keys(blocks)) this.addBlock(k, blocks[k]);
  }
  get env(): unknown {
    return env;
  }
  /** A context name's value; the name is recorded as read (the render's read set, plan/reads.ts). */
  lookup(name: string): unknown {
    current().names.add(name);
    if (name in this.ctx) return this.ctx[name];
    return hasOwn(GLOBALS, name) ? GLOBALS[name] : undefined;
  }
  self(): SelfRef {
    return (this.selfRef ??= new SelfRef(this));
  }
  setVariable(name: string, val: unknown): void {
    this.ctx[name] = val;
  }
  getVariables(): Record<string, unknown> {
    return this.ctx;
  }
  addBlock(name: string, block: RenderFn): this {
    (this.blocks[name] ??= []).push(block);
    return this;
  }
  getBlock(name: string): RenderFn {
    const b = this.blocks[name];
    if (b === undefined) throw new IxError(`no block '${name}'`);
    return b[0];
  }
  getSuper(e: unknown, name: string, block: RenderFn, frame: nj.NjFrame, rt: unknown, cb: Cb): void {
    const list = this.blocks[name] ?? [];
    const i = list.indexOf(block);
    if (i < 0 || i + 1 >= list.length) throw new IxError(`super(): block '${name}' has no parent block`);
    list[i + 1](e, this, frame, rt, cb);
  }
  addExport(): void {}
  getExported(): Record<string, unknown> {
    return {};
  }
}

// ---- globals, filters, tests ----------------------------------------------------------------

function namespace(...args: unknown[]): Namespace {
  const ns = new Namespace();
  for (const a of args) {
    if (!isPlainObject(a)) throw new IxError('namespace() takes keyword arguments or a dict');
    for (const k of Object.keys(a)) if (k !== '__keywords') ownSet(ns, k, a[k]);
  }
  return ns;
}

function ixSetAttr(obj: unknown, key: unknown, val: unknown): void {
  if (!(obj instanceof Namespace)) throw new IxError(`cannot assign attribute '${pyStr(key)}': only a namespace() has assignable attributes`);
  const k = pyStr(key);
  if (k === '__proto__' || k === 'constructor' || k === 'toString') throw new IxError(`cannot assign attribute '${k}'`);
  (obj as unknown as Record<string, unknown>)[k] = val;
}

const stock = new nj.Environment([], { autoescape: false });

function range(a: unknown, b?: unknown, c?: unknown): number[] {
  let start = Number(a);
  let stop = Number(b);
  const step = c === undefined ? 1 : Number(c);
  if (b === undefined) {
    stop = start;
    start = 0;
  }
  if (![start, stop, step].every(Number.isInteger) || step === 0) throw new IxError('range(): arguments must be integers, step not 0');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const st = current();
  if (n > st.limits.maxLoop) throw new IxError(`evaluation of ${st.pkg} exceeded ${st.limits.maxLoop} loop iterations (range() of ${n} items)`);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(start + i * step);
  return out;
}

const GLOBALS: Record<string, unknown> = Object.assign(Object.create(null), {
  range,
  namespace,
  cycler: stock.globals.cycler,
  joiner: stock.globals.joiner,
});

/** nunjucks' built-in filters that are pure, deterministic and bounded. */
const STOCK_FILTERS = ['abs', 'batch', 'capitalize', 'default', 'd', 'dictsort', 'first', 'groupby', 'int', 'float', 'join',
  'last', 'length', 'list', 'lower', 'reject', 'rejectattr', 'reverse', 'round', 'safe', 'select', 'selectattr', 'sort',
  'string', 'striptags', 'sum', 'title', 'trim', 'truncate', 'upper', 'urlencode', 'wordcount'];

const FILTERS: Record<string, Fn> = Object.create(null);
for (const f of STOCK_FILTERS) FILTERS[f] = stock.filters[f] as Fn;
Object.assign(FILTERS, OWN_FILTERS);
Object.assign(FILTERS, IX_FILTERS);

/** Filter names a template may use. */
export function filterNames(): string[] {
  return Object.keys(FILTERS).sort();
}

/** Loads a template for extends/include; set by the evaluator (breaks an import cycle). */
export let templateLoader: (name: string, from: string | undefined, isExtends: boolean) => LoadedTemplate = () => {
  throw new Error('ix: no template loader installed');
};
export function setTemplateLoader(f: typeof templateLoader): void {
  templateLoader = f;
}

/** The `env` object compiled templates receive. */
export const env = {
  opts: { autoescape: false },
  waterfall: stock.waterfall,
  getFilter(name: string): Fn {
    if (!hasOwn(FILTERS, name)) throw new IxError(`unknown filter '${name}'`);
    return FILTERS[name];
  },
  getTest(name: string): Fn {
    if (!hasOwn(stock.tests, name)) throw new IxError(`unknown test '${name}'`);
    return stock.tests[name] as Fn;
  },
  getTemplate(name: unknown, eager: boolean, parentName: string | undefined, _ignoreMissing: boolean, cb: Cb): void {
    cb(null, templateLoader(pyStr(name), parentName ?? undefined, eager));
  },
  getExtension(name: string): never {
    throw new IxError(`unknown extension '${name}'`);
  },
};

// ---- runtime functions ------------------------------------------------------------------------

function index<T>(xs: ArrayLike<T>, i: number): T | undefined {
  const k = i < 0 ? xs.length + i : i;
  return k >= 0 && k < xs.length ? xs[k] : undefined;
}

function memberLookup(obj: unknown, val: unknown): unknown {
  // Jinja2: an attribute or item of an undefined value is an error (of None: undefined)
  if (obj === undefined) throw new IxError(`${typeof val === 'number' ? `item ${val}` : `attribute '${pyStr(val)}'`} of an undefined value`);
  if (obj === null) return undefined;
  if (obj instanceof SelfRef) return obj.method(pyStr(val));
  if (obj instanceof nj.runtime.SafeString) obj = (obj as { val: string }).val;
  if (typeof obj === 'string') {
    if (typeof val === 'number') return index(obj, val);
    return strMethod(obj, pyStr(val), current().limits.maxOutput);
  }
  if (Array.isArray(obj)) {
    if (typeof val === 'number') return index(obj, val);
    return containerMethod(obj, pyStr(val));
  }
  if (typeof obj === 'object' && obj !== null) {
    const key = pyStr(val);
    if (hasOwn(obj, key)) return (obj as Record<string, unknown>)[key];
    return containerMethod(obj, key);
  }
  return undefined;
}

function sliceIndex(v: unknown, what: string): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new IxError(`slice ${what} must be an integer or None, got ${pyRepr(v)}`);
}

/** Python's `seq[start:stop:step]` on strings (code units) and lists. */
function ixSlice(obj: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  if (obj instanceof nj.runtime.SafeString) obj = (obj as { val: string }).val;
  const isStr = typeof obj === 'string';
  if (!isStr && !Array.isArray(obj)) {
    if (obj === undefined) return undefined;
    throw new IxError(`cannot slice ${pyRepr(obj)}`);
  }
  const seq = obj as string | unknown[];
  const n = seq.length;
  const st = sliceIndex(step, 'step') ?? 1;
  if (st === 0) throw new IxError('slice step cannot be zero');
  const clamp = (v: number | null, dflt: number, lo: number, hi: number): number => {
    if (v === null) return dflt;
    const k = v < 0 ? v + n : v;
    return k < lo ? lo : k > hi ? hi : k;
  };
  const a = st > 0 ? clamp(sliceIndex(start, 'start'), 0, 0, n) : clamp(sliceIndex(start, 'start'), n - 1, -1, n - 1);
  const b = st > 0 ? clamp(sliceIndex(stop, 'stop'), n, 0, n) : clamp(sliceIndex(stop, 'stop'), -1, -1, n - 1);
  if (st === 1) return seq.slice(a, Math.max(a, b));
  const out: unknown[] = [];
  for (let i = a; st > 0 ? i < b : i > b; i += st) out.push(seq[i]);
  countLoop(out.length);
  return isStr ? out.join('') : out;
}

function callWrap(fn: unknown, name: string, context: unknown, args: unknown[]): unknown {
  if (typeof fn !== 'function') {
    throw new IxError(fn === undefined || fn === null ? `call of undefined '${name}'` : `'${name}' is not callable`);
  }
  return fn.apply(context, args);
}

const CONSTANTS: Record<string, unknown> = { True: true, False: false, None: null, true: true, false: false, none: null };

function contextOrFrameLookup(context: IxContext, frame: nj.NjFrame, name: string): unknown {
  if (name === 'self') return context.self();
  const v = frame.lookup(name);
  if (v !== undefined) return v;
  const c = context.lookup(name);
  if (c !== undefined) return c;
  return hasOwn(CONSTANTS, name) ? CONSTANTS[name] : undefined;
}

/** `super.super()` and deeper: the block `depth` levels above `block` in the chain, rendered. */
function ixSuper(context: IxContext, name: string, block: RenderFn, depth: number): string {
  const list = context.blocks[name] ?? [];
  const i = list.indexOf(block);
  if (i < 0 || i + depth >= list.length) {
    throw new IxError(depth === 1 ? `super(): block '${name}' has no parent block` : `super${'.super'.repeat(depth - 1)}(): block '${name}' has no block ${depth} levels up`);
  }
  return runBlock(context, list[i + depth]);
}

function fromIterator(arr: unknown): unknown {
  if (arr instanceof nj.runtime.SafeString) arr = (arr as { val: string }).val;
  if (Array.isArray(arr) || typeof arr === 'string') {
    countLoop(arr.length);
    return arr;
  }
  if (isPlainObject(arr)) {
    const keys = Object.keys(arr);
    countLoop(keys.length);
    return keys;
  }
  return [];
}

function ixOut(v: unknown): string {
  const s = typeof v === 'string' ? v : pyStr(v);
  countEmit(s.length);
  return s;
}

function isStrLike(v: unknown): boolean {
  return typeof v === 'string' || v === undefined || v instanceof nj.runtime.SafeString;
}

function ixCat(a: unknown, b: unknown): string {
  const x = pyStr(a);
  const y = pyStr(b);
  checkSize(x.length + y.length);
  return x + y;
}

function ixAdd(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return Number.isInteger(a) && Number.isInteger(b) ? checkedInt(a + b, '+') : a + b;
  const num = (x: unknown) => typeof x === 'number' || x instanceof PyFloat;
  if (num(a) && num(b)) return new PyFloat(Number(a) + Number(b));
  // Python: bool is an int (True + 1 is 2)
  const int = (x: unknown) => typeof x === 'boolean' || (typeof x === 'number' && Number.isInteger(x));
  if (int(a) && int(b)) return checkedInt(Number(a) + Number(b), '+');
  if ((int(a) || a instanceof PyFloat) && (int(b) || b instanceof PyFloat)) return new PyFloat(Number(a) + Number(b));
  if (isStrLike(a) && isStrLike(b)) return ixCat(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length + b.length > current().limits.maxLoop) throw new IxError(`list longer than ${current().limits.maxLoop} items`);
    return [...a, ...b];
  }
  throw new IxError(`unsupported operands for +: ${pyRepr(a)} and ${pyRepr(b)}`);
}

function inOperator(key: unknown, val: unknown): boolean {
  // Jinja2's Undefined iterates as empty, so nothing is `in` it
  if (val === undefined) return false;
  if (Array.isArray(val)) return val.some((x) => pyEq(x, key));
  if (typeof val === 'string' || val instanceof nj.runtime.SafeString) return pyStr(val).includes(pyStr(key));
  if (isPlainObject(val)) return hasOwn(val, pyStr(key));
  throw new IxError(`'in' needs a string, list or dict on the right, got ${pyRepr(val)}`);
}

/** Text of an error thrown by nunjucks or JS, without nunjucks' "(unknown path) [Line…]" noise. */
/**
 * The message of an error the evaluator did not raise itself, the same in every JavaScript
 * engine: a built-in error's own text differs between V8 and QuickJS ("Cannot read properties of
 * null" / "cannot read property ... of null"), so it is replaced by its kind (test/fuzz.test.ts).
 */
export function portableMessage(e: unknown): string {
  if (e instanceof TypeError) return 'a value used here is undefined, null or of the wrong type';
  if (e instanceof ReferenceError) return 'a name used here is not defined';
  if (e instanceof RangeError) return 'a value used here is out of range';
  if (e instanceof SyntaxError) return 'malformed text where JSON or an expression was expected';
  const m = (e as { message?: unknown })?.message;
  return cleanMessage(String(m ?? e));
}

export function cleanMessage(msg: string): string {
  return msg
    .replace(/\(unknown path\)(\s*\[Line \d+, Column \d+\])?/g, '')
    .replace(/^\s*(Template render error:\s*)?(Error:\s*)?/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Attach the logical file and line (of the preprocessed template `name`, 0-based `lineno`). */
export function siteOf(name: string | undefined, lineno: number): { file?: string; line?: number } {
  if (name === undefined) return {};
  const src = current().sources.get(name);
  if (src === undefined || lineno < 0 || lineno >= src.files.length) return { file: name };
  return { file: src.files[lineno], line: src.lines[lineno] };
}

function handleError(e: unknown, lineno: number, _colno: number, name?: string): IxError {
  if (e instanceof IxError) return e.site.file === undefined ? e.within(siteOf(name, lineno)) : e;
  const msg = e instanceof Error ? e.message : String(e);
  if (e instanceof RangeError && /call stack/i.test(msg)) {
    return new IxError(`evaluation of ${current().pkg} recursed too deeply`, siteOf(name, lineno));
  }
  return new IxError(portableMessage(e), siteOf(name, lineno));
}

/** The runtime object handed to compiled templates. */
export const ixRuntime = {
  ...nj.runtime,
  memberLookup,
  callWrap,
  contextOrFrameLookup,
  fromIterator,
  handleError,
  inOperator,
  ixOut,
  ixCat,
  ixAdd,
  ixSlice,
  ixSuper,
  ixFloat: (v: number) => new PyFloat(v),
  /** The prototype of dict literals (pystr.ts DICT_PROTO). */
  ixDictProto: DICT_PROTO,
  /** `-`, `*`, `/`, `//`, `%`, `**` and comparisons with Python's semantics (operators.ts). */
  ixArith: arith,
  ixCompare: compare,
  ixCompareChain: compareChain,
  /** loop.previtem / loop.nextitem: the neighbour in a list or string, undefined past the ends. */
  ixSetAttr,
  ixItem: (arr: unknown, j: number): unknown => ((Array.isArray(arr) || typeof arr === 'string') && j >= 0 && j < arr.length ? arr[j] : undefined),
  /** loop.cycle(a, b, ...): the argument at the iteration's index modulo their count. */
  ixCycle: (i: number) => (...args: unknown[]): unknown => {
    if (args.length === 0) throw new IxError('loop.cycle() needs at least one value');
    return args[i % args.length];
  },
};
