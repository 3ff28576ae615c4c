/**
 * JS's Number.prototype.toString (and so JSON.stringify) of a finite double, as the canonical
 * JSON writer and JS-visible messages need it: integers without ".0", exponents as "1e+21".
 *
 * Must not depend on: anything else of the core.
 */

export function jsNumber(x: f64): string {
  if (x == 0) return '0';
  if (x == Math.floor(x) && Math.abs(x) < 1e21) {
    if (Math.abs(x) < 9007199254740992) return (<i64>x).toString();
  }
  const s = x.toString();
  if (s.endsWith('.0')) return s.substring(0, s.length - 2);
  return s;
}
