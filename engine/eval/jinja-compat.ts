/**
 * Adjustments to nunjucks 3.2.4 (its browser build, which only the engine loads) so templates
 * behave as under Jinja2 with trim_blocks + lstrip_blocks, as IX renders them, and so the
 * generated JS routes output, `~`, `+` and errors through the evaluator's runtime (runtime.ts):
 *  - comments get trim_blocks/lstrip_blocks like block tags (Jinja2 does, nunjucks does not);
 *  - `(a, b)` is a tuple; `set` inside a for loop does not leak out of the loop;
 *  - blocks inside `{% set %}…{% endset %}` are real blocks and render their most-derived version;
 *  - subscripts are Python's: `x[i]`, slices `x[a:b:c]` with any part left out;
 *  - `super()` in any block renders its parent block or fails (`super(): block 'b' has no parent
 *    block`), also in a block nested in another; `super.super()` renders the block two levels up;
 *  - float literals print as Python floats;
 *  - `loop.previtem`, `loop.nextitem`, `loop.cycle()`, `loop.depth`, `loop.depth0` exist;
 *  - `namespace(k=v)` and `{% set ns.k = v %}` (runtime.ts Namespace);
 *  - what a template prints before its `{% extends %}` runs is kept (nunjucks dropped it);
 *  - a called expression's name may hold any character (`'\n'.join(x)` compiled to broken JS);
 *  - output, `~`, `+` are size-checked; `lineno` is kept current; errors carry the template name.
 * Any change to the generated code must change COMPILER_TAG in compile.ts (host cache keys).
 *
 * Differences from Jinja2 that remain (none is used by an IX tree, see bench/ix-compat); each is
 * pinned by a test in test/eval-compat.test.ts, so fixing one shows up there:
 *  1. strings are indexed and sliced by UTF-16 code units, not code points;
 *  2. only literals remember being floats: `{{ 4 / 2 }}` is "2" (Jinja2 "2.0"), and `0.0` is true;
 *  3. a namespace prints as `<Namespace>` without its fields (Jinja2 lists them);
 *  4. `loop.changed()` is undefined and loops cannot be recursive (`loop.depth` is always 1);
 *  5. dicts iterate integer-like keys first (JS property order), Jinja2 in insertion order;
 *  6. tests (`is ...`) are nunjucks' set: `is number`, `is mapping` etc. exist, `is boolean` does not;
 *  7. where Jinja2 raises and we refuse too, the message is ours, and an integer result beyond
 *     2**53 - 1 is an error (`integer overflow: the result of * exceeds 2**53`) where Python
 *     computes an exact big int (operators.ts);
 *  8. `macro`, `call`, `import`, `from` (and nunjucks' `switch` and async tags) are refused while
 *     parsing, as are nunjucks' regex literals `r/x/`: no IX tree uses them, the compiled core
 *     implements none of them, and both refuse them with the same line.
 * Arithmetic and comparisons follow Python (operators.ts: division by zero, `%` and `//` floor,
 * repetition, mixed-type ordering, equality), and nesting is bounded while parsing (nesting.ts).
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import * as nj from 'nunjucks/browser/nunjucks.js';

const P = nj.compiler.Compiler.prototype as any;
const N = nj.nodes as any;
const L = Object.getPrototypeOf((nj as any).lexer.lex('', {}));
const PP = (nj as any).parser.Parser.prototype;
const LX = (nj as any).lexer;

// ---- lexer: a name is ASCII letters, digits and `_`, not starting with a digit ------------------
// nunjucks reads anything up to a delimiter as one name (`endif"t"raw`, `a\b`, `1x`, `a\u200b`)
// and writes it into the generated JS, quoted or as a property or function name, unescaped: such
// a name made invalid (or injected) JS. Jinja2's lexer ends a name at the first other character
// and the parser then rejects what follows; here the name is a syntax error at its line. The
// compiled core's lexer (wasm/as/tpl/lexer.ts, badName) gives the same message.

/** The syntax error for a name that is not one, or undefined for a good name. */
function badName(name: string): string | undefined {
  let i = 0;
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    const digit = c >= 48 && c <= 57;
    if (digit && i === 0) return 'a name cannot start with a digit';
    if (!(digit || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95)) {
      const shown = c > 0x20 && c < 0x7f ? `'${ch}'` : `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
      return `unexpected character ${shown} in a name`;
    }
    i++;
  }
  return undefined;
}

// ---- lexer: comments follow trim_blocks and lstrip_blocks; names are checked -------------------
const origNext = L.nextToken;
L.nextToken = function (this: any): any {
  const tok = origNext.call(this);
  if (tok === null) return tok;
  if (tok.type === 'comment' && this.trimBlocks) {
    if (this.current() === '\n') this.forward();
    else if (this.current() === '\r') {
      this.forward();
      if (this.current() === '\n') this.forward();
    }
  } else if (tok.type === 'symbol') {
    const bad = badName(tok.value);
    if (bad !== undefined) throw new (nj as any).lib.TemplateError(bad, tok.lineno + 1, tok.colno + 1);
  } else if (tok.type === 'data' && this.lstripBlocks && !this.in_code && this._matches('{#') && this.colno > 0 && this.colno <= tok.value.length) {
    if (/^[ \t]+$/.test(tok.value.slice(-this.colno))) {
      tok.value = tok.value.slice(0, -this.colno);
      if (tok.value === '') return this.nextToken();
    }
  }
  return tok;
};

// ---- compiler -----------------------------------------------------------------------------------


// The body of `{% set x %}…{% endset %}` is not a declared field of nunjucks' Set node, so blocks
// inside it were invisible to the compiler (no b_<name> function) and to super() lifting.
if (!N.Set.prototype.fields.includes('body')) N.Set.prototype.fields = [...N.Set.prototype.fields, 'body'];

function atLine(method: string): void {
  const orig = P[method];
  P[method] = function (this: any, node: any, frame: any, ...rest: unknown[]) {
    this._emitLine(`lineno = ${node.lineno};`);
    return orig.call(this, node, frame, ...rest);
  };
}
for (const m of ['compileSet', 'compileIf', 'compileFor', 'compileExtends', 'compileInclude']) atLine(m);

// `set` inside a for loop assigns a variable of the loop's scope (Jinja2); nunjucks would assign
// the outer variable (Frame.set with resolveUp). Inside loop bodies the resolveUp is dropped.
const origFor = P.compileFor;
P.compileFor = function (this: any, node: any, frame: any) {
  this.ixLoopDepth = (this.ixLoopDepth ?? 0) + 1;
  try {
    return origFor.call(this, node, frame);
  } finally {
    this.ixLoopDepth--;
  }
};
/**
 * A string literal nunjucks takes as a name (`{% set "a b" = 1 %}`, `x is "a\"b"`) is pasted into the generated JS like a name: it must be one (badName), else a
 * syntax error at the literal's line (Jinja2 rejects strings there altogether).
 */
function checkLiteralName(c: any, node: any): void {
  if (node instanceof N.Literal && typeof node.value === 'string') {
    const bad = badName(node.value);
    if (bad !== undefined) c.fail(bad, node.lineno, node.colno);
  }
}
const origIs = P.compileIs;
P.compileIs = function (this: any, node: any, frame: any) {
  checkLiteralName(this, node.right?.name ?? node.right);
  return origIs.call(this, node, frame);
};
// ---- tags IX recipes never use are refused while parsing ---------------------------------------
// Macros, call blocks, imports, switch and nunjucks' async tags: no IX tree uses them, and the
// compiled core (wasm/as/tpl/parser.ts) implements none of them; both refuse the tag with the
// same one-line syntax error at its line (ARCHITECTURE.md, the compiled core's template subset).
const REFUSED_TAGS = new Set(['macro', 'call', 'import', 'from', 'switch', 'ifAsync', 'asyncEach', 'asyncAll']);
/** The error of a regex literal (the compiled core's parser gives the same). */
const REGEX_REFUSED = 'regular expression literals are not supported';
const origStatement = PP.parseStatement;
PP.parseStatement = function (this: any): any {
  const tok = this.peekToken();
  if (tok && tok.type === LX.TOKEN_SYMBOL && REFUSED_TAGS.has(tok.value) && !(this.breakOnBlocks && this.breakOnBlocks.includes(tok.value))) {
    this.fail(`{% ${tok.value} %} is not supported`, tok.lineno, tok.colno);
  }
  return origStatement.call(this);
};
const origSet = P.compileSet;
P.compileSet = function (this: any, node: any, frame: any) {
  for (const t of node.targets) checkLiteralName(this, t);
  // `{% set ns.attr = value %}`: assigns an attribute of a namespace() object (runtime.ixSetAttr)
  const t = node.targets[0];
  if (t instanceof N.LookupVal) {
    if (node.targets.length !== 1 || !node.value) this.fail('set: only `{% set ns.name = value %}` may assign an attribute', node.lineno, node.colno);
    this._emit('runtime.ixSetAttr(');
    this._compileExpression(t.target, frame);
    this._emit(', ');
    this._compileExpression(t.val, frame);
    this._emit(', ');
    this._compileExpression(node.value, frame);
    this._emitLine(');');
    return;
  }
  if (!this.ixLoopDepth) return origSet.call(this, node, frame);
  const emitLine = this._emitLine;
  this._emitLine = function (this: any, code: string) {
    return emitLine.call(this, code.replace(/^frame\.set\(("(?:[^"\\]|\\.)*"), (t_\d+), true\);$/, 'frame.set($1, $2);'));
  };
  try {
    return origSet.call(this, node, frame);
  } finally {
    delete this._emitLine;
  }
};

P.compileOutput = function (this: any, node: any, frame: any) {
  for (const child of node.children) {
    if (child instanceof N.TemplateData) {
      if (!child.value) continue;
      this._emit(`${this.buffer} += runtime.ixOut(`);
      this.compileLiteral(child, frame);
      this._emitLine(');');
    } else {
      this._emitLine(`lineno = ${child.lineno};`);
      this._emit(`${this.buffer} += runtime.ixOut(`);
      this.compile(child, frame);
      this._emitLine(');');
    }
  }
};

function viaRuntime(method: string, fn: string): void {
  P[method] = function (this: any, node: any, frame: any) {
    this._emit(`runtime.${fn}(`);
    this.compile(node.left, frame);
    this._emit(', ');
    this.compile(node.right, frame);
    this._emit(')');
  };
}
viaRuntime('compileConcat', 'ixCat');
viaRuntime('compileAdd', 'ixAdd');

// The other arithmetic operators and comparisons have Python's semantics (operators.ts), not JS's.
function arithViaRuntime(method: string, op: string): void {
  P[method] = function (this: any, node: any, frame: any) {
    this._emit(`runtime.ixArith(${JSON.stringify(op)}, `);
    this.compile(node.left, frame);
    this._emit(', ');
    this.compile(node.right, frame);
    this._emit(')');
  };
}
for (const [m, op] of [['compileSub', '-'], ['compileMul', '*'], ['compileDiv', '/'], ['compileFloorDiv', '//'], ['compileMod', '%'], ['compilePow', '**']]) arithViaRuntime(m, op);
P.compileCompare = function (this: any, node: any, frame: any) {
  if (node.ops.length === 1) {
    this._emit(`runtime.ixCompare(${JSON.stringify(node.ops[0].type)}, `);
    this.compile(node.expr, frame);
    this._emit(', ');
    this.compile(node.ops[0].expr, frame);
    this._emit(')');
    return;
  }
  // a chain: later operands are thunks, evaluated only while the chain holds (Python)
  this._emit('runtime.ixCompareChain(');
  this.compile(node.expr, frame);
  for (const op of node.ops) {
    this._emit(`, ${JSON.stringify(op.type)}, function() { return `);
    this.compile(op.expr, frame);
    this._emit('; }');
  }
  this._emit(')');
};

// `(a, b)` is a tuple in Jinja2 (nunjucks would evaluate it with JS's comma operator).
const origGroup = P.compileGroup;
P.compileGroup = function (this: any, node: any, frame: any) {
  if (node.children.length > 1) this._compileAggregate(node, frame, '[', ']');
  else origGroup.call(this, node, frame);
};

// A block inside `{% set x %}…{% endset %}` renders its most-derived version, also at top level
// of a template that extends another (Jinja2; IX's base templates rely on it). Elsewhere at top
// level a block's output is dropped once the template extends another, as in both engines.
const origCapture = P.compileCapture;
P.compileCapture = function (this: any, node: any, frame: any) {
  this.ixCapture = (this.ixCapture ?? 0) + 1;
  try {
    origCapture.call(this, node, frame);
  } finally {
    this.ixCapture--;
  }
};
P.compileBlock = function (this: any, node: any) {
  const id = this._tmpid();
  const get = `context.getBlock(${JSON.stringify(node.name.value)})`;
  const fn = !this.inBlock && !this.ixCapture ? `(parentTemplate ? function(e, c, f, r, cb) { cb(null, ""); } : ${get})` : get;
  this._emitLine(`${fn}(env, context, frame, runtime, ${this._makeCallback(id)}`);
  this._emitLine(`${this.buffer} += ${id};`);
  this._addScopeLevel();
};

const origFilter = P.compileFilter;
P.compileFilter = function (this: any, node: any, frame: any) {
  this._emit(`(lineno = ${node.lineno}, `);
  origFilter.call(this, node, frame);
  this._emit(')');
};

P._emitFuncEnd = function (this: any, noReturn: boolean) {
  if (!noReturn) this._emitLine(`cb(null, ${this.buffer});`);
  this._closeScopeLevels();
  this._emitLine('} catch (e) {');
  this._emitLine(`  cb(runtime.handleError(e, lineno, colno, ${this._templateName()}));`);
  this._emitLine('}');
  this._emitLine('}');
  this.buffer = null;
};

// ---- subscripts: Python slices `x[a:b:c]` (any part may be left out) -------------------------
// nunjucks parses `x[...]` as a one-element array literal, so `x[:2]` or `x[1:]` is a syntax
// error there. The subscript is parsed here instead; a slice compiles to runtime.ixSlice, which
// has Python's semantics on strings and lists (runtime.ts).
const IxSlice = N.Node.extend('IxSlice', { fields: ['target', 'start', 'stop', 'step'] });
// `super.super()` (Jinja2: the block two levels up the chain; each `.super` one more level)
const IxSuperRef = N.Node.extend('IxSuperRef', { fields: ['depth'] });
const IxSuperCall = N.Node.extend('IxSuperCall', { fields: ['depth'] });
PP.parsePostfix = function (this: any, node: any): any {
  let tok = this.peekToken();
  while (tok) {
    if (tok.type === LX.TOKEN_LEFT_BRACKET) {
      this.nextToken();
      const parts: any[] = [null, null, null];
      let colons = 0;
      for (;;) {
        if (this.skip(LX.TOKEN_RIGHT_BRACKET)) break;
        if (this.skip(LX.TOKEN_COLON)) {
          if (++colons > 2) this.fail('invalid slice: too many colons', tok.lineno, tok.colno);
          continue;
        }
        if (parts[colons] !== null) this.fail('invalid index', tok.lineno, tok.colno);
        parts[colons] = this.parseExpression();
      }
      if (colons === 0) {
        if (parts[0] === null) this.fail('invalid index: empty subscript', tok.lineno, tok.colno);
        node = new N.LookupVal(tok.lineno, tok.colno, node, parts[0]);
      } else {
        const lit = (v: unknown) => new N.Literal(tok.lineno, tok.colno, v);
        node = new IxSlice(tok.lineno, tok.colno, node, parts[0] ?? lit(null), parts[1] ?? lit(null), parts[2] ?? lit(null));
      }
    } else if (tok.type === LX.TOKEN_LEFT_PAREN) {
      if (node instanceof IxSuperRef || (node instanceof N.Symbol && node.value === 'super')) {
        // super() too: nunjucks' own lifting gave a nested block's super() to the outer block
        this.parseSignature();
        node = new IxSuperCall(tok.lineno, tok.colno, node instanceof IxSuperRef ? node.depth : 1);
      } else node = new N.FunCall(tok.lineno, tok.colno, node, this.parseSignature());
    } else if (tok.type === LX.TOKEN_OPERATOR && tok.value === '.') {
      this.nextToken();
      const val = this.nextToken();
      if (val.type !== LX.TOKEN_SYMBOL) this.fail('expected name as lookup value, got ' + val.value, val.lineno, val.colno);
      if (val.value === 'super' && ((node instanceof N.Symbol && node.value === 'super') || node instanceof IxSuperRef)) {
        node = new IxSuperRef(tok.lineno, tok.colno, node instanceof IxSuperRef ? node.depth + 1 : 2);
      } else node = new N.LookupVal(tok.lineno, tok.colno, node, new N.Literal(val.lineno, val.colno, val.value));
    } else break;
    tok = this.peekToken();
  }
  return node;
};
P.compileIxSlice = function (this: any, node: any, frame: any) {
  this._emit('runtime.ixSlice((');
  this._compileExpression(node.target, frame);
  this._emit('),(');
  this._compileExpression(node.start, frame);
  this._emit('),(');
  this._compileExpression(node.stop, frame);
  this._emit('),(');
  this._compileExpression(node.step, frame);
  this._emit('))');
};
P.compileIxSuperCall = function (this: any, node: any) {
  if (this.ixBlock === undefined) this.fail(`super${'.super'.repeat(node.depth - 1)}() outside a block`, node.lineno, node.colno);
  this._emit(`runtime.ixSuper(context, ${JSON.stringify(this.ixBlock)}, b_${this.ixBlock}, ${Number(node.depth)})`);
};
P.compileIxSuperRef = function (this: any, node: any) {
  this.fail('super.super must be called', node.lineno, node.colno);
};
const origFuncBegin = P._emitFuncBegin;
P._emitFuncBegin = function (this: any, node: any, name: string) {
  this.ixBlock = name.startsWith('b_') ? name.slice(2) : undefined;
  return origFuncBegin.call(this, node, name);
};

// Expression node types nunjucks' compiler does not know.
const origAssert = P.assertType;
P.assertType = function (this: any, node: any, ...types: unknown[]) {
  if (node instanceof IxSlice || node instanceof IxSuperCall || node instanceof IxSuperRef) return;
  return origAssert.call(this, node, ...types);
};

// The name of a called expression is emitted into a JS string literal (for error messages);
// nunjucks escapes only `"`, so a newline in it (`'\n'.join(x)`) broke the generated code.
const origNodeName = P._getNodeName;
P._getNodeName = function (this: any, node: any): string {
  return String(origNodeName.call(this, node))
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
};

// ---- float literals print as Python floats (`{{ 11.0 }}` is "11.0") ---------------------------
const origPrimary = PP.parsePrimary;
PP.parsePrimary = function (this: any, noPostfix: boolean): any {
  const tok = this.peekToken();
  // nunjucks' regex literal `r/x/flags` is no Jinja2 and no IX recipe writes one: refused
  if (tok && tok.type === LX.TOKEN_REGEX) this.fail(REGEX_REFUSED, tok.lineno, tok.colno);
  const node = origPrimary.call(this, noPostfix);
  if (tok && tok.type === LX.TOKEN_FLOAT) {
    let n = node;
    while (n && !(n instanceof N.Literal)) n = n.target ?? n.name;
    if (n instanceof N.Literal && typeof n.value === 'number') n.ixFloat = true;
  }
  return node;
};
const origLiteral = P.compileLiteral;
P.compileLiteral = function (this: any, node: any, frame: any) {
  if (node.ixFloat) this._emit(`runtime.ixFloat(${String(node.value)})`);
  else origLiteral.call(this, node, frame);
};

// ---- a dict literal's keys are its own data ----------------------------------------------------
// A literal is made with the template dicts' prototype (pystr.ts DICT_PROTO), in the literal
// itself (`__proto__: ...` written plainly sets the prototype; a computed key never does).
P.compileDict = function (this: any, node: any, frame: any) {
  this._emit('{__proto__: runtime.ixDictProto');
  for (const child of node.children) {
    this._emit(', ');
    this.compile(child, frame);
  }
  this._emit('}');
};
// `{'__proto__': x}` as a JS object literal would set the prototype (its items then inherited);
// a computed key `["__proto__"]: x` makes an own key like any other (own.ts states the rule).
const origPair = P.compilePair;
P.compilePair = function (this: any, node: any, frame: any) {
  const key = node.key;
  if (!(key instanceof N.Symbol) && !(key instanceof N.Literal && typeof key.value === 'string')) return origPair.call(this, node, frame);
  this._emit('[');
  this.compile(key instanceof N.Symbol ? new N.Literal(key.lineno, key.colno, key.value) : key, frame);
  this._emit(']: ');
  this._compileExpression(node.value, frame);
};

// ---- output before `{% extends %}` is kept (Jinja2), output after it is dropped (both) ---------
// nunjucks drops the whole root output of a template that extends another; Jinja2 yields what
// the template printed before its extends tag ran.
const origRoot = P.compileRoot;
P.compileRoot = function (this: any, node: any, frame: any) {
  const emitLine = this._emitLine;
  this._emitLine = function (this: any, code: string) {
    if (code === 'var parentTemplate = null;') return emitLine.call(this, 'var parentTemplate = null; var ixPre = null;');
    if (code === 'parentTemplate.rootRenderFunc(env, context, frame, runtime, cb);') {
      return emitLine.call(this, 'parentTemplate.rootRenderFunc(env, context, frame, runtime, function(e, r) { cb(e, e ? r : (ixPre || "") + r); });');
    }
    return emitLine.call(this, code);
  };
  try {
    return origRoot.call(this, node, frame);
  } finally {
    delete this._emitLine;
  }
};
const origExtends = P.compileExtends;
P.compileExtends = function (this: any, node: any, frame: any) {
  const r = origExtends.call(this, node, frame);
  if (this.buffer === 'output') this._emitLine('if (ixPre === null) ixPre = output;');
  return r;
};

// ---- Jinja2's later loop attributes: previtem, nextitem, cycle(), depth, depth0 ----------------
// (depth counts recursive loops, which nunjucks has not: always 1.)
const origBindings = P._emitLoopBindings;
P._emitLoopBindings = function (this: any, node: any, arr: string, i: string, len: string) {
  origBindings.call(this, node, arr, i, len);
  this._emitLine(`frame.set("loop.previtem", runtime.ixItem(${arr}, ${i} - 1));`);
  this._emitLine(`frame.set("loop.nextitem", runtime.ixItem(${arr}, ${i} + 1));`);
  this._emitLine(`frame.set("loop.cycle", runtime.ixCycle(${i}));`);
  this._emitLine('frame.set("loop.depth", 1);');
  this._emitLine('frame.set("loop.depth0", 0);');
};
