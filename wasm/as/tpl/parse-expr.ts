/**
 * The expression half of the template parser (parser.ts extends it): the token stream with one
 * token of lookahead, the oracle's error helpers, and expressions with nunjucks 3.2.4's
 * precedence as patched by engine/eval/jinja-compat.ts (Python subscripts and slices, tuples,
 * super.super(), float literals), their syntax errors, and the nesting bound on expressions.
 *
 * Must not depend on: rt, host.
 */
import * as A from './ast';
import { Node } from './ast';
import * as L from './lexer';
import { Lexer, Token } from './lexer';

/**
 * The parser's own nesting bound: a safety net against exhausting the stack on what the
 * source check (nesting.ts, 64 levels, run first) does not count; it is not the oracle's bound.
 */
export const MAX_NEST: i32 = 256;
export const TYPE_ERROR = 'a value used here is undefined, null or of the wrong type';

export class ExprParser {
  lex: Lexer;
  peeked: Token | null = null;
  hasPeeked: bool = false;
  err: string | null = null;
  errLine: i32 = -1;
  exprDepth: i32 = 0;
  /** An expression of nothing was parsed (E_NULL): the oracle's compiler fails on it. */
  hasNull: bool = false;

  constructor(lex: Lexer) { this.lex = lex; }

  setErr(msg: string, line1: i32): void {
    if (this.err !== null) return;
    // a lexing error raised while the parser looked ahead wins (it was thrown first)
    if (this.lex.err !== null) { this.err = this.lex.err; this.errLine = this.lex.errLine; return; }
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
      const lit = right.kind == A.E_CALL ? right.a : right;
      if (lit !== null && lit.kind == A.E_LIT && lit.n == A.L_STR) {
        const b = L.badName(lit.s);
        if (b !== null) { n.bad = b; n.badLine = lit.line; }
      }
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
    // nunjucks' regex literal: refused, as by the oracle (engine/eval/jinja-compat.ts)
    if (t == L.T_REGEX) { this.fail('regular expression literals are not supported', tok); return null; }
    if (t == L.T_STRING || t == L.T_INT || t == L.T_FLOAT || t == L.T_BOOL || t == L.T_NONE) {
      node = new Node(A.E_LIT, tok.line);
      node.s = tok.value;
      node.n = t == L.T_STRING ? A.L_STR : t == L.T_INT ? A.L_INT : t == L.T_FLOAT ? A.L_FLOAT :
        t == L.T_BOOL ? (tok.value == 'true' ? A.L_TRUE : A.L_FALSE) : A.L_NONE;
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
        if ((node.kind == A.E_SUPERCALL && node.n < 0) || (node.kind == A.E_SYM && node.s == 'super')) {
          // super() too: it renders the parent of its innermost block
          const tmp = new Node(A.E_CALL, tok.line);
          this.parseSignatureInto(tmp);
          const n = new Node(A.E_SUPERCALL, tok.line);
          n.n = node.kind == A.E_SYM ? 1 : -node.n;
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
