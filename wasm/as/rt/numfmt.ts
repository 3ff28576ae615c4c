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

/** An unsigned big integer, little-endian base 2**32 limbs (only what digit generation needs). */
class Big {
  l: Array<u32> = new Array<u32>();

  static of(v: u64): Big {
    const b = new Big();
    if (v != 0) {
      b.l.push(<u32>v);
      if ((v >> 32) != 0) b.l.push(<u32>(v >> 32));
    }
    return b;
  }

  clone(): Big {
    const b = new Big();
    b.l = this.l.slice(0);
    return b;
  }

  mulSmall(m: u32): void {
    let carry: u64 = 0;
    const l = this.l;
    for (let i = 0; i < l.length; i++) {
      const t = <u64>l[i] * <u64>m + carry;
      l[i] = <u32>t;
      carry = t >> 32;
    }
    if (carry != 0) l.push(<u32>carry);
  }

  shl(bits: i32): void {
    if (this.l.length == 0) return;
    const words = bits >> 5;
    const r = bits & 31;
    if (r != 0) {
      let carry: u32 = 0;
      const l = this.l;
      for (let i = 0; i < l.length; i++) {
        const x = l[i];
        l[i] = (x << r) | carry;
        carry = x >> (32 - r);
      }
      if (carry != 0) l.push(carry);
    }
    if (words > 0) {
      const nl = new Array<u32>(words);
      for (let i = 0; i < words; i++) nl[i] = 0;
      this.l = nl.concat(this.l);
    }
  }

  mulPow10(k: i32): void {
    while (k >= 9) {
      this.mulSmall(1000000000);
      k -= 9;
    }
    let p: u32 = 1;
    for (let i = 0; i < k; i++) p *= 10;
    if (p != 1) this.mulSmall(p);
  }

  /** -1, 0, 1 as this <, ==, > o. */
  cmp(o: Big): i32 {
    const a = this.l;
    const b = o.l;
    let na = a.length;
    let nb = b.length;
    while (na > 0 && a[na - 1] == 0) na--;
    while (nb > 0 && b[nb - 1] == 0) nb--;
    if (na != nb) return na < nb ? -1 : 1;
    for (let i = na - 1; i >= 0; i--) {
      if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    }
    return 0;
  }

  /** this -= o (this >= o). */
  sub(o: Big): void {
    const a = this.l;
    const b = o.l;
    let borrow: i64 = 0;
    for (let i = 0; i < a.length; i++) {
      const t: i64 = <i64>a[i] - (i < b.length ? <i64>b[i] : 0) - borrow;
      if (t < 0) {
        a[i] = <u32>(t + 0x100000000);
        borrow = 1;
      } else {
        a[i] = <u32>t;
        borrow = 0;
      }
    }
  }

  /** A new Big holding this + o. */
  plus(o: Big): Big {
    const a = this.l;
    const b = o.l;
    const n = a.length > b.length ? a.length : b.length;
    const r = new Big();
    let carry: u64 = 0;
    for (let i = 0; i < n; i++) {
      const t = (i < a.length ? <u64>a[i] : 0) + (i < b.length ? <u64>b[i] : 0) + carry;
      r.l.push(<u32>t);
      carry = t >> 32;
    }
    if (carry != 0) r.l.push(<u32>carry);
    return r;
  }
}

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
