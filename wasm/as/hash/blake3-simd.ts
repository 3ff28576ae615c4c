/**
 * BLAKE3's compression function in wasm SIMD (simd128): the 4x4 state as four rows of i32x4, so
 * one G step mixes all four columns (then, after rotating rows 1-3 by 1, 2 and 3 lanes, all four
 * diagonals) at once. Rotations by 16 and 8 are byte shuffles, by 12 and 7 shift + or. The message
 * schedule (BLAKE3's permutation, applied at generation time) is gathered per round straight from
 * the block with lane loads, so nothing is permuted at run time. Same inputs and outputs as the
 * scalar compression in blake3.ts, which uses this one when the build enables SIMD.
 *
 * Must not depend on: anything else of the core.
 */

// @ts-ignore: decorator
@inline
function rot16(x: v128): v128 {
  return i8x16.shuffle(x, x, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
}

// @ts-ignore: decorator
@inline
function rot8(x: v128): v128 {
  return i8x16.shuffle(x, x, 1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
}

// @ts-ignore: decorator
@inline
function rot12(x: v128): v128 {
  return v128.or(i32x4.shr_u(x, 12), i32x4.shl(x, 20));
}

// @ts-ignore: decorator
@inline
function rot7(x: v128): v128 {
  return v128.or(i32x4.shr_u(x, 7), i32x4.shl(x, 25));
}

/**
 * The compression function: chaining value at `cv` (8 words), message block at `block` (16
 * little-endian words); writes the first 8 output words to `out` (which may equal `cv`).
 */
// @ts-ignore: decorator
@inline
export function compressSimd(cv: usize, block: usize, counter: u64, blockLen: u32, flags: u32, out: usize): void {
  let a = v128.load(cv);
  let b = v128.load(cv, 16);
  let c = i32x4(0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a);
  let d = i32x4(<i32>counter, <i32>(counter >> 32), blockLen, flags);
  const q0 = v128.load(block);
  const q1 = v128.load(block, 16);
  const q2 = v128.load(block, 32);
  const q3 = v128.load(block, 48);
  let m: v128;
  // round 1: columns, then diagonals
  m = i32x4.shuffle(q0, q1, 0, 2, 4, 6);
  a = i32x4.add(i32x4.add(a, b), m); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = i32x4.shuffle(q0, q1, 1, 3, 5, 7);
  a = i32x4.add(i32x4.add(a, b), m); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 1, 2, 3, 0); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 3, 0, 1, 2);
  m = i32x4.shuffle(q2, q3, 0, 2, 4, 6);
  a = i32x4.add(i32x4.add(a, b), m); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = i32x4.shuffle(q2, q3, 1, 3, 5, 7);
  a = i32x4.add(i32x4.add(a, b), m); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 3, 0, 1, 2); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 1, 2, 3, 0);
  // round 2: columns, then diagonals
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 8), 1, 12), 2, 28), 3, 16);
  a = i32x4.add(i32x4.add(a, b), m); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 24), 1, 40), 2, 0), 3, 52);
  a = i32x4.add(i32x4.add(a, b), m); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 1, 2, 3, 0); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 3, 0, 1, 2);
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 4), 1, 48), 2, 36), 3, 60);
  a = i32x4.add(i32x4.add(a, b), m); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 44), 1, 20), 2, 56), 3, 32);
  a = i32x4.add(i32x4.add(a, b), m); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 3, 0, 1, 2); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 1, 2, 3, 0);
  // round 3: columns, then diagonals
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 12), 1, 40), 2, 52), 3, 28);
  a = i32x4.add(i32x4.add(a, b), m); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 16), 1, 48), 2, 8), 3, 56);
  a = i32x4.add(i32x4.add(a, b), m); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 1, 2, 3, 0); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 3, 0, 1, 2);
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 24), 1, 36), 2, 44), 3, 32);
  a = i32x4.add(i32x4.add(a, b), m); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 20), 1, 0), 2, 60), 3, 4);
  a = i32x4.add(i32x4.add(a, b), m); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 3, 0, 1, 2); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 1, 2, 3, 0);
  // round 4: columns, then diagonals
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 40), 1, 48), 2, 56), 3, 52);
  a = i32x4.add(i32x4.add(a, b), m); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 28), 1, 36), 2, 12), 3, 60);
  a = i32x4.add(i32x4.add(a, b), m); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 1, 2, 3, 0); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 3, 0, 1, 2);
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 16), 1, 44), 2, 20), 3, 4);
  a = i32x4.add(i32x4.add(a, b), m); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 0), 1, 8), 2, 32), 3, 24);
  a = i32x4.add(i32x4.add(a, b), m); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 3, 0, 1, 2); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 1, 2, 3, 0);
  // round 5: columns, then diagonals
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 48), 1, 36), 2, 60), 3, 56);
  a = i32x4.add(i32x4.add(a, b), m); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 52), 1, 44), 2, 40), 3, 32);
  a = i32x4.add(i32x4.add(a, b), m); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 1, 2, 3, 0); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 3, 0, 1, 2);
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 28), 1, 20), 2, 0), 3, 24);
  a = i32x4.add(i32x4.add(a, b), m); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 8), 1, 12), 2, 4), 3, 16);
  a = i32x4.add(i32x4.add(a, b), m); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 3, 0, 1, 2); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 1, 2, 3, 0);
  // round 6: columns, then diagonals
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 36), 1, 44), 2, 32), 3, 60);
  a = i32x4.add(i32x4.add(a, b), m); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 56), 1, 20), 2, 48), 3, 4);
  a = i32x4.add(i32x4.add(a, b), m); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 1, 2, 3, 0); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 3, 0, 1, 2);
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 52), 1, 0), 2, 8), 3, 16);
  a = i32x4.add(i32x4.add(a, b), m); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 12), 1, 40), 2, 24), 3, 28);
  a = i32x4.add(i32x4.add(a, b), m); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 3, 0, 1, 2); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 1, 2, 3, 0);
  // round 7: columns, then diagonals
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 44), 1, 20), 2, 4), 3, 32);
  a = i32x4.add(i32x4.add(a, b), m); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 60), 1, 0), 2, 36), 3, 24);
  a = i32x4.add(i32x4.add(a, b), m); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 1, 2, 3, 0); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 3, 0, 1, 2);
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 56), 1, 8), 2, 12), 3, 28);
  a = i32x4.add(i32x4.add(a, b), m); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 40), 1, 48), 2, 16), 3, 52);
  a = i32x4.add(i32x4.add(a, b), m); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 3, 0, 1, 2); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 1, 2, 3, 0);
  v128.store(out, v128.xor(a, c));
  v128.store(out, v128.xor(b, d), 16);
}
