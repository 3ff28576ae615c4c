// Fixed-output build nodes (engine/plan/fixed-files.ts, hosts/node/store/fixed-files.ts): an
// IX-style recipe that uses the network and declares its output with predict_outputs plans as a
// node with net, pool "net" and fixedFiles, whose path follows from the declaration alone; the
// executor commits its output only when it is exactly the declared files. Recipes:
// test/fixtures/ixnet/recipes (README there); builds run the real sandbox on a busybox seed.
import { setFlagsFromString } from 'node:v8';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest';
import { plan } from '../engine/index';
import type { Plan, PlanNode } from '../engine/api';
import { IxError } from '../engine/errors';
import { utf8Decode, textDigest } from '../engine/hash/index';
import { fixedFilesId } from '../engine/plan/fixed-files';
import { fsHostIO } from '../hosts/node/io';
import { openStore } from '../hosts/node/store';
import { parseArgs } from '../hosts/node/args';
import type { Context } from '../hosts/node/context';
import { runBuild } from '../hosts/node/commands/build';
import { removeTreeSync } from '../hosts/common/tree';
import { checkNode } from '../hosts/linux-sandbox/sandbox/node-check';
import { bwrapArgs } from '../hosts/linux-sandbox/sandbox/bwrap-args';
import { haveBusybox } from './fixtures/hostile/kit';
import { memIO } from './support/memfs';
import { captureContext } from './support/cli';
import { missing } from './support/prereq';

setFlagsFromString('--experimental-wasm-extended-const'); // the QuickJS core needs it on Node 20

const recipes = fileURLToPath(new URL('./fixtures/ixnet/recipes', import.meta.url));
const SUM = '501d51eca1a81d4f64f32b8aa3bc38bbdecb49b98f11a508b4169a1918ae9e3b'; // sha256("payload v1\n")
const planOf = (packages: string[], flags: Record<string, string> = {}): Plan =>
  JSON.parse(utf8Decode(plan(fsHostIO([recipes]), { packages, flags })));
const pack = (p: Plan): PlanNode => p.nodes.find((n) => n.name === 'aux/pack')!;

describe('planning a recipe that declares its output (IX predict_outputs + use_network)', () => {
  test('plans as a fixed-output build node: net, pool net, the declared files, an input of its user', () => {
    const p = planOf(['bin/app']);
    const n = pack(p);
    expect(n).toMatchObject({ net: true, pool: 'net', fixedFiles: [{ path: 'share/src_v1.txt', sha256: SUM }] });
    expect(n.cmd!.stdin).toContain("printf '%s\\n' 'payload v1' > $out/share/src_v1.txt");
    expect(n.id).toBe(fixedFilesId('aux-pack', [{ path: 'share/src_v1.txt', sha256: SUM }], textDigest()));
    expect(n.id).toBe('90mrp72c7i41js6snfhiswrih2ky2ffj'); // pinned: changes only with ix-fixed-files/1
    expect(p.nodes.find((x) => x.name === 'bin/app')!.inputs).toContain(n.out);
    expect(() => checkNode(n)).not.toThrow();
  });

  test('its store path follows from the declaration: a script edit that keeps the sum keeps the path', () => {
    const a = pack(planOf(['bin/app']));
    const b = pack(planOf(['bin/app'], { note: 'another script' }));
    expect(b.cmd!.stdin).not.toBe(a.cmd!.stdin);
    expect(b.out).toBe(a.out);
    // while an ordinary node's path moves with its script
    const appA = planOf(['bin/app']).nodes.find((x) => x.name === 'bin/app')!;
    const other = memIO({ 'bin/x/ix.sh': '{"bld": {"script": {"kind": "sh", "data": "echo {{ note }}"}}}\n' });
    const x1 = JSON.parse(utf8Decode(plan(other, { packages: ['bin/x'] }))).nodes[0].out;
    const x2 = JSON.parse(utf8Decode(plan(other, { packages: ['bin/x'], flags: { note: 'y' } }))).nodes[0].out;
    expect(x1).not.toBe(x2);
    expect(appA.out).toMatch(/-bin-app$/);
  });

  test('a declaration that is not a clean relative path is one line naming the package', () => {
    const tpl = (predict: string) => memIO({ 'aux/n/ix.sh': `{"bld": {"script": {"kind": "sh", "data": "x"}}, "net": true, "predict_outputs": ${predict}}\n` });
    const err = (predict: string): string => {
      try {
        plan(tpl(predict), { packages: ['aux/n'] });
      } catch (e) {
        expect(e).toBeInstanceOf(IxError);
        return (e as Error).message;
      }
      throw new Error('planned');
    };
    // as in IX, a sum that is no sha256 plans (IX trees hold '' and 'broken'); it cannot be built
    const n = JSON.parse(utf8Decode(plan(tpl(`[{"path": "share/x", "sum": "broken"}]`), { packages: ['aux/n'] }))).nodes[0] as PlanNode;
    expect(n.fixedFiles).toEqual([{ path: 'share/x', sha256: 'broken' }]);
    expect(() => checkNode(n)).toThrow("invalid plan node: the recipe declares 'broken' as the sha256 of share/x, which is no sha256 (64 hex digits): no output can match, so it is not built (package aux/n)");
    expect(err(`[{"path": "../x", "sum": "${SUM}"}]`)).toMatch(/^predict_outputs: '..\/x' is not a clean path relative to the output .*\(package aux\/n\)$/);
    expect(err(`[{"path": "a", "sum": "${SUM}"}, {"path": "a/b", "sum": "${SUM}"}]`)).toMatch(/'a' is a file, so 'a\/b' cannot be below it/);
    expect(err('[]')).toMatch(/^asks for network access but is not fixed-output/);
    expect(err(`[{"path": "a", "sum": "${SUM}"}, {"path": "a", "sum": "${'0'.repeat(64)}"}]`)).toBe("predict_outputs: 'a' is declared twice with different sums (package aux/n)");
  });

  test('a declaration without the network (IX\'s aux/ca/bundle) is fixed-output too, and gets no network', () => {
    const io = memIO({ 'aux/ca/ix.sh': `{"bld": {"script": {"kind": "sh", "data": "x"}}, "predict_outputs": [{"path": "etc/ca.pem", "sum": "${SUM}"}]}\n` });
    const n = JSON.parse(utf8Decode(plan(io, { packages: ['aux/ca'] }))).nodes[0] as PlanNode;
    expect(n).toMatchObject({ net: false, pool: 'cpu', fixedFiles: [{ path: 'etc/ca.pem', sha256: SUM }] });
    expect(n.id).toBe(fixedFilesId('aux-ca', n.fixedFiles!, textDigest()));
    expect(() => checkNode(n)).not.toThrow();
    expect(bwrapArgs(n, { storeDir: (e) => `/s/${e}`, outDir: '/o', tmpDir: '/t', netFiles: ['/etc/hosts'] }, 'sh', 1).join(' ')).not.toMatch(/--share-net|\/etc\/hosts/);
  });

  test('the declaration is canonical: sorted by path, duplicates merged, hex lowercased; so is the id', () => {
    const io = (predict: string) => memIO({ 'aux/n/ix.sh': `{"bld": {"script": {"kind": "sh", "data": "x"}}, "net": true, "predict_outputs": ${predict}}\n` });
    const node = (predict: string): PlanNode => JSON.parse(utf8Decode(plan(io(predict), { packages: ['aux/n'] }))).nodes[0];
    const a = node(`[{"path": "z/f", "sum": "${SUM.toUpperCase()}"}, {"path": "a", "sum": "${SUM}"}, {"path": "a", "sum": "${SUM}"}]`);
    const b = node(`[{"path": "a", "sum": "${SUM}"}, {"path": "z/f", "sum": "${SUM}"}]`);
    expect(a.fixedFiles).toEqual([{ path: 'a', sha256: SUM }, { path: 'z/f', sha256: SUM }]);
    expect(a.out).toBe(b.out);
  });

  test('the sandbox keeps the network only for such a node', () => {
    const n = pack(planOf(['bin/app']));
    const dirs = { storeDir: (e: string) => `/s/${e}`, outDir: '/o', tmpDir: '/t', netFiles: ['/etc/resolv.conf'] };
    const a = bwrapArgs(n, dirs, 'sh', 1);
    expect(a.slice(0, 2)).toEqual(['--unshare-all', '--share-net']);
    expect(a.join(' ')).toContain('--ro-bind /etc/resolv.conf /etc/resolv.conf');
    const plain = { ...n, net: false, fixedFiles: undefined, pool: 'cpu' };
    expect(bwrapArgs(plain, dirs, 'sh', 1)).not.toContain('--share-net');
    expect(() => checkNode({ ...n, fixedFiles: undefined })).toThrow(/network is only allowed for fixed-output/);
  });
});

describe('the store check of a fixed-output output (no sandbox)', () => {
  const id = 'a'.repeat(31) + 'b';
  const node = { id, out: `/ix/store/${id}-aux-pack`, name: 'aux/pack', inputs: [], runtime: [], fixedFiles: [{ path: 'share/f', sha256: SUM }] };
  const cases: [string, (out: string) => void, RegExp | undefined][] = [
    ['exactly the declared file', (o) => { mkdirSync(join(o, 'share')); writeFileSync(join(o, 'share/f'), 'payload v1\n'); }, undefined],
    ['the file missing', (o) => { mkdirSync(join(o, 'share')); }, /^output file share\/f is missing \(the recipe declares it with sha256 501d.*\(package aux\/pack\)$/],
    ['the file executable', (o) => { mkdirSync(join(o, 'share')); writeFileSync(join(o, 'share/f'), 'payload v1\n', { mode: 0o755 }); }, /^output file share\/f is executable/],
    ['a symlink instead', (o) => { mkdirSync(join(o, 'share')); writeFileSync(join(o, 'x'), 'payload v1\n'); symlinkSync('../x', join(o, 'share/f')); }, /^output file (share\/f must be a regular file|x is not among)/],
    ['an extra empty directory', (o) => { mkdirSync(join(o, 'share')); writeFileSync(join(o, 'share/f'), 'payload v1\n'); mkdirSync(join(o, 'lib')); }, /^output file lib is not among the files the recipe declares/],
  ];
  for (const [what, make, refused] of cases) {
    test(`${what}: ${refused ? 'refused, nothing stored' : 'committed'}`, async () => {
      const store = await openStore({ root: mkdtempSync(join(tmpdir(), 'ix-fixed-store-')), onWait: () => undefined });
      await store.withOutputLock(node.out, async () => {
        const o = await store.beginOutput(node);
        make(o.tmpOut);
        if (refused) await expect(o.commit()).rejects.toThrow(refused);
        else await o.commit();
      });
      expect(await store.isBuilt(node.out)).toBe(!refused);
      removeTreeSync(store.layout.root);
    });
  }
});

const coreBuilt = existsSync(fileURLToPath(new URL('../wasm/out/manifest.json', import.meta.url)));

describe.skipIf(missing('busybox (Debian busybox-static)', haveBusybox()) || missing('a built core (npm run build)', coreBuilt))('building it (sandbox, store)', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'ix-fixed-'));
    chmodSync(root, 0o755);
  });
  afterAll(() => removeTreeSync(root));

  function ctx(argv: string[]): Context & { out: string; err: string } {
    return captureContext(parseArgs(['--recipes', recipes, ...argv], 'build'), { IX_ROOT: root, IX_PROGRESS: 'plain', PATH: process.env.PATH });
  }
  const stored = () => readdirSync(join(root, 'store')).filter((e) => e.endsWith('-aux-pack'));

  it('refuses an output whose file has another sha256: one line with package, expected and got; nothing stored', async () => {
    const c = ctx(['bin/app', '--payload=tampered']);
    expect(await runBuild(c)).toBe(1);
    const line = c.err.split('\n').find((l) => l.includes('has sha256'));
    expect(line).toMatch(new RegExp(`output file share/src_v1.txt has sha256 [0-9a-f]{64}, but the recipe declares ${SUM}; nothing was stored \\(package aux/pack\\)`));
    expect(stored()).toEqual([]);
  });

  it('refuses an undeclared extra file', async () => {
    const c = ctx(['bin/app', '--extra=1']);
    expect(await runBuild(c)).toBe(1);
    expect(c.err).toContain('output file share/extra is not among the files the recipe declares (predict_outputs)');
    expect(stored()).toEqual([]);
  });

  it('downloads over the network in the sandbox (a loopback server); another URL keeps the path', async () => {
    let body = 'payload v1\n';
    const server = createServer((_req, res) => res.end(body));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = (p: string) => `--url=http://127.0.0.1:${(server.address() as AddressInfo).port}/${p}`;
    try {
      body = 'not the declared bytes\n';
      const bad = ctx(['aux/download', url('a')]);
      expect(await runBuild(bad)).toBe(1);
      expect(bad.err).toContain(`output file share/src_v1.txt has sha256 ${createHash('sha256').update(body).digest('hex')}, but the recipe declares ${SUM}`);
      body = 'payload v1\n';
      const c = ctx(['aux/download', url('a')]);
      expect(await runBuild(c)).toBe(0);
      expect(c.out).toMatch(/-aux-download\n$/);
      const again = ctx(['aux/download', url('mirror/b')]);
      expect(await runBuild(again)).toBe(0);
      expect(again.out).toBe(c.out);
      expect(again.err).toContain('0 built');
    } finally {
      server.close();
    }
  });

  it('commits the declared output, and its user builds from it', async () => {
    const c = ctx(['bin/app']);
    expect(await runBuild(c)).toBe(0);
    expect(stored()).toHaveLength(1);
    expect(c.out.trim()).toBe(planOf(['bin/app']).roots[0].out); // the component plans what V8 plans
    expect(stored()[0]).toBe(pack(planOf(['bin/app'])).out.slice('/ix/store/'.length));
    const app = c.out.trim().replace('/ix/store/', join(root, 'store') + '/');
    expect(readFileSync(join(app, 'bin', 'source.txt'), 'utf8')).toBe('payload v1\n');
  });
});
