/**
 * Where a JSON text first breaks, exactly as engine/eval/json-error.ts finds it (a scanner of RFC
 * 8259 syntax that also fails past 512 levels of nesting), so the compiled core names the same
 * line, column and character as the oracle. Used only after the reader (json.ts) has failed.
 *
 * Must not depend on: anything else of the core.
 */

class Scan {
  text: string;
  i: i32 = 0;
  n: i32;
  failed: bool = false;
  constructor(text: string) {
    this.text = text;
    this.n = text.length;
  }
  // @ts-ignore: decorator
  @inline c(): i32 {
    return this.i < this.n ? <i32>this.text.charCodeAt(this.i) : -1;
  }
  ws(): void {
    while (this.i < this.n) {
      const c = this.text.charCodeAt(this.i);
      if (c == 32 || c == 9 || c == 10 || c == 13) this.i++;
      else break;
    }
  }
  lit(w: string): bool {
    for (let k = 0; k < w.length; k++) {
      if (this.c() != w.charCodeAt(k)) return false;
      this.i++;
    }
    return true;
  }
  str(): bool {
    this.i++;
    for (;;) {
      if (this.i >= this.n) return false;
      const c = this.text.charCodeAt(this.i);
      if (c == 0x22) {
        this.i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c == 0x5c) {
        this.i++;
        const e = this.c();
        if (e == 117) {
          for (let k = 1; k <= 4; k++) {
            const h = this.i + k < this.n ? <i32>this.text.charCodeAt(this.i + k) : -1;
            if (!((h >= 48 && h <= 57) || (h >= 97 && h <= 102) || (h >= 65 && h <= 70))) {
              this.i += k;
              return false;
            }
          }
          this.i += 5;
        } else if (e == 34 || e == 92 || e == 47 || e == 98 || e == 102 || e == 110 || e == 114 || e == 116) this.i++;
        else return false;
      } else this.i++;
    }
    return false;
  }
  digit(): bool {
    const c = this.c();
    return c >= 48 && c <= 57;
  }
  num(): bool {
    if (this.c() == 45) this.i++;
    const c = this.c();
    if (c == 48) this.i++;
    else if (c >= 49 && c <= 57) while (this.digit()) this.i++;
    else return false;
    if (this.c() == 46) {
      this.i++;
      if (!this.digit()) return false;
      while (this.digit()) this.i++;
    }
    const e = this.c();
    if (e == 101 || e == 69) {
      this.i++;
      const s = this.c();
      if (s == 43 || s == 45) this.i++;
      if (!this.digit()) return false;
      while (this.digit()) this.i++;
    }
    return true;
  }
  value(depth: i32): bool {
    if (depth > 512) return false;
    this.ws();
    const c = this.c();
    if (c == 123) {
      this.i++;
      this.ws();
      if (this.c() == 125) {
        this.i++;
        return true;
      }
      for (;;) {
        this.ws();
        if (this.c() != 34) return false;
        if (!this.str()) return false;
        this.ws();
        if (this.c() != 58) return false;
        this.i++;
        if (!this.value(depth + 1)) return false;
        this.ws();
        if (this.c() == 44) {
          this.i++;
          continue;
        }
        if (this.c() == 125) {
          this.i++;
          return true;
        }
        return false;
      }
    }
    if (c == 91) {
      this.i++;
      this.ws();
      if (this.c() == 93) {
        this.i++;
        return true;
      }
      for (;;) {
        if (!this.value(depth + 1)) return false;
        this.ws();
        if (this.c() == 44) {
          this.i++;
          continue;
        }
        if (this.c() == 93) {
          this.i++;
          return true;
        }
        return false;
      }
    }
    if (c == 34) return this.str();
    if (c == 116) return this.lit('true');
    if (c == 102) return this.lit('false');
    if (c == 110) return this.lit('null');
    return this.num();
  }
}

/** Offset of the first syntax error in `text` (json-error.ts jsonErrorAt), or -1 when valid. */
export function jsonErrorAt(text: string): i32 {
  const s = new Scan(text);
  if (s.value(0)) {
    s.ws();
    if (s.i >= s.n) return -1;
  }
  return s.i < s.n ? s.i : s.n;
}

/** What the oracle says it found at `at`: "'<code point>'" or "end of text". */
export function foundAt(text: string, at: i32): string {
  if (at >= text.length) return 'end of text';
  const c = text.charCodeAt(at);
  let end = at + 1;
  if (c >= 0xd800 && c <= 0xdbff && at + 1 < text.length) {
    const d = text.charCodeAt(at + 1);
    if (d >= 0xdc00 && d <= 0xdfff) end = at + 2;
  }
  return "'" + text.substring(at, end) + "'";
}

/** "line L column C" (1-based) of an offset, as normalise.ts position(). */
export function position(text: string, offset: i32): string {
  let line = 1;
  let col = 1;
  const n = offset < text.length ? offset : text.length;
  for (let i = 0; i < n; i++) {
    if (text.charCodeAt(i) == 10) {
      line++;
      col = 1;
    } else col++;
  }
  return 'line ' + line.toString() + ' column ' + col.toString();
}
