/**
 * String helpers with JavaScript's exact semantics: split on a separator, code points ([...s]),
 * JS's whitespace trim.
 *
 * Must not depend on: anything of the core but errors.ts.
 */
import { isJsSpace } from '../errors';

/** JS s.split(d) for a non-empty separator; s.split('') splits into code units. */
export function jsSplit(s: string, d: string): Array<string> {
  const out = new Array<string>();
  if (d.length == 0) {
    for (let i = 0; i < s.length; i++) out.push(String.fromCharCode(s.charCodeAt(i)));
    return out;
  }
  let start = 0;
  let i = s.indexOf(d);
  while (i >= 0) {
    out.push(s.substring(start, i));
    start = i + d.length;
    i = s.indexOf(d, start);
  }
  out.push(s.substring(start));
  return out;
}

/** [...s]: code points (a surrogate pair stays together, a lone surrogate is one item). */
export function codePoints(s: string): Array<string> {
  const out = new Array<string>();
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out.push(s.substring(i, i + 2));
        i += 2;
        continue;
      }
    }
    out.push(s.substring(i, i + 1));
    i++;
  }
  return out;
}

/** JS s.trim(). */
export function jsTrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isJsSpace(s.charCodeAt(a))) a++;
  while (b > a && isJsSpace(s.charCodeAt(b - 1))) b--;
  return s.substring(a, b);
}
