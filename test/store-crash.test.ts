// The store across processes: kill -9 in the middle of producing an output leaves nothing built
// and the next run cleans up; two processes racing for one output build it once and both see it.
import { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { build } from 'esbuild';
import { removeTree } from '../hosts/common';
import { openStore } from '../hosts/node/store';

// A child process that produces one output; its behaviour is chosen by argv.
const CHILD = `
import fs from 'node:fs';
import { openStore } from '../../hosts/node/store';
const [root, mode, id, name, log] = process.argv.slice(2);
const hang = () => new Promise(() => { setInterval(() => {}, 1000); });
const node = { id, out: '/ix/store/' + id + '-' + name, name, inputs: [], runtime: [] };
const waited = [];
const store = await openStore({
  root,
  onWait: (m) => { waited.push(m); console.log('waiting'); },
  faultHook: async (stage) => { if (mode === 'kill-' + stage) { console.log('ready'); await hang(); } },
});
const result = await store.realise(node, async (o) => {
  fs.appendFileSync(log, process.pid + '\\n');
  fs.mkdirSync(o.tmpOut + '/lib');
  fs.writeFileSync(o.tmpOut + '/lib/a', 'a');
  if (mode === 'kill-building') { console.log('ready'); await hang(); }
  await new Promise((r) => setTimeout(r, 500));
  fs.writeFileSync(o.tmpOut + '/lib/b', 'b');
});
console.log(JSON.stringify({ result, waited, built: await store.isBuilt(node.out) }));
`;

const tmpDir = path.join(__dirname, '.tmp');
let childJs: string;
beforeAll(async () => {
  await fs.mkdir(tmpDir, { recursive: true });
  childJs = path.join(tmpDir, `store-child-${process.pid}.mjs`);
  await build({
    stdin: { contents: CHILD, resolveDir: tmpDir, loader: 'ts' },
    bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: childJs, logLevel: 'error',
  });
});

afterAll(async () => {
  await fs.rm(childJs, { force: true });
});

const B32 = '0123456789abcdfghijklmnpqrsvwxyz';
const newId = () => [...randomBytes(32)].map((b) => B32[b & 31]).join('');

let root: string;
let log: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ix-crash-'));
  log = path.join(root, 'builds.log');
  await fs.writeFile(log, '');
});
afterEach(async () => {
  await removeTree(root);
});

interface Run { child: ChildProcess; out: Promise<string>; ready: Promise<void>; waiting: Promise<void>; exit: Promise<number | null> }
function run(mode: string, id: string): Run {
  const child = spawn(process.execPath, [childJs, root, mode, id, 'bin-x', log], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  let onReady!: () => void;
  let onWaiting!: () => void;
  const ready = new Promise<void>((r) => { onReady = r; });
  const waiting = new Promise<void>((r) => { onWaiting = r; });
  child.stdout!.on('data', (d: Buffer) => {
    text += d.toString();
    if (text.includes('ready')) onReady();
    if (text.includes('waiting')) onWaiting();
  });
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, ready, waiting, exit, out: exit.then(() => text) };
}

describe('kill -9 while producing an output', () => {
  for (const stage of ['building', 'checked', 'recorded']) {
    it(`at stage "${stage}": nothing counts as built, the next run cleans up and builds`, async () => {
      const id = newId();
      const out = `/ix/store/${id}-bin-x`;
      const r = run(`kill-${stage}`, id);
      await r.ready;
      r.child.kill('SIGKILL');
      await r.exit;

      const store = await openStore({ root, recover: false });
      expect(await store.isBuilt(out)).toBe(false);
      const left = [...(await fs.readdir(store.layout.build)), ...(await fs.readdir(store.layout.db)), ...(await fs.readdir(store.layout.store))];
      expect(left.length).toBeGreaterThan(0); // the crash did leave debris...
      if (stage === 'recorded') expect(await fs.readdir(store.layout.db)).toEqual([`${id}.json`]);

      // ...which the next run removes (the dead process's lock was released by the kernel).
      const again = run('normal', id);
      const res = JSON.parse((await again.out).trim().split('\n').pop()!);
      expect(res).toEqual({ result: 'built', waited: [], built: true });
      expect(await fs.readdir(store.layout.build)).toEqual([]);
      expect(await fs.readdir(store.layout.db)).toEqual([`${id}.json`]);
      expect(await fs.readdir(path.join(store.physical(out), 'lib'))).toEqual(['a', 'b']);
    });
  }
});

describe('concurrent builders', () => {
  it('two processes racing for one output build it once and both see it built', async () => {
    const id = newId();
    const a = run('normal', id);
    const b = run('normal', id);
    const [oa, ob] = await Promise.all([a.out, b.out]);
    expect([await a.exit, await b.exit]).toEqual([0, 0]);
    const ra = JSON.parse(oa.trim().split('\n').pop()!);
    const rb = JSON.parse(ob.trim().split('\n').pop()!);
    expect([ra.result, rb.result].sort()).toEqual(['built', 'present']);
    expect(ra.built && rb.built).toBe(true);
    // The builder ran exactly once, and the process that did not build said it waited
    // (unless it arrived after the commit, when there was nothing to wait for).
    expect((await fs.readFile(log, 'utf8')).trim().split('\n')).toHaveLength(1);
    const loser = ra.result === 'present' ? ra : rb;
    for (const w of loser.waited) expect(w).toMatch(new RegExp(`^waiting for /ix/store/${id}-bin-x \\(locked by process \\d+\\)$`));
  });

  it('a waiting process reports the wait while another holds the lock', async () => {
    const id = newId();
    const holder = run('kill-building', id); // takes the lock, starts building, then hangs
    await holder.ready;
    const waiter = run('normal', id);
    // its report of the wait, not a fixed delay: a loaded machine may take seconds to start it
    await Promise.race([waiter.waiting, waiter.exit]);
    expect(waiter.child.exitCode).toBeNull(); // still waiting
    holder.child.kill('SIGKILL'); // the holder dies: its lock goes, the waiter takes over
    const res = JSON.parse((await waiter.out).trim().split('\n').pop()!);
    expect(res.result).toBe('built');
    expect(res.waited).toEqual([`waiting for /ix/store/${id}-bin-x (locked by process ${holder.child.pid})`]);
    expect((await fs.readFile(log, 'utf8')).trim().split('\n')).toHaveLength(2);
  });
});
