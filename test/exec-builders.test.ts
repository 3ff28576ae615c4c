// The builder pool (hosts/node/exec/builders.ts) with recording fake builders: placement by the
// share of inputs a builder holds, then speed; a failed builder is dropped for the rest of the run
// and its node goes elsewhere; with no remote builder left the node builds here (the fallback).
import { describe, expect, it } from 'vitest';
import type { PlanNode } from '../engine/api';
import { BuilderPool, type Builder, type BuildOutcome } from '../hosts/node/exec/builders';
import type { PendingOutput } from '../hosts/node/store';
import { shNode } from './fixtures/hostile/kit';

const node = (c: string, inputs: string[] = []) => shNode(c.repeat(32), `bin/${c}`, 'true', { inputs });
const o = { tmpOut: '/nonexistent', tmpBuild: '/nonexistent' } as PendingOutput;
const io = { nodeLog: undefined as never, output: () => undefined, note: (l: string) => notes.push(l), signal: new AbortController().signal, moved: () => undefined };
const notes: string[] = [];

function fake(name: string, o: { slots?: number; speed?: number; has?: string[]; fail?: string; openFail?: string; host?: string } = {}): Builder & { built: string[] } {
  const built: string[] = [];
  return {
    name, slots: o.slots ?? 1, speed: o.speed ?? 1, built,
    builds: (h) => h === (o.host ?? 'linux-x86_64'),
    holds: (n: PlanNode) => (n.inputs.length ? n.inputs.filter((p) => o.has?.includes(p)).length / n.inputs.length : 1),
    open: async () => { if (o.openFail) throw new Error(o.openFail); },
    async build(n): Promise<BuildOutcome> {
      await new Promise((r) => setTimeout(r, 5));
      if (o.fail) return { ok: false, builderDown: true, reason: o.fail };
      built.push(n.name);
      return { ok: true };
    },
  };
}

describe('builder pool', () => {
  it('puts a node where its inputs are, then on the faster builder', async () => {
    const a = fake('ssh://a', { has: ['/ix/store/x'] });
    const b = fake('ssh://b', { speed: 4 });
    const ev: string[] = [];
    const pool = new BuilderPool([fake('here', { slots: 0 }), a, b], 'linux-x86_64', { placed: (n, w) => ev.push(`${n.name}@${w}`), down: () => undefined });
    expect(pool.slots).toBe(2);
    await pool.build(node('p', ['/ix/store/x']), o, io, async () => undefined);
    await pool.build(node('q', ['/ix/store/y']), o, io, async () => undefined);
    expect(ev).toEqual(['bin/p@ssh://a', 'bin/q@ssh://b']);
  });

  it('uses a free builder when the best one is busy', async () => {
    const a = fake('ssh://a', { speed: 4 });
    const b = fake('ssh://b');
    const pool = new BuilderPool([a, b], 'linux-x86_64', { placed: () => undefined, down: () => undefined });
    await Promise.all([pool.build(node('p'), o, io, async () => undefined), pool.build(node('q'), o, io, async () => undefined)]);
    expect([a.built, b.built]).toEqual([['bin/p'], ['bin/q']]);
  });

  it('a builder that fails is reported once, never used again, and its node goes elsewhere; at the end, here', async () => {
    const bad = fake('ssh://bad', { speed: 9, fail: 'connection closed' });
    const unreachable = fake('ssh://gone', { speed: 9, openFail: 'unreachable: Connection refused' });
    const other = fake('ssh://other');
    const here = fake('here', { slots: 1 });
    const downs: string[] = [];
    const resets: string[] = [];
    const pool = new BuilderPool([fake('here0', { slots: 0 }), bad, unreachable, other], 'linux-x86_64',
      { placed: () => undefined, down: (b, why, n) => downs.push(`${b}: ${why}${n ? ` (${n.name})` : ''}`) }, here);
    const r1 = await pool.build(node('p'), o, io, async () => { resets.push('p'); });
    expect(r1).toMatchObject({ ok: true, builder: 'ssh://other' });
    await pool.build(node('q'), o, io, async () => undefined);
    expect(other.built).toEqual(['bin/p', 'bin/q']);
    expect(downs).toEqual(['ssh://gone: unreachable: Connection refused', 'ssh://bad: connection closed (bin/p)']);
    expect(resets).toEqual(['p']);
    // other goes down too: the fallback builds here
    const other2 = fake('ssh://flaky', { fail: 'no answer for 120 s (time-out)' });
    const pool2 = new BuilderPool([fake('here0', { slots: 0 }), other2], 'linux-x86_64', { placed: () => undefined, down: () => undefined }, here);
    expect(await pool2.build(node('r'), o, io, async () => undefined)).toMatchObject({ ok: true, builder: 'here' });
    expect(here.built).toEqual(['bin/r']);
    // without a fallback: one line saying no builder is left, with what failed
    const pool3 = new BuilderPool([fake('ssh://x', { fail: 'ssh exited with code 255' })], 'linux-x86_64', { placed: () => undefined, down: () => undefined });
    expect(await pool3.build(node('s'), o, io, async () => undefined)).toEqual({ ok: false, reason: 'no builder left for linux-x86_64 (failed: ssh://x: ssh exited with code 255)' });
  });

  it('a builder of other targets is never asked', async () => {
    const arm = fake('ssh://arm', { host: 'linux-aarch64', speed: 9 });
    const x86 = fake('ssh://x86');
    const pool = new BuilderPool([arm, x86], 'linux-x86_64', { placed: () => undefined, down: () => undefined });
    await pool.build(node('p'), o, io, async () => undefined);
    expect([arm.built, x86.built]).toEqual([[], ['bin/p']]);
  });
});
