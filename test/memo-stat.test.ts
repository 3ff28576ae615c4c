// The plan memo's file rows take the stat a file was read (or its remembered digest matched)
// under, from the command's snapshot HostIO (io.ts answeredStat), instead of a stat of every file
// after the core call: real files, the real BLAKE3 and the real disk cache, counting the real
// `stat` calls. The rows are the same stat text a stat after the call gives for an unchanged
// file; a file changed after its read keeps its before-read stat, so the next lookup re-reads it
// and misses; a file too new at the command's start, and a file of a lower root, are stat-ed as
// before. A digest answered by its stat answers that path again within the command, as a
// snapshot's read does, without another stat.
import { mkdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test, vi } from 'vitest';
import type { Plan } from '../engine/api';
import { diskCache } from '../hosts/node/cache';
import { loadDigest, type Digest } from '../hosts/node/digest';
import { answeredStat, fsHostIO } from '../hosts/node/io';
import { MARGIN_MS, fnv64, lookupPlan, recordingIO, storePlan } from '../hosts/node/plan-memo';
import { statKey } from '../hosts/node/stat-table';
import { tempDir } from './support/cli';

/** Every path the code under test stat-ed (node:fs's statSync, passed through). */
const stated = vi.hoisted(() => [] as string[]);
/** Every directory the code under test read (node:fs's readdirSync, passed through). */
const listed = vi.hoisted(() => [] as string[]);
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const statSync = ((...a: Parameters<typeof fs.statSync>) => {
    stated.push(String(a[0]));
    return fs.statSync(...a);
  }) as typeof fs.statSync;
  const readdirSync = ((...a: Parameters<typeof fs.readdirSync>) => {
    listed.push(String(a[0]));
    return fs.readdirSync(...a);
  }) as typeof fs.readdirSync;
  return { ...fs, default: { ...fs, statSync, readdirSync }, statSync, readdirSync };
});

let blake3: Digest;
beforeAll(async () => {
  blake3 = await loadDigest();
});

const plan: Plan = { format: 'ix-plan/4-expanded', host: 'h', target: 't', roots: [{ request: 'bin/c', name: 'bin/c', out: '/o' }], nodes: [] };
const hex = (d: Uint8Array) => Buffer.from(d).toString('hex');
const REQ = '{"packages":["bin/c"]}';

/** The file rows of the memo head of REQ over `roots`. */
function rows(cache: ReturnType<typeof diskCache>, roots: string[]): [string, string | null, string | null][] {
  const key = `memo1-${fnv64(JSON.stringify(['ix-plan-memo/4', roots, REQ]))}`;
  const text = Buffer.from(cache.get(key)!).toString('utf8');
  return (JSON.parse(text.slice(text.indexOf('\n') + 1)) as { files: [string, string | null, string | null][] }).files;
}

/** A recipe tree of settled files (times a minute back) and one written now. */
function recipes(): string {
  const root = tempDir('ix-recipes-');
  const old = Math.floor(Date.now() / 1000) - 60;
  for (const [p, t] of [['a.sh', 'echo a\n'], ['b.sh', 'echo b\n'], ['c.sh', 'echo c\n']]) {
    writeFileSync(join(root, p), t);
    utimesSync(join(root, p), old, old);
  }
  return root;
}

/** A command: a snapshot HostIO (`host`) with the stat table over `roots`, wrapped for the memo (`io`, `rec`); `startedMs` as given. */
function command(roots: string[], cacheDir: string, startedMs: number) {
  const io = fsHostIO(roots, { digest: blake3, cache: diskCache(cacheDir, 'ns'), snapshot: true, startedMs });
  const { io: recording, rec } = recordingIO(io);
  return { io: recording, rec, host: io };
}

describe('memo rows from the stats of the reads', () => {
  test('rows of files read or answered by stat carry their before-read stat, with no stat after the call', async () => {
    const root = recipes();
    const dir = tempDir('ix-cache-');
    const later = Date.now() + 60_000; // ctime cannot be set back: a start a minute on settles the files
    // the first command reads a.sh and fills the digest table with b.sh and c.sh
    const first = command([root], dir, later);
    first.io.fileDigests!(['b.sh', 'c.sh']);
    await new Promise((r) => setImmediate(r)); // the table is written when the loop turns

    const second = command([root], dir, later);
    expect(second.io.readFile('a.sh')).toBeDefined();
    const got = second.io.fileDigests!(['b.sh', 'c.sh'])!; // answered by the table: not read
    expect(got.map((d) => hex(d!))).toEqual(['echo b\n', 'echo c\n'].map((t) => hex(blake3(Buffer.from(t)))));
    const seen = answeredStat(second.host)!;
    for (const p of ['a.sh', 'b.sh', 'c.sh']) expect(statKey(seen(p)!)).toBe(statKey(statSync(join(root, p))));
    expect(seen('none.sh')).toBeUndefined();

    const site = { cache: diskCache(dir, 'ns'), roots: [root] };
    stated.length = 0;
    storePlan(site, REQ, Buffer.from('plan'), plan, second.rec, later);
    expect(stated.filter((p) => p.startsWith(root))).toEqual([]);
    expect(rows(site.cache, [root]).map(([p, , st]) => [p, st])).toEqual(['a.sh', 'b.sh', 'c.sh'].map((p) => [p, statKey(statSync(join(root, p)))]));
    expect((await lookupPlan(site, REQ))?.roots[0].out).toBe('/o');

    // a.sh changed after its read (as during the core call): its row keeps the stat it was read
    // under, which no longer matches, so the lookup re-reads it and misses
    const third = command([root], dir, later);
    third.io.readFile('a.sh');
    const before = statKey(statSync(join(root, 'a.sh')));
    writeFileSync(join(root, 'a.sh'), 'echo A\n');
    storePlan(site, REQ, Buffer.from('plan'), plan, third.rec, later);
    expect(rows(site.cache, [root]).find(([p]) => p === 'a.sh')![2]).toBe(before);
    expect(await lookupPlan(site, REQ)).toBeUndefined();
  });

  test('a file too new at the command start, or from a lower root, is stat-ed after the call as before', async () => {
    const root = recipes();
    const lower = tempDir('ix-lower-');
    mkdirSync(join(lower, 'd'));
    writeFileSync(join(lower, 'd/low.sh'), 'echo low\n');
    await new Promise((r) => setTimeout(r, MARGIN_MS + 300)); // every file so far is settled at a real start
    writeFileSync(join(root, 'new.sh'), 'echo new\n'); // this one is not
    const dir = tempDir('ix-cache-');
    const c = command([root, lower], dir, Date.now());
    for (const p of ['new.sh', 'a.sh', 'd/low.sh']) c.io.readFile(p);
    const seen = answeredStat(c.host)!;
    expect(statKey(seen('a.sh')!)).toBe(statKey(statSync(join(root, 'a.sh'))));
    expect(seen('new.sh')).toBeUndefined();
    expect(seen('d/low.sh')).toBeUndefined();
    const site = { cache: diskCache(dir, 'ns'), roots: [root, lower] };
    stated.length = 0;
    storePlan(site, REQ, Buffer.from('plan'), plan, c.rec, Date.now());
    expect(stated.filter((p) => !p.endsWith('a.sh')).sort()).toEqual([join(root, 'd/low.sh'), join(lower, 'd/low.sh'), join(root, 'new.sh')].sort());
    expect(rows(site.cache, [root, lower])).toEqual([
      ['a.sh', hex(blake3(Buffer.from('echo a\n'))), statKey(statSync(join(root, 'a.sh')))],
      ['d/low.sh', hex(blake3(Buffer.from('echo low\n'))), statKey(statSync(join(lower, 'd/low.sh')))],
      ['new.sh', hex(blake3(Buffer.from('echo new\n'))), null],
    ]);
    expect((await lookupPlan(site, REQ))?.roots[0].out).toBe('/o');
  });

  test('a digest answered by its stat answers the path again in the same command, without a stat; the next command looks again', async () => {
    const root = recipes();
    const dir = tempDir('ix-cache-');
    const later = Date.now() + 60_000;
    command([root], dir, later).io.fileDigests!(['b.sh']); // remembered by stat
    await new Promise((r) => setImmediate(r));
    const c = command([root], dir, later);
    stated.length = 0;
    const first = c.io.fileDigests!(['b.sh', 'b.sh'])!;
    expect(stated.filter((p) => p.endsWith('b.sh'))).toHaveLength(1);
    expect(first[1]).toBe(first[0]);
    expect(hex(first[0]!)).toBe(hex(blake3(Buffer.from('echo b\n'))));
    writeFileSync(join(root, 'b.sh'), 'echo B\n'); // changed within the command: its first answer stands
    stated.length = 0;
    expect(c.io.fileDigests!(['b.sh'])![0]).toBe(first[0]);
    expect(stated).toEqual([]);
    expect(hex(command([root], dir, later).io.fileDigests!(['b.sh'])![0]!)).toBe(hex(blake3(Buffer.from('echo B\n'))));
  });

  test('a lookup answers a remembered listing from its directory\'s stat; an entry added, removed or renamed is still a miss', async () => {
    const root = recipes();
    mkdirSync(join(root, 'bin/c'), { recursive: true });
    const dir = tempDir('ix-cache-');
    const later = Date.now() + 60_000;
    const site = { cache: diskCache(dir, 'ns'), roots: [root] };
    const store = async () => {
      const c = command([root], dir, later);
      c.io.readFile('a.sh');
      for (const d of ['', 'bin/', 'bin/c/']) c.io.listDir(d);
      storePlan(site, REQ, Buffer.from('plan'), plan, c.rec, later);
      await new Promise((r) => setImmediate(r)); // the listing table is written when the loop turns
    };
    await store();
    listed.length = 0;
    expect((await lookupPlan(site, REQ, later))?.roots[0].out).toBe('/o');
    expect(listed.filter((d) => d.startsWith(root))).toEqual([]); // every directory answered by its stat
    for (const change of [() => mkdirSync(join(root, 'bin/d')), () => renameSync(join(root, 'bin/d'), join(root, 'bin/e')), () => rmSync(join(root, 'bin/e'), { recursive: true })]) {
      change();
      expect(await lookupPlan(site, REQ, later)).toBeUndefined();
      await store();
      expect((await lookupPlan(site, REQ, later))?.roots[0].out).toBe('/o');
    }
  });

  test('a lower root\'s directory missing from its parent\'s listing is absent without a stat', () => {
    const root = recipes();
    const lower = tempDir('ix-lower-');
    for (const d of ['bin/a', 'bin/x']) mkdirSync(join(root, d), { recursive: true });
    mkdirSync(join(lower, 'bin/x'), { recursive: true });
    writeFileSync(join(lower, 'bin/y'), 'a file, not a directory\n');
    const io = fsHostIO([root, lower], { snapshot: true });
    expect(io.listDir('bin/')!.sort()).toEqual(['a/', 'x/', 'y']);
    stated.length = 0;
    expect(io.listDir('bin/a/')).toEqual([]);
    expect(io.listDir('bin/y/')).toBeUndefined();
    expect(stated.filter((p) => p.startsWith(lower))).toEqual([]); // not in lower's bin/ as directories
    expect(io.listDir('bin/x/')).toEqual([]);
    expect(stated.filter((p) => p.startsWith(lower))).toEqual([join(lower, 'bin/x/')]);
  });

  test('a HostIO that is not a snapshot gives no stats', () => {
    expect(answeredStat(fsHostIO([recipes()], { digest: blake3 }))).toBeUndefined();
  });
});
