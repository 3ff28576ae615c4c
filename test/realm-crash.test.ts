// A crash at every step of a realm switch (kill -9 of the process doing it) leaves the old or the
// new generation active, never a broken one, and the next change works and cleans up.
import { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { build } from 'esbuild';
import { removeTree } from '../hosts/common';
import { openStore, type Store } from '../hosts/node/store';
import {
  RealmLayout, addGeneration, currentGeneration, getGeneration, listGenerations, realiseRealm, switchTo, type RealmContent,
} from '../hosts/node/realm';

// The child makes generation 2 from member store path argv[3] and switches to it, stopping (to be
// killed) at the stage named by argv[4]: store stages "checked"/"recorded", then the realm's.
const CHILD = `
import { openStore } from '../../hosts/node/store';
import { RealmLayout, addGeneration, switchTo, realiseRealm, lockRealm } from '../../hosts/node/realm';
const [root, member, stage] = process.argv.slice(2);
const hang = () => new Promise(() => { setInterval(() => {}, 1000); });
const hook = async (s) => { if (s === stage) { console.log('ready'); await hang(); } };
const store = await openStore({ root, onWait: () => {}, faultHook: hook });
const rl = new RealmLayout(store.layout);
const l = await lockRealm(rl, 'demo');
const content = { spec: { packages: [{ name: 'bin/x', flags: {} }], flags: {} }, roots: { 'bin/x': [member] }, runtime: { [member]: [] } };
const made = await realiseRealm(store, content, 'demo');
const g = await addGeneration(rl, 'demo', made.path, { packages: content.spec.packages, flags: {}, from: 1, added: [], removed: [], changed: ['bin/x'] }, new Date(), hook);
await switchTo(rl, 'demo', g.generation, hook);
await l.release();
console.log('done');
`;

const STAGES = ['checked', 'recorded', 'gen-linked', 'gen-recorded', 'switch-tmp', 'switched'];

const tmpDir = path.join(__dirname, '.tmp');
let childJs: string;
beforeAll(async () => {
  await fs.mkdir(tmpDir, { recursive: true });
  childJs = path.join(tmpDir, `realm-child-${process.pid}.mjs`);
  await build({
    stdin: { contents: CHILD, resolveDir: tmpDir, loader: 'ts' },
    bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: childJs, logLevel: 'error',
  });
});
afterAll(() => fs.rm(childJs, { force: true }));

let root: string;
let children: ChildProcess[] = [];
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ix-realm-crash-'));
});
afterEach(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  children = [];
  await removeTree(root);
});

/** A store output holding bin/x with `text`. */
async function member(store: Store, id: string, text: string): Promise<string> {
  const node = { id, out: `/ix/store/${id}-bin-x`, name: 'bin/x', inputs: [], runtime: [] };
  await store.realise(node, async (o) => {
    await fs.mkdir(path.join(o.tmpOut, 'bin'));
    await fs.writeFile(path.join(o.tmpOut, 'bin', 'x'), text);
  });
  return node.out;
}

function content(m: string): RealmContent {
  return { spec: { packages: [{ name: 'bin/x', flags: {} }], flags: {} }, roots: { 'bin/x': [m] }, runtime: { [m]: [] } };
}

/** Run the child until it reports the stage, then kill -9 it. */
function killAt(stage: string, m: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [childJs, root, m, stage], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(c);
    let out = '';
    c.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) c.kill('SIGKILL');
    });
    c.once('exit', (code, sig) => (sig === 'SIGKILL' ? resolve() : reject(new Error(`child ended with ${code}: ${out}`))));
  });
}

/** What the realm link resolves to: generation number and the text of bin/x through the farm. */
async function active(store: Store): Promise<{ gen: number; text: string }> {
  const rl = new RealmLayout(store.layout);
  const gen = (await currentGeneration(rl, 'demo'))!;
  const rec = await getGeneration(rl, 'demo', gen); // throws unless complete and consistent
  expect(await store.isBuilt(rec.path)).toBe(true);
  const link = await fs.readlink(path.join(root, 'realm', 'demo', 'bin', 'x'));
  const text = await fs.readFile(path.join(store.layout.store, link.slice('/ix/store/'.length)), 'utf8');
  return { gen, text };
}

describe('kill -9 during a realm switch', () => {
  for (const stage of STAGES) {
    it(`at "${stage}": the old or the new generation is active, and the next switch works`, async () => {
      let store = await openStore({ root, onWait: () => undefined });
      const rl = new RealmLayout(store.layout);
      const m1 = await member(store, '1'.repeat(32), 'old');
      const m2 = await member(store, '2'.repeat(32), 'new');
      const r1 = await realiseRealm(store, content(m1), 'demo');
      const g1 = await addGeneration(rl, 'demo', r1.path, { packages: [], flags: {}, from: 0, added: ['bin/x'], removed: [], changed: [] }, new Date());
      await switchTo(rl, 'demo', g1.generation);

      await killAt(stage, m2);

      store = await openStore({ root, onWait: () => undefined }); // recovery runs here
      const now = await active(store);
      expect(now).toEqual(stage === 'switched' ? { gen: 2, text: 'new' } : { gen: 1, text: 'old' });
      // Only complete generations are listed; no temporary link is visible as a realm.
      const gens = (await listGenerations(rl, 'demo')).map((g) => g.generation);
      expect(gens).toEqual(['gen-recorded', 'switch-tmp', 'switched'].includes(stage) ? [1, 2] : [1]);
      expect((await fs.readdir(path.join(root, 'realm'))).filter((n) => !n.startsWith('.'))).toEqual(['demo']);

      // The next change succeeds, removes leftovers (incomplete generations, temporary links).
      const r2 = await realiseRealm(store, content(m2), 'demo');
      const g = await addGeneration(rl, 'demo', r2.path, { packages: [], flags: {}, from: now.gen, added: [], removed: [], changed: [] }, new Date());
      await switchTo(rl, 'demo', g.generation);
      expect(await active(store)).toEqual({ gen: g.generation, text: 'new' });
      expect(await fs.readdir(path.join(root, 'realm'))).toEqual(['demo']);
      const left = (await fs.readdir(rl.gensDir('demo'))).sort();
      const complete = (await listGenerations(rl, 'demo')).flatMap((x) => [String(x.generation), `${x.generation}.json`]).sort();
      expect(left).toEqual(complete);
      expect((await fs.readdir(store.layout.build)).filter((n) => n.startsWith('trash-') || n.endsWith('.out'))).toEqual([]);
    });
  }
});
