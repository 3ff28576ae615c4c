/**
 * A growable UTF-16 string builder over a StaticArray<u16> (no per-append garbage, unlike
 * `s += x` in a loop).
 *
 * Must not depend on: anything of the core.
 */
export class StrBuf {
  private buf: StaticArray<u16>;
  private n: i32 = 0;

  constructor(cap: i32 = 32) {
    this.buf = new StaticArray<u16>(cap);
  }

  @inline get length(): i32 {
    return this.n;
  }

  private grow(need: i32): void {
    let cap = this.buf.length;
    if (this.n + need <= cap) return;
    while (cap < this.n + need) cap = cap * 2 + 16;
    const nb = new StaticArray<u16>(cap);
    memory.copy(changetype<usize>(nb), changetype<usize>(this.buf), <usize>this.n << 1);
    this.buf = nb;
  }

  addCode(c: i32): void {
    if (this.n >= this.buf.length) this.grow(1);
    unchecked((this.buf[this.n++] = <u16>c));
  }

  add(s: string): void {
    const len = s.length;
    if (len == 0) return;
    this.grow(len);
    memory.copy(changetype<usize>(this.buf) + (<usize>this.n << 1), changetype<usize>(s), <usize>len << 1);
    this.n += len;
  }

  /** Append s[a:b] (code units). */
  addRange(s: string, a: i32, b: i32): void {
    const len = b - a;
    if (len <= 0) return;
    this.grow(len);
    memory.copy(changetype<usize>(this.buf) + (<usize>this.n << 1), changetype<usize>(s) + (<usize>a << 1), <usize>len << 1);
    this.n += len;
  }

  clear(): void {
    this.n = 0;
  }

  /** Drops everything after the first `n` code units (n <= length). */
  truncate(n: i32): void {
    if (n < this.n) this.n = n;
  }

  toString(): string {
    return String.UTF16.decodeUnsafe(changetype<usize>(this.buf), <usize>this.n << 1);
  }
}
