/**
 * One growable UTF-8 buffer for building large outputs (a whole tree's plan is ~200 MB): strings
 * are encoded as they are appended (lone surrogates as U+FFFD, as TextEncoder and Buffer do), so
 * the output never exists as a UTF-16 string (twice the bytes) nor is copied to be encoded, and
 * `bytes()` hands it out without a copy. The host cannot decode a UTF-16 result above ~134M code
 * units (Node's TextDecoder refuses it), which a byte result also avoids.
 *
 * Must not depend on: anything else of the core but builder.ts.
 */
import { StrBuilder } from './builder';

/**
 * A Uint8Array of `n` bytes, not zero-filled (`new Uint8Array` would be): a builder reads only
 * the bytes below its `len`, and a whole plan's buffer (~200 MB, sized from an estimate) then
 * touches only the pages it writes.
 */
export function rawBytes(n: i32): Uint8Array {
  return Uint8Array.wrap(changetype<ArrayBuffer>(__new(<usize>n, idof<ArrayBuffer>())));
}

export class ByteBuilder {
  buf: Uint8Array;
  len: i32 = 0;

  constructor(capacity: i32 = 256) {
    this.buf = rawBytes(capacity < 16 ? 16 : capacity);
  }

  private grow(extra: i32): void {
    const need = this.len + extra;
    let cap = this.buf.length;
    if (need <= cap) return;
    // grow by a quarter: the first capacity is an estimate close to the result's size
    while (cap < need) cap = cap + (cap >> 2) + 16;
    this.buf = Uint8Array.wrap(changetype<ArrayBuffer>(__renew(changetype<usize>(this.buf.buffer), <usize>cap)));
  }

  /** Appends the UTF-8 of the `n` UTF-16 code units at `p`. */
  private utf16(p: usize, n: i32): void {
    if (this.len + n > this.buf.length) this.grow(n);
    let o = this.buf.dataStart + <usize>this.len;
    let end = this.buf.dataStart + <usize>this.buf.length;
    for (let i = 0; i < n; i++) {
      // with SIMD, sixteen ASCII code units at a time, narrowed into one vector of bytes
      if (ASC_FEATURE_SIMD) {
        while (i + 16 <= n && o + 16 <= end) {
          const lo = v128.load(p + (<usize>i << 1));
          const hi = v128.load(p + (<usize>i << 1), 16);
          if (v128.any_true(v128.and(v128.or(lo, hi), i16x8.splat(<i16>0xff80)))) break;
          v128.store(o, i8x16.narrow_i16x8_u(lo, hi));
          o += 16;
          i += 16;
        }
      }
      // four ASCII code units at a time (most text written is ASCII: JSON, paths, scripts)
      while (i + 4 <= n && o + 4 <= end) {
        const x = load<u64>(p + (<usize>i << 1));
        if ((x & 0xff80ff80ff80ff80) != 0) break;
        store<u32>(o, <u32>(x & 0xff) | (<u32>(x >> 8) & 0xff00) | (<u32>(x >> 16) & 0xff0000) | (<u32>(x >> 24) & 0xff000000));
        o += 4;
        i += 4;
      }
      if (i >= n) break;
      let c = <u32>load<u16>(p + (<usize>i << 1));
      if (c < 0x80) {
        if (o >= end) {
          this.len = <i32>(o - this.buf.dataStart);
          this.grow(n - i + 4);
          o = this.buf.dataStart + <usize>this.len;
          end = this.buf.dataStart + <usize>this.buf.length;
        }
        store<u8>(o++, <u8>c);
        continue;
      }
      if (o + 4 > end) {
        this.len = <i32>(o - this.buf.dataStart);
        this.grow((n - i) * 3 + 4);
        o = this.buf.dataStart + <usize>this.len;
        end = this.buf.dataStart + <usize>this.buf.length;
      }
      if (c < 0x800) {
        store<u8>(o++, <u8>(0xc0 | (c >> 6)));
        store<u8>(o++, <u8>(0x80 | (c & 0x3f)));
        continue;
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        if (c <= 0xdbff && i + 1 < n) {
          const d = <u32>load<u16>(p + (<usize>(i + 1) << 1));
          if (d >= 0xdc00 && d <= 0xdfff) {
            const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
            store<u8>(o++, <u8>(0xf0 | (cp >> 18)));
            store<u8>(o++, <u8>(0x80 | ((cp >> 12) & 0x3f)));
            store<u8>(o++, <u8>(0x80 | ((cp >> 6) & 0x3f)));
            store<u8>(o++, <u8>(0x80 | (cp & 0x3f)));
            i++;
            continue;
          }
        }
        c = 0xfffd;
      }
      store<u8>(o++, <u8>(0xe0 | (c >> 12)));
      store<u8>(o++, <u8>(0x80 | ((c >> 6) & 0x3f)));
      store<u8>(o++, <u8>(0x80 | (c & 0x3f)));
    }
    this.len = <i32>(o - this.buf.dataStart);
  }

  /** Appends `s` as UTF-8. */
  str(s: string): void {
    this.utf16(changetype<usize>(s), s.length);
  }

  /** Appends what `sb` holds as UTF-8. */
  text(sb: StrBuilder): void {
    this.utf16(sb.ptr, sb.len);
  }

  /** Appends bytes as they are. */
  raw(a: Uint8Array): void {
    const n = a.length;
    if (this.len + n > this.buf.length) this.grow(n);
    memory.copy(this.buf.dataStart + <usize>this.len, a.dataStart, <usize>n);
    this.len += n;
  }

  /** Appends the `n` bytes at `p` (not within this buffer: growing may move it). */
  rawAt(p: usize, n: i32): void {
    if (this.len + n > this.buf.length) this.grow(n);
    memory.copy(this.buf.dataStart + <usize>this.len, p, <usize>n);
    this.len += n;
  }

  /** Appends again the `n` bytes this buffer holds from offset `at`. */
  copyWithin(at: i32, n: i32): void {
    if (this.len + n > this.buf.length) this.grow(n);
    memory.copy(this.buf.dataStart + <usize>this.len, this.buf.dataStart + <usize>at, <usize>n);
    this.len += n;
  }

  /** Appends one ASCII character. */
  ch(c: i32): void {
    if (this.len >= this.buf.length) this.grow(1);
    store<u8>(this.buf.dataStart + <usize>this.len, <u8>c);
    this.len++;
  }

  /** The bytes appended so far (a view of the buffer: no copy). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

/** The UTF-8 of what `sb` holds (half the memory of its UTF-16 for ASCII text). */
export function utf8OfBuilder(sb: StrBuilder): Uint8Array {
  const bb = new ByteBuilder(sb.len + 16);
  bb.text(sb);
  return bb.bytes();
}
