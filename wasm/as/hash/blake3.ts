/**
 * BLAKE3-256 (the reference algorithm: 1 KiB chunks of 64-byte blocks, a stack of chaining values
 * for the binary tree), written for speed in WebAssembly: the compression function is unrolled
 * over u32 locals (the message permutation is applied at generation time, so nothing moves), or,
 * when the build enables wasm SIMD (the shipped core does, wasm/build-as.mjs), blake3-simd.ts's
 * four-lane one, which also hashes four whole chunks side by side when more than four follow a
 * chunk boundary; the hasher owns all its buffers (no allocation per block), and text is hashed as
 * its UTF-8 bytes by encoding UTF-16 code units straight into a scratch block (no intermediate
 * byte array; a lone surrogate counts as U+FFFD, as TextEncoder does; ASCII runs narrowed 16 or 4
 * units at a time). Both builds are pinned to BLAKE3's published vectors and to hash-wasm by
 * test/core-hash.test.ts.
 *
 * Must not depend on: anything else of the core.
 */

import { chunks4, compressSimd } from './blake3-simd';

const CHUNK_START: u32 = 1;
const CHUNK_END: u32 = 2;
const PARENT: u32 = 4;
const ROOT: u32 = 8;
const CHUNK_LEN: i32 = 1024;
const BLOCK_LEN: i32 = 64;
/** Bytes of UTF-8 gathered from text before hashing them: room for four whole chunks and more. */
const SCRATCH: i32 = 16384;

const IV0: u32 = 0x6a09e667;
const IV1: u32 = 0xbb67ae85;
const IV2: u32 = 0x3c6ef372;
const IV3: u32 = 0xa54ff53a;
const IV4: u32 = 0x510e527f;
const IV5: u32 = 0x9b05688c;
const IV6: u32 = 0x1f83d9ab;
const IV7: u32 = 0x5be0cd19;

/**
 * The compression function: chaining value at `cv` (8 words), message block at `block` (16
 * little-endian words); writes the first 8 output words to `out` (which may equal `cv`).
 */
// @ts-ignore: decorator
@inline
function compress(cv: usize, block: usize, counter: u64, blockLen: u32, flags: u32, out: usize): void {
  if (ASC_FEATURE_SIMD) {
    compressSimd(cv, block, counter, blockLen, flags, out);
    return;
  }
  const m0 = load<u32>(block, 0); const m1 = load<u32>(block, 4); const m2 = load<u32>(block, 8); const m3 = load<u32>(block, 12);
  const m4 = load<u32>(block, 16); const m5 = load<u32>(block, 20); const m6 = load<u32>(block, 24); const m7 = load<u32>(block, 28);
  const m8 = load<u32>(block, 32); const m9 = load<u32>(block, 36); const m10 = load<u32>(block, 40); const m11 = load<u32>(block, 44);
  const m12 = load<u32>(block, 48); const m13 = load<u32>(block, 52); const m14 = load<u32>(block, 56); const m15 = load<u32>(block, 60);
  let v0 = load<u32>(cv, 0); let v1 = load<u32>(cv, 4); let v2 = load<u32>(cv, 8); let v3 = load<u32>(cv, 12);
  let v4 = load<u32>(cv, 16); let v5 = load<u32>(cv, 20); let v6 = load<u32>(cv, 24); let v7 = load<u32>(cv, 28);
  let v8 = IV0; let v9 = IV1; let v10 = IV2; let v11 = IV3;
  let v12 = <u32>counter; let v13 = <u32>(counter >> 32); let v14 = blockLen; let v15 = flags;
    // round 1
    v0 = v0 + v4 + m0; v12 = rotr<u32>(v12 ^ v0, 16); v8 = v8 + v12; v4 = rotr<u32>(v4 ^ v8, 12);
    v0 = v0 + v4 + m1; v12 = rotr<u32>(v12 ^ v0, 8); v8 = v8 + v12; v4 = rotr<u32>(v4 ^ v8, 7);
    v1 = v1 + v5 + m2; v13 = rotr<u32>(v13 ^ v1, 16); v9 = v9 + v13; v5 = rotr<u32>(v5 ^ v9, 12);
    v1 = v1 + v5 + m3; v13 = rotr<u32>(v13 ^ v1, 8); v9 = v9 + v13; v5 = rotr<u32>(v5 ^ v9, 7);
    v2 = v2 + v6 + m4; v14 = rotr<u32>(v14 ^ v2, 16); v10 = v10 + v14; v6 = rotr<u32>(v6 ^ v10, 12);
    v2 = v2 + v6 + m5; v14 = rotr<u32>(v14 ^ v2, 8); v10 = v10 + v14; v6 = rotr<u32>(v6 ^ v10, 7);
    v3 = v3 + v7 + m6; v15 = rotr<u32>(v15 ^ v3, 16); v11 = v11 + v15; v7 = rotr<u32>(v7 ^ v11, 12);
    v3 = v3 + v7 + m7; v15 = rotr<u32>(v15 ^ v3, 8); v11 = v11 + v15; v7 = rotr<u32>(v7 ^ v11, 7);
    v0 = v0 + v5 + m8; v15 = rotr<u32>(v15 ^ v0, 16); v10 = v10 + v15; v5 = rotr<u32>(v5 ^ v10, 12);
    v0 = v0 + v5 + m9; v15 = rotr<u32>(v15 ^ v0, 8); v10 = v10 + v15; v5 = rotr<u32>(v5 ^ v10, 7);
    v1 = v1 + v6 + m10; v12 = rotr<u32>(v12 ^ v1, 16); v11 = v11 + v12; v6 = rotr<u32>(v6 ^ v11, 12);
    v1 = v1 + v6 + m11; v12 = rotr<u32>(v12 ^ v1, 8); v11 = v11 + v12; v6 = rotr<u32>(v6 ^ v11, 7);
    v2 = v2 + v7 + m12; v13 = rotr<u32>(v13 ^ v2, 16); v8 = v8 + v13; v7 = rotr<u32>(v7 ^ v8, 12);
    v2 = v2 + v7 + m13; v13 = rotr<u32>(v13 ^ v2, 8); v8 = v8 + v13; v7 = rotr<u32>(v7 ^ v8, 7);
    v3 = v3 + v4 + m14; v14 = rotr<u32>(v14 ^ v3, 16); v9 = v9 + v14; v4 = rotr<u32>(v4 ^ v9, 12);
    v3 = v3 + v4 + m15; v14 = rotr<u32>(v14 ^ v3, 8); v9 = v9 + v14; v4 = rotr<u32>(v4 ^ v9, 7);
    // round 2
    v0 = v0 + v4 + m2; v12 = rotr<u32>(v12 ^ v0, 16); v8 = v8 + v12; v4 = rotr<u32>(v4 ^ v8, 12);
    v0 = v0 + v4 + m6; v12 = rotr<u32>(v12 ^ v0, 8); v8 = v8 + v12; v4 = rotr<u32>(v4 ^ v8, 7);
    v1 = v1 + v5 + m3; v13 = rotr<u32>(v13 ^ v1, 16); v9 = v9 + v13; v5 = rotr<u32>(v5 ^ v9, 12);
    v1 = v1 + v5 + m10; v13 = rotr<u32>(v13 ^ v1, 8); v9 = v9 + v13; v5 = rotr<u32>(v5 ^ v9, 7);
    v2 = v2 + v6 + m7; v14 = rotr<u32>(v14 ^ v2, 16); v10 = v10 + v14; v6 = rotr<u32>(v6 ^ v10, 12);
    v2 = v2 + v6 + m0; v14 = rotr<u32>(v14 ^ v2, 8); v10 = v10 + v14; v6 = rotr<u32>(v6 ^ v10, 7);
    v3 = v3 + v7 + m4; v15 = rotr<u32>(v15 ^ v3, 16); v11 = v11 + v15; v7 = rotr<u32>(v7 ^ v11, 12);
    v3 = v3 + v7 + m13; v15 = rotr<u32>(v15 ^ v3, 8); v11 = v11 + v15; v7 = rotr<u32>(v7 ^ v11, 7);
    v0 = v0 + v5 + m1; v15 = rotr<u32>(v15 ^ v0, 16); v10 = v10 + v15; v5 = rotr<u32>(v5 ^ v10, 12);
    v0 = v0 + v5 + m11; v15 = rotr<u32>(v15 ^ v0, 8); v10 = v10 + v15; v5 = rotr<u32>(v5 ^ v10, 7);
    v1 = v1 + v6 + m12; v12 = rotr<u32>(v12 ^ v1, 16); v11 = v11 + v12; v6 = rotr<u32>(v6 ^ v11, 12);
    v1 = v1 + v6 + m5; v12 = rotr<u32>(v12 ^ v1, 8); v11 = v11 + v12; v6 = rotr<u32>(v6 ^ v11, 7);
    v2 = v2 + v7 + m9; v13 = rotr<u32>(v13 ^ v2, 16); v8 = v8 + v13; v7 = rotr<u32>(v7 ^ v8, 12);
    v2 = v2 + v7 + m14; v13 = rotr<u32>(v13 ^ v2, 8); v8 = v8 + v13; v7 = rotr<u32>(v7 ^ v8, 7);
    v3 = v3 + v4 + m15; v14 = rotr<u32>(v14 ^ v3, 16); v9 = v9 + v14; v4 = rotr<u32>(v4 ^ v9, 12);
    v3 = v3 + v4 + m8; v14 = rotr<u32>(v14 ^ v3, 8); v9 = v9 + v14; v4 = rotr<u32>(v4 ^ v9, 7);
    // round 3
    v0 = v0 + v4 + m3; v12 = rotr<u32>(v12 ^ v0, 16); v8 = v8 + v12; v4 = rotr<u32>(v4 ^ v8, 12);
    v0 = v0 + v4 + m4; v12 = rotr<u32>(v12 ^ v0, 8); v8 = v8 + v12; v4 = rotr<u32>(v4 ^ v8, 7);
    v1 = v1 + v5 + m10; v13 = rotr<u32>(v13 ^ v1, 16); v9 = v9 + v13; v5 = rotr<u32>(v5 ^ v9, 12);
    v1 = v1 + v5 + m12; v13 = rotr<u32>(v13 ^ v1, 8); v9 = v9 + v13; v5 = rotr<u32>(v5 ^ v9, 7);
    v2 = v2 + v6 + m13; v14 = rotr<u32>(v14 ^ v2, 16); v10 = v10 + v14; v6 = rotr<u32>(v6 ^ v10, 12);
    v2 = v2 + v6 + m2; v14 = rotr<u32>(v14 ^ v2, 8); v10 = v10 + v14; v6 = rotr<u32>(v6 ^ v10, 7);
    v3 = v3 + v7 + m7; v15 = rotr<u32>(v15 ^ v3, 16); v11 = v11 + v15; v7 = rotr<u32>(v7 ^ v11, 12);
    v3 = v3 + v7 + m14; v15 = rotr<u32>(v15 ^ v3, 8); v11 = v11 + v15; v7 = rotr<u32>(v7 ^ v11, 7);
    v0 = v0 + v5 + m6; v15 = rotr<u32>(v15 ^ v0, 16); v10 = v10 + v15; v5 = rotr<u32>(v5 ^ v10, 12);
    v0 = v0 + v5 + m5; v15 = rotr<u32>(v15 ^ v0, 8); v10 = v10 + v15; v5 = rotr<u32>(v5 ^ v10, 7);
    v1 = v1 + v6 + m9; v12 = rotr<u32>(v12 ^ v1, 16); v11 = v11 + v12; v6 = rotr<u32>(v6 ^ v11, 12);
    v1 = v1 + v6 + m0; v12 = rotr<u32>(v12 ^ v1, 8); v11 = v11 + v12; v6 = rotr<u32>(v6 ^ v11, 7);
    v2 = v2 + v7 + m11; v13 = rotr<u32>(v13 ^ v2, 16); v8 = v8 + v13; v7 = rotr<u32>(v7 ^ v8, 12);
    v2 = v2 + v7 + m15; v13 = rotr<u32>(v13 ^ v2, 8); v8 = v8 + v13; v7 = rotr<u32>(v7 ^ v8, 7);
    v3 = v3 + v4 + m8; v14 = rotr<u32>(v14 ^ v3, 16); v9 = v9 + v14; v4 = rotr<u32>(v4 ^ v9, 12);
    v3 = v3 + v4 + m1; v14 = rotr<u32>(v14 ^ v3, 8); v9 = v9 + v14; v4 = rotr<u32>(v4 ^ v9, 7);
    // round 4
    v0 = v0 + v4 + m10; v12 = rotr<u32>(v12 ^ v0, 16); v8 = v8 + v12; v4 = rotr<u32>(v4 ^ v8, 12);
    v0 = v0 + v4 + m7; v12 = rotr<u32>(v12 ^ v0, 8); v8 = v8 + v12; v4 = rotr<u32>(v4 ^ v8, 7);
    v1 = v1 + v5 + m12; v13 = rotr<u32>(v13 ^ v1, 16); v9 = v9 + v13; v5 = rotr<u32>(v5 ^ v9, 12);
    v1 = v1 + v5 + m9; v13 = rotr<u32>(v13 ^ v1, 8); v9 = v9 + v13; v5 = rotr<u32>(v5 ^ v9, 7);
    v2 = v2 + v6 + m14; v14 = rotr<u32>(v14 ^ v2, 16); v10 = v10 + v14; v6 = rotr<u32>(v6 ^ v10, 12);
    v2 = v2 + v6 + m3; v14 = rotr<u32>(v14 ^ v2, 8); v10 = v10 + v14; v6 = rotr<u32>(v6 ^ v10, 7);
    v3 = v3 + v7 + m13; v15 = rotr<u32>(v15 ^ v3, 16); v11 = v11 + v15; v7 = rotr<u32>(v7 ^ v11, 12);
    v3 = v3 + v7 + m15; v15 = rotr<u32>(v15 ^ v3, 8); v11 = v11 + v15; v7 = rotr<u32>(v7 ^ v11, 7);
    v0 = v0 + v5 + m4; v15 = rotr<u32>(v15 ^ v0, 16); v10 = v10 + v15; v5 = rotr<u32>(v5 ^ v10, 12);
    v0 = v0 + v5 + m0; v15 = rotr<u32>(v15 ^ v0, 8); v10 = v10 + v15; v5 = rotr<u32>(v5 ^ v10, 7);
    v1 = v1 + v6 + m11; v12 = rotr<u32>(v12 ^ v1, 16); v11 = v11 + v12; v6 = rotr<u32>(v6 ^ v11, 12);
    v1 = v1 + v6 + m2; v12 = rotr<u32>(v12 ^ v1, 8); v11 = v11 + v12; v6 = rotr<u32>(v6 ^ v11, 7);
    v2 = v2 + v7 + m5; v13 = rotr<u32>(v13 ^ v2, 16); v8 = v8 + v13; v7 = rotr<u32>(v7 ^ v8, 12);
    v2 = v2 + v7 + m8; v13 = rotr<u32>(v13 ^ v2, 8); v8 = v8 + v13; v7 = rotr<u32>(v7 ^ v8, 7);
    v3 = v3 + v4 + m1; v14 = rotr<u32>(v14 ^ v3, 16); v9 = v9 + v14; v4 = rotr<u32>(v4 ^ v9, 12);
    v3 = v3 + v4 + m6; v14 = rotr<u32>(v14 ^ v3, 8); v9 = v9 + v14; v4 = rotr<u32>(v4 ^ v9, 7);
    // round 5
    v0 = v0 + v4 + m12; v12 = rotr<u32>(v12 ^ v0, 16); v8 = v8 + v12; v4 = rotr<u32>(v4 ^ v8, 12);
    v0 = v0 + v4 + m13; v12 = rotr<u32>(v12 ^ v0, 8); v8 = v8 + v12; v4 = rotr<u32>(v4 ^ v8, 7);
    v1 = v1 + v5 + m9; v13 = rotr<u32>(v13 ^ v1, 16); v9 = v9 + v13; v5 = rotr<u32>(v5 ^ v9, 12);
    v1 = v1 + v5 + m11; v13 = rotr<u32>(v13 ^ v1, 8); v9 = v9 + v13; v5 = rotr<u32>(v5 ^ v9, 7);
    v2 = v2 + v6 + m15; v14 = rotr<u32>(v14 ^ v2, 16); v10 = v10 + v14; v6 = rotr<u32>(v6 ^ v10, 12);
    v2 = v2 + v6 + m10; v14 = rotr<u32>(v14 ^ v2, 8); v10 = v10 + v14; v6 = rotr<u32>(v6 ^ v10, 7);
    v3 = v3 + v7 + m14; v15 = rotr<u32>(v15 ^ v3, 16); v11 = v11 + v15; v7 = rotr<u32>(v7 ^ v11, 12);
    v3 = v3 + v7 + m8; v15 = rotr<u32>(v15 ^ v3, 8); v11 = v11 + v15; v7 = rotr<u32>(v7 ^ v11, 7);
    v0 = v0 + v5 + m7; v15 = rotr<u32>(v15 ^ v0, 16); v10 = v10 + v15; v5 = rotr<u32>(v5 ^ v10, 12);
    v0 = v0 + v5 + m2; v15 = rotr<u32>(v15 ^ v0, 8); v10 = v10 + v15; v5 = rotr<u32>(v5 ^ v10, 7);
    v1 = v1 + v6 + m5; v12 = rotr<u32>(v12 ^ v1, 16); v11 = v11 + v12; v6 = rotr<u32>(v6 ^ v11, 12);
    v1 = v1 + v6 + m3; v12 = rotr<u32>(v12 ^ v1, 8); v11 = v11 + v12; v6 = rotr<u32>(v6 ^ v11, 7);
    v2 = v2 + v7 + m0; v13 = rotr<u32>(v13 ^ v2, 16); v8 = v8 + v13; v7 = rotr<u32>(v7 ^ v8, 12);
    v2 = v2 + v7 + m1; v13 = rotr<u32>(v13 ^ v2, 8); v8 = v8 + v13; v7 = rotr<u32>(v7 ^ v8, 7);
    v3 = v3 + v4 + m6; v14 = rotr<u32>(v14 ^ v3, 16); v9 = v9 + v14; v4 = rotr<u32>(v4 ^ v9, 12);
    v3 = v3 + v4 + m4; v14 = rotr<u32>(v14 ^ v3, 8); v9 = v9 + v14; v4 = rotr<u32>(v4 ^ v9, 7);
    // round 6
    v0 = v0 + v4 + m9; v12 = rotr<u32>(v12 ^ v0, 16); v8 = v8 + v12; v4 = rotr<u32>(v4 ^ v8, 12);
    v0 = v0 + v4 + m14; v12 = rotr<u32>(v12 ^ v0, 8); v8 = v8 + v12; v4 = rotr<u32>(v4 ^ v8, 7);
    v1 = v1 + v5 + m11; v13 = rotr<u32>(v13 ^ v1, 16); v9 = v9 + v13; v5 = rotr<u32>(v5 ^ v9, 12);
    v1 = v1 + v5 + m5; v13 = rotr<u32>(v13 ^ v1, 8); v9 = v9 + v13; v5 = rotr<u32>(v5 ^ v9, 7);
    v2 = v2 + v6 + m8; v14 = rotr<u32>(v14 ^ v2, 16); v10 = v10 + v14; v6 = rotr<u32>(v6 ^ v10, 12);
    v2 = v2 + v6 + m12; v14 = rotr<u32>(v14 ^ v2, 8); v10 = v10 + v14; v6 = rotr<u32>(v6 ^ v10, 7);
    v3 = v3 + v7 + m15; v15 = rotr<u32>(v15 ^ v3, 16); v11 = v11 + v15; v7 = rotr<u32>(v7 ^ v11, 12);
    v3 = v3 + v7 + m1; v15 = rotr<u32>(v15 ^ v3, 8); v11 = v11 + v15; v7 = rotr<u32>(v7 ^ v11, 7);
    v0 = v0 + v5 + m13; v15 = rotr<u32>(v15 ^ v0, 16); v10 = v10 + v15; v5 = rotr<u32>(v5 ^ v10, 12);
    v0 = v0 + v5 + m3; v15 = rotr<u32>(v15 ^ v0, 8); v10 = v10 + v15; v5 = rotr<u32>(v5 ^ v10, 7);
    v1 = v1 + v6 + m0; v12 = rotr<u32>(v12 ^ v1, 16); v11 = v11 + v12; v6 = rotr<u32>(v6 ^ v11, 12);
    v1 = v1 + v6 + m10; v12 = rotr<u32>(v12 ^ v1, 8); v11 = v11 + v12; v6 = rotr<u32>(v6 ^ v11, 7);
    v2 = v2 + v7 + m2; v13 = rotr<u32>(v13 ^ v2, 16); v8 = v8 + v13; v7 = rotr<u32>(v7 ^ v8, 12);
    v2 = v2 + v7 + m6; v13 = rotr<u32>(v13 ^ v2, 8); v8 = v8 + v13; v7 = rotr<u32>(v7 ^ v8, 7);
    v3 = v3 + v4 + m4; v14 = rotr<u32>(v14 ^ v3, 16); v9 = v9 + v14; v4 = rotr<u32>(v4 ^ v9, 12);
    v3 = v3 + v4 + m7; v14 = rotr<u32>(v14 ^ v3, 8); v9 = v9 + v14; v4 = rotr<u32>(v4 ^ v9, 7);
    // round 7
    v0 = v0 + v4 + m11; v12 = rotr<u32>(v12 ^ v0, 16); v8 = v8 + v12; v4 = rotr<u32>(v4 ^ v8, 12);
    v0 = v0 + v4 + m15; v12 = rotr<u32>(v12 ^ v0, 8); v8 = v8 + v12; v4 = rotr<u32>(v4 ^ v8, 7);
    v1 = v1 + v5 + m5; v13 = rotr<u32>(v13 ^ v1, 16); v9 = v9 + v13; v5 = rotr<u32>(v5 ^ v9, 12);
    v1 = v1 + v5 + m0; v13 = rotr<u32>(v13 ^ v1, 8); v9 = v9 + v13; v5 = rotr<u32>(v5 ^ v9, 7);
    v2 = v2 + v6 + m1; v14 = rotr<u32>(v14 ^ v2, 16); v10 = v10 + v14; v6 = rotr<u32>(v6 ^ v10, 12);
    v2 = v2 + v6 + m9; v14 = rotr<u32>(v14 ^ v2, 8); v10 = v10 + v14; v6 = rotr<u32>(v6 ^ v10, 7);
    v3 = v3 + v7 + m8; v15 = rotr<u32>(v15 ^ v3, 16); v11 = v11 + v15; v7 = rotr<u32>(v7 ^ v11, 12);
    v3 = v3 + v7 + m6; v15 = rotr<u32>(v15 ^ v3, 8); v11 = v11 + v15; v7 = rotr<u32>(v7 ^ v11, 7);
    v0 = v0 + v5 + m14; v15 = rotr<u32>(v15 ^ v0, 16); v10 = v10 + v15; v5 = rotr<u32>(v5 ^ v10, 12);
    v0 = v0 + v5 + m10; v15 = rotr<u32>(v15 ^ v0, 8); v10 = v10 + v15; v5 = rotr<u32>(v5 ^ v10, 7);
    v1 = v1 + v6 + m2; v12 = rotr<u32>(v12 ^ v1, 16); v11 = v11 + v12; v6 = rotr<u32>(v6 ^ v11, 12);
    v1 = v1 + v6 + m12; v12 = rotr<u32>(v12 ^ v1, 8); v11 = v11 + v12; v6 = rotr<u32>(v6 ^ v11, 7);
    v2 = v2 + v7 + m3; v13 = rotr<u32>(v13 ^ v2, 16); v8 = v8 + v13; v7 = rotr<u32>(v7 ^ v8, 12);
    v2 = v2 + v7 + m4; v13 = rotr<u32>(v13 ^ v2, 8); v8 = v8 + v13; v7 = rotr<u32>(v7 ^ v8, 7);
    v3 = v3 + v4 + m7; v14 = rotr<u32>(v14 ^ v3, 16); v9 = v9 + v14; v4 = rotr<u32>(v4 ^ v9, 12);
    v3 = v3 + v4 + m13; v14 = rotr<u32>(v14 ^ v3, 8); v9 = v9 + v14; v4 = rotr<u32>(v4 ^ v9, 7);

  store<u32>(out, v0 ^ v8, 0); store<u32>(out, v1 ^ v9, 4); store<u32>(out, v2 ^ v10, 8); store<u32>(out, v3 ^ v11, 12);
  store<u32>(out, v4 ^ v12, 16); store<u32>(out, v5 ^ v13, 20); store<u32>(out, v6 ^ v14, 24); store<u32>(out, v7 ^ v15, 28);
}

// @ts-ignore: decorator
@inline
function setIV(p: usize): void {
  store<u32>(p, IV0, 0); store<u32>(p, IV1, 4); store<u32>(p, IV2, 8); store<u32>(p, IV3, 12);
  store<u32>(p, IV4, 16); store<u32>(p, IV5, 20); store<u32>(p, IV6, 24); store<u32>(p, IV7, 28);
}

/** An incremental BLAKE3-256 hasher (unkeyed). Reusable: `reset()` starts a new message. */
export class Blake3 {
  /** Chaining value of the current chunk. */
  private cv: StaticArray<u32> = new StaticArray<u32>(8);
  /** The current block, zero-padded. */
  private block: StaticArray<u8> = new StaticArray<u8>(BLOCK_LEN);
  private blockLen: i32 = 0;
  private blocksCompressed: i32 = 0;
  private chunkCounter: u64 = 0;
  /** Chaining values of completed subtrees (at most 54 for 2^64 bytes). */
  private stack: StaticArray<u32> = new StaticArray<u32>(54 * 8);
  private stackLen: i32 = 0;
  /** A parent block (two chaining values). */
  private parent: StaticArray<u32> = new StaticArray<u32>(16);
  private outWords: StaticArray<u32> = new StaticArray<u32>(8);
  /** UTF-8 bytes of text being hashed. */
  private scratch: StaticArray<u8> = new StaticArray<u8>(SCRATCH);
  /** Chaining values of four chunks hashed side by side (SIMD builds). */
  private cvs4: StaticArray<u32> = new StaticArray<u32>(32);

  constructor() {
    this.reset();
  }

  reset(): void {
    setIV(changetype<usize>(this.cv));
    memory.fill(changetype<usize>(this.block), 0, BLOCK_LEN);
    this.blockLen = 0;
    this.blocksCompressed = 0;
    this.chunkCounter = 0;
    this.stackLen = 0;
  }

  /** Hashes `len` bytes at `ptr`. */
  update(ptr: usize, len: i32): void {
    const cv = changetype<usize>(this.cv);
    const block = changetype<usize>(this.block);
    if (ASC_FEATURE_SIMD && this.blockLen == 0 && this.blocksCompressed == 0) {
      const took = this.wide(ptr, len);
      ptr += took;
      len -= took;
    }
    while (len > 0) {
      if (this.blockLen == BLOCK_LEN) {
        if (this.blocksCompressed == 15) {
          // the chunk is complete and more input follows: finish it as a non-root chunk
          compress(cv, block, this.chunkCounter, <u32>BLOCK_LEN, CHUNK_END, cv);
          this.chunkCounter++;
          this.pushChunk(this.chunkCounter);
          setIV(cv);
          this.blocksCompressed = 0;
        } else {
          compress(cv, block, this.chunkCounter, <u32>BLOCK_LEN, this.blocksCompressed == 0 ? CHUNK_START : 0, cv);
          this.blocksCompressed++;
        }
        this.blockLen = 0;
        if (ASC_FEATURE_SIMD && this.blocksCompressed == 0) {
          const took = this.wide(ptr, len);
          ptr += took;
          len -= took;
        }
        // full blocks straight from the input, while more than one block remains
        while (len > BLOCK_LEN && this.blocksCompressed < 15) {
          compress(cv, ptr, this.chunkCounter, <u32>BLOCK_LEN, this.blocksCompressed == 0 ? CHUNK_START : 0, cv);
          this.blocksCompressed++;
          ptr += BLOCK_LEN;
          len -= BLOCK_LEN;
        }
        memory.fill(block, 0, BLOCK_LEN);
      }
      let take = BLOCK_LEN - this.blockLen;
      if (take > len) take = len;
      memory.copy(block + <usize>this.blockLen, ptr, take);
      this.blockLen += take;
      ptr += take;
      len -= take;
    }
  }

  /**
   * At a chunk boundary (SIMD builds): whole chunks four at a time (blake3-simd.ts chunks4) while
   * more than four remain, so the last chunk is never taken here; returns the bytes taken.
   */
  private wide(ptr: usize, len: i32): i32 {
    const cv = changetype<usize>(this.cv);
    const cvs = changetype<usize>(this.cvs4);
    let took = 0;
    while (len - took > 4 * CHUNK_LEN) {
      chunks4(ptr + <usize>took, this.chunkCounter, cvs);
      for (let j = 0; j < 4; j++) {
        memory.copy(cv, cvs + (<usize>j << 5), 32);
        this.chunkCounter++;
        this.pushChunk(this.chunkCounter);
      }
      took += 4 * CHUNK_LEN;
    }
    if (took > 0) setIV(cv);
    return took;
  }

  /** Hashes the bytes of `b`. */
  updateBytes(b: Uint8Array): void {
    this.update(b.dataStart, b.length);
  }

  /** Hashes the UTF-8 bytes of `len` UTF-16 code units at `ptr` (lone surrogates as U+FFFD). */
  updateUtf16(ptr: usize, len: i32): void {
    const sc = changetype<usize>(this.scratch);
    let n = 0;
    for (let i = 0; i < len; i++) {
      if (n > SCRATCH - 16) {
        this.update(sc, n);
        n = 0;
      }
      // with SIMD, sixteen ASCII code units at a time, narrowed into one vector of bytes
      if (ASC_FEATURE_SIMD) {
        if (i + 16 <= len) {
          const lo = v128.load(ptr + (<usize>i << 1));
          const hi = v128.load(ptr + (<usize>i << 1), 16);
          if (!v128.any_true(v128.and(v128.or(lo, hi), i16x8.splat(<i16>0xff80)))) {
            v128.store(sc + n, i8x16.narrow_i16x8_u(lo, hi));
            n += 16;
            i += 15;
            continue;
          }
        }
      }
      // four ASCII code units at a time, narrowed into one word
      if (i + 4 <= len) {
        const x = load<u64>(ptr + (<usize>i << 1));
        if ((x & 0xff80ff80ff80ff80) == 0) {
          store<u32>(sc + n, <u32>(x & 0xff) | <u32>((x >> 8) & 0xff00) | <u32>((x >> 16) & 0xff0000) | <u32>((x >> 24) & 0xff000000));
          n += 4;
          i += 3;
          continue;
        }
      }
      let c = <u32>load<u16>(ptr + (<usize>i << 1));
      if (c < 0x80) {
        store<u8>(sc + n, <u8>c);
        n++;
        continue;
      }
      if (c < 0x800) {
        store<u8>(sc + n, <u8>(0xc0 | (c >> 6)));
        store<u8>(sc + n + 1, <u8>(0x80 | (c & 63)));
        n += 2;
        continue;
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        const d: u32 = i + 1 < len ? <u32>load<u16>(ptr + (<usize>(i + 1) << 1)) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          store<u8>(sc + n, <u8>(0xf0 | (c >> 18)));
          store<u8>(sc + n + 1, <u8>(0x80 | ((c >> 12) & 63)));
          store<u8>(sc + n + 2, <u8>(0x80 | ((c >> 6) & 63)));
          store<u8>(sc + n + 3, <u8>(0x80 | (c & 63)));
          n += 4;
          continue;
        }
        c = 0xfffd;
      }
      store<u8>(sc + n, <u8>(0xe0 | (c >> 12)));
      store<u8>(sc + n + 1, <u8>(0x80 | ((c >> 6) & 63)));
      store<u8>(sc + n + 2, <u8>(0x80 | (c & 63)));
      n += 3;
    }
    if (n > 0) this.update(sc, n);
  }

  /** Hashes the UTF-8 bytes of `s`. */
  updateStr(s: string): void {
    this.updateUtf16(changetype<usize>(s), s.length);
  }

  /** Merges completed subtrees: `total` chunks are done; pushes the current chaining value. */
  private pushChunk(total: u64): void {
    const cv = changetype<usize>(this.cv);
    const par = changetype<usize>(this.parent);
    const st = changetype<usize>(this.stack);
    // cv currently holds the finished chunk's chaining value
    while ((total & 1) == 0) {
      this.stackLen--;
      memory.copy(par, st + (<usize>this.stackLen << 5), 32);
      memory.copy(par + 32, cv, 32);
      setIV(cv);
      compress(cv, par, 0, <u32>BLOCK_LEN, PARENT, cv);
      total >>= 1;
    }
    memory.copy(st + (<usize>this.stackLen << 5), cv, 32);
    this.stackLen++;
  }

  /** The 32-byte digest of everything hashed since the last reset, written to `out`. */
  finishInto(out: usize): void {
    const cv = changetype<usize>(this.cv);
    const block = changetype<usize>(this.block);
    const par = changetype<usize>(this.parent);
    const st = changetype<usize>(this.stack);
    const ow = changetype<usize>(this.outWords);
    let flags = CHUNK_END | (this.blocksCompressed == 0 ? CHUNK_START : 0);
    if (this.stackLen == 0) {
      compress(cv, block, this.chunkCounter, <u32>this.blockLen, flags | ROOT, out);
      return;
    }
    compress(cv, block, this.chunkCounter, <u32>this.blockLen, flags, ow);
    let i = this.stackLen;
    while (i > 0) {
      i--;
      memory.copy(par, st + (<usize>i << 5), 32);
      memory.copy(par + 32, ow, 32);
      setIV(ow);
      compress(ow, par, 0, <u32>BLOCK_LEN, i == 0 ? PARENT | ROOT : PARENT, i == 0 ? out : ow);
    }
  }

  /** The 32-byte digest as a new array. */
  digest(): Uint8Array {
    const r = new Uint8Array(32);
    this.finishInto(r.dataStart);
    return r;
  }
}

const shared = new Blake3();

/** BLAKE3-256 of bytes. */
export function blake3(data: Uint8Array): Uint8Array {
  shared.reset();
  shared.updateBytes(data);
  return shared.digest();
}

/** BLAKE3-256 of a string's UTF-8 bytes. */
export function blake3Text(s: string): Uint8Array {
  shared.reset();
  shared.updateStr(s);
  return shared.digest();
}
