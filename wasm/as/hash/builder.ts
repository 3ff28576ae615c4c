/**
 * One growable UTF-16 buffer for building strings (plans are MBs): appends never allocate a
 * string, the buffer doubles when full, and the text is materialised once with `toString()` (or
 * hashed in place through its pointer and length, see blake3.ts updateUtf16).
 *
 * The buffer is not zero-filled (`new StaticArray` would be): only the code units below `len`
 * are ever read, and a builder made large from an estimate (a kept graph's, tens of MB) then
 * touches only the pages it writes; growing reallocates in place when the block after it is free.
 *
 * Must not depend on: anything else of the core.
 */

/** A StaticArray<u16> of `n` code units, not zero-filled (it holds no references: the collector never reads it). */
export function rawUnits(n: i32): StaticArray<u16> {
  return changetype<StaticArray<u16>>(__new(<usize>n << 1, idof<StaticArray<u16>>()));
}

export class StrBuilder {
  buf: StaticArray<u16>;
  len: i32 = 0;

  constructor(capacity: i32 = 256) {
    this.buf = rawUnits(capacity < 16 ? 16 : capacity);
  }

  /** Start of the code units (valid until the next append). */
  // @ts-ignore: decorator
  @inline get ptr(): usize {
    return changetype<usize>(this.buf);
  }

  clear(): void {
    this.len = 0;
  }

  /** Room for `extra` more code units (ptr moves if the buffer grows). */
  reserve(extra: i32): void {
    if (this.len + extra > this.buf.length) this.grow(extra);
  }

  private grow(extra: i32): void {
    const need = this.len + extra;
    let cap = this.buf.length;
    if (need <= cap) return;
    while (cap < need) cap = cap << 1;
    this.buf = changetype<StaticArray<u16>>(__renew(changetype<usize>(this.buf), <usize>cap << 1));
  }

  str(s: string): void {
    const n = s.length;
    if (this.len + n > this.buf.length) this.grow(n);
    memory.copy(changetype<usize>(this.buf) + (<usize>this.len << 1), changetype<usize>(s), <usize>n << 1);
    this.len += n;
  }

  /** Appends s[from, to). */
  sub(s: string, from: i32, to: i32): void {
    const n = to - from;
    if (n <= 0) return;
    if (this.len + n > this.buf.length) this.grow(n);
    memory.copy(changetype<usize>(this.buf) + (<usize>this.len << 1), changetype<usize>(s) + (<usize>from << 1), <usize>n << 1);
    this.len += n;
  }

  /** Appends one UTF-16 code unit. */
  ch(c: i32): void {
    if (this.len >= this.buf.length) this.grow(1);
    unchecked((this.buf[this.len++] = <u16>c));
  }

  /** Appends a non-negative integer below 2^53 in decimal. */
  uint(v: u64): void {
    if (v < 10) {
      this.ch(48 + <i32>v);
      return;
    }
    let digits = 0;
    let t = v;
    while (t > 0) {
      digits++;
      t /= 10;
    }
    if (this.len + digits > this.buf.length) this.grow(digits);
    let p = this.len + digits;
    while (v > 0) {
      p--;
      unchecked((this.buf[p] = <u16>(48 + <i32>(v % 10))));
      v /= 10;
    }
    this.len += digits;
  }

  toString(): string {
    const s = changetype<string>(__new(<usize>this.len << 1, idof<string>()));
    memory.copy(changetype<usize>(s), changetype<usize>(this.buf), <usize>this.len << 1);
    return s;
  }

  /** The text from `from` to the end, as a string. */
  slice(from: i32): string {
    const n = this.len - from;
    const s = changetype<string>(__new(<usize>n << 1, idof<string>()));
    memory.copy(changetype<usize>(s), changetype<usize>(this.buf) + (<usize>from << 1), <usize>n << 1);
    return s;
  }
}
