// The disk cache's index lookup (hosts/node/cache-index.ts): the first few gets search the raw
// index files, later ones read a full parse; both must give exactly loadIndexes' span for every
// key (latest stamp, then later pack name, then later line; torn lines, bad fields and indexes
// of another format ignored), and a key dropped after a failed rewrite reads as absent.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CacheIndex, LOOKUPS } from '../hosts/node/cache-index';
import { INDEX_HEADER, loadIndexes } from '../hosts/node/cache-pack';
import { tempDir } from './support/cli';

/** A cache directory with three packs' indexes whose lines disagree on purpose. */
function indexes(): { base: string; keys: string[] } {
  const base = join(tempDir('ix-cache-index-'), 'v4', 'ns');
  mkdirSync(base, { recursive: true });
  const a = 'mxaaaaaa-10-00aa', b = 'mxbbbbbb-11-00bb', c = 'mxcccccc-12-00cc';
  const line = (k: string, off: number, len: number, stamp: number) => `${k} ${off} ${len} ${stamp.toString(36)}\n`;
  writeFileSync(join(base, `${a}.idx`), INDEX_HEADER
    + line('memo1-one', 10, 5, 100) + line('desc1-two', 20, 5, 100) + line('memo1-one', 30, 5, 100) // same stamp: the later line
    + line('node1-tie', 40, 5, 200) + line('node1-late', 50, 5, 300) + line('node1-back', 90, 5, 100) + line('node1-back', 60, 5, 100) // equal stamp, lower offset: the earlier line stays
    + 'node1-bad 1 2\n' + 'node1-bad x 2 3\n' + line('node1-zero', 1, 0, 5)
    + 'node1-sp  1 2 3\n' + 'node1-four 1 2 3 4\n' + 'node1-upper 1 2 A\n' + 'node1-hex 0x10 2 3\n' + ' 1 2 3\n' + 'node1-end 1 2 3 \n'
    + 'node1-big 99999999999999999999 2 3\n' + 'node1-b36 1z 2 3\n' + 'node1-caf\xe9 7 8 9\n' + 'node1-torn 70 5 1', 'latin1');
  writeFileSync(join(base, `${b}.idx`), INDEX_HEADER
    + line('node1-tie', 41, 5, 200) // tie on stamp: the later pack name wins
    + line('node1-late', 51, 5, 250) // older stamp than pack a's: a's stays
    + line('desc1-two', 21, 5, 400) + line('memo1-ones', 1, 1, 1) + line('xmemo1-one', 2, 2, 999));
  writeFileSync(join(base, `${c}.idx`), 'ix-pack-index/0\n' + line('memo1-one', 99, 5, 999)); // another format: ignored
  writeFileSync(join(base, 'notapack.idx'), INDEX_HEADER + line('memo1-one', 98, 5, 999));
  const keys = ['memo1-one', 'desc1-two', 'node1-tie', 'node1-late', 'node1-back', 'node1-bad', 'node1-zero', 'node1-torn', 'memo1-ones', 'xmemo1-one', 'memo1-absent',
    'node1-sp', 'node1-four', 'node1-upper', 'node1-hex', '', 'node1-end', 'node1-big', 'node1-b36', 'node1-caf\xe9', 'node1-caf', 'node1-caf\u0229'];
  return { base, keys };
}

describe('cache index', () => {
  test('searched and parsed lookups both give loadIndexes\' span for every key', () => {
    const { base, keys } = indexes();
    const want = loadIndexes(base);
    expect(want.get('memo1-one')).toMatchObject({ pack: 'mxaaaaaa-10-00aa', offset: 30 });
    expect(want.get('node1-tie')?.pack).toBe('mxbbbbbb-11-00bb');
    expect(want.get('node1-back')?.offset).toBe(90);
    for (const bad of ['node1-torn', 'node1-bad', 'node1-zero', 'node1-sp', 'node1-four', 'node1-upper', 'node1-hex', '', 'node1-end', 'node1-big', 'node1-b36']) expect(want.has(bad), bad).toBe(false);
    expect(want.get('node1-caf\xe9')).toEqual({ pack: 'mxaaaaaa-10-00aa', offset: 7, length: 8, stamp: 9 });
    // searched: a fresh index per key keeps every get under the parse threshold
    for (const k of keys) expect(new CacheIndex(base).get(k)).toEqual(want.get(k));
    // one index past its threshold: the first LOOKUPS gets search, the rest read the parse
    const one = new CacheIndex(base);
    const asked = [...keys, ...keys, ...keys];
    expect(asked.length).toBeGreaterThan(LOOKUPS);
    for (const k of asked) expect(one.get(k)).toEqual(want.get(k));
  });

  test('a dropped key reads as absent, searched or parsed; a missing directory has no entries', () => {
    const { base, keys } = indexes();
    const idx = new CacheIndex(base);
    idx.delete('memo1-one');
    expect(idx.get('memo1-one')).toBeUndefined();
    for (let i = 0; i <= LOOKUPS; i++) idx.get(keys[i % keys.length]);
    expect(idx.get('memo1-one')).toBeUndefined();
    expect(idx.get('desc1-two')?.offset).toBe(21);
    expect(new CacheIndex(join(base, 'absent')).get('memo1-one')).toBeUndefined();
  });
});
