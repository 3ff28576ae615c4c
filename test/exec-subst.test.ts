// Substitution in the executor (issue 7 item 4), with a real store and a fake cache that serves
// another store's outputs: nodes come from the cache in the "subst" pool, in dependency order,
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
import type { PlanNode } from '../engine/api';
import { execute, plainReporter, type ExecEvent, type Substituter } from '../hosts/node/exec';
import type { RunNodeOptions, RunNodeResult } from '../hosts/linux-sandbox/sandbox/run-node';
import { openStore, removeTree, type Store } from '../hosts/node/store';

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

/** The fake sandbox: writes files that name the node and refer to its inputs. */
function fakeRun(ran: string[]) {
  return async (n: PlanNode, o: RunNodeOptions): Promise<RunNodeResult> => {
    ran.push(n.name);
    mkdirSync(path.join(o.outDir, 'bin'));
    writeFileSync(path.join(o.outDir, 'bin', n.name.slice(4)), `#!/bin/sh\necho ${n.name} ${n.inputs.join(' ')}\n`, { mode: 0o755 });
    return { ok: true } as RunNodeResult;
  };
}

const tmp: string[] = [];
async function freshStore(): Promise<Store> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'ix-subst-'));
  tmp.push(root);
  return openStore({ root, onWait: () => undefined });
}

/** A cache over another store: lookups and downloads are recorded; `tamper` changes the bytes. */
function storeCache(src: Store, dst: Store, opts: { refuse?: string[]; tamper?: string[]; delayMs?: number; log?: string[] } = {}): Substituter & { fetched: string[]; live: number; maxLive: number } {
  const s = {
    fetched: [] as string[], live: 0, maxLive: 0,
    async lookup(n: PlanNode) {
      const rec = await src.record(n.out);
      return rec ? { cache: 'file:///fake-cache', bytes: rec.size } : undefined;
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
  const r = await execute(ALL, { store: src, run: fakeRun([]) });
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
    const again = await openStore({ root: dst.layout.root, onWait: () => undefined });
    expect(await again.isBuilt(A.out)).toBe(false);
    expect(existsSync(path.join(dst.layout.build, `${A.id}.out`))).toBe(false);
    const d = child(dst.layout.root, 'ok', log);
    expect(await d.done).toBe(0);
    expect(JSON.parse(d.out())).toEqual(['substituted']);
    expect(await again.isBuilt(A.out)).toBe(true);
  });
});
