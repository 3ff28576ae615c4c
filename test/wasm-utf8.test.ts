// The UTF-8 TextDecoder/TextEncoder stand-ins the QuickJS core uses (wasm/utf8.ts): the same
// strings and bytes as Node's own on valid UTF-8, across the decoder's 8 KiB ASCII fast-path
// chunks and with multi-byte sequences straddling a chunk boundary; U+FFFD for invalid bytes.
import { describe, expect, test } from 'vitest';
import { Utf8Decoder, Utf8Encoder } from '../wasm/utf8';

const ours = new Utf8Decoder();
const node = new TextDecoder();
const enc = new TextEncoder();

describe('wasm/utf8 decoder', () => {
  test('valid UTF-8 decodes exactly as TextDecoder, at and around chunk boundaries', () => {
    const pieces = ['', 'a', 'é', '€', '😀', 'plain ascii {% block x %}\n'];
    for (const pad of [0, 1, 8189, 8190, 8191, 8192, 8193, 16383]) {
      for (const p of pieces) {
        const s = 'x'.repeat(pad) + p + 'y'.repeat(pad % 7) + p + 'z'.repeat(9000);
        expect(ours.decode(enc.encode(s)), `pad ${pad} piece ${JSON.stringify(p)}`).toBe(s);
      }
    }
    const mixed = Array.from({ length: 20000 }, (_, i) => String.fromCodePoint([0x41, 0xe9, 0x20ac, 0x1f600][i % 4] + (i % 13))).join('');
    expect(ours.decode(enc.encode(mixed))).toBe(node.decode(enc.encode(mixed)));
  });

  test('accepts ArrayBuffer and views with an offset; empty input is the empty string', () => {
    const b = enc.encode('--héllo--');
    expect(ours.decode(b.subarray(2, b.length - 2))).toBe('héllo');
    expect(ours.decode(b.slice().buffer)).toBe('--héllo--');
    expect(ours.decode()).toBe('');
    expect(ours.decode(new Uint8Array(0))).toBe('');
  });

  test('invalid bytes become U+FFFD, also inside an otherwise ASCII chunk', () => {
    expect(ours.decode(new Uint8Array([0x61, 0xff, 0x62]))).toBe('a\ufffdb');
    expect(ours.decode(new Uint8Array([0xc3]))).toBe('\ufffd'); // truncated sequence at the end
    expect(ours.decode(new Uint8Array([0xed, 0xa0, 0x80]))).toBe('\ufffd\ufffd\ufffd'); // a surrogate is not valid UTF-8
    const big = new Uint8Array(10000).fill(0x61);
    big[9000] = 0x80;
    const got = ours.decode(big);
    expect(got.length).toBe(10000);
    expect(got[9000]).toBe('\ufffd');
    expect(got.replace('\ufffd', 'a')).toBe('a'.repeat(10000));
  });
});

describe('wasm/utf8 encoder', () => {
  test('encodes exactly as TextEncoder, lone surrogates as U+FFFD', () => {
    for (const s of ['', 'ascii', 'héllo €', '😀 x', 'a\ud800b', '\udc00', 'x'.repeat(10000) + '€']) {
      expect(Buffer.from(new Utf8Encoder().encode(s)).equals(Buffer.from(enc.encode(s))), JSON.stringify(s.slice(0, 20))).toBe(true);
    }
  });
});
