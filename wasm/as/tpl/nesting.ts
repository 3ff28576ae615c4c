/**
 * The nesting bound of templates (engine/eval/nesting.ts), checked on the source before the
 * parser runs: tags (if, for, block, macro, call, filter, raw, verbatim, with, and the capturing
 * `set`) and expressions (open brackets plus, per bracket level, the run of unary operators and
 * postfix operations since the last binary operator, comma, colon or `=`) each at most 64 deep;
 * the error names the line of the tag or token that goes one level past the bound.
 *
 * Must not depend on: rt, host.
 */

export const MAX_NESTING: i32 = 64;

/** The first place nested too deep: 1-based line of the preprocessed source, or -1. */
export function checkNesting(src: string): i32 {
  const sc = new Scanner(src);
  return sc.run();
}

@inline function isNameStart(c: i32): bool { return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c == 36; }
@inline function isNameChar(c: i32): bool { return isNameStart(c) || (c >= 48 && c <= 57); }
@inline function isDigit(c: i32): bool { return c >= 48 && c <= 57; }

function isOpener(w: string): bool {
  return w == 'if' || w == 'for' || w == 'block' || w == 'macro' || w == 'call' || w == 'filter' || w == 'raw' || w == 'verbatim' ||
    w == 'with' || w == 'asyncEach' || w == 'asyncAll' || w == 'ifAsync';
}
function isBinaryWord(w: string): bool {
  return w == 'and' || w == 'or' || w == 'in' || w == 'is' || w == 'if' || w == 'else';
}

/** JS `\s`. */
function isSpace(c: i32): bool {
  return c == 9 || c == 10 || c == 11 || c == 12 || c == 13 || c == 32 || c == 0xa0 || c == 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000 || c == 0xfeff;
}

class Scanner {
  s: string;
  n: i32;
  i: i32 = 0;
  line: i32 = 1;
  // the last expression scan
  end: i32 = 0;
  assign: bool = false;
  errLine: i32 = -1;
  constructor(s: string) { this.s = s; this.n = s.length; }

  @inline at(k: i32): i32 { return k < this.n && k >= 0 ? this.s.charCodeAt(k) : -1; }
  advanceTo(j: i32): void {
    for (; this.i < j && this.i < this.n; this.i++) if (this.s.charCodeAt(this.i) == 10) this.line++;
  }

  run(): i32 {
    const s = this.s;
    const n = this.n;
    let tags = 0;
    while (this.i < n) {
      const open = s.indexOf('{', this.i);
      if (open < 0) break;
      this.advanceTo(open);
      const next = this.at(open + 1);
      if (next == 35) {
        const end = s.indexOf('#}', open + 2);
        this.advanceTo(end < 0 ? n : end + 2);
        continue;
      }
      if (next != 123 && next != 37) {
        this.advanceTo(open + 1);
        continue;
      }
      const tagLine = this.line;
      this.advanceTo(open + 2);
      const isTag = next == 37;
      let name = '';
      if (isTag) {
        let j = this.i;
        while (j < n) { const c = s.charCodeAt(j); if (c == 45 || c == 43 || c == 32 || c == 9 || c == 10 || c == 13) j++; else break; }
        if (j < n && isNameStart(s.charCodeAt(j))) {
          let k = j + 1;
          while (k < n && isNameChar(s.charCodeAt(k))) k++;
          name = s.substring(j, k);
        }
      }
      this.scanExpression(this.i, isTag ? 37 : 125, this.line);
      if (this.errLine >= 0) return this.errLine;
      if (isTag) {
        const opens = isOpener(name) || (name == 'set' && !this.assign);
        if (opens) {
          if (tags + 1 > MAX_NESTING) return tagLine;
          if (name != 'raw' && name != 'verbatim') tags++;
        } else if (name.startsWith('end') && tags > 0) tags--;
      }
      this.advanceTo(this.end);
      if (isTag && (name == 'raw' || name == 'verbatim')) {
        const m = this.findEnd(name);
        this.advanceTo(m);
      }
    }
    return -1;
  }

  /** Index just past /\{%[-+]?\s*endNAME\s*[-+]?%\}/ from the current position, or the end. */
  findEnd(name: string): i32 {
    const s = this.s;
    const n = this.n;
    const want = 'end' + name;
    let k = this.i;
    for (;;) {
      const at = s.indexOf('{%', k);
      if (at < 0) return n;
      let j = at + 2;
      if (j < n && (s.charCodeAt(j) == 45 || s.charCodeAt(j) == 43)) j++;
      while (j < n && isSpace(s.charCodeAt(j))) j++;
      if (s.startsWith(want, j)) {
        j += want.length;
        while (j < n && isSpace(s.charCodeAt(j))) j++;
        if (j < n && (s.charCodeAt(j) == 45 || s.charCodeAt(j) == 43)) j++;
        if (s.startsWith('%}', j)) return j + 2;
      }
      k = at + 1;
    }
    return n;
  }

  /** Scan from `start` to the closing `%}` (close 37) or `}}` (close 125): end, assign, errLine. */
  scanExpression(start: i32, close: i32, firstLine: i32): void {
    const s = this.s;
    const n = this.n;
    let line = firstLine;
    const runs = new Array<i32>();
    runs.push(0);
    let runSum = 0;
    let operand = false;
    let afterFilterName = false;
    let afterIs = false;
    this.assign = false;
    let i = start < n && (s.charCodeAt(start) == 45 || s.charCodeAt(start) == 43) ? start + 1 : start;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c == 10) line++;
      if (c == 32 || c == 9 || c == 10 || c == 13) { i++; continue; }
      if (c == close && this.at(i + 1) == 125) { this.end = i + 2; return; }
      if ((c == 45 || c == 43) && this.at(i + 1) == close && this.at(i + 2) == 125) { this.end = i + 3; return; }
      const wasFilterName = afterFilterName;
      afterFilterName = false;
      if (c == 34 || c == 39) {
        let j = i + 1;
        while (j < n && s.charCodeAt(j) != c) {
          if (s.charCodeAt(j) == 92) j++;
          if (j < n && s.charCodeAt(j) == 10) line++;
          j++;
        }
        i = j + 1;
        operand = true;
        continue;
      }
      if (c == 40 || c == 91 || c == 123) {
        if (operand && !wasFilterName) {
          runs[runs.length - 1]++;
          runSum++;
          if (runs.length - 1 + runSum > MAX_NESTING) { this.end = i; this.errLine = line; return; }
        }
        runs.push(0);
        operand = false;
        if (runs.length - 1 + runSum > MAX_NESTING) { this.end = i; this.errLine = line; return; }
        i++;
        continue;
      }
      if (c == 41 || c == 93 || c == 125) {
        if (runs.length > 1) runSum -= runs.pop();
        operand = true;
        i++;
        continue;
      }
      if (c == 124) {
        runs[runs.length - 1]++;
        runSum++;
        if (runs.length - 1 + runSum > MAX_NESTING) { this.end = i; this.errLine = line; return; }
        operand = false;
        i++;
        let j = i;
        while (j < n && isSpace(s.charCodeAt(j))) j++;
        if (j < n && isNameStart(s.charCodeAt(j))) {
          let k = j + 1;
          while (k < n && isNameChar(s.charCodeAt(k))) k++;
          i = k;
          operand = true;
          afterFilterName = true;
        }
        continue;
      }
      if (c == 46 && operand) {
        runs[runs.length - 1]++;
        runSum++;
        if (runs.length - 1 + runSum > MAX_NESTING) { this.end = i; this.errLine = line; return; }
        i++;
        continue;
      }
      if (isDigit(c)) {
        // /[0-9][0-9_]*(\.[0-9_]+)?([eE][+-]?[0-9]+)?/
        let j = i + 1;
        while (j < n && (isDigit(s.charCodeAt(j)) || s.charCodeAt(j) == 95)) j++;
        if (j + 1 < n + 1 && this.at(j) == 46 && (isDigit(this.at(j + 1)) || this.at(j + 1) == 95)) {
          j += 1;
          while (j < n && (isDigit(s.charCodeAt(j)) || s.charCodeAt(j) == 95)) j++;
        }
        if (this.at(j) == 101 || this.at(j) == 69) {
          let k = j + 1;
          if (this.at(k) == 43 || this.at(k) == 45) k++;
          if (isDigit(this.at(k))) {
            while (k < n && isDigit(s.charCodeAt(k))) k++;
            j = k;
          }
        }
        i = j;
        operand = true;
        continue;
      }
      if (isNameStart(c)) {
        let k = i + 1;
        while (k < n && isNameChar(s.charCodeAt(k))) k++;
        const w = s.substring(i, k);
        i = k;
        if (w == 'not' && !operand && !afterIs) {
          runs[runs.length - 1]++;
          runSum++;
          if (runs.length - 1 + runSum > MAX_NESTING) { this.end = i; this.errLine = line; return; }
        } else if (w == 'not' || isBinaryWord(w)) {
          runSum -= runs[runs.length - 1];
          runs[runs.length - 1] = 0;
          operand = false;
          afterIs = w == 'is';
          continue;
        } else operand = true;
        afterIs = false;
        continue;
      }
      afterIs = false;
      if ((c == 45 || c == 43) && !operand) {
        runs[runs.length - 1]++;
        runSum++;
        if (runs.length - 1 + runSum > MAX_NESTING) { this.end = i; this.errLine = line; return; }
        i++;
        continue;
      }
      if (c == 61 && this.at(i + 1) != 61 && runs.length == 1) this.assign = true;
      runSum -= runs[runs.length - 1];
      runs[runs.length - 1] = 0;
      operand = false;
      const d = this.at(i + 1);
      const two = (c == 42 && d == 42) || (c == 47 && d == 47) || (c == 61 && d == 61) || (c == 33 && d == 61) || (c == 60 && d == 61) || (c == 62 && d == 61);
      i += two ? 2 : 1;
    }
    this.end = n;
  }
}
