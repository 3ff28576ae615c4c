// The compiled core's hash module (wasm/as/hash) against the oracle (engine/hash, json-error.ts):
// BLAKE3 (the shipped wasm SIMD build and a scalar build) on the published vectors and on random
// inputs against hash-wasm, base32, UTF-8 decoding against TextDecoder, canonical JSON against
// engine/hash on fast-check values, and the JSON reader's error positions against the oracle's
// message for broken JSON.
import { blake3 as wasmBlake3 } from 'hash-wasm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { base32, canonicalJson } from '../engine/hash/index';
import { parseDescriptorJson } from '../engine/eval/normalise';
import { compileEntry } from './support/core-asc';

const ENTRY = `
import { blake3, blake3Text, toHex, base32, parseJson, canonicalJson, position, utf8Decode, utf8AppendTo, StrBuilder, jsString, setNumberCodecs, writeStr, writeStrBody } from '@as/hash/index';
import { jsNum } from '@as/rt/numfmt';
import { jsonNumber, jsNumber } from '@as/hash/numfmt';
/** The core links rt's exact number printing (plan/evaluator.ts setupCore). */
export function exactNumbers(): void { setNumberCodecs(jsNum, null); }
export function fmt(x: f64): string { return jsNumber(x); }
export function readNum(s: string): f64 { return jsonNumber(s); }
export function hashHex(b: Uint8Array): string { return toHex(blake3(b)); }
export function hashTextHex(s: string): string { return toHex(blake3Text(s)); }
export function b32(b: Uint8Array, n: i32): string { return base32(b, n); }
export function decode(b: Uint8Array): string { return utf8Decode(b); }
/** utf8AppendTo into a builder that starts small and already holds prefix. */
export function appendDecode(prefix: string, b: Uint8Array): string {
  const sb = new StrBuilder(1);
  sb.str(prefix);
  utf8AppendTo(sb, b.dataStart, b.length);
  return sb.toString();
}
export function canon(text: string): string {
  const p = parseJson(text);
  if (p.value === null) return 'ERR at ' + position(text, p.errAt) + ' of the rendered text: unexpected ' + p.found;
  const c = canonicalJson(p.value!);
  return c === null ? 'NONFINITE' : c;
}
/** writeStr and writeStrBody of s into a builder that starts small and already holds prefix, joined by '|'. */
export function strWritten(prefix: string, s: string): string {
  const sb = new StrBuilder(1);
  sb.str(prefix);
  writeStr(sb, s);
  sb.ch(124);
  writeStrBody(sb, s);
  return sb.toString();
}
export function str(text: string): string {
  const p = parseJson(text);
  return p.value === null ? 'ERR' : jsString(p.value!);
}
`;

interface Mod {
  hashHex(b: Uint8Array): string;
  hashTextHex(s: string): string;
  b32(b: Uint8Array, n: number): string;
  decode(b: Uint8Array): string;
  appendDecode(prefix: string, b: Uint8Array): string;
  canon(text: string): string;
  str(text: string): string;
  strWritten(prefix: string, s: string): string;
  exactNumbers(): void;
  fmt(x: number): string;
  readNum(s: string): number;
}

let m: Mod;
/** The same entry built without wasm SIMD (blake3.ts's scalar compression). */
let scalar: Mod;
const disposers: (() => void)[] = [];
beforeAll(async () => {
  const c = await compileEntry<Mod>(ENTRY);
  const s = await compileEntry<Mod>(ENTRY, { scalar: true });
  m = c.mod;
  scalar = s.mod;
  m.exactNumbers();
  disposers.push(c.dispose, s.dispose);
}, 120_000);
afterAll(() => {
  for (const d of disposers) d();
});

/** The input pattern of BLAKE3's official test vectors: byte i is i mod 251. */
const pattern = (n: number): Uint8Array => new Uint8Array(n).map((_, i) => i % 251);

/** Deterministic pseudo-random bytes. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s & 255;
  }
  return out;
}

/** The BLAKE3 entry points, from the shipped build (wasm SIMD) and from a scalar build. */
type Hasher = Pick<Mod, 'hashHex' | 'hashTextHex'>;

describe.each([
  ['SIMD', (): Hasher => m],
  ['scalar', (): Hasher => scalar],
])('BLAKE3, %s compression', (_, hasher) => {
  let m: Hasher;
  beforeAll(() => {
    m = hasher();
  });
  test('the published vectors', () => {
    expect(m.hashHex(new Uint8Array(0))).toBe('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
    expect(m.hashHex(new TextEncoder().encode('abc'))).toBe('6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85');
    expect(m.hashHex(pattern(1025))).toBe('d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444');
    expect(m.hashHex(pattern(2048))).toBe('e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a');
  });
  test('every length around block, chunk and tree boundaries equals hash-wasm', async () => {
    const lens = new Set<number>();
    for (const b of [0, 64, 1024, 2048, 3072, 4096, 5120, 8192, 12288, 16384, 20480, 31744, 65536]) for (let d = -2; d <= 2; d++) if (b + d >= 0) lens.add(b + d);
    for (let n = 0; n < 200; n++) lens.add(n);
    for (const n of lens) {
      const b = bytes(n, n + 7);
      expect(m.hashHex(b), `length ${n}`).toBe(await wasmBlake3(b));
    }
  });
  test('random inputs up to 300 KB equal hash-wasm', async () => {
    for (let k = 0; k < 60; k++) {
      const n = k < 50 ? (k * 7919) % 20000 : 100_000 + k * 4001;
      const b = bytes(n, k * 31 + 1);
      expect(m.hashHex(b)).toBe(await wasmBlake3(b));
    }
  });
  test('every length class, as bytes and as UTF-16 text, equals hash-wasm', async () => {
    const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
    for (const n of [0, 1, 63, 64, 65, 1023, 1024, 1025, 2048, 3073, 8193, 100_000]) {
      const b = bytes(n, n + 3);
      expect(m.hashHex(b), `bytes ${n}`).toBe(await wasmBlake3(b));
      // n code units: ASCII, then every eighth unit 2-, 3- or 4-byte UTF-8 (a surrogate pair)
      const units: string[] = [];
      for (let i = 0; units.length < n; i++) units.push(i % 8 !== 7 ? String.fromCharCode(97 + (i % 26)) : ['\u00e9', '\u20ac', '\u{1f600}'][(i >> 3) % 3]);
      const s = units.join('').slice(0, n);
      expect(m.hashTextHex(s), `text ${n}`).toBe(await wasmBlake3(enc(s)));
    }
    // a multi-byte character whose UTF-8 straddles a 64-byte block, a 1 KiB chunk and the 4 KiB
    // scratch: every start from 4 bytes before the boundary to the boundary
    for (const edge of [64, 128, 1024, 2048, 4096]) {
      for (const u of ['\u00e9', '\u20ac', '\u{1f600}', '\u{10ffff}']) {
        for (let k = edge - 4; k <= edge; k++) {
          const s = 'x'.repeat(k) + u + 'yz'.repeat(40);
          expect(m.hashTextHex(s), `${edge} ${k}`).toBe(await wasmBlake3(enc(s)));
          expect(m.hashTextHex(s.slice(0, k + u.length)), `${edge} ${k} end`).toBe(await wasmBlake3(enc(s.slice(0, k + u.length))));
        }
      }
    }
  });
  test('text is hashed as its UTF-8 (lone surrogates as U+FFFD)', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 3000 }), async (s) => {
      expect(m.hashTextHex(s)).toBe(await wasmBlake3(new TextEncoder().encode(s)));
    }), { numRuns: 300 });
    const lone = 'caf\u00e9 \u{1f600} \ud800 x\udc00';
    expect(m.hashTextHex(lone)).toBe(await wasmBlake3(new TextEncoder().encode(lone)));
    const big = 'é€😀a'.repeat(5000);
    expect(m.hashTextHex(big)).toBe(await wasmBlake3(new TextEncoder().encode(big)));
    // ASCII goes sixteen (SIMD) or four code units at a time: one other unit at each offset mod
    // 16, around 4 KiB (four chunks) and around the 16 KiB scratch the UTF-8 is hashed from
    const ascii = 'abcdefghij'.repeat(1660);
    for (const at of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 4089, 4090, 4095, 4096, 4097, 4198, 16365, 16366, 16367, 16368, 16369, 16370, 16383, 16384, 16385, 16598, 16599]) {
      for (const u of ['\u007f', '\u0080', '\u00e9', '\u20ac', '\ud83d', '\u{1f600}']) {
        const s = ascii.slice(0, at) + u + ascii.slice(at);
        expect(m.hashTextHex(s), `${at} ${u}`).toBe(await wasmBlake3(new TextEncoder().encode(s)));
        expect(m.hashTextHex(s.slice(0, at + 1))).toBe(await wasmBlake3(new TextEncoder().encode(s.slice(0, at + 1))));
      }
    }
  });
});

describe('encodings', () => {
  test('base32 equals engine/hash', () => {
    for (let k = 0; k < 50; k++) {
      const b = bytes(32, k + 3);
      expect(m.b32(b, 32)).toBe(base32(b, 32));
      expect(m.b32(b, 51)).toBe(base32(b, 51));
    }
  });
  test('UTF-8 decoding equals TextDecoder, invalid bytes included', () => {
    const dec = new TextDecoder();
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      expect(m.decode(b)).toBe(dec.decode(b));
    }), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      const b = new TextEncoder().encode(s);
      expect(m.decode(b)).toBe(dec.decode(b));
    }), { numRuns: 500 });
  });
  test('UTF-8 decoding of ASCII-only and mixed text (the widening fast path), alone and appended to a builder', () => {
    const dec = new TextDecoder();
    const text = fc.oneof(fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 40 }));
    fc.assert(fc.property(text, fc.string({ maxLength: 20 }), (s, prefix) => {
      const b = new TextEncoder().encode(s);
      expect(m.decode(b)).toBe(s);
      expect(m.appendDecode(prefix, b)).toBe(prefix + dec.decode(b));
    }), { numRuns: 2000 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
      expect(m.appendDecode('x', b)).toBe('x' + dec.decode(b));
    }), { numRuns: 1000 });
    // SIMD: sixteen bytes a step; one non-ASCII byte or character at every offset of lengths 0-40
    for (let len = 0; len <= 40; len++) {
      const fill = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ'.slice(0, len);
      const plain = new TextEncoder().encode(fill);
      expect(m.decode(plain)).toBe(fill);
      expect(m.appendDecode('x', plain)).toBe('x' + fill);
      for (let at = 0; at < len; at++) {
        for (const bad of [0x80, 0xff, 0xc3]) {
          const b = plain.slice();
          b[at] = bad;
          expect(m.decode(b)).toBe(dec.decode(b));
          expect(m.appendDecode('x', b)).toBe('x' + dec.decode(b));
        }
        const s = fill.slice(0, at) + '\u00e9' + fill.slice(at + 1);
        expect(m.decode(new TextEncoder().encode(s))).toBe(s);
      }
    }
  });
});

/**
 * JSON text of a value with its numbers made short exact ones (integers, eighths): reading a
 * decimal is AssemblyScript's parseFloat, not always correctly rounded, so arbitrary doubles
 * are pinned only where they are printed (the exact codec test below).
 */
const tame = (v: unknown, space?: number): string =>
  JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' ? Math.trunc(x % 1e9) / 8 : x), space);

describe('JSON', () => {
  test('canonical JSON of parsed values equals engine/hash canonicalJson', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      const text = tame(v);
      expect(m.canon(text)).toBe(canonicalJson(JSON.parse(text)));
    }), { numRuns: 3000 });
    fc.assert(fc.property(fc.jsonValue({ stringUnit: 'binary' }), (v) => {
      const text = tame(v, 1);
      expect(m.canon(text)).toBe(canonicalJson(JSON.parse(text)));
    }), { numRuns: 1000 });
  });
  test('strings with characters to escape at every offset (the writer scans four code units at a time)', () => {
    const unit = fc.constantFrom('a', ' ', '~', '"', '\\', '\n', '\t', '\u0000', '\u001f', '\u007f', '\u00e9', '\u7fff', '\u8000', '\ud800', '\udc00', '\ud83d\ude00', '\uffff');
    fc.assert(fc.property(fc.array(unit, { maxLength: 40 }), fc.nat(7), (units, pad) => {
      const str = 'x'.repeat(pad) + units.join('');
      const text = JSON.stringify([str, { [str]: str }]);
      expect(m.canon(text)).toBe(canonicalJson(JSON.parse(text)));
    }), { numRuns: 3000 });
  });
  test('string writing (SIMD: eight code units a step) equals JSON.stringify for every escape class at every offset', () => {
    // one unit of every class the writer tells apart, a surrogate pair, and plain fillers
    const classes = ['"', '\\', '\n', '\r', '\t', '\b', '\f', '\u0000', '\u001f', '\u007f', '\u00e9', '\u7fff', '\u8000', '\ud7ff', '\ud800', '\udbff', '\udc00', '\udfff', '\ue000', '\uffff', '\ud83d\ude00'];
    const expectAll = (s: string, prefix: string): void => {
      const want = prefix + JSON.stringify(s) + '|' + JSON.stringify(s).slice(1, -1);
      expect(m.strWritten(prefix, s), JSON.stringify(s)).toBe(want);
      expect(scalar.strWritten(prefix, s), JSON.stringify(s)).toBe(want);
    };
    for (let len = 0; len <= 40; len++) {
      const fill = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ'.slice(0, len);
      expectAll(fill, '');
      for (const c of classes) {
        for (let at = 0; at + c.length <= len; at++) {
          const s = fill.slice(0, at) + c + fill.slice(at + c.length);
          expectAll(s, '');
          expectAll(s, 'p'.repeat(at % 9));
        }
      }
    }
    // surrogate pairs split at group edges, lone halves at the end and the start
    for (let at = 0; at < 24; at++) {
      const a = 'x'.repeat(at);
      for (const tail of ['\ud83d\ude00', '\ud83d', '\ude00', '\ude00\ud83d', '\ud83d\ud83d\ude00', '\ud83d"\ude00']) {
        expectAll(a + tail, '');
        expectAll(a + tail + 'y'.repeat(17 - (at % 17)), 'q');
        expectAll(tail + a, '');
      }
    }
    // every unit below 0x100 and every escape class repeated, in long strings
    let all = '';
    for (let c = 0; c < 0x100; c++) all += String.fromCharCode(c);
    expectAll(all, '');
    expectAll(classes.join('').repeat(20), 'z');
    expectAll('a'.repeat(1000) + '"' + 'b'.repeat(1000), '');
  });
  test('numbers of parsed JSON (integers, short binary fractions) print as JS prints them', () => {
    for (const t of ['0', '-0', '1', '-7', '0.5', '1e21', '1e20', '1e-7', '123456789012', '9007199254740993', '0.1', '-1.25e-10', '100', '1E2']) {
      expect(m.canon(t)).toBe(canonicalJson(JSON.parse(t)));
    }
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 }), fc.constantFrom(1, 2, 4, 8), (k, d) => {
      const t = JSON.stringify(k / d);
      expect(m.canon(t)).toBe(canonicalJson(JSON.parse(t)));
    }), { numRuns: 3000 });
  });
  test('with rt\'s exact printing, every double prints as JS prints it', () => {
    m.exactNumbers();
    for (const x of [1.5e300, 5e-324, 2.2250738585072014e-308, -1.0419020010788356e-75, 1e21, 123e-20, 0.1, -0, 9.201442765180871e38]) expect(m.fmt(x)).toBe(String(x));
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
      expect(m.fmt(x)).toBe(String(x));
    }), { numRuns: 20000 });
  });
  test('decimal reading is exact for integers and the shortest forms of short fractions', () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 53), max: 2 ** 53 }), fc.constantFrom(1, 2, 4, 8, 1024), (k, d) => {
      const t = String(k / d);
      expect(m.readNum(t)).toBe(Number(t));
    }), { numRuns: 5000 });
  });
  test('String() of values as JS', () => {
    for (const t of ['[1,[2,null],"a",true]', '{"a":1}', 'null', '1.5', '[]', '[[]]']) {
      expect(m.str(t)).toBe(String(JSON.parse(t)));
    }
  });
  test('broken JSON is reported where the oracle reports it', () => {
    const oracle = (text: string): string => {
      try {
        parseDescriptorJson(text, 'p');
      } catch (e) {
        return (e as { detail: string }).detail.replace('rendered descriptor is not valid JSON', 'ERR');
      }
      return canonicalJson(JSON.parse(text));
    };
    const cases = ['', ' ', '{', '{"a"', '{"a":', '{"a":1,}', '[1,]', '[1 2]', '"abc', '"a\\x"', '"\\u12g4"', 'tru', 'nul', '01', '-', '1.', '1e', '{"a":1}x',
      '\n\n  {"a":\n[1,2,\n3,,]}', '"\u0001"', '{1:2}', '😀', '[😀]', '"\\ud83d', '[' .repeat(600) + ']'.repeat(600), '['.repeat(600), '[1]]', '{"a":1}}'];
    for (const t of cases) expect(m.canon(t), JSON.stringify(t)).toBe(oracle(t));
    // the string reader (SIMD: eight code units a step): ends, escapes and bad units at every offset
    for (let at = 0; at <= 20; at++) {
      for (const x of ['', '\u0001', '\u001f', '\\n', '\\x', '\\u00e9', '\\', '"', '\n', '\u00e9']) {
        for (const tail of ['', 'b', 'bbbbbbbbbbbbbbbbb']) {
          for (const close of ['', '"', '"]']) {
            const t = '["' + 'a'.repeat(at) + x + tail + close;
            expect(m.canon(t), JSON.stringify(t)).toBe(oracle(t));
          }
        }
      }
    }
    fc.assert(fc.property(fc.jsonValue(), fc.nat(), fc.constantFrom('', ',', ']', '}', '"', ':', 'x', '\n', '\\', '{', '['), fc.boolean(), (v, at, ins, cut) => {
      const text = tame(v, 1);
      const i = at % (text.length + 1);
      const broken = cut ? text.slice(0, i) + ins : text.slice(0, i) + ins + text.slice(i);
      expect(m.canon(broken)).toBe(oracle(broken));
    }), { numRuns: 3000 });
  });
});
