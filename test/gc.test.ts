// Garbage collection on a real store: roots (realm generations, explicit roots), reachability
// through recorded references, dry-run numbers equal to the real run and to du(1), freed paths
// gone from disk and database, why-alive chains, --keep-generations, and crash-safe deletion.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { removeTree } from '../hosts/common';
import { openStore, verifyStore, type Store } from '../hosts/node/store';
import { RealmLayout, addGeneration, realiseRealm, switchTo, listGenerations, type RealmContent } from '../hosts/node/realm';
import { addRoot, collectGarbage, listRoots, removeRoot, whyAlive } from '../hosts/node/gc';

let root: string;
let store: Store;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ix-gc-'));
  store = await openStore({ root, onWait: () => undefined });
});
afterEach(() => removeTree(root));

const p = (c: string, name: string) => `/ix/store/${c.repeat(32)}-${name}`;

/** Commit a store path whose file `data` mentions each of `refs` (so they become its references). */
async function make(out: string, refs: string[] = [], size = 1000): Promise<string> {
  const id = out.slice('/ix/store/'.length, '/ix/store/'.length + 32);
  await store.realise({ id, out, name: out, inputs: refs, runtime: refs }, async (o) => {
    await fs.writeFile(path.join(o.tmpOut, 'data'), `${refs.join('\n')}\n${'x'.repeat(size)}`);
    await fs.mkdir(path.join(o.tmpOut, 'sub'));
    await fs.symlink('../data', path.join(o.tmpOut, 'sub', 'link'));
  });
  return out;
}

async function realmGen(name: string, members: string[]): Promise<number> {
  const rl = new RealmLayout(store.layout);
  const c: RealmContent = { spec: { packages: members.map((m, i) => ({ name: `bin/p${i}`, flags: {} })), flags: {} }, roots: {}, runtime: {} };
  members.forEach((m, i) => { c.roots[`bin/p${i}`] = [m]; c.runtime[m] = []; });
  const r = await realiseRealm(store, c, name);
  const g = await addGeneration(rl, name, r.path, { packages: c.spec.packages, flags: {}, from: 0, added: [], removed: [], changed: [] }, new Date());
  await switchTo(rl, name, g.generation);
  return g.generation;
}

function du(paths: string[]): number {
  if (!paths.length) return 0;
  const r = spawnSync('du', ['-s', '-B1', '-c', ...paths], { encoding: 'utf8' });
  return Number(r.stdout.trim().split('\n').pop()!.split('\t')[0]);
}

describe('ix gc', () => {
  it('keeps what roots reach, deletes the rest; dry-run bytes == real bytes == du', async () => {
    const lib = await make(p('1', 'lib'));
    const app = await make(p('2', 'app'), [lib], 5000);
    const kept = await make(p('3', 'kept'));
    const dead = await make(p('4', 'dead'), [], 20000);
    const deadDep = await make(p('5', 'deaddep'));
    const deadTop = await make(p('6', 'deadtop'), [deadDep, lib]);
    await realmGen('demo', [app]);
    await addRoot(store.layout, `${store.layout.store}/${kept.slice(10)}/data`); // physical path of a file inside

    const garbage = [dead, deadDep, deadTop].sort();
    const phys = garbage.map((g) => store.physical(g));
    const expectedBytes = du(phys);
    const dry = await collectGarbage(store.layout, { dryRun: true });
    expect(dry.paths.map((x) => x.path)).toEqual(garbage);
    expect(dry.bytes).toBe(expectedBytes);
    expect(dry.bytes).toBeGreaterThan(20000);
    for (const g of garbage) expect(await store.isBuilt(g)).toBe(true); // dry run deleted nothing

    const real = await collectGarbage(store.layout, { dryRun: false });
    expect(real.paths).toEqual(dry.paths);
    expect(real.bytes).toBe(dry.bytes);
    for (const g of garbage) {
      expect(await store.isBuilt(g)).toBe(false);
      await expect(fs.lstat(store.physical(g))).rejects.toThrow();
      await expect(fs.lstat(store.layout.record(g.slice(10, 42)))).rejects.toThrow();
    }
    for (const k of [lib, app, kept]) expect(await store.isBuilt(k)).toBe(true);
    expect(await fs.readdir(store.layout.build)).toEqual([]); // no trash left behind
    expect((await verifyStore(root)).filter((e) => e.status !== 'ok')).toEqual([]);
    expect((await collectGarbage(store.layout, { dryRun: true })).paths).toEqual([]);
  });

  it('why-alive shows the chain from the root; explicit roots can be listed and removed', async () => {
    const lib = await make(p('1', 'lib'));
    const app = await make(p('2', 'app'), [lib]);
    const other = await make(p('3', 'other'));
    await realmGen('demo', [app]);
    const w = await whyAlive(store.layout, lib);
    expect(w.alive).toBe(true);
    expect(w.root).toBe('realm demo generation 1');
    expect(w.chain).toHaveLength(3);
    expect(w.chain[0]).toMatch(/-realm$/);
    expect(w.chain.slice(1)).toEqual([app, lib]);
    expect((await whyAlive(store.layout, other)).alive).toBe(false);

    expect(await addRoot(store.layout, other)).toBe(other);
    expect(await listRoots(store.layout)).toEqual([other]);
    expect(await whyAlive(store.layout, other)).toMatchObject({ alive: true, root: 'explicit root', chain: [other] });
    await expect(addRoot(store.layout, p('9', 'nothere'))).rejects.toThrow(/is not in the store/);
    await expect(addRoot(store.layout, '/etc/passwd')).rejects.toThrow('not a store path: /etc/passwd');
    expect(await removeRoot(store.layout, other)).toBe(true);
    expect(await removeRoot(store.layout, other)).toBe(false);
    expect((await collectGarbage(store.layout, { dryRun: false })).paths.map((x) => x.path)).toEqual([other]);
  });

  it('--keep-generations drops older generations first (never the active one)', async () => {
    const v1 = await make(p('1', 'v1'));
    const v2 = await make(p('2', 'v2'));
    const v3 = await make(p('3', 'v3'));
    await realmGen('demo', [v1]);
    await realmGen('demo', [v2]);
    await realmGen('demo', [v3]);
    const rl = new RealmLayout(store.layout);
    await switchTo(rl, 'demo', 2); // rolled back: 2 is active, 3 is the newest
    expect((await collectGarbage(store.layout, { dryRun: true })).paths).toEqual([]); // all generations are roots
    const dry = await collectGarbage(store.layout, { dryRun: true, keepGenerations: 1 });
    expect(dry.generations).toEqual([{ realm: 'demo', generation: 1 }]);
    expect(dry.paths.map((x) => x.path.replace(/^.*?-/, '')).sort()).toEqual(['realm', 'v1']);
    expect((await listGenerations(rl, 'demo')).length).toBe(3); // dry run drops nothing
    const real = await collectGarbage(store.layout, { dryRun: false, keepGenerations: 1 });
    expect(real.bytes).toBe(dry.bytes);
    expect((await listGenerations(rl, 'demo')).map((g) => g.generation)).toEqual([2, 3]);
    expect(await store.isBuilt(v1)).toBe(false);
    expect(await store.isBuilt(v2)).toBe(true);
    expect(await store.isBuilt(v3)).toBe(true);
  });

  it('a path half-deleted by a crashed gc never counts as built and recovery removes the rest', async () => {
    const x = await make(p('7', 'x'));
    // The state a gc killed right after its rename leaves: tree in build/trash-<dead pid>-gc-*, record still there.
    const dead = spawnSync('true').pid!;
    await fs.chmod(store.physical(x), 0o755);
    await fs.rename(store.physical(x), path.join(store.layout.build, `trash-${dead}-gc-${'7'.repeat(32)}`));
    expect(await store.isBuilt(x)).toBe(false);
    const again = await openStore({ root, onWait: () => undefined });
    expect(await fs.readdir(store.layout.build)).toEqual([]);
    await expect(fs.lstat(store.layout.record('7'.repeat(32)))).rejects.toThrow();
    expect(await again.isBuilt(x)).toBe(false);
  });
});
