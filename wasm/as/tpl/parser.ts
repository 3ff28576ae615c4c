/**
 * The template parser: tokens (lexer.ts) to the AST of ast.ts, with the statements and
 * whitespace control of the oracle (nunjucks 3.2.4 as patched by engine/eval/jinja-compat.ts;
 * expressions in parse-expr.ts) and its syntax-error messages and lines for the malformed inputs
 * that occur. Nesting is bounded while parsing (tags and expressions deeper than 64 levels are an
 * error), so no input can exhaust the stack. The first error wins; after it the parser unwinds.
 *
 * Must not depend on: rt, host.
 */
import * as A from './ast';
import { Node } from './ast';
import * as L from './lexer';
import { Lexer, Token } from './lexer';
import { ExprParser, MAX_NEST, TYPE_ERROR } from './parse-expr';

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

class Parser extends ExprParser {
  breakOn: Array<string> | null = null;
  dropWs: bool = false;
  tagDepth: i32 = 0;

  constructor(lex: Lexer) { super(lex); }

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
      // no IX tree uses them; the oracle refuses them with the same line (engine/eval/jinja-compat.ts)
      this.fail('{% ' + v + ' %} is not supported', tok);
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
    // a string target is taken as a name: it must be one (the oracle checks every target first)
    let badName: string | null = null;
    let badLine: i32 = 0;
    for (let i = 0; i < targets.length && badName === null; i++) {
      const t = targets[i];
      if (t.kind == A.E_LIT && t.n == A.L_STR) { badName = L.badName(t.s); badLine = t.line; }
    }
    const t0 = targets[0];
    if (t0.kind == A.E_LOOKUP) {
      if (badName !== null) { this.failAt(badName!, badLine); return null; }
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
    n.bad = badName;
    n.badLine = badLine;
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

}

class RawMatch {
  preEnd: i32 = 0;
  end: i32 = 0;
  isEnd: bool = false;
}
