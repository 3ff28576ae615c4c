// Hostile recipes: hand-written nodes (test/fixtures/hostile/*.json) that attack the host through
// the real executor, sandbox and store. Each attack must be blocked (the node sees nothing, its
// attempts fail) or rejected (the node fails with a clear one-line message), and the store must
// be intact afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlanNode } from '../engine/api';
import { execute, type ExecEvent } from '../hosts/node/exec';
import { sandboxRunner } from '../hosts/linux-sandbox';

/** The Linux runner for this test process's environment (its PATH finds bwrap). */
const runNode = sandboxRunner(process.env);
import { verifyStore, type Store } from '../hosts/node/store';
import { removeTreeSync } from '../hosts/common/tree';
import { BB, fixture, haveBusybox, makeStore, processesWith, treeDigest } from './fixtures/hostile/kit';
import { missing } from './support/prereq';

const hostIp = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1';

describe.skipIf(missing('busybox (Debian busybox-static)', haveBusybox()))('hostile recipes', () => {
  let store: Store;
  let server: Server;
  let requests: string[];
  let sentinel: ChildProcess;
  let bbBefore: string;
  const names = ['read-host', 'network', 'net-flag', 'write-outside', 'modify-input', 'background', 'kill-host', 'setuid', 'symlink-abs', 'symlink-rel', 'undeclared-ref'];
  const nodes: Record<string, PlanNode> = {};
  const done: Record<string, Extract<ExecEvent, { event: 'done' }>> = {};
  const mark = `ix-hostile-${process.pid}`;
  let storeBefore: string[];

  const report = (n: string) => readFileSync(join(store.physical(nodes[n].out), 'report'), 'utf8');

  beforeAll(async () => {
    store = await makeStore();
    bbBefore = treeDigest(store.physical(BB));
    requests = [];
    server = createServer((req, res) => { requests.push(req.url ?? ''); res.end('secret page'); });
    await new Promise<void>((res) => server.listen(0, '0.0.0.0', () => res()));
    const port = String((server.address() as { port: number }).port);
    sentinel = spawn('sleep', ['600'], { stdio: 'ignore' });
    const secret = join(store.layout.root, 'secret.txt');
    writeFileSync(secret, 'top secret');
    const vars = {
      PORT: port, HOSTIP: hostIp, SECRET: secret, MARK: mark, HOSTPID: String(sentinel.pid),
      PHYS: store.physical(BB), PHYSOUT: join(store.layout.store, 'evil'),
    };
    for (const n of names) nodes[n] = fixture(n, vars);
    storeBefore = readdirSync(store.layout.store);
    const r = await execute(Object.values(nodes), {
      store, run: runNode, keepGoing: true, timeoutMs: 60_000,
      reporter: { emit: (e) => { if (e.event === 'done') done[names.find((n) => nodes[n].id === e.id)!] = e; }, close() {} },
    });
    expect(r.ok).toBe(false);
  });

  afterAll(async () => {
    sentinel?.kill();
    await new Promise<void>((res) => server ? server.close(() => res()) : res());
    if (store) removeTreeSync(store.layout.root);
  });

  it('cannot read host files outside its inputs', () => {
    expect(done['read-host'].status).toBe('built');
    const r = report('read-host');
    expect(r).not.toContain('LEAK');
    expect(r.match(/blocked/g)).toHaveLength(12);
  });

  it('cannot reach the network, not even the host on loopback', () => {
    expect(done.network.status).toBe('built');
    const r = report('network');
    expect(r).not.toContain('LEAK');
    expect(r).toContain('blocked wget -T 2 -q -O- http://127.0.0.1:');
    expect(r.trim().split('\n').pop()!.trim()).toBe('lo');
    expect(requests).toEqual([]);
  });

  it('is refused the network when it asks for it without being a fixed-output node', () => {
    expect(done['net-flag']).toMatchObject({ status: 'failed', reason: expect.stringContaining('network is only allowed for fixed-output (fetch) nodes (package bin/hostile-netflag)') });
    expect(requests).toEqual([]);
  });

  it('cannot write outside $out, and its /tmp stays private', () => {
    expect(done['write-outside'].status).toBe('built');
    const r = report('write-outside');
    expect(r).not.toContain('LEAK');
    expect(r).toContain('private tmp ok');
    expect(existsSync(join(tmpdir(), mark))).toBe(false);
    expect(existsSync(join(store.layout.store, 'evil'))).toBe(false);
    expect(readdirSync(store.layout.store).filter((e) => !storeBefore.includes(e)).every((e) => Object.values(nodes).some((n) => n.out.endsWith(e)))).toBe(true);
  });

  it('cannot modify an input', () => {
    expect(done['modify-input'].status).toBe('built');
    expect(report('modify-input')).not.toContain('LEAK');
    expect(report('modify-input').match(/blocked/g)).toHaveLength(7);
    expect(treeDigest(store.physical(BB))).toBe(bbBefore);
  });

  it('leaves no process behind', async () => {
    expect(done.background.status).toBe('built');
    expect(processesWith('sleep 4713')).toEqual([]);
    expect(processesWith('sleep 4714')).toEqual([]);
    await new Promise((res) => setTimeout(res, 1500));
    const out = store.physical(nodes.background.out);
    expect(readdirSync(out)).toEqual(['started']);
  });

  it('cannot kill host processes', () => {
    expect(done['kill-host'].status).toBe('built');
    expect(report('kill-host')).not.toContain('LEAK');
    expect(sentinel.exitCode).toBeNull();
    expect(sentinel.signalCode).toBeNull();
  });

  it('gets no setuid/setgid bits into the store', () => {
    const r = done.setuid;
    if (r.status === 'built') {
      const out = store.physical(nodes.setuid.out);
      expect(report('setuid')).toContain('NoNewPrivs:\t1');
      for (const f of ['su', 'sg', 'd']) expect(lstatSync(join(out, f)).mode & 0o7000).toBe(0);
    } else {
      expect(r.reason).toMatch(/set[ug]id/);
    }
  });

  it('cannot leave a symlink out of the store', async () => {
    for (const n of ['symlink-abs', 'symlink-rel']) {
      expect(done[n].status).toBe('failed');
      expect(done[n].reason).toMatch(/symlink/);
      expect(done[n].reason).toContain(`(package ${nodes[n].name})`);
      expect(await store.isBuilt(nodes[n].out)).toBe(false);
    }
    expect(done['symlink-abs'].reason).toContain('passwd');
  });

  it('cannot refer to an undeclared store path', async () => {
    expect(done['undeclared-ref'].status).toBe('failed');
    expect(done['undeclared-ref'].reason).toContain('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-lib-secret');
    expect(await store.isBuilt(nodes['undeclared-ref'].out)).toBe(false);
  });

  it('leaves the store intact and verifiable', async () => {
    const v = await verifyStore(store.layout.root);
    expect(v.length).toBeGreaterThan(1);
    for (const e of v) expect(e).toMatchObject({ status: 'ok' });
    expect(readdirSync(store.layout.build)).toEqual([]);
    expect(treeDigest(store.physical(BB))).toBe(bbBefore);
  });
});
