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
  a = i32x4.add(i32x4.add(a, m), b); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = i32x4.shuffle(q0, q1, 1, 3, 5, 7);
  a = i32x4.add(i32x4.add(a, m), b); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 1, 2, 3, 0); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 3, 0, 1, 2);
  m = i32x4.shuffle(q2, q3, 0, 2, 4, 6);
  a = i32x4.add(i32x4.add(a, m), b); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = i32x4.shuffle(q2, q3, 1, 3, 5, 7);
  a = i32x4.add(i32x4.add(a, m), b); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 3, 0, 1, 2); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 1, 2, 3, 0);
  // round 2: columns, then diagonals
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 8), 1, 12), 2, 28), 3, 16);
  a = i32x4.add(i32x4.add(a, m), b); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 24), 1, 40), 2, 0), 3, 52);
  a = i32x4.add(i32x4.add(a, m), b); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 1, 2, 3, 0); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 3, 0, 1, 2);
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 4), 1, 48), 2, 36), 3, 60);
  a = i32x4.add(i32x4.add(a, m), b); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 44), 1, 20), 2, 56), 3, 32);
  a = i32x4.add(i32x4.add(a, m), b); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 3, 0, 1, 2); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 1, 2, 3, 0);
  // round 3: columns, then diagonals
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 12), 1, 40), 2, 52), 3, 28);
  a = i32x4.add(i32x4.add(a, m), b); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 16), 1, 48), 2, 8), 3, 56);
  a = i32x4.add(i32x4.add(a, m), b); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 1, 2, 3, 0); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 3, 0, 1, 2);
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 24), 1, 36), 2, 44), 3, 32);
  a = i32x4.add(i32x4.add(a, m), b); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 20), 1, 0), 2, 60), 3, 4);
  a = i32x4.add(i32x4.add(a, m), b); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 3, 0, 1, 2); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 1, 2, 3, 0);
  // round 4: columns, then diagonals
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 40), 1, 48), 2, 56), 3, 52);
  a = i32x4.add(i32x4.add(a, m), b); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 28), 1, 36), 2, 12), 3, 60);
  a = i32x4.add(i32x4.add(a, m), b); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 1, 2, 3, 0); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 3, 0, 1, 2);
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 16), 1, 44), 2, 20), 3, 4);
  a = i32x4.add(i32x4.add(a, m), b); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 0), 1, 8), 2, 32), 3, 24);
  a = i32x4.add(i32x4.add(a, m), b); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 3, 0, 1, 2); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 1, 2, 3, 0);
  // round 5: columns, then diagonals
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 48), 1, 36), 2, 60), 3, 56);
  a = i32x4.add(i32x4.add(a, m), b); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 52), 1, 44), 2, 40), 3, 32);
  a = i32x4.add(i32x4.add(a, m), b); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 1, 2, 3, 0); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 3, 0, 1, 2);
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 28), 1, 20), 2, 0), 3, 24);
  a = i32x4.add(i32x4.add(a, m), b); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 8), 1, 12), 2, 4), 3, 16);
  a = i32x4.add(i32x4.add(a, m), b); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 3, 0, 1, 2); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 1, 2, 3, 0);
  // round 6: columns, then diagonals
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 36), 1, 44), 2, 32), 3, 60);
  a = i32x4.add(i32x4.add(a, m), b); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 56), 1, 20), 2, 48), 3, 4);
  a = i32x4.add(i32x4.add(a, m), b); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 1, 2, 3, 0); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 3, 0, 1, 2);
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 52), 1, 0), 2, 8), 3, 16);
  a = i32x4.add(i32x4.add(a, m), b); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 12), 1, 40), 2, 24), 3, 28);
  a = i32x4.add(i32x4.add(a, m), b); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 3, 0, 1, 2); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 1, 2, 3, 0);
  // round 7: columns, then diagonals
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 44), 1, 20), 2, 4), 3, 32);
  a = i32x4.add(i32x4.add(a, m), b); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 60), 1, 0), 2, 36), 3, 24);
  a = i32x4.add(i32x4.add(a, m), b); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 1, 2, 3, 0); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 3, 0, 1, 2);
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 56), 1, 8), 2, 12), 3, 28);
  a = i32x4.add(i32x4.add(a, m), b); d = rot16(v128.xor(d, a)); c = i32x4.add(c, d); b = rot12(v128.xor(b, c));
  m = v128.load32_lane(block, v128.load32_lane(block, v128.load32_lane(block, v128.load32_zero(block, 40), 1, 48), 2, 16), 3, 52);
  a = i32x4.add(i32x4.add(a, m), b); d = rot8(v128.xor(d, a)); c = i32x4.add(c, d); b = rot7(v128.xor(b, c));
  b = i32x4.shuffle(b, b, 3, 0, 1, 2); c = i32x4.shuffle(c, c, 2, 3, 0, 1); d = i32x4.shuffle(d, d, 1, 2, 3, 0);
  v128.store(out, v128.xor(a, c));
  v128.store(out, v128.xor(b, d), 16);
}

/**
 * Hashes four whole chunks (4 KiB at `ptr`, chunk counters `counter` to `counter + 3`) side by
 * side, one chunk per lane: state word i of all four chunks is one i32x4, so every G step of
 * every chunk runs at once and the rounds need no lane shuffles; message word w is gathered from
 * the four chunks with lane loads. Writes the four chunks' chaining values (8 words each, chunk
 * order) to `out`. None of the chunks may be the root.
 */
export function chunks4(ptr: usize, counter: u64, out: usize): void {
  let cv0 = i32x4.splat(0x6a09e667); let cv1 = i32x4.splat(0xbb67ae85); let cv2 = i32x4.splat(0x3c6ef372); let cv3 = i32x4.splat(0xa54ff53a);
  let cv4 = i32x4.splat(0x510e527f); let cv5 = i32x4.splat(0x9b05688c); let cv6 = i32x4.splat(0x1f83d9ab); let cv7 = i32x4.splat(0x5be0cd19);
  const lo = i32x4(<i32>counter, <i32>(counter + 1), <i32>(counter + 2), <i32>(counter + 3));
  const hi = i32x4(<i32>(counter >> 32), <i32>((counter + 1) >> 32), <i32>((counter + 2) >> 32), <i32>((counter + 3) >> 32));
  for (let blk = 0; blk < 16; blk++) {
    const p = ptr + (<usize>blk << 6);
    const m0 = v128.load32_lane(p, v128.load32_lane(p, v128.load32_lane(p, v128.load32_zero(p, 0), 1, 1024), 2, 2048), 3, 3072);
    const m1 = v128.load32_lane(p, v128.load32_lane(p, v128.load32_lane(p, v128.load32_zero(p, 4), 1, 1028), 2, 2052), 3, 3076);
    const m2 = v128.load32_lane(p, v128.load32_lane(p, v128.load32_lane(p, v128.load32_zero(p, 8), 1, 1032), 2, 2056), 3, 3080);
    const m3 = v128.load32_lane(p, v128.load32_lane(p, v128.load32_lane(p, v128.load32_zero(p, 12), 1, 1036), 2, 2060), 3, 3084);
    const m4 = v128.load32_lane(p, v128.load32_lane(p, v128.load32_lane(p, v128.load32_zero(p, 16), 1, 1040), 2, 2064), 3, 3088);
    const m5 = v128.load32_lane(p, v128.load32_lane(p, v128.load32_lane(p, v128.load32_zero(p, 20), 1, 1044), 2, 2068), 3, 3092);
    const m6 = v128.load32_lane(p, v128.load32_lane(p, v128.load32_lane(p, v128.load32_zero(p, 24), 1, 1048), 2, 2072), 3, 3096);
    const m7 = v128.load32_lane(p, v128.load32_lane(p, v128.load32_lane(p, v128.load32_zero(p, 28), 1, 1052), 2, 2076), 3, 3100);
    const m8 = v128.load32_lane(p, v128.load32_lane(p, v128.load32_lane(p, v128.load32_zero(p, 32), 1, 1056), 2, 2080), 3, 3104);
    const m9 = v128.load32_lane(p, v128.load32_lane(p, v128.load32_lane(p, v128.load32_zero(p, 36), 1, 1060), 2, 2084), 3, 3108);
    const m10 = v128.load32_lane(p, v128.load32_lane(p, v128.load32_lane(p, v128.load32_zero(p, 40), 1, 1064), 2, 2088), 3, 3112);
    const m11 = v128.load32_lane(p, v128.load32_lane(p, v128.load32_lane(p, v128.load32_zero(p, 44), 1, 1068), 2, 2092), 3, 3116);
    const m12 = v128.load32_lane(p, v128.load32_lane(p, v128.load32_lane(p, v128.load32_zero(p, 48), 1, 1072), 2, 2096), 3, 3120);
    const m13 = v128.load32_lane(p, v128.load32_lane(p, v128.load32_lane(p, v128.load32_zero(p, 52), 1, 1076), 2, 2100), 3, 3124);
    const m14 = v128.load32_lane(p, v128.load32_lane(p, v128.load32_lane(p, v128.load32_zero(p, 56), 1, 1080), 2, 2104), 3, 3128);
    const m15 = v128.load32_lane(p, v128.load32_lane(p, v128.load32_lane(p, v128.load32_zero(p, 60), 1, 1084), 2, 2108), 3, 3132);
    let v0 = cv0; let v1 = cv1; let v2 = cv2; let v3 = cv3; let v4 = cv4; let v5 = cv5; let v6 = cv6; let v7 = cv7;
    let v8 = i32x4.splat(0x6a09e667); let v9 = i32x4.splat(0xbb67ae85); let v10 = i32x4.splat(0x3c6ef372); let v11 = i32x4.splat(0xa54ff53a);
    let v12 = lo; let v13 = hi; let v14 = i32x4.splat(64); let v15 = i32x4.splat(blk == 0 ? 1 : blk == 15 ? 2 : 0);
      // round 1
      v0 = i32x4.add(i32x4.add(v0, m0), v4); v12 = rot16(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot12(v128.xor(v4, v8));
      v0 = i32x4.add(i32x4.add(v0, m1), v4); v12 = rot8(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot7(v128.xor(v4, v8));
      v1 = i32x4.add(i32x4.add(v1, m2), v5); v13 = rot16(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot12(v128.xor(v5, v9));
      v1 = i32x4.add(i32x4.add(v1, m3), v5); v13 = rot8(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot7(v128.xor(v5, v9));
      v2 = i32x4.add(i32x4.add(v2, m4), v6); v14 = rot16(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot12(v128.xor(v6, v10));
      v2 = i32x4.add(i32x4.add(v2, m5), v6); v14 = rot8(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot7(v128.xor(v6, v10));
      v3 = i32x4.add(i32x4.add(v3, m6), v7); v15 = rot16(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot12(v128.xor(v7, v11));
      v3 = i32x4.add(i32x4.add(v3, m7), v7); v15 = rot8(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot7(v128.xor(v7, v11));
      v0 = i32x4.add(i32x4.add(v0, m8), v5); v15 = rot16(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot12(v128.xor(v5, v10));
      v0 = i32x4.add(i32x4.add(v0, m9), v5); v15 = rot8(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot7(v128.xor(v5, v10));
      v1 = i32x4.add(i32x4.add(v1, m10), v6); v12 = rot16(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot12(v128.xor(v6, v11));
      v1 = i32x4.add(i32x4.add(v1, m11), v6); v12 = rot8(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot7(v128.xor(v6, v11));
      v2 = i32x4.add(i32x4.add(v2, m12), v7); v13 = rot16(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot12(v128.xor(v7, v8));
      v2 = i32x4.add(i32x4.add(v2, m13), v7); v13 = rot8(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot7(v128.xor(v7, v8));
      v3 = i32x4.add(i32x4.add(v3, m14), v4); v14 = rot16(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot12(v128.xor(v4, v9));
      v3 = i32x4.add(i32x4.add(v3, m15), v4); v14 = rot8(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot7(v128.xor(v4, v9));
      // round 2
      v0 = i32x4.add(i32x4.add(v0, m2), v4); v12 = rot16(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot12(v128.xor(v4, v8));
      v0 = i32x4.add(i32x4.add(v0, m6), v4); v12 = rot8(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot7(v128.xor(v4, v8));
      v1 = i32x4.add(i32x4.add(v1, m3), v5); v13 = rot16(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot12(v128.xor(v5, v9));
      v1 = i32x4.add(i32x4.add(v1, m10), v5); v13 = rot8(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot7(v128.xor(v5, v9));
      v2 = i32x4.add(i32x4.add(v2, m7), v6); v14 = rot16(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot12(v128.xor(v6, v10));
      v2 = i32x4.add(i32x4.add(v2, m0), v6); v14 = rot8(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot7(v128.xor(v6, v10));
      v3 = i32x4.add(i32x4.add(v3, m4), v7); v15 = rot16(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot12(v128.xor(v7, v11));
      v3 = i32x4.add(i32x4.add(v3, m13), v7); v15 = rot8(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot7(v128.xor(v7, v11));
      v0 = i32x4.add(i32x4.add(v0, m1), v5); v15 = rot16(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot12(v128.xor(v5, v10));
      v0 = i32x4.add(i32x4.add(v0, m11), v5); v15 = rot8(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot7(v128.xor(v5, v10));
      v1 = i32x4.add(i32x4.add(v1, m12), v6); v12 = rot16(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot12(v128.xor(v6, v11));
      v1 = i32x4.add(i32x4.add(v1, m5), v6); v12 = rot8(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot7(v128.xor(v6, v11));
      v2 = i32x4.add(i32x4.add(v2, m9), v7); v13 = rot16(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot12(v128.xor(v7, v8));
      v2 = i32x4.add(i32x4.add(v2, m14), v7); v13 = rot8(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot7(v128.xor(v7, v8));
      v3 = i32x4.add(i32x4.add(v3, m15), v4); v14 = rot16(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot12(v128.xor(v4, v9));
      v3 = i32x4.add(i32x4.add(v3, m8), v4); v14 = rot8(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot7(v128.xor(v4, v9));
      // round 3
      v0 = i32x4.add(i32x4.add(v0, m3), v4); v12 = rot16(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot12(v128.xor(v4, v8));
      v0 = i32x4.add(i32x4.add(v0, m4), v4); v12 = rot8(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot7(v128.xor(v4, v8));
      v1 = i32x4.add(i32x4.add(v1, m10), v5); v13 = rot16(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot12(v128.xor(v5, v9));
      v1 = i32x4.add(i32x4.add(v1, m12), v5); v13 = rot8(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot7(v128.xor(v5, v9));
      v2 = i32x4.add(i32x4.add(v2, m13), v6); v14 = rot16(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot12(v128.xor(v6, v10));
      v2 = i32x4.add(i32x4.add(v2, m2), v6); v14 = rot8(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot7(v128.xor(v6, v10));
      v3 = i32x4.add(i32x4.add(v3, m7), v7); v15 = rot16(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot12(v128.xor(v7, v11));
      v3 = i32x4.add(i32x4.add(v3, m14), v7); v15 = rot8(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot7(v128.xor(v7, v11));
      v0 = i32x4.add(i32x4.add(v0, m6), v5); v15 = rot16(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot12(v128.xor(v5, v10));
      v0 = i32x4.add(i32x4.add(v0, m5), v5); v15 = rot8(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot7(v128.xor(v5, v10));
      v1 = i32x4.add(i32x4.add(v1, m9), v6); v12 = rot16(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot12(v128.xor(v6, v11));
      v1 = i32x4.add(i32x4.add(v1, m0), v6); v12 = rot8(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot7(v128.xor(v6, v11));
      v2 = i32x4.add(i32x4.add(v2, m11), v7); v13 = rot16(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot12(v128.xor(v7, v8));
      v2 = i32x4.add(i32x4.add(v2, m15), v7); v13 = rot8(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot7(v128.xor(v7, v8));
      v3 = i32x4.add(i32x4.add(v3, m8), v4); v14 = rot16(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot12(v128.xor(v4, v9));
      v3 = i32x4.add(i32x4.add(v3, m1), v4); v14 = rot8(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot7(v128.xor(v4, v9));
      // round 4
      v0 = i32x4.add(i32x4.add(v0, m10), v4); v12 = rot16(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot12(v128.xor(v4, v8));
      v0 = i32x4.add(i32x4.add(v0, m7), v4); v12 = rot8(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot7(v128.xor(v4, v8));
      v1 = i32x4.add(i32x4.add(v1, m12), v5); v13 = rot16(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot12(v128.xor(v5, v9));
      v1 = i32x4.add(i32x4.add(v1, m9), v5); v13 = rot8(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot7(v128.xor(v5, v9));
      v2 = i32x4.add(i32x4.add(v2, m14), v6); v14 = rot16(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot12(v128.xor(v6, v10));
      v2 = i32x4.add(i32x4.add(v2, m3), v6); v14 = rot8(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot7(v128.xor(v6, v10));
      v3 = i32x4.add(i32x4.add(v3, m13), v7); v15 = rot16(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot12(v128.xor(v7, v11));
      v3 = i32x4.add(i32x4.add(v3, m15), v7); v15 = rot8(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot7(v128.xor(v7, v11));
      v0 = i32x4.add(i32x4.add(v0, m4), v5); v15 = rot16(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot12(v128.xor(v5, v10));
      v0 = i32x4.add(i32x4.add(v0, m0), v5); v15 = rot8(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot7(v128.xor(v5, v10));
      v1 = i32x4.add(i32x4.add(v1, m11), v6); v12 = rot16(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot12(v128.xor(v6, v11));
      v1 = i32x4.add(i32x4.add(v1, m2), v6); v12 = rot8(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot7(v128.xor(v6, v11));
      v2 = i32x4.add(i32x4.add(v2, m5), v7); v13 = rot16(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot12(v128.xor(v7, v8));
      v2 = i32x4.add(i32x4.add(v2, m8), v7); v13 = rot8(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot7(v128.xor(v7, v8));
      v3 = i32x4.add(i32x4.add(v3, m1), v4); v14 = rot16(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot12(v128.xor(v4, v9));
      v3 = i32x4.add(i32x4.add(v3, m6), v4); v14 = rot8(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot7(v128.xor(v4, v9));
      // round 5
      v0 = i32x4.add(i32x4.add(v0, m12), v4); v12 = rot16(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot12(v128.xor(v4, v8));
      v0 = i32x4.add(i32x4.add(v0, m13), v4); v12 = rot8(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot7(v128.xor(v4, v8));
      v1 = i32x4.add(i32x4.add(v1, m9), v5); v13 = rot16(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot12(v128.xor(v5, v9));
      v1 = i32x4.add(i32x4.add(v1, m11), v5); v13 = rot8(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot7(v128.xor(v5, v9));
      v2 = i32x4.add(i32x4.add(v2, m15), v6); v14 = rot16(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot12(v128.xor(v6, v10));
      v2 = i32x4.add(i32x4.add(v2, m10), v6); v14 = rot8(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot7(v128.xor(v6, v10));
      v3 = i32x4.add(i32x4.add(v3, m14), v7); v15 = rot16(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot12(v128.xor(v7, v11));
      v3 = i32x4.add(i32x4.add(v3, m8), v7); v15 = rot8(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot7(v128.xor(v7, v11));
      v0 = i32x4.add(i32x4.add(v0, m7), v5); v15 = rot16(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot12(v128.xor(v5, v10));
      v0 = i32x4.add(i32x4.add(v0, m2), v5); v15 = rot8(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot7(v128.xor(v5, v10));
      v1 = i32x4.add(i32x4.add(v1, m5), v6); v12 = rot16(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot12(v128.xor(v6, v11));
      v1 = i32x4.add(i32x4.add(v1, m3), v6); v12 = rot8(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot7(v128.xor(v6, v11));
      v2 = i32x4.add(i32x4.add(v2, m0), v7); v13 = rot16(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot12(v128.xor(v7, v8));
      v2 = i32x4.add(i32x4.add(v2, m1), v7); v13 = rot8(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot7(v128.xor(v7, v8));
      v3 = i32x4.add(i32x4.add(v3, m6), v4); v14 = rot16(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot12(v128.xor(v4, v9));
      v3 = i32x4.add(i32x4.add(v3, m4), v4); v14 = rot8(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot7(v128.xor(v4, v9));
      // round 6
      v0 = i32x4.add(i32x4.add(v0, m9), v4); v12 = rot16(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot12(v128.xor(v4, v8));
      v0 = i32x4.add(i32x4.add(v0, m14), v4); v12 = rot8(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot7(v128.xor(v4, v8));
      v1 = i32x4.add(i32x4.add(v1, m11), v5); v13 = rot16(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot12(v128.xor(v5, v9));
      v1 = i32x4.add(i32x4.add(v1, m5), v5); v13 = rot8(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot7(v128.xor(v5, v9));
      v2 = i32x4.add(i32x4.add(v2, m8), v6); v14 = rot16(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot12(v128.xor(v6, v10));
      v2 = i32x4.add(i32x4.add(v2, m12), v6); v14 = rot8(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot7(v128.xor(v6, v10));
      v3 = i32x4.add(i32x4.add(v3, m15), v7); v15 = rot16(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot12(v128.xor(v7, v11));
      v3 = i32x4.add(i32x4.add(v3, m1), v7); v15 = rot8(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot7(v128.xor(v7, v11));
      v0 = i32x4.add(i32x4.add(v0, m13), v5); v15 = rot16(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot12(v128.xor(v5, v10));
      v0 = i32x4.add(i32x4.add(v0, m3), v5); v15 = rot8(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot7(v128.xor(v5, v10));
      v1 = i32x4.add(i32x4.add(v1, m0), v6); v12 = rot16(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot12(v128.xor(v6, v11));
      v1 = i32x4.add(i32x4.add(v1, m10), v6); v12 = rot8(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot7(v128.xor(v6, v11));
      v2 = i32x4.add(i32x4.add(v2, m2), v7); v13 = rot16(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot12(v128.xor(v7, v8));
      v2 = i32x4.add(i32x4.add(v2, m6), v7); v13 = rot8(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot7(v128.xor(v7, v8));
      v3 = i32x4.add(i32x4.add(v3, m4), v4); v14 = rot16(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot12(v128.xor(v4, v9));
      v3 = i32x4.add(i32x4.add(v3, m7), v4); v14 = rot8(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot7(v128.xor(v4, v9));
      // round 7
      v0 = i32x4.add(i32x4.add(v0, m11), v4); v12 = rot16(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot12(v128.xor(v4, v8));
      v0 = i32x4.add(i32x4.add(v0, m15), v4); v12 = rot8(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot7(v128.xor(v4, v8));
      v1 = i32x4.add(i32x4.add(v1, m5), v5); v13 = rot16(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot12(v128.xor(v5, v9));
      v1 = i32x4.add(i32x4.add(v1, m0), v5); v13 = rot8(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot7(v128.xor(v5, v9));
      v2 = i32x4.add(i32x4.add(v2, m1), v6); v14 = rot16(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot12(v128.xor(v6, v10));
      v2 = i32x4.add(i32x4.add(v2, m9), v6); v14 = rot8(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot7(v128.xor(v6, v10));
      v3 = i32x4.add(i32x4.add(v3, m8), v7); v15 = rot16(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot12(v128.xor(v7, v11));
      v3 = i32x4.add(i32x4.add(v3, m6), v7); v15 = rot8(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot7(v128.xor(v7, v11));
      v0 = i32x4.add(i32x4.add(v0, m14), v5); v15 = rot16(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot12(v128.xor(v5, v10));
      v0 = i32x4.add(i32x4.add(v0, m10), v5); v15 = rot8(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot7(v128.xor(v5, v10));
      v1 = i32x4.add(i32x4.add(v1, m2), v6); v12 = rot16(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot12(v128.xor(v6, v11));
      v1 = i32x4.add(i32x4.add(v1, m12), v6); v12 = rot8(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot7(v128.xor(v6, v11));
      v2 = i32x4.add(i32x4.add(v2, m3), v7); v13 = rot16(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot12(v128.xor(v7, v8));
      v2 = i32x4.add(i32x4.add(v2, m4), v7); v13 = rot8(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot7(v128.xor(v7, v8));
      v3 = i32x4.add(i32x4.add(v3, m7), v4); v14 = rot16(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot12(v128.xor(v4, v9));
      v3 = i32x4.add(i32x4.add(v3, m13), v4); v14 = rot8(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot7(v128.xor(v4, v9));
    cv0 = v128.xor(v0, v8); cv1 = v128.xor(v1, v9); cv2 = v128.xor(v2, v10); cv3 = v128.xor(v3, v11);
    cv4 = v128.xor(v4, v12); cv5 = v128.xor(v5, v13); cv6 = v128.xor(v6, v14); cv7 = v128.xor(v7, v15);
  }
  storeLanes(out, 0, cv0); storeLanes(out, 4, cv1); storeLanes(out, 8, cv2); storeLanes(out, 12, cv3);
  storeLanes(out, 16, cv4); storeLanes(out, 20, cv5); storeLanes(out, 24, cv6); storeLanes(out, 28, cv7);
}

/** Lane j of `v` to `out + 32 * j + at`: one word of each of the four chaining values. */
// @ts-ignore: decorator
@inline
function storeLanes(out: usize, at: usize, v: v128): void {
  store<i32>(out + at, i32x4.extract_lane(v, 0));
  store<i32>(out + at + 32, i32x4.extract_lane(v, 1));
  store<i32>(out + at + 64, i32x4.extract_lane(v, 2));
  store<i32>(out + at + 96, i32x4.extract_lane(v, 3));
}
