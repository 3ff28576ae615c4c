// A node's job step by step (hosts/node/exec/step-*.ts), each with only its narrow context:
// a fake store's realise stands in for the real one, whose sequence store-crash tests cover.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PlanNode } from '../engine/api';
import type { ExecEvent } from '../hosts/node/exec';
import type { PendingOutput } from '../hosts/node/store';
import { present } from '../hosts/node/exec/step-present';
import { build } from '../hosts/node/exec/step-build';
import { substitute } from '../hosts/node/exec/step-substitute';
import { reportFailure } from '../hosts/node/exec/failure';
import type { Made } from '../hosts/node/exec/make';

const node = { id: 'n1', name: 'bin/a', out: '/ix/store/n1-a', pool: 'cpu', cmd: ['true'], inputs: [], runtime: [] } as unknown as PlanNode;

/** A realise that runs `build` once (present: never), as the store's does under its lock. */
function fakeStore(presentAlready = false, commits: unknown[] = []) {
  const pending = { tmpOut: '/nowhere/out', tmpBuild: '/nowhere/tmp' } as PendingOutput;
  return {
    isBuilt: async () => presentAlready,
    realise: async (_n: unknown, make: (o: PendingOutput) => Promise<unknown>, hooks: { start?(): void } = {}) => {
      if (presentAlready) return 'present' as const;
      hooks.start?.();
      const step = await make(pending);
      if (step && typeof step === 'object' && 'failed' in step) return step as { failed: string };
      commits.push(step);
      return 'built' as const;
    },
  };
}

function setup(made: Made | Error, presentAlready = false) {
  const logs = mkdtempSync(join(tmpdir(), 'ix-steps-'));
  const events: ExecEvent[] = [];
  const failures: string[] = [];
  const commits: unknown[] = [];
  const built: string[] = [];
  const emit = (e: ExecEvent) => events.push(e);
  const fail = (n: PlanNode, reason: string, log?: Parameters<typeof reportFailure>[3], ms?: number) =>
    reportFailure({ emit, root: '/r', logs, tailLines: 5, failures }, n, reason, log, ms);
  const ctx = {
    store: fakeStore(presentAlready, commits), logs, emit, fail, built: (n: PlanNode) => built.push(n.name),
    make: async (_n: PlanNode, _o: PendingOutput, log: { write(s: string): void }) => {
      log.write('compiling\n');
      if (made instanceof Error) throw made;
      return made;
    },
  };
  return { ctx, events, failures, commits, built };
}

describe('a node job\'s steps', () => {
  it('present says cached', () => {
    const events: ExecEvent[] = [];
    expect(present((e) => events.push(e), node)).toBe('cached');
    expect(events).toEqual([{ event: 'done', id: 'n1', name: 'bin/a', out: '/ix/store/n1-a', status: 'cached' }]);
  });

  it('build commits what was made (with the builder\'s hash) and reports it built', async () => {
    const s = setup({ expectHash: 'h1' });
    expect(await build(s.ctx, node)).toBe('built');
    expect(s.commits).toEqual([{ expectHash: 'h1' }]);
    expect(s.events.map((e) => e.event)).toEqual(['start', 'done']);
    expect(s.events[1]).toMatchObject({ status: 'built' });
    expect(s.built).toEqual(['bin/a']);
    expect(s.failures).toEqual([]);
  });

  it('build that made nothing is the node\'s failure, with the log\'s tail and the command to reproduce it', async () => {
    const s = setup({ failed: 'exit code 2' });
    expect(await build(s.ctx, node)).toBe('failed');
    expect(s.commits).toEqual([]);
    expect(s.failures).toEqual(['bin/a: exit code 2']);
    expect(s.events[1]).toMatchObject({ event: 'done', status: 'failed', reason: 'exit code 2', tail: ['compiling'] });
    expect((s.events[1] as { reproduce?: string }).reproduce).toMatch(/run-node/);
    expect(s.built).toEqual([]);
  });

  it('build of an output already present is cached, and nothing is made', async () => {
    const s = setup(new Error('must not be called'), true);
    expect(await build(s.ctx, node)).toBe('cached');
    expect(s.events.map((e) => (e as { status?: string }).status)).toEqual(['cached']);
  });

  it('a machine failure during a build is thrown, not the node\'s failure', async () => {
    const full = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    const s = setup(full);
    await expect(build(s.ctx, node)).rejects.toBe(full);
    expect(s.failures).toEqual([]);
  });

  it('substitute without a download decision finds the node present or leaves it to build', async () => {
    const events: ExecEvent[] = [];
    const base = { logs: '/nowhere', emit: (e: ExecEvent) => events.push(e), signal: new AbortController().signal, substituter: { fetch: async () => undefined } };
    expect(await substitute({ ...base, store: fakeStore(false) }, node, { mode: 'build', deps: [] })).toBeUndefined();
    expect(events).toEqual([]);
    expect(await substitute({ ...base, store: fakeStore(true) }, node, undefined)).toBe('cached');
  });

  it('substitute from a cache that refuses its copy leaves the node to build', async () => {
    const s = setup({});
    const r = await substitute({
      store: s.ctx.store, logs: s.ctx.logs, emit: s.ctx.emit, signal: new AbortController().signal,
      substituter: { fetch: async () => undefined },
    }, node, { mode: 'download', deps: [], hit: { cache: 'file:///c', bytes: 3 } });
    expect(r).toBeUndefined();
    expect(s.commits).toEqual([]);
    expect(s.events.map((e) => e.event)).toEqual(['start']);
  });
});
