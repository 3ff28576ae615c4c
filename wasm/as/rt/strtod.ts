/**
 * Decimal text to the nearest double (ties to even), as JavaScript reads numbers: Clinger's
 * fast path when exact, otherwise a binary search over the doubles by exact big-integer
 * comparison (AssemblyScript's parseFloat is not correctly rounded).
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

/** D * 10**k compared with the double whose bits are `b`. */
function cmpBits(d: string, k: i32, b: u64): i32 {
  const biased = <i32>((b >> 52) & 0x7ff);
  const mant = b & 0xfffffffffffff;
  if (biased == 0) return cmpScaled(d, k, mant, -1074);
  return cmpScaled(d, k, mant | 0x10000000000000, biased - 1075);
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
  // the largest double not above the value: positive doubles order as their bit patterns
  let lo: u64 = 0;
  let hi: u64 = 0x7fefffffffffffff;
  // AssemblyScript's parseFloat is usually within a few units in the last place: try a narrow
  // window around it first, checked exactly
  const g = parseFloat(digits + 'e' + exp10.toString());
  if (g > 0 && g < Infinity) {
    const gb = reinterpret<u64>(g);
    const wl: u64 = gb > 64 ? gb - 64 : 0;
    const wh: u64 = gb + 64 < hi ? gb + 64 : hi;
    if (cmpBits(digits, exp10, wl) >= 0 && cmpBits(digits, exp10, wh) < 0) {
      lo = wl;
      hi = wh;
    }
  }
  if (cmpBits(digits, exp10, hi) >= 0) lo = hi;
  else {
    while (hi - lo > 1) {
      const mid = lo + ((hi - lo) >> 1);
      if (cmpBits(digits, exp10, mid) >= 0) lo = mid;
      else hi = mid;
    }
  }
  // then the nearer of it and the next one up (ties to the even significand)
  const x = reinterpret<f64>(lo);
  if (x == 0 && cmpScaled(digits, exp10, 1, -1075) <= 0) return 0;
  const biased = <i32>((lo >> 52) & 0x7ff);
  const mant = lo & 0xfffffffffffff;
  const m: u64 = biased == 0 ? mant : mant | 0x10000000000000;
  const e: i32 = biased == 0 ? -1074 : biased - 1075;
  const up = cmpScaled(digits, exp10, 2 * m + 1, e - 1);
  if (up > 0 || (up == 0 && (m & 1) == 1)) return reinterpret<f64>(lo + 1);
  return x;
}
