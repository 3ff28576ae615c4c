/**
 * Decimal text to the nearest double (ties to even), as JavaScript reads numbers: Clinger's
 * fast path when exact, otherwise a first guess corrected by exact big-integer comparison with
 * the midpoints to its neighbours (AssemblyScript's parseFloat alone is not correctly rounded).
 *
 * Must not depend on: anything of the core.
 */
import { Big } from './bignum';

const POW10: StaticArray<f64> = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** D * 10**k compared with M * 2**j: -1, 0, 1. */
function cmpScaled(d: string, k: i32, m: u64, j: i32): i32 {
  const left = Big.ofDecimal(d);
  const right = Big.of(m);
  if (k >= 0) left.mulPow10(k);
  else right.mulPow10(-k);
  if (j >= 0) right.shl(j);
  else left.shl(-j);
  return left.cmp(right);
}

/**
 * The double nearest to the unsigned decimal literal `s` (digits, optional '.', optional
 * exponent; already validated by the caller).
 */
export function decimalToDouble(s: string): f64 {
  // digits without leading zeros, and the power of ten of their last digit
  let digits = '';
  const n = s.length;
  let i = 0;
  let exp10: i32 = 0;
  let seenDot = false;
  let sticky = false;
  const parts = new Array<string>();
  let count = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c == 46) {
      seenDot = true;
      continue;
    }
    if (c < 48 || c > 57) break;
    if (count == 0 && c == 48) {
      if (seenDot) exp10--;
      continue;
    }
    if (count < 780) {
      parts.push(String.fromCharCode(c));
      count++;
      if (seenDot) exp10--;
    } else {
      if (c != 48) sticky = true;
      if (!seenDot) exp10++;
    }
  }
  digits = parts.join('');
  if (sticky) {
    digits += '1';
    exp10--;
  }
  if (i < n) {
    // exponent
    i++;
    let neg = false;
    if (i < n && (s.charCodeAt(i) == 43 || s.charCodeAt(i) == 45)) {
      neg = s.charCodeAt(i) == 45;
      i++;
    }
    let e: i64 = 0;
    for (; i < n; i++) {
      if (e < 100000000) e = e * 10 + <i64>(s.charCodeAt(i) - 48);
    }
    exp10 += <i32>(neg ? -e : e);
  }
  if (digits.length == 0) return 0;
  const top = digits.length + exp10;
  if (top > 310) return Infinity;
  if (top < -330) return 0;
  if (digits.length <= 15 && exp10 >= -22 && exp10 <= 22) {
    const f = <f64>I64.parseInt(digits);
    return exp10 >= 0 ? f * POW10[exp10] : f / POW10[-exp10];
  }
  let x = parseFloat(digits + 'e' + exp10.toString());
  if (x == Infinity) x = 1.7976931348623157e308;
  for (let iter = 0; iter < 200; iter++) {
    if (x == 0) {
      // against half the smallest subnormal, 2**-1075
      const c = cmpScaled(digits, exp10, 1, -1075);
      if (c > 0) {
        x = 5e-324;
        continue;
      }
      return 0;
    }
    const bits = reinterpret<u64>(x);
    const biased = <i32>((bits >> 52) & 0x7ff);
    const mant = bits & 0xfffffffffffff;
    let m: u64;
    let e: i32;
    if (biased == 0) {
      m = mant;
      e = -1074;
    } else {
      m = mant | 0x10000000000000;
      e = biased - 1075;
    }
    const odd = (m & 1) == 1;
    const up = cmpScaled(digits, exp10, 2 * m + 1, e - 1);
    if (up > 0 || (up == 0 && odd)) {
      x = reinterpret<f64>(bits + 1);
      if (x == Infinity) return x;
      continue;
    }
    const closer = mant == 0 && biased > 1;
    const down = closer ? cmpScaled(digits, exp10, 4 * m - 1, e - 2) : cmpScaled(digits, exp10, 2 * m - 1, e - 1);
    if (down < 0 || (down == 0 && odd)) {
      x = reinterpret<f64>(bits - 1);
      continue;
    }
    return x;
  }
  return x;
}
