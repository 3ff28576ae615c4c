/**
 * The template parser: tokens (lexer.ts) to the AST of ast.ts, with the grammar, operator
 * precedence and whitespace control of the oracle (nunjucks 3.2.4 as patched by
 * engine/eval/jinja-compat.ts: Python subscripts and slices, tuples, super.super(), float
 * literals), and its syntax-error messages and lines for the malformed inputs that occur.
 * Nesting is bounded while parsing (tags and expressions deeper than 64 levels are an error),
 * so no input can exhaust the stack. The first error wins; after it the parser only unwinds.
 *
 * Must not depend on: rt, host.
 */
import * as A from './ast';
import { Node } from './ast';
import * as L from './lexer';
import { Lexer, Token } from './lexer';

const MAX_NEST: i32 = 64;
const TYPE_ERROR = 'a value used here is undefined, null or of the wrong type';

/** A parse result: the root statements, or an error (message and 1-based line, -1 when none). */
export class Parsed {
  body: Array<Node> = new Array<Node>();
  err: string | null = null;
  errLine: i32 = -1;
}

export function parse(src: string): Parsed {
  const p = new Parser(new Lexer(src));
  const r = new Parsed();
  r.body = p.parseNodes();
  if (p.err === null && p.lex.err !== null) p.setErr(p.lex.err!, -1);
  if (p.err === null && p.hasNull) p.setErr(TYPE_ERROR, -1);
  r.err = p.err;
  r.errLine = p.errLine;
  return r;
}

function isWsCode(c: i32): bool { return L.isJsWs(c); }

function ltrimWs(s: string): string {
  let a = 0;
  while (a < s.length && isWsCode(s.charCodeAt(a))) a++;
  return a == 0 ? s : s.substring(a);
}
function rtrimWs(s: string): string {
  let b = s.length;
  while (b > 0 && isWsCode(s.charCodeAt(b - 1))) b--;
  return b == s.length ? s : s.substring(0, b);
}

class Parser {
  lex: Lexer;
  peeked: Token | null = null;
  hasPeeked: bool = false;
  breakOn: Array<string> | null = null;
  dropWs: bool = false;
  err: string | null = null;
  errLine: i32 = -1;
  tagDepth: i32 = 0;
  exprDepth: i32 = 0;
  /** An expression of nothing was parsed (E_NULL): the oracle's compiler fails on it. */
  hasNull: bool = false;

  constructor(lex: Lexer) { this.lex = lex; }

  setErr(msg: string, line1: i32): void {
    if (this.err !== null) return;
    // a lexing error raised while the parser looked ahead wins (it was thrown first)
    if (this.lex.err !== null) { this.err = this.lex.err; this.errLine = -1; return; }
    this.err = msg;
    this.errLine = line1;
  }
  @inline get bad(): bool { return this.err !== null || this.lex.err !== null; }

  /** fail(msg) at a token's line (0-based), or at the next token's when none is given. */
  fail(msg: string, tok: Token | null = null): void {
    if (this.err !== null) return;
    let t = tok;
    if (t === null) t = this.peek();
    this.setErr(msg, t === null ? -1 : t.line + 1);
  }
  failAt(msg: string, line0: i32): void { this.setErr(msg, line0 + 1); }
  typeError(): void { this.setErr(TYPE_ERROR, -1); }

  next(withWs: bool = false): Token | null {
    if (this.hasPeeked) {
      const p = this.peeked;
      if (!withWs && p !== null && p.type == L.T_WS) { this.hasPeeked = false; this.peeked = null; }
      else { this.hasPeeked = false; this.peeked = null; return p; }
    }
    if (this.bad) return null;
    let t = this.lex.next();
    if (!withWs) while (t !== null && t.type == L.T_WS) t = this.lex.next();
    return t;
  }
  peek(): Token | null {
    if (!this.hasPeeked) { this.peeked = this.next(); this.hasPeeked = true; }
    return this.peeked;
  }
  push(t: Token | null): void {
    if (this.hasPeeked) { this.setErr('pushToken: can only push one token on between reads', -1); return; }
    this.peeked = t; this.hasPeeked = true;
  }
  skip(type: i32): bool {
    const t = this.next();
    if (t === null || t.type != type) { this.push(t); return false; }
    return true;
  }
  skipValue(type: i32, v: string): bool {
    const t = this.next();
    if (t === null || t.type != type || t.value != v) { this.push(t); return false; }
    return true;
  }
  @inline skipSymbol(v: string): bool { return this.skipValue(L.T_SYMBOL, v); }
  expect(type: i32): Token | null {
    const t = this.next();
    if (t === null) { this.typeError(); return null; }
    if (t.type != type) { this.fail('expected ' + L.typeName(type) + ', got ' + L.typeName(t.type), t); return null; }
    return t;
  }

  advanceAfterBlockEnd(name: string | null): Token | null {
    let nm = name;
    if (nm === null) {
      const t = this.peek();
      if (t === null) { this.fail('unexpected end of file'); return null; }
      if (t.type != L.T_SYMBOL) { this.fail('advanceAfterBlockEnd: expected symbol token or explicit name to be passed'); return null; }
      nm = this.next()!.value;
    }
    const t = this.next();
    if (t !== null && t.type == L.T_BLOCK_END) {
      if (t.value.charCodeAt(0) == 45) this.dropWs = true;
    } else { this.fail('expected block end in ' + nm! + ' statement'); return null; }
    return t;
  }

  advanceAfterVariableEnd(): void {
    const t = this.next();
    if (t !== null && t.type == L.T_VAR_END) {
      this.dropWs = t.value.length > 2 && t.value.charCodeAt(t.value.length - 3) == 45;
    } else {
      this.push(t);
      this.fail('expected variable end');
    }
  }

  // ---- statements ---------------------------------------------------------------------------

  parseUntil(names: Array<string>, tag: Token | null): Array<Node> {
    this.tagDepth++;
    if (this.tagDepth > MAX_NEST) {
      this.setErr('nesting deeper than ' + MAX_NEST.toString() + ' levels', tag !== null ? tag.line + 1 : -1);
      this.tagDepth--;
      return new Array<Node>();
    }
    const prev = this.breakOn;
    this.breakOn = names;
    const r = this.parseNodes();
    this.breakOn = prev;
    this.tagDepth--;
    return r;
  }

  parseNodes(): Array<Node> {
    const buf = new Array<Node>();
    while (!this.bad) {
      const tok = this.next();
      if (tok === null) break;
      if (tok.type == L.T_DATA) {
        let data = tok.value;
        const nt = this.peek();
        if (this.dropWs) { data = ltrimWs(data); this.dropWs = false; }
        if (nt !== null) {
          const nv = nt.value;
          if ((nt.type == L.T_BLOCK_START && nv.charCodeAt(nv.length - 1) == 45) ||
              (nt.type == L.T_VAR_START && nv.charCodeAt(2) == 45) ||
              (nt.type == L.T_COMMENT && nv.charCodeAt(2) == 45)) data = rtrimWs(data);
        }
        const n = new Node(A.S_DATA, tok.line);
        n.s = data;
        buf.push(n);
      } else if (tok.type == L.T_BLOCK_START) {
        this.dropWs = false;
        const st = this.parseStatement();
        if (st === null) break;
        buf.push(st);
      } else if (tok.type == L.T_VAR_START) {
        const e = this.parseExpression();
        this.dropWs = false;
        this.advanceAfterVariableEnd();
        const n = new Node(A.S_OUT, tok.line);
        n.a = e;
        buf.push(n);
      } else if (tok.type == L.T_COMMENT) {
        const v = tok.value;
        this.dropWs = v.length > 2 && v.charCodeAt(v.length - 3) == 45;
      } else {
        this.fail('Unexpected token at top-level: ' + L.typeName(tok.type), tok);
      }
    }
    return buf;
  }

  /** A statement, or null when the tag ends the enclosing body (or on error). */
  parseStatement(): Node | null {
    const tok = this.peek();
    if (tok === null) { this.typeError(); return null; }
    if (tok.type != L.T_SYMBOL) { this.fail('tag name expected', tok); return null; }
    const b = this.breakOn;
    if (b !== null && b.includes(tok.value)) return null;
    const v = tok.value;
    if (v == 'raw') return this.parseRaw('raw');
    if (v == 'verbatim') return this.parseRaw('verbatim');
    if (v == 'if') return this.parseIf();
    if (v == 'for') return this.parseFor();
    if (v == 'block') return this.parseBlock();
    if (v == 'extends' || v == 'include') {
      this.next();
      const n = new Node(v == 'extends' ? A.S_EXTENDS : A.S_INCLUDE, tok.line);
      n.a = this.parseExpression();
      if (v == 'include' && this.skipSymbol('ignore') && this.skipSymbol('missing')) n.n = 1;
      this.advanceAfterBlockEnd(v);
      return n;
    }
    if (v == 'set') return this.parseSet();
    if (v == 'filter') return this.parseFilterStatement();
    if (v == 'macro' || v == 'call' || v == 'import' || v == 'from' || v == 'switch' || v == 'ifAsync' || v == 'asyncEach' || v == 'asyncAll') {
      this.fail('the compiled evaluator does not support {% ' + v + ' %} yet', tok);
      return null;
    }
    this.fail('unknown block tag: ' + v, tok);
    return null;
  }

  parseRaw(tagName: string): Node | null {
    const begun = this.advanceAfterBlockEnd(null);
    if (begun === null) return null;
    const endName = 'end' + tagName;
    const lx = this.lex;
    const parts = new Array<string>();
    let level = 1;
    // repeatedly match /([\s\S]*?){%\s*(raw|endraw)\s*(?=%})%}/ at the lexer's position
    for (;;) {
      const m = this.rawMatch(tagName, endName);
      if (m === null) break;
      // the oracle's loop matches once more before it tests the level: that match is consumed
      if (level <= 0) { lx.forwardN(m.end - lx.i); break; }
      const pre = lx.s.substring(lx.i, m.preEnd);
      const all = lx.s.substring(lx.i, m.end);
      lx.forwardN(m.end - lx.i);
      if (m.isEnd) level--; else level++;
      if (level == 0) {
        parts.push(pre);
        for (let k = 0; k < all.length - pre.length; k++) lx.back();
      } else parts.push(all);
    }
    const n = new Node(A.S_DATA, begun.line);
    n.s = parts.join('');
    return n;
  }

  private rawMatch(tagName: string, endName: string): RawMatch | null {
    const s = this.lex.s;
    let k = this.lex.i;
    for (;;) {
      const at = s.indexOf('{%', k);
      if (at < 0) return null;
      let j = at + 2;
      while (j < s.length && L.isJsWs(s.charCodeAt(j))) j++;
      let isEnd = false;
      let ok = false;
      if (s.startsWith(endName, j)) { isEnd = true; ok = true; j += endName.length; }
      else if (s.startsWith(tagName, j)) { ok = true; j += tagName.length; }
      if (ok) {
        while (j < s.length && L.isJsWs(s.charCodeAt(j))) j++;
        if (s.startsWith('%}', j)) {
          const m = new RawMatch();
          m.preEnd = at; m.end = j + 2; m.isEnd = isEnd;
          return m;
        }
      }
      k = at + 1;
    }
    return null;
  }

  parseIf(): Node | null {
    const tag = this.next()!; // if / elif / elseif
    const n = new Node(A.S_IF, tag.line);
    n.a = this.parseExpression();
    this.advanceAfterBlockEnd(tag.value);
    n.body = this.parseUntil(['elif', 'elseif', 'else', 'endif'], tag);
    if (this.bad) return n;
    const t = this.peek();
    const v = t === null ? '' : t.value;
    if (v == 'elseif' || v == 'elif') {
      const e = this.parseIf();
      const els = new Array<Node>();
      if (e !== null) els.push(e);
      n.els = els;
      n.n = 1;
    } else if (v == 'else') {
      this.advanceAfterBlockEnd(null);
      n.els = this.parseUntil(['endif'], tag);
      this.advanceAfterBlockEnd(null);
    } else if (v == 'endif') {
      this.advanceAfterBlockEnd(null);
    } else {
      this.fail('parseIf: expected elif, else, or endif, got end of file');
    }
    return n;
  }

  parseFor(): Node | null {
    const forTok = this.next()!;
    const n = new Node(A.S_FOR, forTok.line);
    const first = this.parsePrimary(false);
    if (this.bad) return null;
    if (first === null || first.kind != A.E_SYM) { this.fail('parseFor: variable name expected for loop'); return null; }
    const names = new Array<string>();
    names.push(first.s);
    const pk = this.peek();
    if (pk === null) { this.typeError(); return null; }
    if (pk.type == L.T_COMMA) {
      n.n = 1;
      while (this.skip(L.T_COMMA)) {
        const p = this.parsePrimary(false);
        if (this.bad || p === null) return null;
        names.push(p.kind == A.E_SYM ? p.s : (p.kind == A.E_LIT ? p.s : 'undefined'));
      }
    }
    n.names = names;
    if (!this.skipSymbol('in')) { this.fail('parseFor: expected "in" keyword for loop', forTok); return null; }
    n.a = this.parseExpression();
    this.advanceAfterBlockEnd(forTok.value);
    n.body = this.parseUntil(['endfor', 'else'], forTok);
    if (this.skipSymbol('else')) {
      this.advanceAfterBlockEnd('else');
      n.els = this.parseUntil(['endfor'], forTok);
    }
    this.advanceAfterBlockEnd(null);
    return n;
  }

  parseBlock(): Node | null {
    const tag = this.next()!;
    const n = new Node(A.S_BLOCK, tag.line);
    const name = this.parsePrimary(false);
    if (this.bad) return null;
    if (name === null || name.kind != A.E_SYM) { this.fail('parseBlock: variable name expected', tag); return null; }
    n.s = name.s;
    this.advanceAfterBlockEnd(tag.value);
    n.body = this.parseUntil(['endblock'], tag);
    this.skipSymbol('endblock');
    this.skipSymbol(n.s);
    const t = this.peek();
    if (t === null) { this.fail('parseBlock: expected endblock, got end of file'); return null; }
    this.advanceAfterBlockEnd(t.value);
    return n;
  }

  parseSet(): Node | null {
    const tag = this.next()!;
    const targets = new Array<Node>();
    for (;;) {
      const t = this.parsePrimary(false);
      if (this.bad || t === null) return null;
      targets.push(t);
      if (!this.skip(L.T_COMMA)) break;
    }
    let value: Node | null = null;
    let body: Array<Node> | null = null;
    if (!this.skipValue(L.T_OP, '=')) {
      if (!this.skip(L.T_BLOCK_END)) { this.fail('parseSet: expected = or block end in set tag', tag); return null; }
      body = this.parseUntil(['endset'], tag);
      this.advanceAfterBlockEnd(null);
    } else {
      value = this.parseExpression();
      this.advanceAfterBlockEnd(tag.value);
    }
    if (this.bad) return null;
    const t0 = targets[0];
    if (t0.kind == A.E_LOOKUP) {
      if (targets.length != 1 || value === null) { this.fail('set: only `{% set ns.name = value %}` may assign an attribute', tag); return null; }
      const n = new Node(A.S_SETATTR, tag.line);
      n.a = t0.a; n.b = t0.b; n.c = value;
      return n;
    }
    const n = new Node(A.S_SET, tag.line);
    const names = new Array<string>();
    for (let i = 0; i < targets.length; i++) names.push(targets[i].kind == A.E_SYM || targets[i].kind == A.E_LIT ? targets[i].s : 'undefined');
    n.names = names;
    n.a = value;
    n.body = body;
    return n;
  }

  parseFilterStatement(): Node | null {
    const tag = this.next()!;
    const name = this.parseFilterName();
    if (name === null) return null;
    const n = new Node(A.S_FILTER, name.line);
    n.s = name.s;
    const pk = this.peek();
    if (pk === null) { this.typeError(); return null; }
    if (pk.type == L.T_LPAREN) this.parseSignatureInto(n);
    this.advanceAfterBlockEnd(tag.value);
    n.body = this.parseUntil(['endfilter'], tag);
    this.advanceAfterBlockEnd(null);
    return n;
  }

  // ---- expressions ----------------------------------------------------------------------------

  enter(line0: i32): bool {
    this.exprDepth++;
    if (this.exprDepth > MAX_NEST) {
      this.setErr('nesting deeper than ' + MAX_NEST.toString() + ' levels', line0 + 1);
      return false;
    }
    return true;
  }

  /** An expression; nesting is counted where it nests (brackets, calls, unary operators, chains). */
  parseExpression(): Node | null {
    return this.parseInlineIf();
  }

  bin(kind: i32, a: Node | null, b: Node | null): Node | null {
    if (a === null || b === null) return null;
    const n = new Node(kind, a.line);
    n.a = a; n.b = b;
    return n;
  }

  parseInlineIf(): Node | null {
    let node = this.parseOr();
    if (this.skipSymbol('if')) {
      const cond = this.parseOr();
      if (node === null || cond === null) return null;
      const n = new Node(A.E_IFEXP, node.line);
      n.b = node; n.a = cond;
      if (this.skipSymbol('else')) n.c = this.parseOr();
      node = n;
    }
    return node;
  }
  parseOr(): Node | null {
    let node = this.parseAnd();
    while (!this.bad && this.skipSymbol('or')) node = this.bin(A.E_OR, node, this.parseAnd());
    return node;
  }
  parseAnd(): Node | null {
    let node = this.parseNot();
    while (!this.bad && this.skipSymbol('and')) node = this.bin(A.E_AND, node, this.parseNot());
    return node;
  }
  parseNot(): Node | null {
    const tok = this.peek();
    if (this.skipSymbol('not')) {
      if (!this.enter(tok!.line)) { this.exprDepth--; return null; }
      const t = this.parseNot();
      this.exprDepth--;
      if (t === null) return null;
      const n = new Node(A.E_NOT, tok!.line);
      n.a = t;
      return n;
    }
    return this.parseIn();
  }
  parseIn(): Node | null {
    let node = this.parseIs();
    while (!this.bad) {
      const tok = this.next();
      if (tok === null) break;
      const invert = tok.type == L.T_SYMBOL && tok.value == 'not';
      if (!invert) this.push(tok);
      if (this.skipSymbol('in')) {
        const r = this.parseIs();
        node = this.bin(A.E_IN, node, r);
        if (invert && node !== null) { const n = new Node(A.E_NOT, node.line); n.a = node; node = n; }
      } else {
        if (invert) this.push(tok);
        break;
      }
    }
    return node;
  }
  parseIs(): Node | null {
    let node = this.parseCompare();
    if (this.skipSymbol('is')) {
      const not = this.skipSymbol('not');
      const right = this.parseCompare();
      if (node === null || right === null) return null;
      const n = new Node(A.E_IS, node.line);
      n.a = node;
      if (right.kind == A.E_CALL && right.a !== null && (right.a!.kind == A.E_SYM || right.a!.kind == A.E_LIT)) {
        n.s = right.a!.kind == A.E_LIT ? litName(right.a!) : right.a!.s;
        n.args = right.args;
        if (right.names !== null && right.names!.length > 0) { this.fail(TYPE_ERROR); return null; }
      } else if (right.kind == A.E_SYM) n.s = right.s;
      else if (right.kind == A.E_LIT) n.s = litName(right);
      else n.s = 'undefined';
      node = n;
      if (not) { const m = new Node(A.E_NOT, node.line); m.a = node; node = m; }
    }
    return node;
  }
  parseCompare(): Node | null {
    const expr = this.parseConcat();
    let operands: Array<Node> | null = null;
    let ops: Array<i32> | null = null;
    let line = 0;
    while (!this.bad) {
      const tok = this.next();
      if (tok === null) break;
      const op = cmpOp(tok.value);
      if (op >= 0) {
        if (operands === null) { operands = new Array<Node>(); ops = new Array<i32>(); line = tok.line; }
        const e = this.parseConcat();
        if (e === null) return null;
        operands.push(e);
        ops!.push(op);
      } else { this.push(tok); break; }
    }
    if (operands !== null) {
      if (expr === null) return null;
      const n = new Node(A.E_CMP, line);
      n.a = expr; n.args = operands; n.ops = ops;
      return n;
    }
    return expr;
  }
  parseConcat(): Node | null {
    let node = this.parseAdd();
    while (!this.bad && this.skipValue(L.T_TILDE, '~')) node = this.bin(A.E_CAT, node, this.parseAdd());
    return node;
  }
  parseAdd(): Node | null {
    let node = this.parseSub();
    while (!this.bad && this.skipValue(L.T_OP, '+')) node = this.bin(A.E_ADD, node, this.parseSub());
    return node;
  }
  parseSub(): Node | null {
    let node = this.parseMul();
    while (!this.bad && this.skipValue(L.T_OP, '-')) node = this.bin(A.E_SUB, node, this.parseMul());
    return node;
  }
  parseMul(): Node | null {
    let node = this.parseDiv();
    while (!this.bad && this.skipValue(L.T_OP, '*')) node = this.bin(A.E_MUL, node, this.parseDiv());
    return node;
  }
  parseDiv(): Node | null {
    let node = this.parseFloorDiv();
    while (!this.bad && this.skipValue(L.T_OP, '/')) node = this.bin(A.E_DIV, node, this.parseFloorDiv());
    return node;
  }
  parseFloorDiv(): Node | null {
    let node = this.parseMod();
    while (!this.bad && this.skipValue(L.T_OP, '//')) node = this.bin(A.E_FLOORDIV, node, this.parseMod());
    return node;
  }
  parseMod(): Node | null {
    let node = this.parsePow();
    while (!this.bad && this.skipValue(L.T_OP, '%')) node = this.bin(A.E_MOD, node, this.parsePow());
    return node;
  }
  parsePow(): Node | null {
    let node = this.parseUnary(false);
    while (!this.bad && this.skipValue(L.T_OP, '**')) node = this.bin(A.E_POW, node, this.parseUnary(false));
    return node;
  }
  parseUnary(noFilters: bool): Node | null {
    const tok = this.peek();
    let node: Node | null;
    if (this.skipValue(L.T_OP, '-') || this.skipValue(L.T_OP, '+')) {
      if (!this.enter(tok!.line)) { this.exprDepth--; return null; }
      const t = this.parseUnary(true);
      this.exprDepth--;
      if (t === null) return null;
      node = new Node(tok!.value == '-' ? A.E_NEG : A.E_POS, tok!.line);
      node.a = t;
    } else node = this.parsePrimary(false);
    if (!noFilters && node !== null) node = this.parseFilter(node);
    return node;
  }

  parsePrimary(noPostfix: bool): Node | null {
    const tok = this.next();
    if (tok === null) { this.fail('expected expression, got end of file'); return null; }
    let node: Node | null = null;
    const t = tok.type;
    if (t == L.T_STRING || t == L.T_INT || t == L.T_FLOAT || t == L.T_BOOL || t == L.T_NONE || t == L.T_REGEX) {
      node = new Node(A.E_LIT, tok.line);
      node.s = tok.value;
      node.n = t == L.T_STRING ? A.L_STR : t == L.T_INT ? A.L_INT : t == L.T_FLOAT ? A.L_FLOAT :
        t == L.T_BOOL ? (tok.value == 'true' ? A.L_TRUE : A.L_FALSE) : t == L.T_NONE ? A.L_NONE : A.L_REGEX;
    } else if (t == L.T_SYMBOL) {
      node = new Node(A.E_SYM, tok.line);
      node.s = tok.value;
      node.n = -1;
    } else {
      node = this.parseAggregate(tok);
      if (this.bad) return null;
      if (node === null) {
        // the token is consumed; a postfix after it still makes a node (of nothing)
        const none = new Node(A.E_NULL, tok.line);
        const p = noPostfix ? none : this.parsePostfix(none);
        if (this.bad) return null;
        if (p === none || p === null) { this.fail('unexpected token: ' + tok.value, tok); return null; }
        this.hasNull = true;
        return p;
      }
    }
    if (!noPostfix) node = this.parsePostfix(node!);
    return node;
  }

  parseAggregate(tok: Token): Node | null {
    let kind = 0;
    if (tok.type == L.T_LPAREN) kind = A.E_TUPLE;
    else if (tok.type == L.T_LBRACKET) kind = A.E_LIST;
    else if (tok.type == L.T_LCURLY) kind = A.E_DICT;
    else return null;
    if (!this.enter(tok.line)) { this.exprDepth--; return null; }
    const n = new Node(kind, tok.line);
    const items = new Array<Node>();
    const keys = new Array<string>();
    n.args = items;
    n.names = keys;
    while (!this.bad) {
      const pk = this.peek();
      if (pk === null) { this.typeError(); break; }
      if (pk.type == L.T_RPAREN || pk.type == L.T_RBRACKET || pk.type == L.T_RCURLY) { this.next(); break; }
      if (items.length > 0 && !this.skip(L.T_COMMA)) { this.fail('parseAggregate: expected comma after expression', tok); break; }
      if (kind == A.E_DICT) {
        const key = this.parsePrimary(false);
        if (key === null) break;
        if (!this.skip(L.T_COLON)) { this.fail('parseAggregate: expected colon after dict key', tok); break; }
        const v = this.parseExpression();
        if (v === null) break;
        if (key.kind == A.E_SYM || (key.kind == A.E_LIT && key.n == A.L_STR)) keys.push(key.s);
        else { this.failAt('compilePair: Dict keys must be strings or names', key.line); break; }
        items.push(v);
      } else {
        const e = this.parseExpression();
        if (e === null) break;
        items.push(e);
      }
    }
    this.exprDepth--;
    if (this.bad) return null;
    if (kind == A.E_TUPLE && items.length == 1) return items[0];
    return n;
  }

  parsePostfix(start: Node): Node | null {
    let node: Node = start;
    let links = 0;
    let tok = this.peek();
    while (tok !== null && !this.bad) {
      const isLink = tok.type == L.T_LBRACKET || tok.type == L.T_LPAREN || (tok.type == L.T_OP && tok.value == '.');
      if (!isLink) break;
      if (++links + this.exprDepth > MAX_NEST) { this.setErr('nesting deeper than ' + MAX_NEST.toString() + ' levels', tok.line + 1); return null; }
      if (tok.type == L.T_LBRACKET) {
        this.next();
        const parts = new StaticArray<Node | null>(3);
        let colons = 0;
        for (;;) {
          if (this.bad) return null;
          if (this.skip(L.T_RBRACKET)) break;
          if (this.skip(L.T_COLON)) {
            if (++colons > 2) { this.fail('invalid slice: too many colons', tok); return null; }
            continue;
          }
          if (parts[colons] !== null) { this.fail('invalid index', tok); return null; }
          const e = this.parseExpression();
          if (e === null) return null;
          parts[colons] = e;
        }
        if (colons == 0) {
          if (parts[0] === null) { this.fail('invalid index: empty subscript', tok); return null; }
          const n = new Node(A.E_LOOKUP, tok.line);
          n.a = node; n.b = parts[0];
          node = n;
        } else {
          const n = new Node(A.E_SLICE, tok.line);
          n.a = node;
          n.b = parts[0] !== null ? parts[0] : noneLit(tok.line);
          n.c = parts[1] !== null ? parts[1] : noneLit(tok.line);
          n.d = parts[2] !== null ? parts[2] : noneLit(tok.line);
          node = n;
        }
      } else if (tok.type == L.T_LPAREN) {
        if (node.kind == A.E_SUPERCALL && node.n < 0) {
          const tmp = new Node(A.E_CALL, tok.line);
          this.parseSignatureInto(tmp);
          const n = new Node(A.E_SUPERCALL, tok.line);
          n.n = -node.n;
          node = n;
        } else {
          const n = new Node(A.E_CALL, tok.line);
          n.a = node;
          n.s = nodeName(node);
          this.parseSignatureInto(n);
          node = n;
        }
      } else if (tok.type == L.T_OP && tok.value == '.') {
        this.next();
        const val = this.next();
        if (val === null) { this.typeError(); return null; }
        if (val.type != L.T_SYMBOL) { this.fail('expected name as lookup value, got ' + val.value, val); return null; }
        if (val.value == 'super' && ((node.kind == A.E_SYM && node.s == 'super') || (node.kind == A.E_SUPERCALL && node.n < 0))) {
          // an uncalled super.super reference: n = -depth
          const n = new Node(A.E_SUPERCALL, tok.line);
          n.n = node.kind == A.E_SUPERCALL ? node.n - 1 : -2;
          node = n;
        } else {
          const n = new Node(A.E_LOOKUP, tok.line);
          n.a = node;
          const k = new Node(A.E_LIT, val.line);
          k.s = val.value;
          k.n = A.L_STR;
          n.b = k;
          n.n = 1;
          node = n;
        }
      } else break;
      tok = this.peek();
    }
    return node;
  }

  /** `(args, name=value)` into n.args / n.names / n.kwvals. */
  parseSignatureInto(n: Node): void {
    const open = this.next(); // the left paren
    const args = new Array<Node>();
    const names = new Array<string>();
    const kw = new Array<Node>();
    n.args = args; n.names = names; n.kwvals = kw;
    let checkComma = false;
    if (!this.enter(open !== null ? open.line : 0)) { this.exprDepth--; return; }
    while (!this.bad) {
      const tok = this.peek();
      if (tok === null) { this.typeError(); break; }
      if (tok.type == L.T_RPAREN) { this.next(); break; }
      if (checkComma && !this.skip(L.T_COMMA)) { this.fail('parseSignature: expected comma after expression', tok); break; }
      const arg = this.parseExpression();
      if (arg === null) break;
      if (this.skipValue(L.T_OP, '=')) {
        const v = this.parseExpression();
        if (v === null) break;
        if (arg.kind == A.E_SYM || (arg.kind == A.E_LIT && arg.n == A.L_STR)) { names.push(arg.s); kw.push(v); }
        else { this.failAt('compilePair: Dict keys must be strings or names', arg.line); break; }
      } else args.push(arg);
      checkComma = true;
    }
    this.exprDepth--;
  }

  parseFilterName(): Node | null {
    const tok = this.expect(L.T_SYMBOL);
    if (tok === null) return null;
    let name = tok.value;
    while (this.skipValue(L.T_OP, '.')) {
      const t = this.expect(L.T_SYMBOL);
      if (t === null) return null;
      name += '.' + t.value;
    }
    const n = new Node(A.E_SYM, tok.line);
    n.s = name;
    return n;
  }

  parseFilter(start: Node): Node | null {
    let node: Node = start;
    let links = 0;
    while (!this.bad && this.skip(L.T_PIPE)) {
      const name = this.parseFilterName();
      if (name === null) return null;
      if (++links + this.exprDepth > MAX_NEST) { this.setErr('nesting deeper than ' + MAX_NEST.toString() + ' levels', name.line + 1); return null; }
      const f = new Node(A.E_FILTER, name.line);
      f.s = name.s;
      const pk = this.peek();
      if (pk === null) { this.typeError(); return null; }
      if (pk.type == L.T_LPAREN) {
        this.parseSignatureInto(f);
        // the oracle takes the arguments of the whole postfix chain's result: only a bare call has them
        const q = this.peek();
        if (q !== null && (q.type == L.T_LPAREN || q.type == L.T_LBRACKET || (q.type == L.T_OP && q.value == '.'))) { this.typeError(); return null; }
      } else { f.args = new Array<Node>(); f.names = new Array<string>(); f.kwvals = new Array<Node>(); }
      f.args!.unshift(node);
      node = f;
    }
    return node;
  }
}

class RawMatch {
  preEnd: i32 = 0;
  end: i32 = 0;
  isEnd: bool = false;
}

function noneLit(line: i32): Node {
  const n = new Node(A.E_LIT, line);
  n.n = A.L_NONE;
  n.s = 'none';
  return n;
}

/** The test name a literal stands for (`x is none` looks up the test "null"). */
function litName(n: Node): string {
  if (n.n == A.L_NONE) return 'null';
  if (n.n == A.L_INT || n.n == A.L_FLOAT) return jsNumText(n.s);
  return n.s;
}

/** String(parseFloat(text)) for the simple literals the lexer produces. */
export function jsNumText(s: string): string {
  const v = parseFloat(s);
  if (v == Math.floor(v) && Math.abs(v) < 1e21) return (<i64>v).toString();
  return v.toString();
}

function cmpOp(v: string): i32 {
  if (v == '==') return 0;
  if (v == '===') return 6;
  if (v == '!=') return 1;
  if (v == '!==') return 7;
  if (v == '<') return 2;
  if (v == '>') return 3;
  if (v == '<=') return 4;
  if (v == '>=') return 5;
  return -1;
}

/** The callee's name in call errors (nunjucks' _getNodeName). */
export function nodeName(n: Node): string {
  if (n.kind == A.E_SYM) return n.s;
  if (n.kind == A.E_CALL) return 'the return value of (' + nodeName(n.a!) + ')';
  if (n.kind == A.E_LOOKUP) return nodeName(n.a!) + '["' + nodeName(n.b!) + '"]';
  if (n.kind == A.E_LIT) {
    if (n.n == A.L_NONE) return 'null';
    if (n.n == A.L_INT || n.n == A.L_FLOAT) return jsNumText(n.s);
    return n.s;
  }
  return '--expression--';
}
