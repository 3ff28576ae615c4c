/**
 * Numbers printed exactly as the oracle prints them: `jsNum` is V8's Number.prototype.toString()
 * (shortest round-trip digits, the nearest when several are shortest), `pyFloatRepr` is
 * engine/eval/pystr.ts pyFloatRepr (Python's float repr as the oracle derives it from JS's).
 *
 * Must not depend on: anything of the core.
 */

/** V8's String(n). */
export function jsNum(n: f64): string {
  if (n != n) return 'NaN';
  if (n == Infinity) return 'Infinity';
  if (n == -Infinity) return '-Infinity';
  if (n == 0) return '0';
  if (n == Math.floor(n) && Math.abs(n) < 9007199254740992) return (<i64>n).toString();
  return n.toString();
}

/** Python repr() of a float as the oracle computes it. */
export function pyFloatRepr(n: f64): string {
  if (n != n) return 'nan';
  if (n == Infinity) return 'inf';
  if (n == -Infinity) return '-inf';
  if (n == Math.floor(n) && Math.abs(n) < 1e16) return jsNum(n) + '.0';
  const s = jsNum(n);
  // e+7 -> e+07, e-7 -> e-07 (one exponent digit only)
  const e = s.indexOf('e');
  if (e >= 0 && s.length - e == 3) return s.substring(0, e + 2) + '0' + s.substring(e + 2);
  return s;
}
