// The compiled core's KeyTable (wasm/as/hash/keytable.ts): lookups by a builder's text find
// exactly the keys added (as a JS Map of the same keys answers), through rehashes, with keys
// that share long prefixes, differ in one code unit or only in length, and hold any UTF-16.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { compileEntry } from './support/core-asc';

const ENTRY = `
import { StrBuilder } from '@as/hash/builder';
import { KeyTable } from '@as/hash/keytable';
let t = new KeyTable<string>();
const sb = new StrBuilder(4);
export function reset(): void { t = new KeyTable<string>(); }
/** Adds key unless the table finds it; returns the index found (>= 0) or -1 - the index added. */
export function put(key: string, v: string): i32 {
  sb.clear();
  sb.str(key);
  const at = t.find(sb);
  if (at >= 0) return at;
  return -1 - t.add(key, v);
}
/** The value under key, or '<none>'. */
export function get(key: string): string {
  sb.clear();
  sb.str(key);
  const at = t.find(sb);
  if (at < 0) return '<none>';
  if (t.keyAt(at) != key) return '<wrong key>';
  return t.valueAt(at);
}
export function size(): i32 { return t.size; }
`;

interface Mod {
  reset(): void;
  put(key: string, v: string): number;
  get(key: string): string;
  size(): number;
}

let m: Mod;
let dispose: () => void;
beforeAll(async () => {
  const c = await compileEntry<Mod>(ENTRY);
  m = c.mod;
  dispose = c.dispose;
}, 120_000);
afterAll(() => dispose());

/** Adds every key in order and checks each answer against a Map of the same keys. */
function check(keys: string[], probes: string[]): void {
  m.reset();
  const ref = new Map<string, number>();
  keys.forEach((k, n) => {
    const r = m.put(k, `v${n}`);
    if (ref.has(k)) expect(r, JSON.stringify(k)).toBe(ref.get(k));
    else {
      expect(r, JSON.stringify(k)).toBe(-1 - ref.size);
      ref.set(k, ref.size);
    }
  });
  expect(m.size()).toBe(ref.size);
  const first = new Map<string, number>();
  keys.forEach((k, n) => { if (!first.has(k)) first.set(k, n); });
  for (const k of [...keys, ...probes]) expect(m.get(k), JSON.stringify(k)).toBe(first.has(k) ? `v${first.get(k)}` : '<none>');
}

test('finds exactly the keys added, through rehashes', () => {
  const prefix = 'lib/c\u0000{"kind":"lib","target":"linux-x86_64","x":"';
  const keys: string[] = [];
  for (let i = 0; i < 3000; i++) keys.push(prefix + i.toString(36) + '"}');
  // one code unit apart, a prefix of another, the empty key, non-ASCII and lone surrogates
  keys.push('', 'a', 'ab', 'abc', 'abcd', 'abcde', 'abce', 'é', '\ud800', '\udc00x', prefix, prefix + '"}', keys[7]);
  check(keys, ['abcdf', 'b', prefix + 'zzzz"}', '\u0000', 'abcd\u0000', keys[9].slice(0, -1)]);
});

test('random keys: the same answers as a Map', () => {
  fc.assert(fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { maxLength: 700 }), fc.array(fc.string({ maxLength: 12 }), { maxLength: 20 }), (keys, probes) => {
    check(keys, probes);
  }), { numRuns: 60 });
});
