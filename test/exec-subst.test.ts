// Substitution in the executor, with a real store and a fake cache that serves another store's
// outputs: top-down, only what the wanted outputs need is looked up (in bounded waves) and
// realised; a failed download of a node in the middle brings its inputs back and builds it.
// Nodes come from the cache in the "subst" pool, in dependency order,
// committed only when their tree hash is the one the cache vouched for; a refused or tampered
// copy is reported in one line and the node is built instead; two executors substituting the
// same path download it once; kill -9 mid-download leaves nothing built; --push-to uploads what
// was built here and nothing else. The real cache backends are exercised by the cache tests and
// by the end-to-end story in test/real-builds.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { build } from 'esbuild';
import { removeTree } from '../hosts/common';
import type { PlanNode } from '../engine/api';
import { execute, plainReporter, type ExecEvent, type Substituter } from '../hosts/node/exec';
import type { RunOptions, RunResult } from '../hosts/common';
import { openStore, type Store } from '../hosts/node/store';

const id = (c: string) => c.repeat(32);
function node(c: string, deps: string[] = [], pool = 'cpu'): PlanNode {
  const out = `/ix/store/${id(c)}-bin-${c}`;
  const inputs = deps.map((d) => `/ix/store/${id(d)}-bin-${d}`).sort();
  return {
    id: id(c), out, name: `bin/${c}`, storeName: `bin-${c}`, flags: {}, inputs, runtime: inputs, pool, net: false,
    cmd: { argv: ['sh', '-s'], stdin: '', env: {} },
  };
}
// a <- b <- c (c refers to b, b to a), and x alone; f is a "full" node.
const A = node('a');
const B = node('b', ['a']);
const C = node('c', ['b']);
const X = node('x');
const F = node('f', [], 'full');
const ALL = [A, B, C, X, F];

// A closure shaped like bin/zstd's: sources (net), build-only tools, two libraries (l2 in the
// middle uses l1), and a static program that refers to nothing at run time.
function mk(name: string, c: string, inputs: PlanNode[], runtime: PlanNode[] = inputs, pool = 'cpu'): PlanNode {
  const out = `/ix/store/${id(c)}-${name.replace(/\//g, '-')}`;
  return {
    id: id(c), out, name, storeName: name.replace(/\//g, '-'), flags: {}, pool, net: false,
    inputs: inputs.map((n) => n.out).sort(), runtime: runtime.map((n) => n.out).sort(),
    cmd: { argv: ['sh', '-s'], stdin: '', env: {} },
  };
}
const SRC_T = mk('bin/src-t', 'g', [], [], 'net');
const SRC_1 = mk('bin/src-l1', 'h', [], [], 'net');
const SRC_2 = mk('bin/src-l2', 'i', [], [], 'net');
const SRC_P = mk('bin/src-top', 'j', [], [], 'net');
const T = mk('bin/tools', 'k', [SRC_T], []);
const L1 = mk('lib/l1', 'm', [T, SRC_1], []);
const L2 = mk('lib/l2', 'n', [T, L1, SRC_2], [L1]);
const TOP = mk('bin/top', 'p', [T, L1, L2, SRC_P], []);
const DEEP = [SRC_T, SRC_1, SRC_2, SRC_P, T, L1, L2, TOP];

/** The fake sandbox: writes files that name the node and refer to its inputs. */
function fakeRun(ran: string[]) {
  return async (n: PlanNode, o: RunOptions): Promise<RunResult> => {
    ran.push(n.name);
    mkdirSync(path.join(o.outDir, 'bin'));
    // refers to what the node declares at run time (a "static" node refers to nothing)
    writeFileSync(path.join(o.outDir, 'bin', n.name.slice(4)), `#!/bin/sh\necho ${n.name} ${n.runtime.join(' ')}\n`, { mode: 0o755 });
    return { ok: true } as RunResult;
  };
}

const tmp: string[] = [];
async function freshStore(): Promise<Store> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'ix-subst-'));
  tmp.push(root);
  return openStore({ root, onWait: () => undefined });
}

/**
 * A cache over another store: lookups and downloads are recorded; `tamper` changes the bytes,
 * `truncate` breaks a download halfway, `lacking` are not in it, `only` are all it holds.
 */
function storeCache(src: Store, dst: Store, opts: { refuse?: string[]; tamper?: string[]; truncate?: string[]; lacking?: string[]; only?: string[]; delayMs?: number; log?: string[] } = {}): Substituter & { fetched: string[]; looked: string[]; live: number; maxLive: number; asking: number; maxAsking: number } {
  const s = {
    fetched: [] as string[], looked: [] as string[], live: 0, maxLive: 0, asking: 0, maxAsking: 0,
    async lookup(n: PlanNode) {
      s.looked.push(n.name);
      s.maxAsking = Math.max(s.maxAsking, ++s.asking);
      await new Promise((r) => setTimeout(r, 5));
      s.asking--;
      if (opts.lacking?.includes(n.name) || (opts.only && !opts.only.includes(n.name))) return undefined;
      const rec = await src.record(n.out);
      return rec ? { cache: 'file:///fake-cache', bytes: rec.size, refs: rec.refs } : undefined;
    },
    async fetch(n: PlanNode, hit: { cache: string }, o: { tmpOut: string }, hooks: { onRefused(l: string): void; onProgress(b: number): void }) {
      s.live++;
      s.maxLive = Math.max(s.maxLive, s.live);
      try {
        s.fetched.push(n.name);
        opts.log?.push(`fetch ${n.name}`);
        if (opts.refuse?.includes(n.name)) {
          hooks.onRefused(`${hit.cache}: ${n.out}: signed by an untrusted key`);
          return undefined;
        }
        const rec = (await src.record(n.out))!;
        await new Promise((r) => setTimeout(r, opts.delayMs ?? 5));
        // the references of a path must be in the store before the path
        for (const ref of n.runtime) if (!(await dst.isBuilt(ref))) throw new Error(`${n.name} fetched before its reference ${ref}`);
        await fs.rm(o.tmpOut, { recursive: true });
        cpSync(src.physical(n.out), o.tmpOut, { recursive: true });
        await fs.chmod(o.tmpOut, 0o755);
        if (opts.truncate?.includes(n.name)) throw new Error('archive ended after 512 of 4096 bytes');
        if (opts.tamper?.includes(n.name)) {
          await fs.chmod(path.join(o.tmpOut, 'bin'), 0o755);
          writeFileSync(path.join(o.tmpOut, 'bin', 'evil'), 'x');
        }
        hooks.onProgress(rec.size);
        return { cache: hit.cache, bytes: rec.size, expectHash: rec.hash };
      } finally {
        s.live--;
      }
    },
  };
  return s;
}

let src: Store;
beforeAll(async () => {
  src = await freshStore();
  const r = await execute([...ALL, ...DEEP], { store: src, run: fakeRun([]) });
  expect(r.ok).toBe(true);
});
afterAll(async () => {
  for (const t of tmp) await removeTree(t);
});

const collect = () => {
  const events: ExecEvent[] = [];
  return { events, reporter: { emit: (e: ExecEvent) => events.push(e), close() {} } };
};

describe('substitution', () => {
  it('plain lines show the cache, the bytes and the rate; the end line counts substitutions', () => {
    let text = '';
    const r = plainReporter({ write: (x) => (text += x) });
    r.emit({ event: 'begin', format: 'ix-events/1', total: 2, cores: 2 });
    r.emit({ event: 'done', id: C.id, name: C.name, out: C.out, status: 'substituted', ms: 500, cache: 'http://127.0.0.1:1/c', bytes: 12_345_678 });
    r.emit({ event: 'end', ok: true, built: 1, substituted: 1, cached: 0, failed: 0, skipped: 0, ms: 600 });
    expect(text).toBe(`[1/2] substituted bin/c ${C.out} from http://127.0.0.1:1/c (12.3 MB at 24.7 MB/s)\ndone: 1 built, 1 substituted, 0 already there, 0 failed, 0 skipped in 0.6 s\n`);
  });

  it('realises every node from the cache: no build, same tree hashes, subst pool, logs name the cache', async () => {
    const dst = await freshStore();
    const cache = storeCache(src, dst);
    const ran: string[] = [];
    const { events, reporter } = collect();
    const r = await execute(ALL, { store: dst, run: fakeRun(ran), substituter: cache, reporter });
    expect(r.ok).toBe(true);
    expect(ran).toEqual([]);
    expect([...r.status.values()].every((s) => s === 'substituted')).toBe(true);
    for (const n of ALL) expect((await dst.record(n.out))!.hash).toBe((await src.record(n.out))!.hash);
    const starts = events.filter((e) => e.event === 'start');
    expect(starts.map((e) => e.event === 'start' && e.pool)).toEqual(ALL.map(() => 'subst'));
    const done = events.find((e) => e.event === 'done' && e.name === 'bin/c');
    expect(done).toMatchObject({ status: 'substituted', cache: 'file:///fake-cache' });
    expect((done as { bytes: number }).bytes).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ event: 'end', ok: true, built: 0, substituted: 5 });
    // the live display and plain steps show a download's bytes and rate
    expect(events.some((e) => e.event === 'step' && /^downloading \d+(\.\d)? [kM]?B at \d+(\.\d)? [kMG]?B\/s$/.test(e.line))).toBe(true);
    expect(readFileSync(path.join(dst.layout.logs, `${C.id}.log`), 'utf8')).toMatch(/substituted from file:\/\/\/fake-cache/);
    // a second run finds everything there and asks no cache
    const again = await execute(ALL, { store: dst, run: fakeRun(ran), substituter: cache });
    expect([...again.status.values()].every((s) => s === 'cached')).toBe(true);
    expect(cache.fetched).toHaveLength(5);
  });

  it('a refused or tampered copy is one line, enters nothing, and the node is built instead', async () => {
    const dst = await freshStore();
    const cache = storeCache(src, dst, { refuse: ['bin/b'], tamper: ['bin/x'] });
    const ran: string[] = [];
    let text = '';
    const r = await execute(ALL, { store: dst, run: fakeRun(ran), substituter: cache, reporter: plainReporter({ write: (s) => (text += s) }) });
    expect(r.ok).toBe(true);
    expect(ran.sort()).toEqual(['bin/b', 'bin/x']);
    expect(r.status.get(B.id)).toBe('built');
    expect(r.status.get(X.id)).toBe('built');
    expect(r.status.get(C.id)).toBe('substituted');
    expect(text).toContain(`ix: file:///fake-cache: ${B.out}: signed by an untrusted key; building bin/b instead\n`);
    expect(text).toMatch(new RegExp(`ix: cache file:///fake-cache: ${X.out}: .*tree hash.*; building bin/x instead\\n`));
    expect(existsSync(path.join(dst.physical(X.out), 'bin', 'evil'))).toBe(false);
    // the rebuilt node is identical to the cache's (the fake build is deterministic)
    expect((await dst.record(X.out))!.hash).toBe((await src.record(X.out))!.hash);
  });

  it('downloads run beside builds in their own slots', async () => {
    const dst = await freshStore();
    const cache = storeCache(src, dst, { delayMs: 50 });
    const r = await execute(ALL, { store: dst, run: fakeRun([]), substituter: cache, substSlots: 2 });
    expect(r.ok).toBe(true);
    expect(cache.maxLive).toBe(2); // a, x and f are ready at once; two slots
  });

  it('pushes what it built, not what it substituted or found', async () => {
    const dst = await freshStore();
    const cache = storeCache(src, dst, { refuse: ['bin/x'] });
    const pushed: string[] = [];
    const { events, reporter } = collect();
    const r = await execute(ALL, {
      store: dst, run: fakeRun([]), substituter: cache, reporter,
      push: async (n) => { pushed.push(n.name); return [{ cache: 'file:///up' }, { cache: 'http://down', error: 'HTTP 500' }]; },
    });
    expect(r.ok).toBe(true);
    expect(pushed).toEqual(['bin/x']);
    expect(r.pushFailures).toEqual([`${X.out} to http://down: HTTP 500`]);
    expect(events.filter((e) => e.event === 'pushed')).toHaveLength(2);
  });
});

describe('top-down substitution', () => {
  const names = async (st: Store, ns: PlanNode[]) => {
    const r: string[] = [];
    for (const n of ns) if (await st.isBuilt(n.out)) r.push(n.name);
    return r.sort();
  };

  it('a cache holding only the program: one lookup, one download, nothing built, the rest not needed', async () => {
    const dst = await freshStore();
    const cache = storeCache(src, dst, { only: ['bin/top'] });
    const ran: string[] = [];
    const { events, reporter } = collect();
    const r = await execute(DEEP, { store: dst, run: fakeRun(ran), substituter: cache, reporter, wanted: [TOP.out] });
    expect(r.ok).toBe(true);
    expect(ran).toEqual([]);
    expect(cache.looked).toEqual(['bin/top']);
    expect(cache.fetched).toEqual(['bin/top']);
    expect(await names(dst, DEEP)).toEqual(['bin/top']);
    expect(r.status.get(TOP.id)).toBe('substituted');
    expect(r.status.get(L2.id)).toBe('unneeded');
    expect(events[0]).toMatchObject({ event: 'begin', total: 8, needed: 1 });
    expect(events.filter((e) => e.event === 'done').map((e) => e.event === 'done' && e.name)).toEqual(['bin/top']);
    expect(events.at(-1)).toMatchObject({ event: 'end', ok: true, built: 0, substituted: 1, unneeded: 7 });
    // the progress display counts only what is needed
    let text = '';
    const plain = plainReporter({ write: (x) => (text += x) });
    for (const e of events) plain.emit(e);
    expect(text).toMatch(/^\[1\/1\] substituted bin\/top /m);
    expect(text).toMatch(/^done: 0 built, 1 substituted, 0 already there, 0 failed, 0 skipped, 7 not needed in /m);
  });

  it('a present output needs nothing it was built from; with no cache at all the rest is not needed either', async () => {
    const dst = await freshStore();
    const first = await execute(DEEP, { store: dst, run: fakeRun([]), substituter: storeCache(src, dst, { only: ['bin/top'] }), wanted: [TOP.out] });
    expect(first.ok).toBe(true);
    const ran: string[] = [];
    const again = await execute(DEEP, { store: dst, run: fakeRun(ran), wanted: [TOP.out] });
    expect(again.status.get(TOP.id)).toBe('cached');
    expect([...again.status.values()].filter((x) => x === 'unneeded')).toHaveLength(7);
    expect(ran).toEqual([]);
  });

  it('a cache lacking a library in the middle: only that library and what needs it are built, from inputs it downloads', async () => {
    const dst = await freshStore();
    const cache = storeCache(src, dst, { lacking: ['bin/top', 'lib/l2'] });
    const ran: string[] = [];
    const r = await execute(DEEP, { store: dst, run: fakeRun(ran), substituter: cache, wanted: [TOP.out], lookups: 2 });
    expect(r.ok).toBe(true);
    expect(ran).toEqual(['lib/l2', 'bin/top']);
    expect(cache.maxAsking).toBe(2); // a wave of four, two lookups at a time
    // tools and l1 come from the cache, so their own inputs (src-t, src-l1) are never needed
    expect(cache.fetched.sort()).toEqual(['bin/src-l2', 'bin/src-top', 'bin/tools', 'lib/l1']);
    expect(await names(dst, DEEP)).toEqual(['bin/src-l2', 'bin/src-top', 'bin/tools', 'bin/top', 'lib/l1', 'lib/l2']);
    expect(r.status.get(SRC_1.id)).toBe('unneeded');
    expect(r.status.get(SRC_T.id)).toBe('unneeded');
    // lookups in waves: top, then its inputs, then l2's one input not asked yet
    expect(cache.looked[0]).toBe('bin/top');
    expect(cache.looked.slice(1, 5).sort()).toEqual(['bin/src-top', 'bin/tools', 'lib/l1', 'lib/l2']);
    expect(cache.looked.slice(5)).toEqual(['bin/src-l2']);
    // with nothing in the cache, every node of the closure is asked about exactly once
    const empty = storeCache(src, await freshStore(), { only: [] });
    const none = await execute(DEEP, { store: await freshStore(), run: fakeRun([]), substituter: empty, wanted: [TOP.out] });
    expect(none.ok).toBe(true);
    expect(empty.looked.sort()).toEqual(DEEP.map((n) => n.name).sort());
    for (const n of [L2, TOP]) expect((await dst.record(n.out))!.hash).toBe((await src.record(n.out))!.hash);
  });

  for (const how of ['truncate', 'refuse'] as const) {
    it(`a download of a library in the middle that ${how === 'truncate' ? 'breaks off halfway' : 'is refused'}: its inputs come back, it is built, the other downloads go on`, async () => {
      const dst = await freshStore();
      const cache = storeCache(src, dst, { lacking: ['bin/top'], [how]: ['lib/l2'] });
      const ran: string[] = [];
      const { events, reporter } = collect();
      const r = await execute(DEEP, { store: dst, run: fakeRun(ran), substituter: cache, reporter, wanted: [TOP.out] });
      expect(r.ok).toBe(true);
      expect(ran).toEqual(['lib/l2', 'bin/top']);
      expect(r.status.get(L2.id)).toBe('built');
      expect(r.status.get(SRC_2.id)).toBe('substituted'); // brought back for l2's build
      for (const n of [T, L1, SRC_P]) expect(r.status.get(n.id), n.name).toBe('substituted');
      expect(r.status.get(SRC_1.id)).toBe('unneeded');
      expect(events.find((e) => e.event === 'needed')).toMatchObject({ name: 'lib/l2', added: 1 });
      expect(events.some((e) => e.event === 'refused' && e.name === 'lib/l2')).toBe(true);
      const begin = events.find((e) => e.event === 'begin');
      expect(begin).toMatchObject({ needed: 5 });
      expect(events.at(-1)).toMatchObject({ event: 'end', ok: true, built: 2, substituted: 4, unneeded: 2 });
      expect((await dst.record(L2.out))!.hash).toBe((await src.record(L2.out))!.hash);
    });
  }
});

// Two processes substituting one path, and kill -9 mid-download: a child process runs execute()
// with a cache that serves from the source store and can hang in the middle of a download.
const CHILD = `
import fs from 'node:fs';
import { openStore } from '../../hosts/node/store';
import { execute } from '../../hosts/node/exec';
const [srcRoot, root, mode, log, nodesJson] = process.argv.slice(2);
const nodes = JSON.parse(fs.readFileSync(nodesJson, 'utf8'));
const src = await openStore({ root: srcRoot, onWait: () => undefined });
const store = await openStore({ root, onWait: () => undefined });
const hang = () => new Promise(() => { setInterval(() => {}, 1000); });
const substituter = {
  async lookup(n) { const r = await src.record(n.out); return r ? { cache: 'file:///child', bytes: r.size } : undefined; },
  async fetch(n, hit, o) {
    fs.appendFileSync(log, n.name + '\\n');
    fs.rmSync(o.tmpOut, { recursive: true });
    fs.cpSync(src.physical(n.out), o.tmpOut, { recursive: true });
    fs.chmodSync(o.tmpOut, 0o755);
    if (mode === 'hang') { console.log('ready'); await hang(); }
    await new Promise((r) => setTimeout(r, 300));
    const rec = await src.record(n.out);
    return { cache: hit.cache, bytes: rec.size, expectHash: rec.hash };
  },
};
const r = await execute(nodes, { store, substituter, run: async () => { throw new Error('no builds here'); } });
console.log(JSON.stringify([...r.status.values()]));
`;

describe('substitution across processes', () => {
  const dir = path.join(__dirname, '.tmp');
  let childJs = '';
  let nodesJson = '';
  beforeAll(async () => {
    await fs.mkdir(dir, { recursive: true });
    childJs = path.join(dir, `subst-child-${process.pid}.mjs`);
    nodesJson = path.join(dir, `subst-nodes-${process.pid}.json`);
    writeFileSync(nodesJson, JSON.stringify([A]));
    await build({
      stdin: { contents: CHILD, resolveDir: dir, loader: 'ts' },
      bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: childJs, logLevel: 'error',
    });
  });
  afterAll(async () => {
    await fs.rm(childJs, { force: true });
    await fs.rm(nodesJson, { force: true });
  });

  const child = (root: string, mode: string, log: string) => {
    const p = spawn(process.execPath, [childJs, src.layout.root, root, mode, log, nodesJson], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    return { p, out: () => out, done: new Promise<number>((res) => p.on('close', (c) => res(c ?? -1))) };
  };

  it('two processes substituting the same path download it once', async () => {
    const dst = await freshStore();
    const log = path.join(dst.layout.root, 'fetches.log');
    writeFileSync(log, '');
    const [one, two] = [child(dst.layout.root, 'ok', log), child(dst.layout.root, 'ok', log)];
    expect(await one.done).toBe(0);
    expect(await two.done).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe('bin/a\n');
    expect([JSON.parse(one.out()), JSON.parse(two.out())].flat().sort()).toEqual(['cached', 'substituted']);
    expect(await dst.isBuilt(A.out)).toBe(true);
  });

  it('kill -9 in the middle of a download leaves nothing built, and the next run substitutes it', async () => {
    const dst = await freshStore();
    const log = path.join(dst.layout.root, 'fetches.log');
    writeFileSync(log, '');
    const c = child(dst.layout.root, 'hang', log);
    await new Promise<void>((res) => { const t = setInterval(() => { if (c.out().includes('ready')) { clearInterval(t); res(); } }, 20); });
    expect(existsSync(path.join(dst.layout.build, `${A.id}.out`, 'bin', 'a'))).toBe(true); // half-way: unpacked, not committed
    c.p.kill('SIGKILL');
    await c.done;
    // The killed process's lock helper dies a moment after it (its pipe closes); recovery skips
    // an id whose lock is still held, so reopen until the kernel has released it.
    let again = await openStore({ root: dst.layout.root, onWait: () => undefined });
    for (let i = 0; i < 50 && existsSync(path.join(dst.layout.build, `${A.id}.out`)); i++) {
      await new Promise((res) => setTimeout(res, 100));
      again = await openStore({ root: dst.layout.root, onWait: () => undefined });
    }
    expect(await again.isBuilt(A.out)).toBe(false);
    expect(existsSync(path.join(dst.layout.build, `${A.id}.out`))).toBe(false);
    const d = child(dst.layout.root, 'ok', log);
    expect(await d.done).toBe(0);
    expect(JSON.parse(d.out())).toEqual(['substituted']);
    expect(await again.isBuilt(A.out)).toBe(true);
  });
});
