// run-node's command (hosts/linux-sandbox/sandbox/cli.ts) reads its environment and writes its
// streams only through what its entry hands in: run in-process here, it answers through the
// given io and leaves the process's exit code alone.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, type RunNodeArgs, type RunNodeIO } from '../hosts/linux-sandbox';

function fakeIO(env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: RunNodeIO = { env, stdout: (s) => out.push(s), stderr: (s) => err.push(typeof s === 'string' ? s : new TextDecoder().decode(s)) };
  return { io, out, err };
}

const args = (over: Partial<RunNodeArgs>): RunNodeArgs => ({ help: false, 'keep-tmp': false, commit: false, words: [], ...over });

describe('run-node in-process', () => {
  it('--help goes to the given stdout, exit 0', async () => {
    const { io, out, err } = fakeIO();
    const before = process.exitCode;
    expect(await cli(() => args({ help: true }), io)).toBe(0);
    expect(out.join('')).toMatch(/^usage: run-node /);
    expect(err).toEqual([]);
    expect(process.exitCode).toBe(before);
  });

  it('bad input is one line on the given stderr and exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ix-run-node-io-'));
    const file = join(dir, 'node.json');
    writeFileSync(file, '{not json');
    const { io, out, err } = fakeIO();
    expect(await cli(() => args({ words: [file] }), io)).toBe(2);
    expect(out).toEqual([]);
    const line = err.join('');
    expect(line.startsWith(`run-node: ${file}: not JSON: `)).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    const two = fakeIO();
    expect(await cli(() => args({ words: ['a', 'b'] }), two.io)).toBe(2);
    expect(two.err.join('')).toMatch(/^run-node: usage: run-node /);
  });

  it('a throw while reading the arguments is an error line, not a rejection', async () => {
    const { io, err } = fakeIO();
    expect(await cli(() => { throw new Error('boom'); }, io)).toBe(70);
    expect(err.join('')).toMatch(/^run-node: internal error \(a bug in ix\): Error: boom/);
  });
});
