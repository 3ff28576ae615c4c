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

  /** Append `len` code units read at address `p` (another buffer's: StrBuf#units). */
  addUnits(p: usize, len: i32): void {
    if (len <= 0) return;
    this.grow(len);
    memory.copy(changetype<usize>(this.buf) + (<usize>this.n << 1), p, <usize>len << 1);
    this.n += len;
  }

  /** The address of the first code unit; valid until the buffer next grows. */
  units(): usize {
    return changetype<usize>(this.buf);
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

  /** toString with every run of more than two newlines cut to two (copyCappingNewlines). */
  toStringCappingNewlines(): string {
    return copyCappingNewlines(changetype<usize>(this.buf), this.n);
  }
}

/** Whether the `n` UTF-16 code units at `src` hold three newlines in a row (one pass, no call per unit). */
export function hasNewlineRun(src: usize, n: i32): bool {
  let run = 0;
  const end = src + (<usize>n << 1);
  for (let p = src; p < end; p += 2) {
    if (load<u16>(p) == 10) {
      if (++run == 3) return true;
    } else run = 0;
  }
  return false;
}

/**
 * The `n` UTF-16 code units at `src` as a string, every run of more than two newlines cut to two
 * (IX's post-pass on a whole render), in one allocation of the exact size: a render's text is
 * the largest string it makes, and a copy through a builder made two more of its size.
 */
export function copyCappingNewlines(src: usize, n: i32): string {
  let len = 0;
  let run = 0;
  for (let i = 0; i < n; i++) {
    if (load<u16>(src + (<usize>i << 1)) == 10) {
      if (++run <= 2) len++;
    } else {
      run = 0;
      len++;
    }
  }
  if (len == n) return String.UTF16.decodeUnsafe(src, <usize>n << 1);
  const out = changetype<string>(__new(<usize>len << 1, idof<string>()));
  const dst = changetype<usize>(out);
  let k: usize = 0;
  run = 0;
  for (let i = 0; i < n; i++) {
    const c = load<u16>(src + (<usize>i << 1));
    if (c == 10) {
      if (++run > 2) continue;
    } else run = 0;
    store<u16>(dst + (k << 1), c);
    k++;
  }
  return out;
}
