/**
 * The template lexer: Jinja2 syntax with trim_blocks and lstrip_blocks (comments included),
 * tokenised as the oracle's nunjucks 3.2.4 lexer does it (same token boundaries, 0-based line
 * and column, same errors), so parse errors name the same token and line. Lazy: the parser
 * pulls tokens, so a lexing error surfaces exactly where the oracle's would.
 *
 * Must not depend on: rt, host.
 */

export const T_STRING: i32 = 1;
export const T_WS: i32 = 2;
export const T_DATA: i32 = 3;
export const T_BLOCK_START: i32 = 4;
export const T_BLOCK_END: i32 = 5;
export const T_VAR_START: i32 = 6;
export const T_VAR_END: i32 = 7;
export const T_COMMENT: i32 = 8;
export const T_LPAREN: i32 = 9;
export const T_RPAREN: i32 = 10;
export const T_LBRACKET: i32 = 11;
export const T_RBRACKET: i32 = 12;
export const T_LCURLY: i32 = 13;
export const T_RCURLY: i32 = 14;
export const T_OP: i32 = 15;
export const T_COMMA: i32 = 16;
export const T_COLON: i32 = 17;
export const T_TILDE: i32 = 18;
export const T_PIPE: i32 = 19;
export const T_INT: i32 = 20;
export const T_FLOAT: i32 = 21;
export const T_BOOL: i32 = 22;
export const T_NONE: i32 = 23;
export const T_SYMBOL: i32 = 24;
export const T_REGEX: i32 = 25;

/** The oracle's name of a token type (its parse errors print them). */
export function typeName(t: i32): string {
  switch (t) {
    case T_STRING: return 'string';
    case T_WS: return 'whitespace';
    case T_DATA: return 'data';
    case T_BLOCK_START: return 'block-start';
    case T_BLOCK_END: return 'block-end';
    case T_VAR_START: return 'variable-start';
    case T_VAR_END: return 'variable-end';
    case T_COMMENT: return 'comment';
    case T_LPAREN: return 'left-paren';
    case T_RPAREN: return 'right-paren';
    case T_LBRACKET: return 'left-bracket';
    case T_RBRACKET: return 'right-bracket';
    case T_LCURLY: return 'left-curly';
    case T_RCURLY: return 'right-curly';
    case T_OP: return 'operator';
    case T_COMMA: return 'comma';
    case T_COLON: return 'colon';
    case T_TILDE: return 'tilde';
    case T_PIPE: return 'pipe';
    case T_INT: return 'int';
    case T_FLOAT: return 'float';
    case T_BOOL: return 'boolean';
    case T_NONE: return 'none';
    case T_SYMBOL: return 'symbol';
    case T_REGEX: return 'regex';
  }
  return 'unknown';
}

export class Token {
  type: i32;
  value: string;
  line: i32;
  col: i32;
  constructor(type: i32, value: string, line: i32, col: i32) {
    this.type = type; this.value = value; this.line = line; this.col = col;
  }
}

// " \n\t\r\xA0"
@inline function isWs(c: i32): bool { return c == 32 || c == 10 || c == 9 || c == 13 || c == 0xa0; }
// '()[]{}%*-+~/#,:|.<>=!'
function isDelim(c: i32): bool {
  return c == 40 || c == 41 || c == 91 || c == 93 || c == 123 || c == 125 || c == 37 || c == 42 || c == 45 || c == 43 ||
    c == 126 || c == 47 || c == 35 || c == 44 || c == 58 || c == 124 || c == 46 || c == 60 || c == 62 || c == 61 || c == 33;
}
@inline function isDigit(c: i32): bool { return c >= 48 && c <= 57; }

/** JS `\s` on one code unit. */
export function isJsWs(c: i32): bool {
  return c == 9 || c == 10 || c == 11 || c == 12 || c == 13 || c == 32 || c == 0xa0 || c == 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000 || c == 0xfeff;
}

export class Lexer {
  s: string;
  i: i32 = 0;
  n: i32;
  line: i32 = 0;
  col: i32 = 0;
  inCode: bool = false;
  /** A lexing error (message without position, as the oracle's plain Error). */
  err: string | null = null;
  /** The 1-based line of a lexing error that has one (a bad name), else -1. */
  errLine: i32 = -1;

  constructor(s: string) { this.s = s; this.n = s.length; }

  @inline cur(): i32 { return this.i < this.n ? this.s.charCodeAt(this.i) : -1; }
  @inline at(k: i32): i32 { return k < this.n && k >= 0 ? this.s.charCodeAt(k) : -1; }

  forward(): void {
    this.i++;
    if (this.s.charCodeAt(this.i - 1) == 10) { this.line++; this.col = 0; } else this.col++;
  }
  forwardN(k: i32): void { for (let j = 0; j < k; j++) this.forward(); }
  back(): void {
    this.i--;
    if (this.cur() == 10) {
      this.line--;
      const idx = this.s.lastIndexOf('\n', this.i - 1);
      this.col = idx < 0 ? this.i : this.i - idx;
    } else this.col--;
  }
  matches(t: string): bool {
    if (this.i + t.length > this.n) return false;
    for (let k = 0; k < t.length; k++) if (this.s.charCodeAt(this.i + k) != t.charCodeAt(k)) return false;
    return true;
  }
  @inline m2(a: i32, b: i32): bool { return this.at(this.i) == a && this.at(this.i + 1) == b; }

  /** The next token, null at the end (or after an error: see `err`). */
  next(): Token | null {
    if (this.err !== null) return null;
    const line = this.line;
    const col = this.col;
    if (this.i >= this.n) return null;
    const s = this.s;
    if (this.inCode) {
      const c = this.cur();
      if (c == 34 || c == 39) return new Token(T_STRING, this.parseString(c), line, col);
      if (isWs(c)) {
        const a = this.i;
        while (this.i < this.n && isWs(this.cur())) this.forward();
        return new Token(T_WS, s.substring(a, this.i), line, col);
      }
      // block end `%}` / `-%}`
      let endLen = 0;
      if (this.m2(37, 125)) endLen = 2;
      else if (c == 45 && this.at(this.i + 1) == 37 && this.at(this.i + 2) == 125) endLen = 3;
      if (endLen > 0) {
        const v = endLen == 2 ? '%}' : '-%}';
        this.forwardN(endLen);
        this.inCode = false;
        // trim_blocks
        const d = this.cur();
        if (d == 10) this.forward();
        else if (d == 13) {
          this.forward();
          if (this.cur() == 10) this.forward(); else this.back();
        }
        return new Token(T_BLOCK_END, v, line, col);
      }
      if (this.m2(125, 125)) { this.forwardN(2); this.inCode = false; return new Token(T_VAR_END, '}}', line, col); }
      if (c == 45 && this.at(this.i + 1) == 125 && this.at(this.i + 2) == 125) { this.forwardN(3); this.inCode = false; return new Token(T_VAR_END, '-}}', line, col); }
      if (c == 114 && this.at(this.i + 1) == 47) {
        // r/regex/flags: lexed as nunjucks does, then refused by the parser
        this.forwardN(2);
        while (this.i < this.n) {
          if (this.cur() == 47 && this.at(this.i - 1) != 92) { this.forward(); break; }
          this.forward();
        }
        while (this.i < this.n) { const f = this.cur(); if (f == 103 || f == 105 || f == 109 || f == 121) this.forward(); else break; }
        return new Token(T_REGEX, 'r/', line, col);
      }
      if (isDelim(c)) {
        this.forward();
        let v = String.fromCharCode(c);
        const d = this.cur();
        // '==', '===', '!=', '!==', '<=', '>=', '//', '**'
        if ((c == 61 && d == 61) || (c == 33 && d == 61) || (c == 60 && d == 61) || (c == 62 && d == 61) || (c == 47 && d == 47) || (c == 42 && d == 42)) {
          this.forward();
          v = v + String.fromCharCode(d);
          if ((c == 61 || c == 33) && this.cur() == 61) { this.forward(); v = v + '='; }
        }
        let t = T_OP;
        if (v == '(') t = T_LPAREN;
        else if (v == ')') t = T_RPAREN;
        else if (v == '[') t = T_LBRACKET;
        else if (v == ']') t = T_RBRACKET;
        else if (v == '{') t = T_LCURLY;
        else if (v == '}') t = T_RCURLY;
        else if (v == ',') t = T_COMMA;
        else if (v == ':') t = T_COLON;
        else if (v == '~') t = T_TILDE;
        else if (v == '|') t = T_PIPE;
        return new Token(t, v, line, col);
      }
      const a = this.i;
      while (this.i < this.n) { const e = this.cur(); if (isWs(e) || isDelim(e)) break; this.forward(); }
      const tok = s.substring(a, this.i);
      if (isIntText(tok)) {
        if (this.cur() == 46) {
          this.forward();
          const b = this.i;
          while (this.i < this.n && isDigit(this.cur())) this.forward();
          return new Token(T_FLOAT, tok + '.' + s.substring(b, this.i), line, col);
        }
        return new Token(T_INT, tok, line, col);
      }
      if (tok == 'true' || tok == 'false') return new Token(T_BOOL, tok, line, col);
      if (tok == 'none' || tok == 'null') return new Token(T_NONE, tok, line, col);
      const bad = badName(tok);
      if (bad !== null) { this.err = bad; this.errLine = line + 1; return null; }
      return new Token(T_SYMBOL, tok, line, col);
    }
    // template text
    if (this.m2(123, 37)) {
      if (this.at(this.i + 2) == 45) { this.forwardN(3); this.inCode = true; return new Token(T_BLOCK_START, '{%-', line, col); }
      this.forwardN(2); this.inCode = true; return new Token(T_BLOCK_START, '{%', line, col);
    }
    if (this.m2(123, 123)) {
      if (this.at(this.i + 2) == 45) { this.forwardN(3); this.inCode = true; return new Token(T_VAR_START, '{{-', line, col); }
      this.forwardN(2); this.inCode = true; return new Token(T_VAR_START, '{{', line, col);
    }
    let inComment = false;
    const a = this.i;
    if (this.m2(123, 35)) { inComment = true; this.forwardN(2); }
    let closed = false;
    while (this.i < this.n) {
      // extract until one of `{`, `#`
      while (this.i < this.n) { const e = this.cur(); if (e == 123 || e == 35) break; this.forward(); }
      if (this.i >= this.n) break;
      const isStart = this.m2(123, 37) || this.m2(123, 123) || this.m2(123, 35);
      if (isStart && !inComment) {
        if (this.m2(123, 37) && this.col > 0 && this.col <= this.i - a) {
          // lstrip_blocks: drop the spaces before a block tag that starts its line
          const ls = this.i - this.col;
          let allWs = true;
          for (let k = ls; k < this.i; k++) if (!isJsWs(s.charCodeAt(k))) { allWs = false; break; }
          if (allWs) {
            if (ls == a) return this.next();
            return this.afterData(new Token(T_DATA, s.substring(a, ls), line, col));
          }
        }
        break;
      } else if (this.m2(35, 125)) {
        if (!inComment) { this.err = 'unexpected end of comment'; return null; }
        this.forwardN(2);
        closed = true;
        break;
      } else this.forward();
    }
    if (inComment && !closed) { this.err = 'expected end of comment, got end of file'; return null; }
    const tok = new Token(inComment ? T_COMMENT : T_DATA, s.substring(a, this.i), line, col);
    if (inComment) {
      // trim_blocks after a comment
      const d = this.cur();
      if (d == 10) this.forward();
      else if (d == 13) { this.forward(); if (this.cur() == 10) this.forward(); }
      return tok;
    }
    return this.afterData(tok);
  }

  /** lstrip_blocks before a comment that starts its line (spaces and tabs only). */
  private afterData(tok: Token): Token | null {
    if (!this.inCode && this.m2(123, 35) && this.col > 0 && this.col <= tok.value.length) {
      const v = tok.value;
      let ok = true;
      for (let k = v.length - this.col; k < v.length; k++) { const c = v.charCodeAt(k); if (c != 32 && c != 9) { ok = false; break; } }
      if (ok) {
        tok.value = v.substring(0, v.length - this.col);
        if (tok.value.length == 0) return this.next();
      }
    }
    return tok;
  }

  private parseString(q: i32): string {
    this.forward();
    const parts = new Array<string>();
    let a = this.i;
    while (this.i < this.n && this.cur() != q) {
      if (this.cur() == 92) {
        parts.push(this.s.substring(a, this.i));
        this.forward();
        const e = this.cur();
        if (e == 110) parts.push('\n');
        else if (e == 116) parts.push('\t');
        else if (e == 114) parts.push('\r');
        else if (e >= 0) parts.push(String.fromCharCode(e));
        this.forward();
        a = this.i;
      } else this.forward();
    }
    parts.push(this.s.substring(a, this.i < this.n ? this.i : this.n));
    this.forward();
    return parts.length == 1 ? parts[0] : parts.join('');
  }
}

/** /^[-+]?[0-9]+$/ */
function isIntText(t: string): bool {
  let k = 0;
  if (t.length > 0 && (t.charCodeAt(0) == 45 || t.charCodeAt(0) == 43)) k = 1;
  if (k >= t.length) return false;
  for (; k < t.length; k++) if (!isDigit(t.charCodeAt(k))) return false;
  return true;
}

/**
 * The syntax error for a name that is not one (ASCII letters, digits and `_`, not starting with
 * a digit), or null: the oracle's lexer check (engine/eval/jinja-compat.ts, badName), same text.
 */
export function badName(name: string): string | null {
  let i = 0;
  let k = 0;
  while (k < name.length) {
    const c = name.codePointAt(k);
    const digit = c >= 48 && c <= 57;
    if (digit && i == 0) return 'a name cannot start with a digit';
    if (!(digit || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95)) {
      let shown: string;
      if (c > 0x20 && c < 0x7f) shown = "'" + String.fromCharCode(c) + "'";
      else {
        let h = c.toString(16).toUpperCase();
        while (h.length < 4) h = '0' + h;
        shown = 'U+' + h;
      }
      return 'unexpected character ' + shown + ' in a name';
    }
    k += c > 0xffff ? 2 : 1;
    i++;
  }
  return null;
}
