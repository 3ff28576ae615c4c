// The compiled core's env key order (wasm/as/plan/node-env.ts Env#sorted, which compares the
// keys' sortKey prefixes first): the index of each key's last entry, in the code-unit order JS
// strings compare in, for keys that share 8-unit prefixes, differ only in length or past unit 8,
// hold 0x00, 0xFE, 0xFF, 0x100 and any other UTF-16, repeat, or are empty.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { compileEntry } from './support/core-asc';

const ENTRY = `
import { Env } from '@as/plan/node-env';
const env = new Env();
const order = new Array<i32>();
export function clear(): void { env.clear(); }
export function add(key: string): void { env.set(key, ''); }
/** The sorted order as indices joined by ','. */
export function sorted(): string {
  env.sorted(order);
  const out = new Array<string>();
  for (let i = 0; i < order.length; i++) out.push(order[i].toString());
  return out.join(',');
}
`;

interface Mod {
  clear(): void;
  add(key: string): void;
  sorted(): string;
}

let m: Mod;
let dispose: () => void;
beforeAll(async () => {
  const c = await compileEntry<Mod>(ENTRY);
  m = c.mod;
  dispose = c.dispose;
}, 300_000);
afterAll(() => dispose());

/** The order the oracle gives: each key's last index, by key (JS `<`, code units). */
function want(keys: string[]): string {
  const last = new Map<string, number>();
  keys.forEach((k, i) => last.set(k, i));
  return [...last.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]).join(',');
}

function check(keys: string[]): void {
  m.clear();
  for (const k of keys) m.add(k);
  expect(m.sorted(), JSON.stringify(keys)).toBe(want(keys));
}

test('store-name keys, short keys and the units around 0xFF', () => {
  check(['lib_build_opt_o2', 'lib_build_opt_gc', 'bin_make', 'PATH', 'MIX_T_DIR', 'MIX_B_DIR', 'out', 'tmp', 'uid', 'src',
    'lib_build', 'lib_buil', 'lib_bui', 'lib_build_opt_o2', 'lib_z', '', 'bin_make_lite', 'bin_mak\u00ff', 'bin_mak\u00fe',
    'bin_mak\u0100', 'bin_mak\uffff', 'bin\u00ffa', 'bin\u00ffb', 'bin\u0100', 'bin\u00fe', 'a\u0000', 'a', 'a\u0000b',
    'abcdefgh', 'abcdefgh\u0000', 'abcdefg\u0080', 'abcdefg\u007f', '\ud800', '\udc00', 'é_lib_x', 'lib_build']);
});

test('random keys: the oracle order', () => {
  const unit = fc.oneof(fc.constantFrom('a', 'b', '_', '\u0000', '\u007f', '\u0080', '\u00fe', '\u00ff', '\u0100', '\uffff'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
  const key = fc.oneof(fc.array(unit, { maxLength: 12 }).map((a) => a.join('')), fc.array(unit, { maxLength: 4 }).map((a) => 'lib_bu' + a.join('')));
  fc.assert(fc.property(fc.array(key, { maxLength: 60 }), (keys) => check(keys)), { numRuns: 300 });
});
