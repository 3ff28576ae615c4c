// The executor: scheduling (pools, critical path, keep-going) with a recording fake, and real
// runs into a real store: skip-if-built, log files, failure tail + reproduce command, events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanNode } from '../engine/api';
import { buildGraph, schedule, execute, jsonReporter, plainReporter, ttyReporter, checkPlanRunnable, type ExecEvent, type Outcome } from '../hosts/node/exec';
import type { Store } from '../hosts/node/store';
import { removeTreeSync } from '../hosts/common/tree';
import { sandboxRunner } from '../hosts/linux-sandbox';

/** The Linux runner for this test process's environment (its PATH finds bwrap). */
const runNode = sandboxRunner(process.env);
import { BB, haveBusybox, makeStore, shNode } from './fixtures/hostile/kit';
import { missing } from './support/prereq';

const id = (c: string) => c.repeat(32);
function node(c: string, pool: string, deps: string[] = []): PlanNode {
  return shNode(id(c), `bin/${c}`, 'true', { pool, inputs: [BB, ...deps.map((d) => `/ix/store/${id(d)}-bin-${d}`)].sort() });
}

describe('scheduler', () => {
  it('starts the longest chain first and never runs a full node beside cpu nodes', async () => {
    // a -> b -> c is the long chain; x and y are short; f is a full node.
    const nodes = [node('x', 'cpu'), node('y', 'cpu'), node('a', 'cpu'), node('b', 'cpu', ['a']), node('c', 'cpu', ['b']), node('f', 'full')];
    const log: string[] = [];
    let cpu = 0;
    let full = 0;
    let maxCpu = 0;
    const r = await schedule(buildGraph(nodes), {
      slots: { cpu: 2, net: 1 },
      keepGoing: false,
      async work(n) {
        if (n.pool === 'full') { full++; expect(cpu).toBe(0); } else { cpu++; expect(full).toBe(0); }
        maxCpu = Math.max(maxCpu, cpu);
        log.push(n.name.slice(4));
        await new Promise((res) => setTimeout(res, 5));
        if (n.pool === 'full') full--; else cpu--;
        return 'built';
      },
    });
    expect(log[0]).toBe('f'); // full (cost 16) outranks a's chain (12)
    expect(log.indexOf('a')).toBeLessThan(log.indexOf('x'));
    expect(maxCpu).toBe(2);
    expect([...r.outcome.values()].every((o) => o === 'built')).toBe(true);
  });

  it('skips users of a failed node; keep-going runs the rest, otherwise nothing new starts', async () => {
    const nodes = [node('a', 'cpu'), node('b', 'cpu', ['a']), node('c', 'cpu', ['b']), node('x', 'cpu'), node('y', 'cpu', ['x'])];
    const run = async (keepGoing: boolean) => {
      const skipped: string[] = [];
      const r = await schedule(buildGraph(nodes), {
        slots: { cpu: 1, net: 1 },
        keepGoing,
        work: async (n): Promise<Outcome> => (n.name === 'bin/a' ? 'failed' : 'built'),
        skip: (n, cause) => skipped.push(`${n.name}<-${cause?.name ?? 'stop'}`),
      });
      return { o: Object.fromEntries([...r.outcome].map(([k, v]) => [k[0], v])), skipped: skipped.sort() };
    };
    expect(await run(true)).toEqual({ o: { a: 'failed', b: 'skipped', c: 'skipped', x: 'built', y: 'built' }, skipped: ['bin/b<-bin/a', 'bin/c<-bin/a'] });
    const stop = await run(false);
    expect(stop.o).toEqual({ a: 'failed', b: 'skipped', c: 'skipped', x: 'skipped', y: 'skipped' });
    expect(stop.skipped).toContain('bin/x<-stop');
  });

  it('runs net nodes beside a full node', async () => {
    const nodes = [node('f', 'full'), node('n', 'net'), node('m', 'net')];
    const live = new Set<string>();
    let overlap = false;
    await schedule(buildGraph(nodes), {
      slots: { cpu: 2, net: 2 },
      keepGoing: false,
      async work(n) {
        live.add(n.pool);
        if (live.has('full') && live.has('net')) overlap = true;
        await new Promise((res) => setTimeout(res, 5));
        live.delete(n.pool);
        return 'built';
      },
    });
    expect(overlap).toBe(true);
  });
});

describe('preflight', () => {
  it('stops a plan whose toolchain is the unsupported marker', () => {
    const marker = shNode(id('m'), 'bld/unsupported', 'exit 1', { flags: { target: 'linux-x86_64' } });
    const user = shNode(id('u'), 'bin/zstd', 'true', { inputs: [marker.out], flags: { target: 'freebsd-x86_64' } });
    expect(() => checkPlanRunnable([marker, user])).toThrow('target freebsd-x86_64 has no toolchain in this recipe tree (needed by bin/zstd); nothing was built (package bld/unsupported)');
    expect(() => checkPlanRunnable([user], 'darwin-aarch64')).toThrow('sandbox runs Linux programs only');
    expect(() => checkPlanRunnable([user], 'linux-x86_64')).not.toThrow();
  });
});

describe('reporters', () => {
  const failed: ExecEvent = { event: 'done', id: id('a'), name: 'bin/a', out: '/ix/store/x', status: 'failed', reason: 'exit code 2', tail: ['cc: error'], log: '/r/a.log', reproduce: 'run-node a.json' };
  it('json: one object per line', () => {
    let s = '';
    const r = jsonReporter({ write: (x) => (s += x) });
    r.emit({ event: 'begin', format: 'ix-events/1', total: 1, cores: 2 });
    r.emit({ event: 'step', id: 'a', name: 'bin/a', line: 'x' });
    r.emit(failed);
    expect(s.trim().split('\n').map((l) => JSON.parse(l).event)).toEqual(['begin', 'done']);
  });
  it('plain: a failure shows the log tail, the log and the reproduce command', () => {
    let s = '';
    plainReporter({ write: (x) => (s += x) }).emit(failed);
    expect(s).toBe('FAILED bin/a /ix/store/x: exit code 2\n  last lines of the log:\n  | cc: error\n  log: /r/a.log\n  reproduce: run-node a.json\n');
  });
  it('tty: redraws running nodes with their current step and done/total', () => {
    let s = '';
    let t = 0;
    const r = ttyReporter({ write: (x) => (s += x), isTTY: true, columns: 80 }, () => t, 1e9);
    r.emit({ event: 'begin', format: 'ix-events/1', total: 3, cores: 2 });
    t = 1500;
    r.emit({ event: 'start', id: 'a', name: 'bin/a', out: '/o', pool: 'cpu', log: '/l' });
    r.emit({ event: 'step', id: 'a', name: 'bin/a', line: 'CC zstd.c\r' });
    t = 2500;
    r.emit({ event: 'done', id: 'b', name: 'bin/b', out: '/ob', status: 'cached' });
    r.close();
    expect(s).toContain('[1/3 2.5 s] 1 running\n  bin/a 1.0 s  CC zstd.c\n');
    expect(s).toContain('\x1b[2A\r\x1b[J');
  });
});

describe.skipIf(missing('busybox (Debian busybox-static)', haveBusybox()))('execute (real sandbox and store)', () => {
  let store: Store;
  beforeAll(async () => {
    store = await makeStore();
  });
  afterAll(() => removeTreeSync(store.layout.root));

  it('builds a chain into the store, logs each node, and skips it the second time', async () => {
    const lib = shNode(id('l'), 'lib/a', 'echo building lib; mkdir $out/lib; echo A > $out/lib/a\n');
    const bin = shNode(id('p'), 'bin/p', `echo step one; cat ${lib.out}/lib/a > $out/p; echo "${lib.out}" > $out/ref\n`, { inputs: [BB, lib.out], runtime: [lib.out] });
    const events: ExecEvent[] = [];
    const r = await execute([lib, bin], { store, run: runNode, reporter: { emit: (e) => events.push(e), close() {} } });
    expect(r.ok).toBe(true);
    expect(readFileSync(store.physical(bin.out) + '/p', 'utf8')).toBe('A\n');
    expect(readFileSync(`${store.layout.logs}/${bin.id}.log`, 'utf8')).toBe(`# ix-log/1\n# node bin/p\n# out ${bin.out}\nstep one\n`);
    expect(events.filter((e) => e.event === 'done').map((e) => e.event === 'done' && `${e.name}:${e.status}`)).toEqual(['lib/a:built', 'bin/p:built']);
    expect(events.some((e) => e.event === 'step' && e.line === 'step one')).toBe(true);
    const again: ExecEvent[] = [];
    const r2 = await execute([lib, bin], { store, run: runNode, reporter: { emit: (e) => again.push(e), close() {} } });
    expect(r2.ok).toBe(true);
    expect(again.filter((e) => e.event === 'start')).toEqual([]);
    expect([...r2.status.values()]).toEqual(['cached', 'cached']);
  });

  it('the printed reproduce command, executed, fails the same way', async () => {
    const bad = shNode(id('w'), 'bin/repro', 'echo compiling; echo "error: the same failure" >&2; exit 3\n');
    let text = '';
    const r = await execute([bad], { store, run: runNode, reporter: plainReporter({ write: (x) => (text += x) }) });
    expect(r.failures).toEqual(['bin/repro: exit code 3']);
    const cmd = /reproduce: (.*)\n/.exec(text)?.[1];
    expect(cmd).toMatch(/run-node /);
    const again = spawnSync('sh', ['-c', cmd!], { encoding: 'utf8' });
    expect(again.status).toBe(3);
    expect(again.stderr).toContain('error: the same failure');
    expect(await store.isBuilt(bad.out)).toBe(false);
  });

  it('run-node --commit builds a node into the store on the CLI side, and a failure leaves nothing there', async () => {
    const script = join(import.meta.dirname, '..', 'hosts/linux-sandbox/run-node');
    const commit = (n: PlanNode) => {
      const file = join(store.layout.root, `${n.id}.commit.json`);
      writeFileSync(file, JSON.stringify(n));
      return spawnSync(script, [`--root=${store.layout.root}`, '--commit', file], { encoding: 'utf8' });
    };
    const good = shNode(id('c'), 'bin/committed', 'echo made > $out/made\n');
    const ok = commit(good);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe(`${good.out}\n`);
    expect(readFileSync(`${store.physical(good.out)}/made`, 'utf8')).toBe('made\n');
    expect(commit(good).stdout).toBe(`${good.out}\n`); // present: nothing runs again
    const bad = shNode(id('f'), 'bin/uncommitted', 'echo half > $out/half; exit 4\n');
    const no = commit(bad);
    expect(no.status).toBe(4);
    expect(no.stderr).toContain('run-node: bin/uncommitted failed: exit code 4');
    expect(await store.isBuilt(bad.out)).toBe(false);
    expect(existsSync(store.layout.tmpOut(bad.id))).toBe(false);
  });

  it('a rejection around a node (disk full in the store) is reported with its cause, not as skipped nodes', async () => {
    const n = shNode(id('x'), 'bin/nospace', 'true');
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const broken = Object.create(store, { withOutputLock: { value: async () => { throw full; } } }) as Store;
    const events: ExecEvent[] = [];
    await expect(execute([n], { store: broken, run: runNode, reporter: { emit: (e) => events.push(e), close() {} } })).rejects.toBe(full);
    expect(full).toMatchObject({ path: store.layout.root });
    expect(events.find((e) => e.event === 'done')).toMatchObject({ status: 'failed', reason: 'ENOSPC: no space left on device, write' });
  });

  it('a failure keeps its log, shows its tail and a reproduce command, and is not built', async () => {
    const bad = shNode(id('q'), 'bin/bad', 'echo compiling; echo "error: no such thing" >&2; exit 2\n');
    const user = shNode(id('r'), 'bin/user', 'true', { inputs: [BB, bad.out] });
    const other = shNode(id('s'), 'bin/other', 'touch $out/ok\n');
    let text = '';
    const rep = plainReporter({ write: (x) => (text += x) });
    const r = await execute([bad, user, other], { store, run: runNode, reporter: rep, keepGoing: true });
    expect(r.ok).toBe(false);
    expect(r.failures).toEqual(['bin/bad: exit code 2']);
    expect(Object.fromEntries([...r.status].map(([k, v]) => [k[0], v]))).toEqual({ q: 'failed', r: 'skipped', s: 'built' });
    expect(text).toContain('FAILED bin/bad');
    expect(text).toContain('  | error: no such thing');
    expect(text).toMatch(/reproduce: IX_ROOT=\S+ \S+hosts\/linux-sandbox\/run-node \S+\/q+\.node\.json/);
    expect(await store.isBuilt(bad.out)).toBe(false);
    expect(existsSync(store.physical(bad.out))).toBe(false);
    expect(readFileSync(`${store.layout.logs}/${bad.id}.log`, 'utf8')).toContain('# ix: exit code 2');
  });
});
