// The CLI verbs of the executor (build, log, run, store verify), called in-process through the
// real WASM core, on the tiny recipe tree test/fixtures/hostile/recipes and a throw-away ix root.
import { setFlagsFromString } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from '../hosts/node/args';
import type { Context } from '../hosts/node/context';
import { runBuild } from '../hosts/node/commands/build';
import { runLog } from '../hosts/node/commands/log';
import { main } from '../hosts/node/main';
import { removeTreeSync } from '../hosts/common/tree';
import { haveBusybox } from './fixtures/hostile/kit';
import { captureContext } from './support/cli';
import { missing } from './support/prereq';

setFlagsFromString('--experimental-wasm-extended-const'); // the QuickJS core needs it on Node 20

const recipes = fileURLToPath(new URL('./fixtures/hostile/recipes', import.meta.url));
const coreBuilt = existsSync(fileURLToPath(new URL('../wasm/out/manifest.json', import.meta.url)));

describe.skipIf(missing('busybox (Debian busybox-static)', haveBusybox()) || missing('a built core (npm run build)', coreBuilt))('ix build / log / run / store verify', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'ix-cli-'));
    chmodSync(root, 0o755);
  });
  afterAll(() => removeTreeSync(root));

  function ctx(argv: string[]): Context & { out: string; err: string } {
    return captureContext(parseArgs(['--recipes', recipes, ...argv], 'build'), { IX_ROOT: root, IX_PROGRESS: 'plain', PATH: process.env.PATH });
  }

  it('builds a package (seed toolchain first) and prints its store path; a second build finds it', async () => {
    const c = ctx(['bin/hello']);
    expect(await runBuild(c)).toBe(0);
    expect(c.out).toMatch(/^\/ix\/store\/[0-9a-z]{32}-bin-hello\n$/);
    expect(c.err).toMatch(/built bld\/boot\/bb .*\n.*built bin\/hello/s);
    const again = ctx(['bin/hello']);
    expect(await runBuild(again)).toBe(0);
    expect(again.out).toBe(c.out);
    expect(again.err).not.toContain('built bin/hello');
    // top-down: the package is there, so its seed is not even looked at
    expect(again.err).toContain('0 built, 1 already there, 0 failed, 0 skipped, 1 not needed');
  });

  it('--json gives one event object per line, ending with the outputs', async () => {
    const c = ctx(['--json', 'bin/hello']);
    expect(await runBuild(c)).toBe(0);
    const ev = c.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(ev[0]).toMatchObject({ event: 'begin', format: 'ix-events/1', total: 2, needed: 1 });
    expect(ev.at(-2)).toMatchObject({ event: 'end', ok: true, cached: 1, unneeded: 1 });
    expect(ev.at(-1).event).toBe('outputs');
    expect(ev.at(-1).paths[0]).toMatch(/-bin-hello$/);
  });

  it('--check rebuilds and reports bit-identical output', async () => {
    const c = ctx(['bin/hello', '--check']);
    expect(await runBuild(c)).toBe(0);
    expect(c.err).toMatch(/check bin\/hello: rebuilt bit-identical \(blake3:[0-9a-f]{64}\)/);
  });

  it('--check exits 1 and names the files when a rebuild differs', async () => {
    const c = ctx(['bin/random', '--check']);
    expect(await runBuild(c)).toBe(1);
    expect(c.err).toMatch(/check bin\/random: NOT reproducible: blake3:[0-9a-f]{64} before, blake3:[0-9a-f]{64} now; differing: stamp\n/);
  });

  it('a failing build exits 1 with the log tail and a reproduce command; ix log prints the log', async () => {
    const c = ctx(['bin/bad', '--keep-going']);
    expect(await runBuild(c)).toBe(1);
    expect(c.err).toContain('FAILED bin/bad');
    expect(c.err).toContain('  | bad.c:1: error: expected ;');
    expect(c.err).toMatch(/reproduce: IX_ROOT=\S+ \S+\/run-node \S+\.node\.json/);
    const l = ctx(['bin/bad']);
    expect(await runLog(l)).toBe(0);
    expect(l.out).toContain('# ix-log/1\n# node bin/bad\n');
    expect(l.out).toContain('compiling bad.c\n');
    expect(l.out).toContain('# ix: exit code 1');
  });

  it('ix log of a package never built here says so', async () => {
    writeFileSync(join(root, 'x'), '');
    const l = ctx(['bin/hello', '--target=linux-aarch64']);
    expect(await runLog(l)).toBe(1);
    expect(l.err).toContain('never built on this machine');
  });

  it('a target without a toolchain stops before building', async () => {
    const c = ctx(['--target=freebsd-x86_64', 'bin/hello']);
    await expect(runBuild(c)).rejects.toThrow('target freebsd-x86_64 has no toolchain in this recipe tree (needed by bin/hello); nothing was built (package bld/unsupported)');
  });

  it('ix run resolves a program to its package and passes the exit code through', async () => {
    let err = '';
    const base = { env: { IX_ROOT: root, IX_PROGRESS: 'plain', PATH: process.env.PATH }, cwd: process.cwd(), stdout: () => undefined, stderr: (d: string) => { err += d; } };
    expect(await main(['run', '--recipes', recipes, 'hello', '--help'], base)).toBe(7); // --help after PROG is the program's
    err = '';
    expect(await main(['run', '--recipes', recipes, 'nosuchprog'], base)).toBe(2);
    expect(err).toBe('ix: error: no package bin/nosuchprog and no store path built here provides bin/nosuchprog\n');
    expect(await main(['run', '--recipes', recipes, 'echo', 'found in the store'], base)).toBe(0); // no bin/echo package: the seed's bin/ has it
  });

  it('ix store verify finds the store intact', async () => {
    let out = '';
    let err = '';
    const code = await main(['store', 'verify'], { env: { IX_ROOT: root }, cwd: '/', stdout: (d) => { out += d; }, stderr: (d) => { err += d; } });
    expect(out).toBe('');
    expect(err).toMatch(/store paths checked in .*: all intact/);
    expect(code).toBe(0);
    err = '';
    expect(await main(['store', 'fix'], { env: { IX_ROOT: root }, cwd: '/', stdout: () => undefined, stderr: (d) => { err += d; } })).toBe(2);
    expect(err).toBe("ix: error: 'ix store' knows the sub-commands verify and serve (got 'fix')\n");
  });
});
