// The compiled core's KeyTable (wasm/as/hash/keytable.ts): lookups by a builder's text find
// exactly the keys added (as a JS Map of the same keys answers), through rehashes, with keys
// that share long prefixes, differ in one code unit or only in length, and hold any UTF-16;
// lookups by a string (findStr, findHashed) give the same answers, from any first table size.
// A table whose hashes its user computes (addHashed) finds a key given in two parts around a
// separator (findJoined) exactly as by the whole key (findUnitsHashed).
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
// keys in two parts around \x00, hashed from the whole key split at its first \x00 (as the graph's
// instance keys are); a key without one hashes as its first part alone
let j = new KeyTable<string>();
function joinedHash(key: string): u32 {
  const z = key.indexOf('\x00');
  const p = changetype<usize>(key);
  if (z < 0) return hashUnits(p, key.length);
  return (hashUnits(p, z) * 0x9e3779b1) ^ hashUnits(p + ((<usize>z + 1) << 1), key.length - z - 1);
}
export function jreset(slots: i32): void { j = new KeyTable<string>(slots); }
/** Adds a + \x00 + b unless findJoined finds it; returns the index found (>= 0) or -1 - the index added. */
export function jput(a: string, b: string, v: string): i32 {
  const key = a + '\x00' + b;
  const at = j.findJoined(a, 0, b, joinedHash(key));
  if (at >= 0) return at;
  return -1 - j.addHashed(key, v, joinedHash(key));
}
/** The value of a + \x00 + b found by its parts and by the whole key (which must agree), or '<none>'. */
export function jget(a: string, b: string): string {
  const key = a + '\x00' + b;
  const at = j.findJoined(a, 0, b, joinedHash(key));
  if (j.findUnitsHashed(changetype<usize>(key), key.length, joinedHash(key)) != at) return '<disagree>';
  if (at < 0) return '<none>';
  if (j.keyAt(at) != key) return '<wrong key>';
  return j.valueAt(at);
}
`;

interface Mod {
  reset(slots: number): void;
  put(key: string, v: string): number;
  get(key: string): string;
  size(): number;
  getStr(key: string): string;
  replace(key: string, v: string): boolean;
  jreset(slots: number): void;
  jput(a: string, b: string, v: string): number;
  jget(a: string, b: string): string;
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

/** Adds every pair's joined key in order and checks each answer against a Map of the joined keys. */
function checkJoined(pairs: [string, string][], probes: [string, string][], slots = 1024): void {
  m.jreset(slots);
  const ref = new Map<string, number>();
  const first = new Map<string, number>();
  pairs.forEach(([a, b], n) => {
    const k = `${a}\u0000${b}`;
    const r = m.jput(a, b, `v${n}`);
    if (ref.has(k)) expect(r, JSON.stringify(k)).toBe(ref.get(k));
    else {
      expect(r, JSON.stringify(k)).toBe(-1 - ref.size);
      ref.set(k, ref.size);
      first.set(k, n);
    }
  });
  for (const [a, b] of [...pairs, ...probes]) {
    const k = `${a}\u0000${b}`;
    expect(m.jget(a, b), JSON.stringify(k)).toBe(first.has(k) ? `v${first.get(k)}` : '<none>');
  }
}

test('keys in two parts: found by their parts as by the whole key', () => {
  const json = '{"kind":"lib","target":"linux-x86_64"}';
  const pairs: [string, string][] = [];
  for (let i = 0; i < 2000; i++) pairs.push([`lib/p${i % 97}`, i < 1000 ? json : `{"x":"${i}"}`]);
  // the separator moved between the parts, empty parts, a part holding the separator itself
  pairs.push(['a\u0000b', 'c'], ['a', 'b\u0000c'], ['', ''], ['', 'x'], ['x', ''], ['lib/p1', json.slice(0, -1)]);
  const probes: [string, string][] = [['lib/p1x', json], ['lib/p', `1${json}`], ['a\u0000b\u0000c', ''], ['a', 'b']];
  checkJoined(pairs, probes);
  checkJoined(pairs, probes, 8);
});

test('random pairs: the same answers as a Map of the joined keys', () => {
  const part = fc.string({ unit: 'binary', maxLength: 8 });
  fc.assert(fc.property(fc.array(fc.tuple(part, part), { maxLength: 400 }), fc.array(fc.tuple(part, part), { maxLength: 20 }), (pairs, probes) => {
    checkJoined(pairs, probes);
    checkJoined(pairs, probes, 8);
  }), { numRuns: 40 });
});
