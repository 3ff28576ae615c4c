// One invocation (hosts/node/context.ts, main.ts): what the launcher's fast path already did for a
// command line (its arguments read, its plan-memo lookup) is handed to main.ts in the invocation's
// memo and not done again; a hand-made context without a memo computes every time.
import { describe, expect, test } from 'vitest';
import { parseArgs } from '../hosts/node/args';
import { once, type Invocation } from '../hosts/node/context';
import { planVerbRequest } from '../hosts/node/commands/plan';
import { main } from '../hosts/node/main';
import { memoRequest } from '../hosts/node/plan-memo';
import { ensureCoreBuilt, tempDir } from './support/cli';

const FAKE = '/ix/store/00000000000000000000000000000000-bin-handed';

function inv(memo?: Map<string, unknown>): Invocation & { out: string; err: string } {
  const r = {
    env: { IX_ROOT: tempDir('ix-inv-root-'), IX_CACHE_DIR: tempDir('ix-inv-cache-'), HOME: tempDir('ix-inv-home-'), PATH: process.env.PATH },
    cwd: process.cwd(), out: '', err: '',
    stdout: (d: string | Uint8Array) => { r.out += typeof d === 'string' ? d : new TextDecoder().decode(d); },
    stderr: (d: string) => { r.err += d; },
    ...(memo ? { memo } : {}),
  };
  return r;
}

describe('the invocation', () => {
  test('once: computed once with a memo, a throw is not remembered, every time without one', () => {
    let n = 0;
    const m = { memo: new Map<string, unknown>() };
    expect(once(m, 'k', () => ++n)).toBe(1);
    expect(once(m, 'k', () => ++n)).toBe(1);
    expect(() => once(m, 'bad', () => { throw new Error('no'); })).toThrow('no');
    expect(once(m, 'bad', () => 'now')).toBe('now');
    expect(once({}, 'k', () => ++n)).toBe(2);
    expect(once({}, 'k', () => ++n)).toBe(3);
  });

  test('main.ts answers from the arguments and the plan-memo lookup the fast path handed over', async () => {
    ensureCoreBuilt();
    const memo = new Map<string, unknown>();
    const base = inv(memo);
    const args = parseArgs(['bin/zstd'], 'plan');
    memo.set('args', args);
    const req = memoRequest(planVerbRequest({ ...base, args }, 'plan'));
    const roots = [{ request: 'bin/zstd', name: 'bin/zstd', out: FAKE }];
    const bytes = new TextEncoder().encode(JSON.stringify({ format: 'ix-plan/4', roots, nodes: [], scripts: {} }));
    memo.set(`plan-memo ${req}`, Promise.resolve({ roots, whole: true, outs: [FAKE], bytes: () => bytes }));
    // the command line says another package: main.ts does not read it again
    expect(await main(['plan', 'bin/other'], base), base.err).toBe(0);
    expect(base.out).toBe(`${FAKE}\n`);
  });

  test('without a handed memo, main.ts reads the command line itself', async () => {
    ensureCoreBuilt();
    const base = inv();
    expect(await main(['plan', 'bin/zstd'], base), base.err).toBe(0);
    expect(base.out).toMatch(/^\/ix\/store\/[0-9a-z]{32}-bin-zstd\n$/);
  });
});
