// gc against other processes: paths held by a live process (a real `ix mut` building in a child
// process, or a bare hold) are never deleted, nor the inputs of a node being built by a process
// that registered nothing; holds of killed processes are void; registering waits for a running gc.
import { setFlagsFromString } from 'node:v8';
import { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, type ChildProcess } from 'node:child_process';
import { build } from 'esbuild';
import { removeTree } from '../hosts/common';
import { openStore, type Store } from '../hosts/node/store';
import { missing } from './support/prereq';
import { collectGarbage, GcLayout } from '../hosts/node/gc';
import { flockWait } from '../hosts/node/store';
import { main } from '../hosts/node/main';
import { haveBusybox } from './fixtures/hostile/kit';

setFlagsFromString('--experimental-wasm-extended-const');

const CHILD = `
import fs from 'node:fs';
import { openStore } from '../../hosts/node/store';
import { holdPaths } from '../../hosts/node/gc';
const [root, mode, a, b] = process.argv.slice(2);
const hang = () => new Promise(() => { setInterval(() => {}, 1000); });
const store = await openStore({ root, onWait: () => {} });
if (mode === 'hold') {
  await holdPaths(store.layout, [a], 'test hold');
} else {
  // A node being built by a process that registered no hold: output lock, node file, build dir.
  const id = a.slice(10, 42);
  const node = { id, out: a, name: 'bin/slow', inputs: [b], runtime: [] };
  await store.lockOutput(a);
  fs.writeFileSync(store.layout.logs + '/' + id + '.node.json', JSON.stringify(node));
  await store.beginOutput(node);
}
console.log('ready');
await hang();
`;

const tmpDir = path.join(__dirname, '.tmp');
let childJs: string;
beforeAll(async () => {
  await fs.mkdir(tmpDir, { recursive: true });
  childJs = path.join(tmpDir, `gc-child-${process.pid}.mjs`);
  await build({
    stdin: { contents: CHILD, resolveDir: tmpDir, loader: 'ts' },
    bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: childJs, logLevel: 'error',
  });
});
afterAll(() => fs.rm(childJs, { force: true }));

let root: string;
let store: Store;
let children: ChildProcess[] = [];
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ix-gcc-'));
  await fs.chmod(root, 0o755);
  store = await openStore({ root, onWait: () => undefined });
});
afterEach(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children = [];
  await removeTree(root);
});

async function make(c: string, refs: string[] = []): Promise<string> {
  const out = `/ix/store/${c.repeat(32)}-p${c}`;
  await store.realise({ id: c.repeat(32), out, name: out, inputs: refs, runtime: refs }, async (o) => {
    await fs.writeFile(path.join(o.tmpOut, 'f'), refs.join('\n') || 'leaf');
  });
  return out;
}

/** Start a child; resolves when it printed `ready` (or `marker` on stderr/stdout for real commands). */
function start(cmd: string, args: string[], marker: string, env: Record<string, string> = {}): { child: ChildProcess; ready: Promise<void>; output: () => string } {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  children.push(child);
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    const on = (d: Buffer) => { out += d.toString(); if (out.includes(marker)) resolve(); };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before '${marker}': ${out}`)));
  });
  ready.catch(() => undefined);
  return { child, ready, output: () => out };
}

const exited = (c: ChildProcess) => new Promise<number | null>((r) => (c.exitCode !== null || c.signalCode !== null ? r(c.exitCode) : c.once('exit', (code) => r(code))));

describe('gc with other processes', () => {
  it('keeps the paths a live process holds (and their references); a killed holder holds nothing', async () => {
    const dep = await make('1');
    const top = await make('2', [dep]);
    const loose = await make('3');
    const h = start(process.execPath, [childJs, root, 'hold', top], 'ready');
    await h.ready;
    const r = await collectGarbage(store.layout, { dryRun: false });
    expect(r.paths.map((x) => x.path)).toEqual([loose]);
    expect(await store.isBuilt(top)).toBe(true);
    expect(await store.isBuilt(dep)).toBe(true);
    h.child.kill('SIGKILL');
    await exited(h.child);
    const r2 = await collectGarbage(store.layout, { dryRun: false });
    expect(r2.paths.map((x) => x.path)).toEqual([dep, top]);
    expect(await fs.readdir(new GcLayout(store.layout).holds)).toEqual([]); // the dead hold was removed
  });

  it('keeps the inputs of a node another process is building without a hold', async () => {
    const input = await make('4');
    const other = await make('5');
    const out = `/ix/store/${'6'.repeat(32)}-slow`;
    const b = start(process.execPath, [childJs, root, 'building', out, input], 'ready');
    await b.ready;
    const r = await collectGarbage(store.layout, { dryRun: false });
    expect(r.paths.map((x) => x.path)).toEqual([other]);
    expect(await store.isBuilt(input)).toBe(true);
  });

  it('registering a hold waits for a running collection', async () => {
    const x = await make('7');
    const g = await flockWait(new GcLayout(store.layout).gcLock, 'exclusive'); // "a gc is running"
    const h = start(process.execPath, [childJs, root, 'hold', x], 'ready');
    let registered = false;
    void h.ready.then(() => { registered = true; });
    await new Promise((r) => setTimeout(r, 700));
    expect(registered).toBe(false);
    await g.release();
    await h.ready;
    expect((await collectGarbage(store.layout, { dryRun: true })).paths).toEqual([]);
  });

  const coreBuilt = existsSync(fileURLToPath(new URL('../wasm/out/cli.js', import.meta.url)));
  it.skipIf(missing('busybox (Debian busybox-static)', haveBusybox()) || missing('a built core (npm run build)', coreBuilt))('a real `ix mut` in another process keeps its inputs while gc runs, and completes', async () => {
    const seed = fileURLToPath(new URL('./fixtures/hostile/recipes', import.meta.url));
    const recipes = path.join(root, 'recipes');
    await fs.mkdir(path.join(recipes, 'bin', 'slow'), { recursive: true });
    await fs.writeFile(path.join(recipes, 'bin', 'slow', 'ix.sh'), JSON.stringify({
      bld: { deps: ['bld/boot/bb'], script: { kind: 'sh', data: 'busybox sleep 3\nmkdir $out/bin\necho slow > $out/bin/slow\n' } },
    }));
    const env = { IX_ROOT: root, IX_PROGRESS: 'plain' };
    const quiet = { cwd: process.cwd(), stdout: () => undefined, stderr: () => undefined };
    // Build the seed through a realm, then drop the realm: the seed is garbage for a gc now.
    expect(await main(['mut', 'pre', 'bin/hello', '--recipes', seed], { ...quiet, env })).toBe(0);
    expect(await main(['purge', 'pre'], { ...quiet, env })).toBe(0);
    const before = await collectGarbage(store.layout, { dryRun: true });
    expect(before.paths.map((x) => x.path.replace(/^.*?-/, '')).sort()).toEqual(['bin-boot-bb', 'bin-hello', 'realm']);

    const ix = fileURLToPath(new URL('../ix', import.meta.url));
    const m = start(ix, ['mut', 'demo', 'bin/slow', '--recipes', recipes, '--recipes', seed], 'start bin/slow', env);
    await m.ready; // the seed is an input of the node now running
    const r = await collectGarbage(store.layout, { dryRun: false });
    expect(r.paths.map((x) => x.path.replace(/^.*?-/, '')).sort()).toEqual(['bin-hello', 'realm']);
    expect(await exited(m.child)).toBe(0);
    expect(m.output()).toMatch(/realm demo: generation 1 \(\+bin\/slow\)/);
    const link = await fs.readlink(path.join(root, 'realm', 'demo', 'bin', 'slow'));
    expect(await fs.readFile(path.join(root, 'store', link.slice('/ix/store/'.length)), 'utf8')).toBe('slow\n');
    // After the switch the realm is the root: gc keeps it, the seed is garbage again.
    const after = await collectGarbage(store.layout, { dryRun: true });
    expect(after.paths.map((x) => x.path.replace(/^.*?-/, ''))).toEqual(['bin-boot-bb']);
  });
});
