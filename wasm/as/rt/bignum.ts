/**
 * Unsigned big integers, only as much as exact decimal <-> double conversion needs (shortest
 * digits in numfmt.ts, correctly rounded reading in strtod.ts).
 *
 * Must not depend on: anything of the core.
 */
/** An unsigned big integer, little-endian base 2**32 limbs (only what digit generation needs). */
export class Big {
  l: Array<u32> = new Array<u32>();

  static of(v: u64): Big {
    const b = new Big();
    if (v != 0) {
      b.l.push(<u32>v);
      if ((v >> 32) != 0) b.l.push(<u32>(v >> 32));
    }
    return b;
  }

  /** The integer written in decimal digits `d` (digits only). */
  static ofDecimal(d: string): Big {
    const b = new Big();
    let i = 0;
    const n = d.length;
    while (i < n) {
      const take = n - i < 9 ? n - i : 9;
      let chunk: u32 = 0;
      let scale: u32 = 1;
      for (let k = 0; k < take; k++) {
        chunk = chunk * 10 + <u32>(d.charCodeAt(i + k) - 48);
        scale *= 10;
      }
      b.mulSmall(scale);
      b.addSmall(chunk);
      i += take;
    }
    return b;
  }

  addSmall(v: u32): void {
    let carry: u64 = v;
    const l = this.l;
    for (let i = 0; i < l.length && carry != 0; i++) {
      const t = <u64>l[i] + carry;
      l[i] = <u32>t;
      carry = t >> 32;
    }
    if (carry != 0) l.push(<u32>carry);
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

