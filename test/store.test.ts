// The store in one process: normalisation, output checks, records, verify, locks, recovery.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { resolveRoot } from '../hosts/common';
import { openStore, verifyStore, recoverStore, OutputCheckError, NORMAL_MTIME, type Store, type OutputNode } from '../hosts/node/store';
import { tryLock } from '../hosts/node/store/lock';

const B32 = '0123456789abcdfghijklmnpqrsvwxyz';
function newId(): string {
  return [...randomBytes(32)].map((b) => B32[b & 31]).join('');
}
function node(name: string, deps: { inputs?: string[]; runtime?: string[] } = {}): OutputNode {
  const id = newId();
  return { id, out: `/ix/store/${id}-${name}`, name, inputs: deps.inputs ?? [], runtime: deps.runtime ?? [] };
}

let root: string;
let store: Store;
const waits: string[] = [];
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ix-store-'));
  waits.length = 0;
  store = await openStore({ root, onWait: (m) => waits.push(m) });
});
afterEach(async () => {
  await fs.chmod(root, 0o755);
  await (await import('../hosts/common')).removeTree(root);
});

async function build(n: OutputNode, fill: (out: string) => Promise<void>) {
  return store.realise(n, async (o) => fill(o.tmpOut));
}

describe('resolveRoot', () => {
  it('prefers IX_ROOT, then /ix for root, then the XDG data dir', () => {
    expect(resolveRoot({ IX_ROOT: '/tmp/x' }, 0, '/home/u')).toBe('/tmp/x');
    expect(resolveRoot({}, 0, '/home/u')).toBe('/ix');
    expect(resolveRoot({ XDG_DATA_HOME: '/d' }, 1000, '/home/u')).toBe('/d/ix');
    expect(resolveRoot({}, 1000, '/home/u')).toBe('/home/u/.local/share/ix');
  });
});

describe('commit and normalisation', () => {
  it('moves a checked output into place with fixed mtimes, read-only modes and no setuid', async () => {
    const n = node('bin-x');
    expect(await store.isBuilt(n.out)).toBe(false);
    const r = await build(n, async (out) => {
      await fs.mkdir(path.join(out, 'bin'));
      await fs.writeFile(path.join(out, 'bin', 'x'), '#!/bin/sh\necho hi\n', { mode: 0o4775 });
      await fs.chmod(path.join(out, 'bin', 'x'), 0o6775); // setuid + setgid + group write
      await fs.writeFile(path.join(out, 'data'), 'plain', { mode: 0o666 });
      await fs.symlink('bin/x', path.join(out, 'link'));
    });
    expect(r).toBe('built');
    expect(await store.isBuilt(n.out)).toBe(true);
    const dir = store.physical(n.out);
    const x = await fs.stat(path.join(dir, 'bin', 'x'));
    expect(x.mode & 0o7777).toBe(0o555);
    expect((await fs.stat(path.join(dir, 'data'))).mode & 0o7777).toBe(0o444);
    expect((await fs.stat(dir)).mode & 0o7777).toBe(0o555);
    expect((await fs.stat(path.join(dir, 'bin'))).mode & 0o7777).toBe(0o555);
    for (const p of ['', 'bin', 'bin/x', 'data']) expect((await fs.stat(path.join(dir, p))).mtimeMs).toBe(NORMAL_MTIME * 1000);
    expect((await fs.lstat(path.join(dir, 'link'))).mtimeMs).toBe(NORMAL_MTIME * 1000);
    const rec = await store.record(n.out);
    expect(rec?.hash).toMatch(/^blake3:[0-9a-f]{64}$/);
    expect(rec?.size).toBe(18 + 5);
    // Nothing left in the build dir.
    expect(await fs.readdir(store.layout.build)).toEqual([]);
    // A second realise does not rebuild.
    expect(await build(n, async () => { throw new Error('must not run'); })).toBe('present');
  });

  it('gives equal trees equal hashes whatever their mtimes and modes were, and different trees different hashes', async () => {
    const fill = (content: string, mode: number) => async (out: string) => {
      await fs.writeFile(path.join(out, 'f'), content, { mode });
      await fs.utimes(path.join(out, 'f'), 12345, 12345);
    };
    const [a, b, c, d] = [node('a'), node('a'), node('a'), node('a')];
    await build(a, fill('same', 0o644));
    await build(b, fill('same', 0o600));
    await build(c, fill('diff', 0o644));
    await build(d, fill('same', 0o755));
    const h = async (n: OutputNode) => (await store.record(n.out))!.hash;
    expect(await h(a)).toBe(await h(b));
    expect(await h(a)).not.toBe(await h(c));
    expect(await h(a)).not.toBe(await h(d)); // the executable bit is content
  });

  it('stores a fixed-output node only when its tree has the pinned hash', async () => {
    const fill = async (out: string, text: string) => {
      await fs.mkdir(path.join(out, 'bin'));
      await fs.writeFile(path.join(out, 'bin', 'tool'), text, { mode: 0o755 });
      await fs.symlink('tool', path.join(out, 'bin', 'alias'));
    };
    const probe = node('bin-probe');
    await build(probe, (out) => fill(out, 'pinned bytes\n'));
    const pinned = (await store.record(probe.out))!.hash;
    const good = { ...node('bin-boot-good'), fixed: pinned };
    expect(await build(good, (out) => fill(out, 'pinned bytes\n'))).toBe('built');
    const bad = { ...node('bin-boot-bad'), fixed: pinned };
    const err = await build(bad, (out) => fill(out, 'other bytes\n')).catch((e) => e);
    expect(err).toBeInstanceOf(OutputCheckError);
    expect(err.message).toMatch(new RegExp(`^output has tree hash blake3:[0-9a-f]{64}, but its recipe pins ${pinned} .*\\(package bin-boot-bad\\)$`));
    expect(await store.isBuilt(bad.out)).toBe(false);
    expect((await fs.readdir(store.layout.store)).sort()).toEqual([probe.out, good.out].map((p) => path.basename(p)).sort());
  });

  it('rejects a symlink escaping the output and leaves nothing built', async () => {
    const n = node('bin-bad');
    const err = await build(n, async (out) => {
      await fs.mkdir(path.join(out, 'lib'));
      await fs.symlink('../../etc/passwd', path.join(out, 'lib', 'evil'));
    }).catch((e) => e);
    expect(err).toBeInstanceOf(OutputCheckError);
    expect(err.message).toBe('output file lib/evil symlink to ../../etc/passwd escapes the output (package bin-bad)');
    expect(await store.isBuilt(n.out)).toBe(false);
    expect(await fs.readdir(store.layout.store)).toEqual([]);
    expect(await fs.readdir(store.layout.db)).toEqual([]);
    expect(await fs.readdir(store.layout.build)).toEqual([]);
  });

  it('rejects absolute symlinks to the host or to undeclared store paths, accepts declared ones and self', async () => {
    const dep = node('lib-dep');
    await build(dep, async (out) => fs.writeFile(path.join(out, 'f'), 'x'));
    const n = node('bin-ok', { inputs: [dep.out] });
    await build(n, async (out) => {
      await fs.symlink(`${dep.out}/f`, path.join(out, 'dep'));
      await fs.symlink(`${n.out}/dep`, path.join(out, 'self'));
    });
    expect(await store.isBuilt(n.out)).toBe(true);
    expect((await store.record(n.out))!.refs).toEqual([dep.out]);

    const host = node('bin-host');
    const e1 = await build(host, async (out) => fs.symlink('/usr/bin/env', path.join(out, 'env'))).catch((e) => e);
    expect(e1.message).toContain('file env symlink to /usr/bin/env points outside the output and its declared store paths');
    const other = node('bin-other');
    const e2 = await build(other, async (out) => fs.symlink(`${dep.out}/f`, path.join(out, 'd'))).catch((e) => e);
    expect(e2.message).toContain(`symlink to ${dep.out}/f points outside`);
  });

  it('rejects a reference to an undeclared store path, naming the file and the path', async () => {
    const dep = node('lib-z');
    const stray = `/ix/store/${newId()}-lib-stray`;
    const n = node('bin-y', { inputs: [dep.out] });
    const big = Buffer.alloc(3 << 20, 'a'); // the reference straddles a 1 MiB read boundary
    const at = (1 << 20) - 20;
    big.write(`${stray}/lib/libstray.a`, at);
    big.write(`${dep.out}/include`, 10);
    const err = await build(n, async (out) => {
      await fs.mkdir(path.join(out, 'share'));
      await fs.writeFile(path.join(out, 'share', 'blob'), big);
    }).catch((e) => e);
    expect(err).toBeInstanceOf(OutputCheckError);
    expect(err.message).toBe(`output file share/blob refers to undeclared store path ${stray} (package bin-y)`);
    expect(await store.isBuilt(n.out)).toBe(false);

    // Declared references (inputs, runtime, self) are fine and recorded.
    const ok = node('bin-y', { runtime: [dep.out] });
    await build(ok, async (out) => fs.writeFile(path.join(out, 'f'), `${dep.out}/x ${ok.out}/y`));
    expect((await store.record(ok.out))!.refs).toEqual([dep.out]);
  });

  it('rejects special files', async () => {
    const n = node('bin-fifo');
    const { execFileSync } = await import('node:child_process');
    const err = await build(n, async (out) => { execFileSync('mkfifo', [path.join(out, 'p')]); }).catch((e) => e);
    expect(err.message).toContain('file p is not a regular file, directory or symlink');
  });

  it('skips the reference scan for fetch outputs (fixed by their sha256)', async () => {
    const n = { ...node('fetch-src'), fetch: { urls: [], sha256: '0'.repeat(64), file: 'src.tar' } };
    await build(n, async (out) => fs.writeFile(path.join(out, 'src.tar'), `see /ix/store/${newId()}-other/`));
    expect(await store.isBuilt(n.out)).toBe(true);
  });
});

describe('ix-tree/1 hash', () => {
  it('is BLAKE3 over the documented serialisation (checked by an independent encoder)', async () => {
    const { processTree } = await import('../hosts/node/store');
    const { blake3 } = await import('@noble/hashes/blake3.js');
    const d = path.join(root, 'tree');
    await fs.mkdir(path.join(d, 'b'), { recursive: true });
    await fs.writeFile(path.join(d, 'b', 'x'), 'hi', { mode: 0o755 });
    await fs.writeFile(path.join(d, 'a'), 'hello');
    await fs.symlink('b/x', path.join(d, 'l'));
    const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
    const u64 = (n: number) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };
    const name = (s: string) => Buffer.concat([u32(s.length), Buffer.from(s)]);
    const bytes = Buffer.concat([
      Buffer.from('ix-tree/1\n'), Buffer.from('d'), u32(3),
      name('a'), Buffer.from('f'), Buffer.from([0]), u64(5), Buffer.from('hello'),
      name('b'), Buffer.from('d'), u32(1), name('x'), Buffer.from('f'), Buffer.from([1]), u64(2), Buffer.from('hi'),
      name('l'), Buffer.from('l'), u32(3), Buffer.from('b/x'),
    ]);
    const t = await processTree(d, { normalise: false });
    expect(t.hash).toBe(`blake3:${Buffer.from(blake3(bytes)).toString('hex')}`);
    expect(t.size).toBe(7);
  });
});

describe('verify', () => {
  it('reports ok, then a modified file after chmod u+w and an edit, and missing paths', async () => {
    const n = node('bin-v');
    await build(n, async (out) => fs.writeFile(path.join(out, 'f'), 'original'));
    let rep = await verifyStore(root);
    expect(rep).toEqual([expect.objectContaining({ path: n.out, status: 'ok', problems: [] })]);
    const f = path.join(store.physical(n.out), 'f');
    await fs.chmod(f, 0o644);
    await fs.writeFile(f, 'tampered');
    rep = await verifyStore(root);
    expect(rep[0].status).toBe('modified');
    expect(rep[0].expected).not.toBe(rep[0].actual);

    // Same bytes restored but left writable: the hash matches, the mode deviation is reported.
    await fs.writeFile(f, 'original');
    rep = await verifyStore(root);
    expect(rep[0].status).toBe('abnormal');
    expect(rep[0].problems).toEqual(['f: mode 644', expect.stringMatching(/^f: mtime /)]);

    await (await import('../hosts/common')).removeTree(store.physical(n.out));
    rep = await verifyStore(root);
    expect(rep[0]).toEqual(expect.objectContaining({ path: n.out, status: 'missing' }));
  });
});

describe('locks and recovery', () => {
  it('withOutputLock excludes a second holder and reports the wait', async () => {
    const n = node('bin-l');
    const order: string[] = [];
    let release!: () => void;
    const first = store.withOutputLock(n.out, async () => {
      order.push('first in');
      await new Promise<void>((r) => { release = r; });
      order.push('first out');
    });
    while (order.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(await tryLock(store.layout.lock(n.id))).toBeUndefined();
    const second = store.withOutputLock(n.out, async () => { order.push('second'); });
    // until the second reports its wait (a loaded machine may take a while to try the lock)
    while (waits.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual(['first in']);
    expect(waits).toEqual([`waiting for ${n.out} (locked by process ${process.pid})`]);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first in', 'first out', 'second']);
  });

  it('realise hands the committed record to its hook, and calls neither hook for a present output', async () => {
    const n = node('bin-hook');
    const seen: string[] = [];
    const hooks = { start: () => seen.push('start'), committed: (r: { path: string; hash: string }) => seen.push(`committed ${r.path} ${r.hash}`) };
    expect(await store.realise(n, async (o) => fs.writeFile(path.join(o.tmpOut, 'f'), 'x'), hooks)).toBe('built');
    const rec = await store.record(n.out);
    expect(seen).toEqual(['start', `committed ${n.out} ${rec!.hash}`]);
    expect(await store.realise(n, async () => { throw new Error('not run'); }, hooks)).toBe('present');
    const failed = node('bin-hook-failed');
    expect(await store.realise(failed, async () => ({ failed: 'no' }), hooks)).toEqual({ failed: 'no' });
    expect(seen).toEqual(['start', `committed ${n.out} ${rec!.hash}`, 'start']);
  });

  it('beginOutput is called by Store.realise only: no other product source opens an output itself', async () => {
    const { sourceFiles, repoRoot } = await import('./support/imports');
    const callers: string[] = [];
    for (const f of sourceFiles('hosts')) {
      // Comment lines (usage examples) do not count.
      const code = (await fs.readFile(path.join(repoRoot, f), 'utf8')).replace(/^\s*(\*|\/\/).*$/gm, '');
      if (f !== 'hosts/node/store/store.ts' && /\.beginOutput\(/.test(code)) callers.push(f);
    }
    expect(callers).toEqual([]);
    expect(sourceFiles('hosts')).toContain('hosts/node/store/store.ts');
  });

  it('beginOutput requires the lock', async () => {
    await expect(store.beginOutput(node('bin-nolock'))).rejects.toThrow(/without holding its lock/);
  });

  it('recovery removes partial outputs, records without paths and paths without records', async () => {
    const a = node('bin-a');
    const b = node('bin-b');
    const c = node('bin-c');
    await fs.mkdir(path.join(store.layout.build, `${a.id}.out`, 'sub'), { recursive: true });
    await fs.chmod(path.join(store.layout.build, `${a.id}.out`), 0o555);
    await fs.mkdir(path.join(store.layout.build, a.id));
    await fs.writeFile(store.layout.record(b.id), JSON.stringify({ format: 'ix-store-record/1', path: b.out, hash: 'blake3:00', size: 0, refs: [] }));
    await fs.mkdir(store.physical(c.out));
    await fs.chmod(store.physical(c.out), 0o555);
    const good = node('bin-good');
    await build(good, async (out) => fs.writeFile(path.join(out, 'f'), 'x'));
    const rep = await recoverStore(root);
    expect(rep.removed.sort()).toEqual([
      path.join(store.layout.build, a.id),
      path.join(store.layout.build, `${a.id}.out`),
      store.layout.record(b.id),
      store.physical(c.out),
    ].sort());
    expect(await fs.readdir(store.layout.build)).toEqual([]);
    expect(await fs.readdir(store.layout.store)).toEqual([path.basename(good.out)]);
    expect(await store.isBuilt(good.out)).toBe(true);
  });
});
