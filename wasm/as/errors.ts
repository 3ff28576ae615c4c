/**
 * An error as a value (AssemblyScript traps on `throw`, so nothing in the core throws): what
 * went wrong, where (logical file and 1-based line), in which package, and suggestions. Its
 * one-line form is exactly engine/errors.ts formatError's, so CLI messages stay byte-identical.
 *
 * Must not depend on: anything else of the core.
 */

export class IxErr {
  detail: string;
  file: string | null = null;
  /** 1-based line in `file`, or -1 when unknown. */
  line: i32 = -1;
  pkg: string | null = null;
  /** "did you mean" candidates, best first. */
  suggestions: Array<string> = new Array<string>();
  /** An internal error (a bug in ix), not the user's mistake. */
  internal: bool = false;

  constructor(detail: string) {
    this.detail = detail;
  }

  /** Fill missing site fields from the outer site (inner information wins). */
  within(file: string | null, line: i32, pkg: string | null): IxErr {
    if (this.file === null && file !== null) {
      this.file = file;
      this.line = line;
    }
    if (this.pkg === null) this.pkg = pkg;
    return this;
  }

  /** "bin/x/ix.sh:12: unknown filter 'foo' (package bin/x)": one line, as engine/errors.ts. */
  format(): string {
    let where = '';
    const f = this.file;
    if (f !== null) where = this.line >= 0 ? f + ':' + this.line.toString() + ': ' : f + ': ';
    const p = this.pkg;
    const pkg = p !== null ? ' (package ' + p + ')' : '';
    return where + oneLine(this.detail) + pkg;
  }
}

/** `detail.replace(/\s*\n\s*\/g, ' ')` of engine/errors.ts, where \s is JS's whitespace class. */
function oneLine(s: string): string {
  if (s.indexOf('\n') < 0) return s;
  const out = new Array<string>();
  let i = 0;
  const n = s.length;
  let start = 0;
  while (i < n) {
    if (s.charCodeAt(i) == 10) {
      let a = i;
      while (a > start && isJsSpace(s.charCodeAt(a - 1))) a--;
      let b = i + 1;
      while (b < n && (isJsSpace(s.charCodeAt(b)) )) b++;
      // a run of whitespace holding newlines collapses to one space
      out.push(s.substring(start, a));
      out.push(' ');
      start = b;
      i = b;
    } else i++;
  }
  out.push(s.substring(start));
  return out.join('');
}

/** JS's \s: ECMAScript WhiteSpace and LineTerminator code points. */
export function isJsSpace(c: i32): bool {
  return c == 9 || c == 10 || c == 11 || c == 12 || c == 13 || c == 32 || c == 0xa0 || c == 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000 || c == 0xfeff;
}
