// The compiled core's KeyTable (wasm/as/hash/keytable.ts): lookups by a builder's text find
// exactly the keys added (as a JS Map of the same keys answers), through rehashes, with keys
// that share long prefixes, differ in one code unit or only in length, and hold any UTF-16;
// lookups by a string (findStr, findHashed) give the same answers, from any first table size.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { compileEntry } from './support/core-asc';

const ENTRY = `
import { StrBuilder } from '@as/hash/builder';
import { hashUnits, KeyTable } from '@as/hash/keytable';
let t = new KeyTable<string>();
const sb = new StrBuilder(4);
export function reset(slots: i32): void { t = new KeyTable<string>(slots); }
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
/** The value under key found by the string (both ways, which must agree), or '<none>'. */
export function getStr(key: string): string {
  const at = t.findStr(key);
  if (t.findHashed(key, hashUnits(changetype<usize>(key), key.length)) != at) return '<disagree>';
  if (at < 0) return '<none>';
  if (t.keyAt(at) != key) return '<wrong key>';
  return t.valueAt(at);
}
/** Replaces the value under a present key; false if absent. */
export function replace(key: string, v: string): bool {
  const at = t.findStr(key);
  if (at < 0) return false;
  t.setAt(at, v);
  return true;
}
`;

interface Mod {
  reset(slots: number): void;
  put(key: string, v: string): number;
  get(key: string): string;
  size(): number;
  getStr(key: string): string;
  replace(key: string, v: string): boolean;
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
function check(keys: string[], probes: string[], slots = 1024): void {
  m.reset(slots);
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
  for (const k of [...keys, ...probes]) {
    const want = first.has(k) ? `v${first.get(k)}` : '<none>';
    expect(m.get(k), JSON.stringify(k)).toBe(want);
    expect(m.getStr(k), JSON.stringify(k)).toBe(want);
  }
  for (const k of probes) if (!first.has(k)) expect(m.replace(k, 'x')).toBe(false);
  for (const k of first.keys()) {
    expect(m.replace(k, `r${k}`)).toBe(true);
    expect(m.getStr(k)).toBe(`r${k}`);
  }
  expect(m.size()).toBe(ref.size);
}

test('finds exactly the keys added, through rehashes', () => {
  const prefix = 'lib/c\u0000{"kind":"lib","target":"linux-x86_64","x":"';
  const keys: string[] = [];
  for (let i = 0; i < 3000; i++) keys.push(prefix + i.toString(36) + '"}');
  // one code unit apart, a prefix of another, the empty key, non-ASCII and lone surrogates
  keys.push('', 'a', 'ab', 'abc', 'abcd', 'abcde', 'abce', 'é', '\ud800', '\udc00x', prefix, prefix + '"}', keys[7]);
  const probes = ['abcdf', 'b', prefix + 'zzzz"}', '\u0000', 'abcd\u0000', keys[9].slice(0, -1)];
  check(keys, probes);
  check(keys, probes, 8);
});

test('random keys: the same answers as a Map', () => {
  fc.assert(fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { maxLength: 700 }), fc.array(fc.string({ maxLength: 12 }), { maxLength: 20 }), (keys, probes) => {
    check(keys, probes);
    check(keys, probes, 8);
  }), { numRuns: 60 });
});
