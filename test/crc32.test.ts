// The cache seal's CRC-32 (hosts/node/crc32.ts) and what it refuses (hosts/node/cache-pack.ts):
// published check values (the values Python's and zlib's crc32 give), native against portable on
// the same bytes, chaining over parts, and every single changed byte of a record read as a miss.
import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { crc32, crc32Portable } from '../hosts/node/crc32';
import { decodeRecord, encodeRecord, seal } from '../hosts/node/cache-pack';

const ascii = (s: string) => Buffer.from(s, 'latin1');
/** 100,000 bytes (i * 7 + 3) mod 256, whose CRC-32 Python's zlib.crc32 gives as f730caa8. */
const pattern = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7 + 3) & 255));
/** Bytes that look random, from a counter through SHA-256 (reproducible). */
const noise = (n: number) => {
  const out = Buffer.alloc(n);
  for (let at = 0, i = 0; at < n; i++) at += createHash('sha256').update(String(i)).digest().copy(out, at);
  return out;
};

describe.each([
  ['the exported one', crc32],
  ['the portable one', crc32Portable],
])('CRC-32, %s', (_, f) => {
  test('published check values', () => {
    expect(f(ascii(''))).toBe(0);
    expect(f(ascii('123456789'))).toBe(0xcbf43926);
    expect(f(ascii('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    expect(f(pattern)).toBe(0xf730caa8);
  });

  test('chains over parts: any split gives the whole one\'s value', () => {
    const b = noise(5000);
    const whole = f(b);
    for (const at of [0, 1, 7, 2500, 4999, 5000]) expect(f(b.subarray(at), f(b.subarray(0, at)))).toBe(whole);
  });
});

test('the native CRC-32 is present on this Node and gives the portable values', () => {
  expect(typeof (zlib as { crc32?: unknown }).crc32).toBe('function');
  for (const n of [0, 1, 3, 64, 1000, 65_537]) {
    const b = noise(n);
    expect(crc32(b)).toBe(crc32Portable(b));
    expect(crc32(b, 0x12345678)).toBe(crc32Portable(b, 0x12345678));
  }
});

describe('the seal', () => {
  const body = noise(300);
  const record = Buffer.concat(encodeRecord('core-ns', 'as-node1-abc', body));

  test('reads back; the seal is 8 hex digits over namespace, key and body, the same for parts', () => {
    expect(Buffer.from(decodeRecord('core-ns', 'as-node1-abc', record)!).equals(body)).toBe(true);
    expect(record.toString('latin1', 0, record.indexOf(10))).toBe(`as-node1-abc 300 ${seal('core-ns', 'as-node1-abc', body)}`);
    expect(seal('core-ns', 'as-node1-abc', body)).toMatch(/^[0-9a-f]{8}$/);
    expect(seal('core-ns', 'as-node1-abc', [body.subarray(0, 100), body.subarray(100)])).toBe(seal('core-ns', 'as-node1-abc', body));
    // CRC-32 of 'ix-pack/2 ' + 'n' + NUL + 'abcd' + NUL + 'x', by Python's zlib.crc32
    expect(seal('n', 'abcd', ascii('x'))).toBe('3f4e4eaf');
  });

  test('every byte of a record changed to each other value: a miss', () => {
    let misses = 0;
    const b = Buffer.from(record);
    for (let i = 0; i < b.length; i++) {
      const was = b[i];
      for (let x = 1; x < 256; x++) {
        b[i] = was ^ x;
        if (decodeRecord('core-ns', 'as-node1-abc', b) === undefined) misses++;
      }
      b[i] = was;
    }
    expect(misses).toBe(b.length * 255);
    expect(decodeRecord('core-ns', 'as-node1-abc', b)).toBeDefined();
  });

  test('another namespace, another key, a shorter or longer record: misses', () => {
    expect(decodeRecord('core-other', 'as-node1-abc', record)).toBeUndefined();
    expect(decodeRecord('core-ns', 'as-node1-abd', record)).toBeUndefined();
    expect(decodeRecord('core-ns', 'as-node1-abc', record.subarray(0, -1))).toBeUndefined();
    expect(decodeRecord('core-ns', 'as-node1-abc', Buffer.concat([record, ascii('x')]))).toBeUndefined();
  });
});
