// Pins ix's one encoding and one hash (engine/hash): BLAKE3 vectors (checked against hash-wasm,
// an independent implementation), RFC 8785 canonical JSON, base32, store ids, UTF-8.
import { blake3 as wasmBlake3 } from 'hash-wasm';
import { describe, expect, test } from 'vitest';
import { plan } from '../engine/index';
import { hostTextDigest } from '../engine/host-digest';
import { memIO } from './support/memfs';
import {
  base32, canonicalJson, canonicalJsonReference, hexOf, pureBlake3, storeIdOf, STORE_ID_CHARS, textDigest, toHex, utf8, utf8Decode, utf8DecodePure, utf8Pure,
} from '../engine/hash/index';

/** The input pattern of BLAKE3's official test vectors: byte i is i mod 251. */
const pattern = (n: number): Uint8Array => new Uint8Array(n).map((_, i) => i % 251);

describe('blake3', () => {
  const vectors: [string, Uint8Array, string][] = [
    ['empty', new Uint8Array(0), 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262'],
    ['abc', utf8('abc'), '6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85'],
    ['1025 bytes (just past one chunk)', pattern(1025), 'd00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444'],
    ['2 KiB (two chunks, a parent node)', pattern(2048), 'e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a'],
  ];
  for (const [label, input, hex] of vectors) {
    test(`pure BLAKE3 of ${label} equals the pinned vector and hash-wasm`, async () => {
      expect(toHex(pureBlake3(input))).toBe(hex);
      expect(await wasmBlake3(input)).toBe(hex);
      expect(hexOf(input)).toBe(hex);
    });
  }
  test('a host digest is used when given', () => {
    const fake = (d: Uint8Array): Uint8Array => new Uint8Array(32).fill(d.length);
    expect(hexOf('abc', fake)).toBe('03'.repeat(32));
  });
  test('a text digest is BLAKE3 of the UTF-8 bytes, pure or through a host digest', async () => {
    expect(toHex(textDigest()('abc'))).toBe('6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85');
    const text = 'caf\u00e9 \u{1f600} \ud800'; // 2-, 4-byte sequences and a lone surrogate (U+FFFD)
    const want = await wasmBlake3(new TextEncoder().encode(text));
    expect(toHex(textDigest()(text))).toBe(want);
    expect(toHex(textDigest(pureBlake3)(text))).toBe(want);
    expect(toHex(hostTextDigest({ readFile: () => undefined, listDir: () => undefined })(text))).toBe(want);
  });
  test("a host's digestText counts only together with its digest", () => {
    const io = { readFile: () => undefined, listDir: () => undefined, digestText: () => new Uint8Array(32) };
    expect(toHex(hostTextDigest(io)('abc'))).toBe('6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85');
    const both = { ...io, digest: pureBlake3 };
    expect(toHex(hostTextDigest(both)('abc'))).toBe('00'.repeat(32));
  });
});

describe('canonicalJson (RFC 8785)', () => {
  test('sorts keys, also nested, and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
    expect(canonicalJson({ z: { y: [3, { d: 1, c: 2 }] }, a: null, m: [true, false] })).toBe(
      '{"a":null,"m":[true,false],"z":{"y":[3,{"c":2,"d":1}]}}',
    );
  });
  test('orders keys by UTF-16 code units, not code points', () => {
    // U+20AC < U+1F600 (surrogates D83D…) < U+FB33 in UTF-16 order; by code point FB33 would come before 1F600.
    expect(canonicalJson({ '\ufb33': 3, '\u{1f600}': 2, '\u20ac': 1 })).toBe('{"\u20ac":1,"\u{1f600}":2,"\ufb33":3}');
    expect(canonicalJson({ b: 1, B: 2, a: 3, _: 4 })).toBe('{"B":2,"_":4,"a":3,"b":1}');
  });
  test('keeps non-ASCII raw and escapes only what JSON must', () => {
    expect(canonicalJson(['é\u2028😀', '\u0007\n"\\', '/'])).toBe('["é\u2028😀","\\u0007\\n\\"\\\\","/"]');
  });
  test('equals the reference implementation (canonicalize) on 2,000 random values', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const chars = ['a', 'Z', '_', 'é', '\u20ac', '\u{1f600}', '\ufb33', '"', '\\', '\n', '\u0001', '\u2028', ' ', '0'];
    const str = (): string => Array.from({ length: rnd(6) }, () => chars[rnd(chars.length)]).join('');
    const val = (depth: number): unknown => {
      switch (depth > 3 ? rnd(4) : rnd(7)) {
        case 0: return str();
        case 1: return [0, -0, 1, -7, 0.5, 1e21, 1e-7, 123456789012, 2 ** 53][rnd(9)];
        case 2: return [true, false, null][rnd(3)];
        case 3: return rnd(2) ? str() : rnd(1000);
        case 4: return Array.from({ length: rnd(4) }, () => val(depth + 1));
        default: {
          const o: Record<string, unknown> = {};
          for (let i = rnd(5); i > 0; i--) o[str()] = rnd(8) ? val(depth + 1) : undefined;
          return o;
        }
      }
    };
    for (let i = 0; i < 2000; i++) {
      const v = val(0);
      expect(canonicalJson(v)).toBe(canonicalJsonReference(v));
    }
  });
  test('formats numbers as ECMAScript does and rejects non-finite ones', () => {
    expect(canonicalJson([1.0, -0, 1e21, 0.1, 100])).toBe('[1,0,1e+21,0.1,100]');
    expect(() => canonicalJson(NaN)).toThrow();
    expect(() => canonicalJson({ a: [Infinity] })).toThrow();
  });
});

describe('base32 and store ids', () => {
  test('base32 reads bits most significant first with the Nix alphabet', () => {
    expect(base32(Uint8Array.of(0xff), 1)).toBe('z');
    expect(base32(Uint8Array.of(0x80), 1)).toBe('h');
    expect(base32(Uint8Array.of(0x12, 0x34), 3)).toBe('28s');
    expect(base32(new Uint8Array(20), 32)).toBe('0'.repeat(32));
    expect(() => base32(Uint8Array.of(1), 2)).toThrow(/not enough bytes/);
  });
  test('storeIdOf is 32 chars of BLAKE3 over the canonical JSON, independent of key order', async () => {
    const id = storeIdOf({ b: [1, 2], a: 'x' });
    expect(id).toBe(storeIdOf({ a: 'x', b: [1, 2] }));
    expect(id).toHaveLength(STORE_ID_CHARS);
    expect(id).toMatch(/^[0-9abcdfghijklmnpqrsvwxyz]{32}$/);
    expect(id).toBe(base32(pureBlake3(utf8('{"a":"x","b":[1,2]}')), 32));
    const independent = Uint8Array.from(Buffer.from(await wasmBlake3('{"a":"x","b":[1,2]}'), 'hex'));
    expect(id).toBe(base32(independent, 32));
    expect(id).toBe('idpkr2y2217kwja505sv8z2bkwmvr78j');
    expect(storeIdOf({ a: 'y', b: [1, 2] })).not.toBe(id);
  });
});

describe('utf8', () => {
  const samples = ['', 'abc', 'é', '€', '😀 and ascii', 'mixed ünïcödé ✓ 𝄞', '\ud800 lone', 'end \udc00', 'x'.repeat(1000)];
  test('the pure encoder gives the same bytes as TextEncoder (lone surrogates → U+FFFD)', () => {
    for (const s of samples) expect(toHex(utf8Pure(s))).toBe(toHex(new TextEncoder().encode(s)));
    expect(toHex(utf8('é'))).toBe('c3a9');
  });
  test('the pure decoder inverts the encoder on well-formed text', () => {
    for (const s of samples.slice(0, 6)) {
      expect(utf8DecodePure(utf8(s))).toBe(s);
      expect(utf8Decode(utf8(s))).toBe(s);
    }
    expect(utf8DecodePure(Uint8Array.of(0x61, 0xff, 0x62))).toBe('a\ufffdb');
  });
});

describe('store paths', () => {
  test('a pinned store path for a small fixed plan (changes only when the node format or hashing changes)', () => {
    const descriptor = {
      bld: { fetch: [{ url: 'https://example.org/h.c', sha256: '0'.repeat(64) }], script: { kind: 'sh', data: 'echo hello > $out/hello' } },
      task_pool: 'slot',
    };
    const io = memIO({ 'bin/hello/ix.sh': JSON.stringify(descriptor) + '\n' });
    const p = JSON.parse(utf8Decode(plan(io, { packages: ['bin/hello'] })));
    expect(p.nodes.map((n: { out: string }) => n.out)).toEqual([
      '/ix/store/8wamhbs49yjbg8n0lvj52rxs797b1c24-src-h-c',
      '/ix/store/jp6ckar6i6554a60xl9fqhhn0979hir3-bin-hello',
    ]);
    // the fetch node's id is storeIdOf({file, sha256}) and nothing else
    expect(p.nodes[0].id).toBe(storeIdOf({ file: 'h.c', sha256: '0'.repeat(64) }));
  });
});
