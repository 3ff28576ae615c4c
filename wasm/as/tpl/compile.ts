/**
 * Compiling a parsed template for the interpreter: loop variables resolved to slots of their
 * function (root or block) exactly where the oracle's compiler binds them to JS locals, blocks
 * collected in the oracle's order, and its compile-time errors (super() outside a block). Block names
 * become ids (block-ids.ts): a template's blocks are an array by id, `{% block %}` and `self.NAME()`
 * sites carry the id. Compiled templates are cached per (path, source text) for the life of the
 * instance.
 *
 * Must not depend on: rt, host.
 */
import * as A from './ast';
import { Node } from './ast';
import { parse } from './parser';
import { checkNesting, MAX_NESTING } from './nesting';
import { blockId } from './block-ids';
import { nameId } from './name-ids';

export class BlockDef {
  name: string;
  /** The name's id (block-ids.ts). */
  id: i32;
  node: Node;
  tpl: Template;
  nslots: i32 = 0;
  constructor(name: string, node: Node, tpl: Template) { this.name = name; this.id = blockId(name); this.node = node; this.tpl = tpl; }
}

const NO_DEFS = new StaticArray<BlockDef | null>(0);

export class Template {
  path: string;
  body: Array<Node> = new Array<Node>();
  nslots: i32 = 0;
  /** Its blocks by name id (block-ids.ts), null where it defines none; as long as its highest id needs. */
  defs: StaticArray<BlockDef | null> = NO_DEFS;
  /** A syntax or compile error: detail and 1-based line of the preprocessed text (-1: none). */
  err: string | null = null;
  errLine: i32 = -1;
  /** The error is the nesting bound's (its message has no "template syntax error" prefix). */
  nesting: bool = false;
  constructor(path: string) { this.path = path; }
}

/** What Jinja2's lexer does to a source first: newlines normalised, one trailing newline dropped. */
export function jinjaSource(text: string): string {
  let t = text;
  if (t.includes('\r')) t = t.replaceAll('\r\n', '\n').replaceAll('\r', '\n');
  return t.endsWith('\n') ? t.substring(0, t.length - 1) : t;
}

const cache = new Map<string, Template>();

/** The compiled template of preprocessed `text` at `path`. */
export function compileTemplate(path: string, text: string): Template {
  const key = path + '\0' + text;
  if (cache.has(key)) return cache.get(key);
  const t = build(path, jinjaSource(text));
  if (cache.size >= 50000) cache.clear();
  cache.set(key, t);
  return t;
}

/** The compile-time scope of one function: loop variable names to slots, innermost last. */
class Scope {
  names: Array<string> = new Array<string>();
  slots: Array<i32> = new Array<i32>();
  nslots: i32 = 0;
  loopDepth: i32 = 0;
  inBlock: bool = false;
  capture: i32 = 0;
  lookup(name: string): i32 {
    for (let i = this.names.length - 1; i >= 0; i--) if (this.names[i] == name) return this.slots[i];
    return -1;
  }
}

class Compiler {
  tpl: Template;
  err: string | null = null;
  errLine: i32 = -1;
  constructor(tpl: Template) { this.tpl = tpl; }

  fail(msg: string, line1: i32): void {
    if (this.err === null) { this.err = msg; this.errLine = line1; }
  }

  stmts(list: Array<Node> | null, sc: Scope): void {
    if (list === null) return;
    for (let i = 0; i < list.length && this.err === null; i++) this.stmt(list[i], sc);
  }

  stmt(n: Node, sc: Scope): void {
    switch (n.kind) {
      case A.S_DATA: return;
      case A.S_OUT: this.expr(n.a, sc); return;
      case A.S_IF: this.expr(n.a, sc); this.stmts(n.body, sc); this.stmts(n.els, sc); return;
      case A.S_FOR: {
        this.expr(n.a, sc);
        const mark = sc.names.length;
        const names = n.names!;
        const slots = new Array<Node>();
        for (let i = 0; i < names.length; i++) {
          sc.names.push(names[i]);
          sc.slots.push(sc.nslots);
          const s = new Node(A.E_SYM, n.line);
          s.n = sc.nslots++;
          slots.push(s);
        }
        n.args = slots;
        sc.loopDepth++;
        this.stmts(n.body, sc);
        sc.loopDepth--;
        this.stmts(n.els, sc);
        sc.names.length = mark;
        sc.slots.length = mark;
        return;
      }
      case A.S_SET: {
        if (n.bad !== null) { this.fail(n.bad!, n.badLine + 1); return; }
        this.expr(n.a, sc);
        sc.capture++;
        this.stmts(n.body, sc);
        sc.capture--;
        const names = n.names!;
        const slots = new Array<Node>();
        for (let i = 0; i < names.length; i++) {
          const s = new Node(A.E_SYM, n.line);
          s.n = sc.lookup(names[i]);
          slots.push(s);
        }
        n.args = slots;
        // inside a loop body a set assigns the loop's scope (no resolve-up)
        n.n = sc.loopDepth > 0 ? 1 : 0;
        return;
      }
      case A.S_SETATTR: this.expr(n.a, sc); this.expr(n.b, sc); this.expr(n.c, sc); return;
      case A.S_BLOCK: {
        // a block inside a block or a set-capture always renders; at top level only without a parent
        n.n = A.blockSite(blockId(n.s), sc.inBlock || sc.capture > 0);
        return;
      }
      case A.S_EXTENDS: case A.S_INCLUDE: this.expr(n.a, sc); return;
      case A.S_FILTER: this.exprs(n.args, sc); this.exprs(n.kwvals, sc); sc.capture++; this.stmts(n.body, sc); sc.capture--; return;
      case A.S_SUPER: return;
    }
  }

  exprs(list: Array<Node> | null, sc: Scope): void {
    if (list === null) return;
    for (let i = 0; i < list.length && this.err === null; i++) this.expr(list[i], sc);
  }

  expr(n: Node | null, sc: Scope): void {
    if (n === null || this.err !== null) return;
    if (n.bad !== null) { this.fail(n.bad!, n.badLine + 1); return; }
    switch (n.kind) {
      case A.E_SYM: {
        n.n = sc.lookup(n.s);
        if (n.n >= 0) return;
        // `self` names the block table whatever the frames hold (expr.ts), unless a loop binds it
        if (n.s == 'self') n.kind = A.E_SELF;
        else n.n = -1 - nameId(n.s);
        return;
      }
      case A.E_LIT: return;
      case A.E_CALL: {
        this.expr(n.a!, sc);
        this.exprs(n.args, sc);
        this.exprs(n.kwvals, sc);
        const name = selfCallName(n);
        if (name !== null) n.n = 1 + blockId(name);
        return;
      }
      case A.E_SUPERCALL: {
        if (n.n < 0) { this.fail('super.super must be called', n.line + 1); return; }
        if (!sc.inBlock) {
          let sup = 'super';
          for (let k = 1; k < n.n; k++) sup += '.super';
          this.fail(sup + '() outside a block', n.line + 1);
        }
        return;
      }
    }
    this.expr(n.a, sc);
    this.expr(n.b, sc);
    this.expr(n.c, sc);
    this.expr(n.d, sc);
    this.exprs(n.args, sc);
    this.exprs(n.kwvals, sc);
  }
}

/**
 * The NAME of `self.NAME()` / `self["NAME"]()` without arguments (`self` not a loop variable: its
 * E_SYM already compiled to E_SELF), else null. `self` always names the block table, and the call ignores its
 * arguments.
 */
function selfCallName(a: Node): string | null {
  const args = a.args;
  const names = a.names;
  if ((args !== null && args.length > 0) || (names !== null && names.length > 0)) return null;
  const c = a.a;
  if (c === null || c.kind != A.E_LOOKUP) return null;
  const o = c.a;
  const k = c.b;
  if (o === null || o.kind != A.E_SELF) return null;
  if (k === null || k.kind != A.E_LIT || k.n != A.L_STR) return null;
  return k.s;
}

/** Blocks in the oracle's findAll order (pre-order over statements). */
function collectBlocks(list: Array<Node> | null, out: Array<Node>): void {
  if (list === null) return;
  for (let i = 0; i < list.length; i++) {
    const n = list[i];
    if (n.kind == A.S_BLOCK) out.push(n);
    collectBlocks(n.body, out);
    collectBlocks(n.els, out);
  }
}

function build(path: string, text: string): Template {
  const t = new Template(path);
  // the nesting bound is checked on the source first, as the oracle does before its parser runs
  const deep = checkNesting(text);
  if (deep >= 0) {
    t.err = 'nesting deeper than ' + MAX_NESTING.toString() + ' levels';
    t.errLine = deep;
    t.nesting = true;
    return t;
  }
  const p = parse(text);
  if (p.err !== null) { t.err = p.err; t.errLine = p.errLine; return t; }
  t.body = p.body;
  const blockNodes = new Array<Node>();
  collectBlocks(t.body, blockNodes);
  const defs = new Array<BlockDef>();
  for (let i = 0; i < blockNodes.length; i++) defs.push(new BlockDef(blockNodes[i].s, blockNodes[i], t));
  const c = new Compiler(t);
  const root = new Scope();
  c.stmts(t.body, root);
  t.nslots = root.nslots;
  let top = -1;
  for (let i = 0; i < defs.length; i++) if (defs[i].id > top) top = defs[i].id;
  if (top >= 0) t.defs = new StaticArray<BlockDef | null>(top + 1);
  for (let i = 0; i < defs.length && c.err === null; i++) {
    const d = defs[i];
    if (t.defs[d.id] !== null) { c.fail('Block "' + d.name + '" defined more than once.', -1); break; }
    t.defs[d.id] = d;
    const sc = new Scope();
    sc.inBlock = true;
    c.stmts(d.node.body, sc);
    d.nslots = sc.nslots;
  }
  if (c.err !== null) { t.err = c.err; t.errLine = c.errLine; }
  return t;
}
