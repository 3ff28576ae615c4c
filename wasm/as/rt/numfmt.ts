/**
 * Numbers printed exactly as the oracle prints them: `jsNum` is V8's Number.prototype.toString()
 * (the shortest digits that read back as the same double, the nearest of those, ties to even:
 * Steele & White / Burger & Dybvig free-format generation over exact big integers, as V8's
 * bignum-dtoa), `pyFloatRepr` is engine/eval/pystr.ts pyFloatRepr (Python's float repr as the
 * oracle derives it from JavaScript's). AssemblyScript's own f64.toString (Grisu2) is not always
 * the shortest, so it is not used.
 *
 * Must not depend on: anything of the core.
 */
import { StrBuf } from './strbuf';
import { Big } from './bignum';

let digitBuf = new StaticArray<u8>(20);
let digitCount: i32 = 0;
/** Decimal exponent K of the generated digits: value = 0.d1d2...dk * 10**K. */
let digitExp: i32 = 0;

/** Shortest round-trip digits of a finite positive double into digitBuf/digitCount/digitExp. */
function shortestDigits(v: f64): void {
  const bits = reinterpret<u64>(v);
  const biased = <i32>((bits >> 52) & 0x7ff);
  const mant = bits & 0xfffffffffffff;
  let f: u64;
  let e: i32;
  if (biased == 0) {
    f = mant;
    e = -1074;
  } else {
    f = mant | 0x10000000000000;
    e = biased - 1075;
  }
  const even = (f & 1) == 0;
  const closer = mant == 0 && biased > 1;
  let r: Big, s: Big, mp: Big, mm: Big;
  if (e >= 0) {
    if (!closer) {
      r = Big.of(f); r.shl(e + 1);
      s = Big.of(2);
      mp = Big.of(1); mp.shl(e);
      mm = Big.of(1); mm.shl(e);
    } else {
      r = Big.of(f); r.shl(e + 2);
      s = Big.of(4);
      mp = Big.of(1); mp.shl(e + 1);
      mm = Big.of(1); mm.shl(e);
    }
  } else {
    if (!closer) {
      r = Big.of(f); r.shl(1);
      s = Big.of(1); s.shl(1 - e);
      mp = Big.of(1);
      mm = Big.of(1);
    } else {
      r = Big.of(f); r.shl(2);
      s = Big.of(1); s.shl(2 - e);
      mp = Big.of(2);
      mm = Big.of(1);
    }
  }
  // estimate K = ceil(log10(v)); the fixup below corrects an estimate one too low
  const bitlen = 64 - <i32>clz(f);
  let k = <i32>Math.ceil(<f64>(e + bitlen - 1) * 0.30102999566398114 - 1e-10);
  if (k >= 0) s.mulPow10(k);
  else {
    r.mulPow10(-k);
    mp.mulPow10(-k);
    mm.mulPow10(-k);
  }
  const hi = r.plus(mp).cmp(s);
  if (even ? hi >= 0 : hi > 0) k++;
  else {
    r.mulSmall(10);
    mp.mulSmall(10);
    mm.mulSmall(10);
  }
  digitExp = k;
  digitCount = 0;
  for (;;) {
    let d: i32 = 0;
    while (r.cmp(s) >= 0) {
      r.sub(s);
      d++;
    }
    const lo = r.cmp(mm);
    const tc1 = even ? lo <= 0 : lo < 0;
    const up = r.plus(mp).cmp(s);
    const tc2 = even ? up >= 0 : up > 0;
    if (!tc1 && !tc2) {
      digitBuf[digitCount++] = <u8>d;
      r.mulSmall(10);
      mp.mulSmall(10);
      mm.mulSmall(10);
      continue;
    }
    if (tc1 && tc2) {
      const c = r.plus(r).cmp(s);
      if (c > 0 || (c == 0 && (d & 1) == 1)) d++;
    } else if (tc2) d++;
    digitBuf[digitCount++] = <u8>d;
    break;
  }
}

/** V8's String(n). */
export function jsNum(n: f64): string {
  if (n != n) return 'NaN';
  if (n == Infinity) return 'Infinity';
  if (n == -Infinity) return '-Infinity';
  if (n == 0) return '0';
  if (n == Math.floor(n) && Math.abs(n) < 9007199254740992) return (<i64>n).toString();
  const b = new StrBuf(32);
  if (n < 0) {
    b.addCode(45);
    n = -n;
  }
  shortestDigits(n);
  const k = digitCount;
  const e = digitExp;
  if (k <= e && e <= 21) {
    for (let i = 0; i < k; i++) b.addCode(48 + digitBuf[i]);
    for (let i = k; i < e; i++) b.addCode(48);
  } else if (0 < e && e <= 21) {
    for (let i = 0; i < e; i++) b.addCode(48 + digitBuf[i]);
    b.addCode(46);
    for (let i = e; i < k; i++) b.addCode(48 + digitBuf[i]);
  } else if (-6 < e && e <= 0) {
    b.add('0.');
    for (let i = 0; i < -e; i++) b.addCode(48);
    for (let i = 0; i < k; i++) b.addCode(48 + digitBuf[i]);
  } else {
    b.addCode(48 + digitBuf[0]);
    if (k > 1) {
      b.addCode(46);
      for (let i = 1; i < k; i++) b.addCode(48 + digitBuf[i]);
    }
    b.addCode(101);
    const x = e - 1;
    b.addCode(x < 0 ? 45 : 43);
    b.add((x < 0 ? -x : x).toString());
  }
  return b.toString();
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
