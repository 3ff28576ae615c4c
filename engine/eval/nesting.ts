/**
 * The nesting bound of templates, checked on the source before nunjucks' recursive parser and
 * code generator run, so a template 200 `{% if %}`s or 300 parentheses deep is one error at its
 * file and line (`nesting deeper than 64 levels`) instead of an exhausted stack.
 *
 * Two depths are measured, each bounded by MAX_NESTING:
 *  - tags: the block tags open around a point (if, for, block, macro, call, filter, raw,
 *    verbatim, with, and `set` without `=`, the capturing form); their `end…` tag closes them;
 *  - expressions, inside `{{ … }}` and `{% … %}`: the open brackets ( [ { plus, at each bracket
 *    level, the run of unary operators (`not`, unary `-` and `+`) and postfix operations (`.name`,
 *    `|filter`, a call or subscript after a value) since the last binary operator, comma, colon
 *    or `=` at that level. `a.b.c` is 2 deep, `not not x` 2, `f(x)(y)` 2 plus 1 inside each
 *    parenthesis, `(((x)))` 3.
 * The line reported is the one of the tag or token that goes one level past the bound.
 * Like nunjucks' lexer, `}}` ends an expression and `%}` a tag wherever they appear outside a
 * string; `{# … #}` is skipped, and so is the text between `{% raw %}` and `{% endraw %}`.
 *
 * Must not depend on: Node, host modules, nunjucks, the clock, randomness, locale.
 */

/** Tags and expressions may nest this deep (the same bound as extends/include nesting). */
export const MAX_NESTING = 64;

const OPENERS = new Set(['if', 'for', 'block', 'macro', 'call', 'filter', 'raw', 'verbatim', 'with', 'asyncEach', 'asyncAll', 'ifAsync']);
const BINARY_WORDS = new Set(['and', 'or', 'in', 'is', 'if', 'else']);
const NAME = /[A-Za-z_$][A-Za-z0-9_$]*/y;
const NUMBER = /[0-9][0-9_]*(\.[0-9_]+)?([eE][+-]?[0-9]+)?/y;

/** A place where the bound is crossed: 1-based line of the preprocessed source. */
export interface NestingError {
  line: number;
  message: string;
}

/** The first place in `src` nested deeper than `max`, or undefined. */
export function checkNesting(src: string, max = MAX_NESTING): NestingError | undefined {
  let i = 0;
  let line = 1;
  let tags = 0;
  const n = src.length;
  const advanceTo = (j: number): void => {
    for (; i < j && i < n; i++) if (src.charCodeAt(i) === 10) line++;
  };
  while (i < n) {
    const open = src.indexOf('{', i);
    if (open < 0) break;
    advanceTo(open);
    const next = src[open + 1];
    if (next === '#') {
      const end = src.indexOf('#}', open + 2);
      advanceTo(end < 0 ? n : end + 2);
      continue;
    }
    if (next !== '{' && next !== '%') {
      advanceTo(open + 1);
      continue;
    }
    const tagLine = line;
    advanceTo(open + 2);
    const isTag = next === '%';
    // the tag's name: the first word after whitespace control
    let name = '';
    if (isTag) {
      let j = i;
      while (j < n && (src[j] === '-' || src[j] === '+' || src[j] === ' ' || src[j] === '\t' || src[j] === '\n' || src[j] === '\r')) j++;
      NAME.lastIndex = j;
      const m = NAME.exec(src);
      if (m) name = m[0];
    }
    const r = scanExpression(src, i, isTag ? '%}' : '}}', max, line);
    if (r.error) return r.error;
    if (isTag) {
      const opens = OPENERS.has(name) || (name === 'set' && !r.topLevelAssign);
      if (opens) {
        if (tags + 1 > max) return { line: tagLine, message: `nesting deeper than ${max} levels` };
        if (name !== 'raw' && name !== 'verbatim') tags++;
      } else if (name.startsWith('end') && tags > 0) tags--;
    }
    advanceTo(r.end);
    if (isTag && (name === 'raw' || name === 'verbatim')) {
      const close = new RegExp(`\\{%[-+]?\\s*end${name}\\s*[-+]?%\\}`, 'g');
      close.lastIndex = i;
      const m = close.exec(src);
      advanceTo(m ? m.index + m[0].length : n);
    }
  }
  return undefined;
}

interface ScanResult {
  /** Index just past the closing delimiter (or the end of the source). */
  end: number;
  /** An `=` outside brackets: `{% set x = … %}` does not open a block. */
  topLevelAssign: boolean;
  error?: NestingError;
}

/** Scans one expression or tag body from `start` to its closing delimiter. */
function scanExpression(src: string, start: number, close: string, max: number, firstLine: number): ScanResult {
  const n = src.length;
  let line = firstLine;
  const runs: number[] = [0];
  let runSum = 0;
  let operand = false;
  let afterFilterName = false;
  let afterIs = false;
  let assign = false;
  const depth = () => runs.length - 1 + runSum;
  const bump = (): NestingError | undefined => {
    runs[runs.length - 1]++;
    runSum++;
    return depth() > max ? { line, message: `nesting deeper than ${max} levels` } : undefined;
  };
  const reset = (): void => {
    runSum -= runs[runs.length - 1];
    runs[runs.length - 1] = 0;
    operand = false;
  };
  // whitespace control (`{{-`, `{%+`) is not a unary operator
  let i = src[start] === '-' || src[start] === '+' ? start + 1 : start;
  while (i < n) {
    const c = src[i];
    if (c === '\n') line++;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (src.startsWith(close, i)) return { end: i + 2, topLevelAssign: assign };
    if ((c === '-' || c === '+') && src.startsWith(close, i + 1)) return { end: i + 3, topLevelAssign: assign };
    const wasFilterName = afterFilterName;
    afterFilterName = false;
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && src[j] !== c) {
        if (src[j] === '\\') j++;
        if (src[j] === '\n') line++;
        j++;
      }
      i = j + 1;
      operand = true;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') {
      if (operand && !wasFilterName) {
        const e = bump();
        if (e) return { end: i, topLevelAssign: assign, error: e };
      }
      runs.push(0);
      operand = false;
      if (depth() > max) return { end: i, topLevelAssign: assign, error: { line, message: `nesting deeper than ${max} levels` } };
      i++;
      continue;
    }
    if (c === ')' || c === ']' || c === '}') {
      if (runs.length > 1) runSum -= runs.pop()!;
      operand = true;
      i++;
      continue;
    }
    if (c === '|') {
      const e = bump();
      if (e) return { end: i, topLevelAssign: assign, error: e };
      operand = false;
      i++;
      NAME.lastIndex = skipSpace(src, i);
      const m = NAME.exec(src);
      if (m) {
        i = m.index + m[0].length;
        operand = true;
        afterFilterName = true;
      }
      continue;
    }
    if (c === '.' && operand) {
      const e = bump();
      if (e) return { end: i, topLevelAssign: assign, error: e };
      i++;
      continue;
    }
    NUMBER.lastIndex = i;
    const num = NUMBER.exec(src);
    if (num) {
      i += num[0].length;
      operand = true;
      continue;
    }
    NAME.lastIndex = i;
    const word = NAME.exec(src);
    if (word) {
      const w = word[0];
      i += w.length;
      if (w === 'not' && !operand && !afterIs) {
        const e = bump();
        if (e) return { end: i, topLevelAssign: assign, error: e };
      } else if (w === 'not' || BINARY_WORDS.has(w)) {
        reset();
        afterIs = w === 'is';
        continue;
      } else operand = true;
      afterIs = false;
      continue;
    }
    afterIs = false;
    // operators and punctuation
    if ((c === '-' || c === '+') && !operand) {
      const e = bump();
      if (e) return { end: i, topLevelAssign: assign, error: e };
      i++;
      continue;
    }
    if (c === '=' && src[i + 1] !== '=' && runs.length === 1) assign = true;
    reset();
    i += src.startsWith('**', i) || src.startsWith('//', i) || src.startsWith('==', i) || src.startsWith('!=', i) || src.startsWith('<=', i) || src.startsWith('>=', i) ? 2 : 1;
  }
  return { end: n, topLevelAssign: assign };
}

function skipSpace(src: string, i: number): number {
  while (i < src.length && /\s/.test(src[i])) i++;
  return i;
}
