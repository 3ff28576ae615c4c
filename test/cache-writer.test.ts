// The disk cache's packs (hosts/node/cache-pack.ts, cache-writer.ts, cache-compact.ts): one
// append-only pack + index per process instead of a file per entry; readers trust only sealed
// records (torn tails from a process killed with SIGKILL, flipped bytes, foreign records and
// other format versions are misses); concurrent processes write safely; `ix gc` compacts.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, test } from 'vitest';
import { cacheBase, diskCache, holdWrites } from '../hosts/node/cache';
import { GATHER_BYTES } from '../hosts/node/cache-writer';
import { compactCache } from '../hosts/node/cache-compact';
import { loadIndexes } from '../hosts/node/cache-pack';
import { coreEntryKinds, ensureCoreBuilt, ix, repoRoot, tempDir, world, writeTree } from './support/cli';

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]));
/** A value derived from (writer, key): every byte says who wrote it, so a mixed entry shows. */
const valueOf = (w: number, k: number, size: number) => new Uint8Array(size).fill((w * 31 + k) % 251);
/** Whether `got` is exactly valueOf(w, k, size) (compared natively: big arrays make slow diffs). */
const isValue = (got: Uint8Array | undefined, w: number, k: number, size: number) => got !== undefined && Buffer.from(got).equals(valueOf(w, k, size));

/** A bundled child program that puts entries: `node writer.mjs DIR NS W COUNT SIZE [progress]` (progress: a line per put). */
let writer: string;
beforeAll(async () => {
  writer = join(tempDir('ix-writer-'), 'writer.mjs');
  await build({
    stdin: {
      contents: `import { diskCache } from ${JSON.stringify(join(repoRoot, 'hosts/node/cache.ts'))};
        const [dir, ns, w, count, size] = process.argv.slice(2).map((x, i) => (i < 2 ? x : Number(x)));
        const c = diskCache(dir, ns);
        for (let k = 0; k < count; k++) {
          c.put('key-' + (k % 50) + '-entry', new Uint8Array(size).fill((w * 31 + (k % 50)) % 251));
          if (process.argv[7]) process.stdout.write(k + '\\n');
        }`,
      resolveDir: repoRoot,
    },
    bundle: true, platform: 'node', format: 'esm', outfile: writer, logLevel: 'error',
  });
});

function runWriter(dir: string, w: number, count: number, size: number): Promise<number> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [writer, dir, 'ns', String(w), String(count), String(size)], { stdio: 'inherit' });
    p.on('exit', (code) => res(code ?? -1));
  });
}

describe('packs', () => {
  test('entries go into one pack and one index per process; the latest put wins; a fresh reader sees them', () => {
    const dir = tempDir('ix-cache-');
    const c = diskCache(dir, 'ns');
    for (let i = 0; i < 300; i++) c.put(`key-${i}`, valueOf(0, i, i * 97 + 1));
    c.put('key-big', new Uint8Array(3 << 20).fill(7));
    c.put('key-7', new Uint8Array([1, 2, 3]));
    c.put('unsafe/../key', new Uint8Array([1])); // never stored
    c.put('.hidden', new Uint8Array([1]));
    expect([...(c.get('key-7') ?? [])]).toEqual([1, 2, 3]);
    const names = files(dir);
    expect(names).toHaveLength(2);
    expect(names.map((n) => n.replace(/[^/]*\./, 'ID.')).sort()).toEqual(['v4/ns/ID.idx', 'v4/ns/ID.pack']);
    const fresh = diskCache(dir, 'ns');
    expect([...(fresh.get('key-7') ?? [])]).toEqual([1, 2, 3]);
    expect(fresh.get('key-12')).toEqual(valueOf(0, 12, 12 * 97 + 1));
    expect(fresh.get('key-big')?.every((x) => x === 7)).toBe(true);
    expect(fresh.get('unsafe/../key')).toBeUndefined();
    expect(diskCache(dir, 'other').get('key-12')).toBeUndefined(); // another namespace
  });

  test('a flipped byte, a foreign record, a truncated pack, a torn index line and another version: misses', () => {
    const dir = tempDir('ix-cache-');
    const c = diskCache(dir, 'ns');
    for (let i = 0; i < 10; i++) c.put(`key-${i}`, valueOf(1, i, 1000));
    const base = cacheBase(dir, 'ns');
    const spans = loadIndexes(base);
    const pack = join(base, `${spans.get('key-0')!.pack}.pack`);
    const idx = pack.replace(/\.pack$/, '.idx');
    const bytes = readFileSync(pack);
    // key-3's body: one byte flipped
    const s3 = spans.get('key-3')!;
    bytes[s3.offset + s3.length - 10] ^= 1;
    // key-4's record replaced by key-5's bytes (same length): a foreign record
    const s4 = spans.get('key-4')!;
    const s5 = spans.get('key-5')!;
    bytes.copy(bytes, s4.offset, s5.offset, s5.offset + s5.length);
    writeFileSync(pack, bytes);
    // key-9 is last: its record torn in the middle
    const s9 = spans.get('key-9')!;
    truncateSync(pack, s9.offset + 500);
    appendFileSync(idx, 'key-torn 10 20'); // a torn index line (no newline)
    const r = diskCache(dir, 'ns');
    for (const i of [0, 1, 2, 5, 6, 7, 8]) expect(r.get(`key-${i}`), `key-${i}`).toEqual(valueOf(1, i, 1000));
    for (const i of [3, 4, 9]) expect(r.get(`key-${i}`), `key-${i}`).toBeUndefined();
    expect(r.get('key-torn')).toBeUndefined();
    // a namespace's records copied into another namespace's directory: all misses (the seal names it)
    const other = cacheBase(dir, 'ns2');
    diskCache(dir, 'ns2').put('key-x', new Uint8Array([9]));
    const theirs = readdirSync(other).find((n) => n.endsWith('.idx'))!;
    writeFileSync(join(other, theirs.replace('.idx', '.pack')), readFileSync(pack));
    writeFileSync(join(other, theirs), readFileSync(idx));
    expect(diskCache(dir, 'ns2').get('key-0')).toBeUndefined();
    // an index of another format version is not read
    writeFileSync(idx, readFileSync(idx, 'latin1').replace('ix-pack-index/2', 'ix-pack-index/9'), 'latin1');
    expect(diskCache(dir, 'ns').get('key-0')).toBeUndefined();
  });

  test('held writes: gathered in memory, read back by their writer and by a fresh reader, written with the same bytes', () => {
    const held = tempDir('ix-cache-');
    const plain = tempDir('ix-cache-');
    const sizes = [10, 5000, GATHER_BYTES - 100, 70000, GATHER_BYTES + 1, 3, 200000];
    const put = (c: ReturnType<typeof diskCache>) => sizes.forEach((n, i) => c.put(`key-${i}`, valueOf(2, i, n)));
    put(diskCache(plain, 'ns'));
    const c = diskCache(held, 'ns');
    const release = holdWrites();
    const inner = holdWrites(); // holds nest
    put(c);
    const packOf = (dir: string) => join(cacheBase(dir, 'ns'), readdirSync(cacheBase(dir, 'ns')).find((n) => n.endsWith('.pack'))!);
    // only the pack's header and what could not be gathered (the record over GATHER_BYTES, and what came before it) are on disk
    const early = statSync(packOf(held)).size;
    expect(early).toBeLessThan(statSync(packOf(plain)).size);
    inner();
    inner(); // a second release of one hold does nothing
    expect(statSync(packOf(held)).size).toBe(early);
    // its own puts read back while held (written first), and a fresh reader's indexes include them
    expect(c.get('key-5')).toEqual(valueOf(2, 5, 3));
    put(c); // gathered again, after the pack was written
    expect(diskCache(held, 'ns').get('key-6')).toEqual(valueOf(2, 6, 200000));
    put(c);
    release();
    const fresh = diskCache(held, 'ns');
    sizes.forEach((n, i) => expect(isValue(fresh.get(`key-${i}`), 2, i, n), `key-${i}`).toBe(true));
    // record for record the same bytes as unheld puts (but for the stamps in the index lines)
    const records = (dir: string) => readFileSync(packOf(dir)).toString('latin1');
    expect(records(held)).toBe(records(plain).repeat(3).replace(/ix-pack\/2\n/g, '').replace(/^/, 'ix-pack/2\n'));
    const lines = (dir: string) => readFileSync(packOf(dir).replace(/pack$/, 'idx'), 'latin1').split('\n').map((l) => l.split(' ').slice(0, 2).join(' '));
    expect(lines(held)).toHaveLength(3 * sizes.length + 2);
    expect(new Set(lines(held).slice(1, -1).map((l) => l.split(' ')[0]))).toEqual(new Set(sizes.map((_, i) => `key-${i}`)));
  });

  test('putText stores the bytes put of its UTF-8 stores, held or not, for every kind of text', () => {
    // ASCII, non-ASCII whose UTF-8 length has more digits than its code units' (the body is moved
    // once), pairs, lone surrogates, one near the gathering buffer's size and one past it
    const texts = ['', 'a', `${'x'.repeat(9)}é`, `${'x'.repeat(98)}é`, `${'x'.repeat(9_998)}中`, '😀'.repeat(5000), '\ud800lone', `${'q'.repeat(9)}\udfff`, `${'z'.repeat(330_000)}中`, 'y'.repeat(400_000), 'tail é'];
    const packOf = (dir: string) => join(cacheBase(dir, 'ns'), readdirSync(cacheBase(dir, 'ns')).find((n) => n.endsWith('.pack'))!);
    const lines = (dir: string) => readFileSync(packOf(dir).replace(/pack$/, 'idx'), 'latin1').split('\n').map((l) => l.split(' ').slice(0, 3).join(' '));
    const plain = tempDir('ix-cache-');
    const c = diskCache(plain, 'ns');
    texts.forEach((t, i) => c.put(`key-${i}`, Buffer.from(t, 'utf8')));
    for (const hold of [false, true]) {
      const dir = tempDir('ix-cache-');
      const d = diskCache(dir, 'ns');
      const release = hold ? holdWrites() : () => {};
      texts.forEach((t, i) => d.putText(`key-${i}`, t));
      texts.forEach((t, i) => expect(Buffer.from(d.get(`key-${i}`)!).equals(Buffer.from(t, 'utf8')), `own key-${i}`).toBe(true));
      release();
      expect(readFileSync(packOf(dir)).equals(readFileSync(packOf(plain))), `held: ${hold}`).toBe(true);
      expect(lines(dir)).toEqual(lines(plain));
      const fresh = diskCache(dir, 'ns');
      texts.forEach((t, i) => expect(Buffer.from(fresh.get(`key-${i}`)!).equals(Buffer.from(t, 'utf8')), `key-${i}`).toBe(true));
    }
  });

  test('concurrent processes writing the same keys: every entry is one writer\'s whole value', async () => {
    const dir = tempDir('ix-cache-');
    const codes = await Promise.all([1, 2, 3, 4].map((w) => runWriter(dir, w, 200, 20000)));
    expect(codes).toEqual([0, 0, 0, 0]);
    expect(readdirSync(cacheBase(dir, 'ns'))).toHaveLength(8);
    const c = diskCache(dir, 'ns');
    for (let k = 0; k < 50; k++) {
      const v = c.get(`key-${k}-entry`);
      expect(v?.length).toBe(20000);
      expect([1, 2, 3, 4].some((w) => v!.every((b) => b === (w * 31 + k) % 251)), `key-${k}`).toBe(true);
    }
  });

  test('a writer killed with SIGKILL mid-write: what it finished reads back, its torn tail is ignored, gc drops it', async () => {
    const dir = tempDir('ix-cache-');
    const done = await new Promise<number>((res) => {
      const p = spawn(process.execPath, [writer, dir, 'ns', '5', '100000', String(1 << 20), 'progress'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let last = -1;
      let text = '';
      p.stdout.on('data', (b: Buffer) => {
        text += b.toString('latin1');
        last = text.split('\n').length - 2; // the last complete line's number
        if (last >= 60) p.kill('SIGKILL');
      });
      p.on('exit', (_code, sig) => {
        expect(sig).toBe('SIGKILL');
        res(last);
      });
    });
    expect(done).toBeGreaterThanOrEqual(60);
    const base = cacheBase(dir, 'ns');
    const spans = loadIndexes(base);
    const packFile = readdirSync(base).find((n) => n.endsWith('.pack'))!;
    const end = Math.max(...[...spans.values()].map((s) => s.offset + s.length));
    expect(statSync(join(base, packFile)).size).toBeGreaterThanOrEqual(end);
    // the writer was killed between puts or inside one: bytes past the last indexed record, if
    // any, belong to no entry; force a torn record there too, as a kill inside write(2) leaves it
    appendFileSync(join(base, packFile), Buffer.concat([Buffer.from(`key-1-entry ${1 << 20} ${'0'.repeat(64)}\n`), Buffer.alloc(1000, 1)]));
    const c = diskCache(dir, 'ns');
    for (let k = 0; k < 50; k++) expect(isValue(c.get(`key-${k}-entry`), 5, k, 1 << 20), `key-${k}`).toBe(true);
    const r = compactCache(dir);
    expect(r).toMatchObject({ packsMerged: 1, entries: 50, busy: 0 });
    expect(r.bytesAfter).toBeLessThan(r.bytesBefore); // 61+ records of 50 keys -> 50
    const after = diskCache(dir, 'ns');
    for (let k = 0; k < 50; k++) expect(isValue(after.get(`key-${k}-entry`), 5, k, 1 << 20), `key-${k}`).toBe(true);
  });

  test('gc compaction: finished packs merge into one, the latest value of a key wins, a live pack is left alone', async () => {
    const dir = tempDir('ix-cache-');
    expect(await runWriter(dir, 1, 100, 3000)).toBe(0);
    await new Promise((r) => setTimeout(r, 5)); // a later stamp
    expect(await runWriter(dir, 2, 100, 3000)).toBe(0);
    const live = diskCache(dir, 'ns'); // this process: alive, its pack must stay
    live.put('key-live', new Uint8Array([4, 2]));
    const reader = diskCache(dir, 'ns');
    expect(reader.get('key-1-entry')).toEqual(valueOf(2, 1, 3000)); // the second writer's
    const base = cacheBase(dir, 'ns');
    expect(readdirSync(base)).toHaveLength(6);
    const r = compactCache(dir);
    expect(r).toMatchObject({ format: 'ix-cache-compact/1', packsMerged: 2, entries: 50, busy: 1, filesBefore: 6, filesAfter: 4 });
    const fresh = diskCache(dir, 'ns');
    for (let k = 0; k < 50; k++) expect(fresh.get(`key-${k}-entry`), `key-${k}`).toEqual(valueOf(2, k, 3000));
    expect([...(fresh.get('key-live') ?? [])]).toEqual([4, 2]);
    // a reader that loaded the indexes before: the right bytes or a miss, never others
    const v = reader.get('key-2-entry');
    if (v !== undefined) expect(v).toEqual(valueOf(2, 2, 3000));
    // a second gc merges its predecessor's pack: nothing lost
    expect(compactCache(dir)).toMatchObject({ packsMerged: 1, entries: 50, busy: 1 });
    expect(diskCache(dir, 'ns').get('key-3-entry')).toEqual(valueOf(2, 3, 3000));
  });
  test('a pack of the SHA-256-sealed format (ix-pack/1) is not read, the key is written again, and gc removes it', () => {
    const dir = tempDir('ix-cache-');
    const base = cacheBase(dir, 'ns');
    mkdirSync(base, { recursive: true });
    // what the earlier format wrote for key-old = [1, 2, 3]: its seal is SHA-256 over the same fields
    const sum = createHash('sha256').update(Buffer.from('ix-cache/4 ns\0key-old\0\x01\x02\x03', 'latin1')).digest('hex');
    const record = `key-old 3 ${sum}\n\x01\x02\x03`;
    const id = '1-999999-abcdef01'; // a pid no process has (gc merges it)
    writeFileSync(join(base, `${id}.pack`), `ix-pack/1\n${record}`, 'latin1');
    writeFileSync(join(base, `${id}.idx`), `ix-pack-index/1\nkey-old 10 ${record.length} 1\n`, 'latin1');
    expect(diskCache(dir, 'ns').get('key-old')).toBeUndefined();
    // the same record under the current index header: its seal does not check either
    writeFileSync(join(base, `${id}.idx`), `ix-pack-index/2\nkey-old 10 ${record.length} 1\n`, 'latin1');
    expect(diskCache(dir, 'ns').get('key-old')).toBeUndefined();
    const c = diskCache(dir, 'ns');
    c.put('key-old', new Uint8Array([1, 2, 3]));
    expect([...(diskCache(dir, 'ns').get('key-old') ?? [])]).toEqual([1, 2, 3]);
    expect(compactCache(dir)).toMatchObject({ packsMerged: 1, entries: 0, busy: 1 });
    expect(readdirSync(base).filter((n) => n.startsWith(id))).toEqual([]);
    expect([...(diskCache(dir, 'ns').get('key-old') ?? [])]).toEqual([1, 2, 3]);
  });
});

describe('the CLI', () => {
  beforeAll(() => ensureCoreBuilt());
  test('a cold `ix plan` leaves every kind of entry in one pack; `ix gc` compacts; the next plan is the same', () => {
    const root = writeTree(world);
    const cache = tempDir('ix-cache-');
    const env = { IX_CACHE_DIR: cache, IX_ROOT: tempDir('ix-root-') };
    const first = ix(['plan', 'bin/app', '--json', '--recipes', root], { env });
    expect(first.code).toBe(0);
    const names = files(cache);
    expect(names.map((n) => n.replace(/[^/]*\.(pack|idx)$/, 'ID.$1')).sort()).toEqual(
      [expect.stringMatching(/^v4\/core-[0-9a-f]{16}\/ID\.idx$/), expect.stringMatching(/^v4\/core-[0-9a-f]{16}\/ID\.pack$/)]);
    const keys = [...loadIndexes(join(cache, names[0].split('/').slice(0, 2).join('/'))).keys()];
    for (const kind of [...coreEntryKinds().core, 'memo1-', 'memob-']) expect(keys.some((k) => k.startsWith(kind)), kind).toBe(true);
    writeFileSync(join(root, 'bin', 'app', 'ix.sh'), readFileSync(join(root, 'bin', 'app', 'ix.sh'), 'utf8') + '{# an edit that renders nothing #}');
    expect(ix(['plan', 'bin/app', '--json', '--recipes', root], { env }).out).toBe(first.out);
    expect(files(cache)).toHaveLength(4);
    const gc = ix(['gc'], { env });
    expect(gc.code).toBe(0);
    expect(gc.out).toMatch(/^plan cache: 4 files, \d+ bytes -> 2 files, \d+ bytes \(2 packs merged, \d+ entries kept, 0 in use\)$/m);
    expect(files(cache)).toHaveLength(2);
    const again = ix(['plan', 'bin/app', '--json', '--recipes', root], { env });
    expect(again.out).toBe(first.out);
  });
});
