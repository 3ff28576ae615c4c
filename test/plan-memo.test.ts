// The host's plan memo (hosts/node/plan-memo.ts) through the real ./ix launcher: a still-valid
// request is answered without the WASM core (IX_CORE_DIR pointing at a directory holding only the
// core's manifest succeeds only from the memo), and no edit, rename, addition or deletion of a
// recipe file (also one reached only through `include`, and a die/ template), made with the
// old size and mtime put back, ever gives anything but the plan a cold run gives.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Plan } from '../engine/api';
import { cacheBase, diskCache } from '../hosts/node/cache';
import { loadIndexes } from '../hosts/node/cache-pack';
import { loadDigest } from '../hosts/node/digest';
import { fsHostIO } from '../hosts/node/io';
import { MARGIN_MS, fnv64, lookupPlan, memoRequest, recordingIO, storePlan, storeRoots } from '../hosts/node/plan-memo';
import { tree } from './support/cache-tree';
import { ensureCoreBuilt, ix, outDir, tempDir, world, writeTree } from './support/cli';

let coreless: string;
beforeAll(() => {
  ensureCoreBuilt();
  coreless = tempDir('ix-coreless-');
  copyFileSync(join(outDir, 'manifest.json'), join(coreless, 'manifest.json'));
});

/** Waits until files written now are older than the memo's safety margin (their stat may be kept). */
const settle = () => new Promise((r) => setTimeout(r, MARGIN_MS + 300));

/** Sets every file under `dir` to one whole-second time a minute ago, so that times put back are exact. */
function pinTimes(dir: string): void {
  const t = Math.floor(Date.now() / 1000) - 60;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) utimesSync(join(e.parentPath, e.name), t, t);
  }
}

/** Rewrites `path` with `text` (same size as before), then puts its old atime and mtime back. */
function editKeepingTimes(path: string, text: string): void {
  const st = statSync(path, { bigint: true });
  expect(BigInt(Buffer.byteLength(text))).toBe(st.size);
  writeFileSync(path, text);
  utimesSync(path, Number(st.atimeNs / 1_000_000_000n), Number(st.mtimeNs / 1_000_000_000n));
  expect(statSync(path, { bigint: true }).mtimeNs).toBe(st.mtimeNs); // whole seconds (pinTimes): exact
}

/** The memo entries' file rows (path, digest, stat) in a cache directory. */
function memoRows(cache: string): [string, string | null, string | null][] {
  const rows: [string, string | null, string | null][] = [];
  const top = join(cache, 'v4');
  for (const ns of readdirSync(top)) {
    const c = diskCache(cache, ns);
    for (const key of loadIndexes(join(top, ns)).keys()) {
      if (!key.startsWith('memo1-')) continue;
      const text = Buffer.from(c.get(key)!).toString('utf8');
      rows.push(...JSON.parse(text.slice('ix-plan-memo/2\n'.length)).files);
    }
  }
  return rows;
}

describe('plan memo', () => {
  test('answers without the core while valid; every change to a file the plan read gives the cold answer', async () => {
    const low = writeTree(tree());
    const top = tempDir('ix-top-');
    const cache = tempDir('ix-cache-');
    pinTimes(low);
    await settle();
    const run = (env: Record<string, string>) => ix(['plan', 'bin/d', '--json', '--recipes', top, '--recipes', low], { env });
    const warm = () => run({ IX_CACHE_DIR: cache });
    const memoOnly = () => run({ IX_CACHE_DIR: cache, IX_CORE_DIR: coreless });
    const cold = () => run({ IX_CACHE_DIR: tempDir('ix-cache-') });

    const first = warm();
    expect(first.code).toBe(0);
    expect(first.out).toBe(cold().out);
    expect(memoOnly().out).toBe(first.out);
    // settled files are checked by stat alone
    const rows = memoRows(cache);
    expect(rows.map((r) => r[0]).sort()).toEqual(['bin/c/ix.sh', 'bin/d/ix.sh', 'die/base.json', 'die/v.txt']);
    for (const r of rows) expect(r[2]).toMatch(/^\d+:\d+:\d+:[\d.]+:[\d.]+$/);

    // an unchanged plan after touching a file: re-hashed, still answered from the memo
    const now = Math.floor(Date.now() / 1000);
    utimesSync(join(low, 'bin/d/ix.sh'), now, now);
    expect(memoOnly().out).toBe(first.out);

    const v = join(low, 'die/v.txt');
    const seen = new Set([first.out]);
    const steps: [string, () => void][] = [
      ['edit the include-only file', () => editKeepingTimes(v, 'v2')],
      ['edit the die/ template', () => {
        const p = join(low, 'die/base.json');
        editKeepingTimes(p, readFileSync(p, 'utf8').replace("{% endblock %} {% include", "{% endblock %};{% include"));
      }],
      ['rename another file over a recipe', () => {
        const p = join(low, 'bin/c/ix.sh');
        const st = statSync(p);
        const next = join(low, 'bin/c/next');
        writeFileSync(next, readFileSync(p, 'utf8').replace('echo c', 'echo C'));
        utimesSync(next, st.atime, st.mtime);
        renameSync(p, join(low, 'bin/c/ix.sh.old'));
        renameSync(next, p);
      }],
      ['add a file in a higher root', () => {
        mkdirSync(join(top, 'die'));
        const st = statSync(v);
        writeFileSync(join(top, 'die/v.txt'), 'v3');
        utimesSync(join(top, 'die/v.txt'), st.atime, st.mtime);
      }],
      ['delete it again', () => rmSync(join(top, 'die/v.txt'))],
    ];
    for (const [what, step] of steps) {
      step();
      const want = cold();
      expect(want.code, what).toBe(0);
      if (!seen.has(want.out)) expect(memoOnly().code, `${what}: a stale memo answered`).not.toBe(0);
      seen.add(want.out);
      expect(warm().out, what).toBe(want.out);
      expect(memoOnly().out, what).toBe(want.out);
    }
    expect(seen.size).toBe(5); // every step but the last gave a new plan; the last gave an earlier one

    // deleting a recipe: the same error as a cold run, never an old plan
    rmSync(join(low, 'bin/c/ix.sh'));
    const gone = cold();
    expect(gone.code).toBe(2);
    expect(warm().err).toBe(gone.err);
    expect(memoOnly().code).not.toBe(0);
  }, 60_000);

  test('a memo hit prints what the core path prints: store paths, a hub\'s members, --json, build --dry-run', () => {
    const root = writeTree(world);
    const cache = tempDir('ix-cache-');
    for (const args of [['plan', 'set/all', 'bin/app'], ['plan', 'bin/app', '--json', '--target=linux-aarch64'], ['build', '--dry-run', 'set/all']]) {
      const cold = ix([...args, '--recipes', root], { env: { IX_CACHE_DIR: cache } });
      expect(cold.code, args.join(' ')).toBe(0);
      const hit = ix([...args, '--recipes', root], { env: { IX_CACHE_DIR: cache, IX_CORE_DIR: coreless } });
      expect(hit.err, args.join(' ')).toBe(cold.err); // build --dry-run: what it would do with each node
      expect(hit.out, args.join(' ')).toBe(cold.out);
    }
  });

  test('ix plan --keep-going with a package that fails: the memo answers it too, failures and exit code included', () => {
    const root = writeTree({ ...world, 'bin/broken/ix.sh': '{% extends "//die/nosuch.sh" %}\n' });
    const cache = tempDir('ix-cache-');
    const args = ['plan', '--keep-going', 'bin/app', 'bin/broken', 'set/all', '--recipes', root];
    const cold = ix(args, { env: { IX_CACHE_DIR: cache } });
    expect(cold.code).toBe(2);
    expect(cold.err).toMatch(/^ix: error: .*bin\/broken.*\nix: 1 of 3 packages failed to plan\n$/);
    expect(cold.out.trim().split('\n').length).toBeGreaterThan(1);
    const hit = ix(args, { env: { IX_CACHE_DIR: cache, IX_CORE_DIR: coreless } });
    expect(hit.code).toBe(2);
    expect(hit.err).toBe(cold.err);
    expect(hit.out).toBe(cold.out);
  });

  test('roots only and whole plans share one entry: a head alone answers ix plan, never --json or a build; a whole plan answers both', () => {
    const low = writeTree(tree());
    const cache = tempDir('ix-cache-');
    const args = (json: boolean) => ['plan', 'bin/d', 'bin/c', ...(json ? ['--json'] : []), '--recipes', low];
    const warm = (json: boolean) => ix(args(json), { env: { IX_CACHE_DIR: cache } });
    const memoOnly = (json: boolean) => ix(args(json), { env: { IX_CACHE_DIR: cache, IX_CORE_DIR: coreless } });
    const cold = (json: boolean) => ix(args(json), { env: { IX_CACHE_DIR: tempDir('ix-cache-') } });
    const memoKeys = () => [...loadIndexes(join(cache, 'v4', readdirSync(join(cache, 'v4'))[0])).keys()].filter((k) => k.startsWith('memo')).map((k) => k.slice(0, 5)).sort();
    /** The store paths `ix plan` prints, from the roots of a whole plan's JSON. */
    const pathsOf = (json: string) => (JSON.parse(json) as Plan).roots.map((r) => `${r.out}\n`).join('');
    const check = (what: string) => {
      const [paths, json] = [cold(false), cold(true)];
      expect(paths.code, what).toBe(0);
      expect(paths.out, what).toBe(pathsOf(json.out));
      return { paths: paths.out, json: json.out };
    };

    // roots only first: a head alone, which a whole-plan request does not take
    let want = check('cold');
    expect(warm(false).out).toBe(want.paths);
    expect(memoKeys()).toEqual(['memo1']);
    expect(memoOnly(false).out).toBe(want.paths);
    expect(memoOnly(true).code, 'a roots-only head answered --json').not.toBe(0);
    const dryRun = () => ix(['build', '--dry-run', 'bin/d', 'bin/c', '--recipes', low], { env: { IX_CACHE_DIR: cache, IX_CORE_DIR: coreless, IX_ROOT: tempDir('ix-root-') } });
    expect(dryRun().code, 'a roots-only head answered a build').not.toBe(0);
    // then the whole plan, whose entry answers both
    expect(warm(true).out).toBe(want.json);
    expect(memoKeys()).toEqual(['memo1', 'memob', 'memos']);
    expect(memoOnly(true).out).toBe(want.json);
    expect(memoOnly(false).out).toBe(want.paths);
    expect(dryRun().code).toBe(0);

    // an edit in between: roots only re-plans, and the whole plan after it is the cold one
    writeFileSync(join(low, 'bin/c/ix.sh'), readFileSync(join(low, 'bin/c/ix.sh'), 'utf8').replace('echo c', 'echo edited'));
    const before = want;
    want = check('after an edit');
    expect(want.paths).not.toBe(before.paths);
    expect(memoOnly(false).code, 'a stale memo answered').not.toBe(0);
    expect(warm(false).out).toBe(want.paths);
    expect(memoOnly(false).out).toBe(want.paths);
    expect(memoOnly(true).code, 'a roots-only head answered --json').not.toBe(0);
    expect(warm(true).out).toBe(want.json);
    expect(memoOnly(false).out).toBe(want.paths);

    // whole plan, edit, whole plan, roots only: each the cold answer
    writeFileSync(join(low, 'bin/c/ix.sh'), readFileSync(join(low, 'bin/c/ix.sh'), 'utf8').replace('echo edited', 'echo again'));
    want = check('after a second edit');
    expect(warm(true).out).toBe(want.json);
    expect(memoOnly(false).out).toBe(want.paths);
    expect(warm(false).out).toBe(want.paths);
  }, 60_000);

  test('a file written within the margin before the plan is kept without stat (always re-hashed)', () => {
    const low = writeTree(tree());
    const cache = tempDir('ix-cache-');
    expect(ix(['plan', 'bin/d', '--recipes', low], { env: { IX_CACHE_DIR: cache } }).code).toBe(0);
    const rows = memoRows(cache);
    expect(rows).toHaveLength(4);
    for (const r of rows) expect(r[2]).toBeNull();
  });

  test('a no-op build answers from the memo only when every output is in the store', () => {
    const low = writeTree(tree());
    const cache = tempDir('ix-cache-');
    const root = tempDir('ix-root-');
    const plan = ix(['plan', 'bin/d', '--json', '--recipes', low], { env: { IX_CACHE_DIR: cache } });
    const outs = (JSON.parse(plan.out) as { nodes: { id: string; out: string }[] }).nodes;
    const build = () => ix(['build', 'bin/d', '--recipes', low], { env: { IX_CACHE_DIR: cache, IX_CORE_DIR: coreless, IX_ROOT: root } });
    // a hand-made store: each output's record and read-only directory (hosts/common/layout.ts)
    mkdirSync(join(root, 'var/db/v1'), { recursive: true });
    for (const n of outs) {
      const dir = join(root, 'store', n.out.slice('/ix/store/'.length));
      mkdirSync(dir, { recursive: true, mode: 0o555 });
      writeFileSync(join(root, 'var/db/v1', `${n.id}.json`), '{}');
    }
    const r = build();
    expect(r.err).toMatch(new RegExp(`^done: 0 built, ${outs.length} already there, 0 failed, 0 skipped in [0-9.]+ s\n$`));
    expect(r.code).toBe(0);
    expect(r.out).toBe(`${outs.at(-1)!.out}\n`);
    rmSync(join(root, 'var/db/v1', `${outs[0].id}.json`));
    expect(build().code).not.toBe(0); // not built: main.ts takes over, and this core cannot load
  });
});

describe('plan memo entries', () => {
  const plan = (out: string): Plan => ({ format: 'ix-plan/4-expanded', host: 'h', target: 't', roots: [{ request: 'bin/c', name: 'bin/c', out }], nodes: [] });
  /** A recipe tree, a memo site over it with a fresh cache (in `dir`), and a host IO over it that records what it reads. */
  const freshSite = async () => {
    const root = writeTree(tree());
    const dir = tempDir('ix-cache-');
    const site = { cache: diskCache(dir, 'ns'), roots: [root] };
    return { root, dir, site, ...recordingIO(fsHostIO([root], { digest: await loadDigest() })) };
  };

  test('a head answers only with the body of its own write; a foreign or corrupt head is a miss', async () => {
    const { root, dir, site, io, rec } = await freshSite();
    io.readFile('bin/c/ix.sh');
    const req = '{"packages":["bin/c"]}';
    storePlan(site, req, Buffer.from('plan A'), plan('/a'), rec, Date.now());
    const a = await lookupPlan(site, req);
    expect(a?.roots[0].out).toBe('/a');
    expect(Buffer.from(a!.bytes()!).toString()).toBe('plan A');
    expect(await lookupPlan(site, '{"packages":["bin/d"]}')).toBeUndefined();
    expect(await lookupPlan({ ...site, roots: [root, root] }, req)).toBeUndefined();

    // the body of write A under the head of write B (a concurrent rewrite): bytes() is a miss
    const keys = [...loadIndexes(cacheBase(dir, 'ns')).keys()];
    const bodyKey = keys.find((k) => k.startsWith('memob-'))!;
    const headKey = keys.find((k) => k.startsWith('memo1-'))!;
    const bodyA = site.cache.get(bodyKey)!;
    storePlan(site, req, Buffer.from('plan B'), plan('/b'), rec, Date.now());
    site.cache.put(bodyKey, bodyA);
    const b = await lookupPlan(site, req);
    expect(b?.roots[0].out).toBe('/b');
    expect(b!.bytes()).toBeUndefined();

    // a head whose key text differs (as after an FNV collision) or that does not parse
    const text = Buffer.from(site.cache.get(headKey)!).toString('utf8');
    site.cache.put(headKey, Buffer.from(text.replace('bin/c', 'bin/x')));
    expect(await lookupPlan(site, req)).toBeUndefined();
    site.cache.put(headKey, Buffer.from(text.slice(0, text.length - 5)));
    expect(await lookupPlan(site, req)).toBeUndefined();
  });

  test('an answer of roots only is a head alone, under the key of its whole plan', async () => {
    const { dir, site, io, rec } = await freshSite();
    io.readFile('bin/c/ix.sh');
    const req = memoRequest({ packages: ['bin/c'], output: 'roots' });
    expect(req).toBe(memoRequest({ packages: ['bin/c'] }));
    storeRoots(site, req, [{ request: 'bin/c', name: 'bin/c', out: '/r' }], rec, Date.now());
    const r = await lookupPlan(site, req);
    expect(r?.whole).toBe(false);
    expect(r?.roots[0].out).toBe('/r');
    expect(r?.outs).toEqual([]);
    expect(r?.bytes()).toBeUndefined();
    expect(r?.summary()).toBeUndefined();
    expect([...loadIndexes(cacheBase(dir, 'ns')).keys()].map((k) => k.slice(0, 5))).toEqual(['memo1']);
    // a whole plan's head replaces it, and a head with outs but no body is malformed
    storePlan(site, req, Buffer.from('plan A'), plan('/a'), rec, Date.now());
    const w = await lookupPlan(site, req);
    expect(w?.whole).toBe(true);
    expect(Buffer.from(w!.bytes()!).toString()).toBe('plan A');
    const headKey = [...loadIndexes(cacheBase(dir, 'ns')).keys()].find((k) => k.startsWith('memo1-'))!;
    const text = Buffer.from(site.cache.get(headKey)!).toString('utf8');
    site.cache.put(headKey, Buffer.from(text.replace(/"body":"[^"]*"/, '"body":null')));
    expect(await lookupPlan(site, req)).toBeUndefined();
  });

  test('a core call that listed directories is memoised with the listings: a new, removed or renamed entry is a miss', async () => {
    const { root, site } = await freshSite();
    const store = async (): Promise<void> => {
      const { io, rec } = recordingIO(fsHostIO([root], { digest: await loadDigest() }));
      io.readFile('bin/c/ix.sh');
      io.listDir('bin/');
      io.listDir('nowhere/');
      storePlan(site, '{}', Buffer.from('x'), plan('/a'), rec, Date.now());
    };
    await store();
    expect((await lookupPlan(site, '{}'))?.roots[0].out).toBe('/a');
    mkdirSync(join(root, 'bin/new'));
    expect(await lookupPlan(site, '{}')).toBeUndefined();
    await store();
    expect(await lookupPlan(site, '{}')).toBeDefined();
    renameSync(join(root, 'bin/new'), join(root, 'bin/nex'));
    expect(await lookupPlan(site, '{}')).toBeUndefined();
    await store();
    mkdirSync(join(root, 'nowhere'));
    expect(await lookupPlan(site, '{}')).toBeUndefined(); // a directory that was absent appears
    await store();
    rmSync(join(root, 'bin/nex'), { recursive: true });
    expect(await lookupPlan(site, '{}')).toBeUndefined();
  });

  test('a directory listed twice with different answers in one call is not memoised', async () => {
    const { root, site, io, rec } = await freshSite();
    io.listDir('bin/');
    mkdirSync(join(root, 'bin/new'));
    io.listDir('bin/');
    storePlan(site, '{}', Buffer.from('x'), plan('/a'), rec, Date.now());
    expect(await lookupPlan(site, '{}')).toBeUndefined();
  });
});

describe('plan memo entry names', () => {
  test('FNV-1a 64 of UTF-16 code units, as 64-bit arithmetic gives it (names of existing entries stay)', () => {
    const ref = (text: string) => {
      let h = 0xcbf29ce484222325n;
      for (let i = 0; i < text.length; i++) h = BigInt.asUintN(64, (h ^ BigInt(text.charCodeAt(i))) * 0x100000001b3n);
      return h.toString(16).padStart(16, '0');
    };
    // published FNV-1a 64 vectors (ASCII: one code unit per byte)
    expect(fnv64('')).toBe('cbf29ce484222325');
    expect(fnv64('a')).toBe('af63dc4c8601ec8c');
    expect(fnv64('foobar')).toBe('85944171f73967e8');
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let k = 0; k < 2000; k++) {
      const text = String.fromCharCode(...Array.from({ length: next() % 50 }, () => next() % 65536));
      expect(fnv64(text), JSON.stringify(text)).toBe(ref(text));
    }
  });
});
