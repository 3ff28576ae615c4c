/**
 * Adjustments to nunjucks 3.2.4 (its browser build, which only the engine loads) so templates
 * behave as under Jinja2 with trim_blocks + lstrip_blocks, as IX renders them, and so the
 * generated JS routes output, `~`, `+` and errors through the evaluator's runtime (runtime.ts):
 *  - comments get trim_blocks/lstrip_blocks like block tags (Jinja2 does, nunjucks does not);
 *  - `(a, b)` is a tuple; `set` inside a for loop does not leak out of the loop;
 *  - blocks inside `{% set %}…{% endset %}` are real blocks and render their most-derived version;
 *  - output, `~`, `+` are size-checked; `lineno` is kept current; errors carry the template name.
 * Any change to the generated code must change COMPILER_TAG in compile.ts (host cache keys).
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import * as nj from 'nunjucks/browser/nunjucks.js';

const P = nj.compiler.Compiler.prototype as any;
const N = nj.nodes as any;
const L = Object.getPrototypeOf((nj as any).lexer.lex('', {}));

// ---- lexer: comments follow trim_blocks and lstrip_blocks --------------------------------------

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
const origSet = P.compileSet;
P.compileSet = function (this: any, node: any, frame: any) {
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
