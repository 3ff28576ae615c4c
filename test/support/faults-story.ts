/**
 * Faults on a real package in CI, registered as a test inside
 * test/real-builds.test.ts so the toolchain comes from what that run already built: machine A
 * pushed its linux-x86_64 build to a file:// cache. bench/faults.mjs --real builds lib/z from
 * source on that toolchain (substituted through a filtered copy of the cache that holds only the
 * toolchain's records) and kills `ix build` with SIGKILL at 3 random moments, a sandboxed build
 * process once and the node's lock helper once; after each kill the store verifies, no lock is
 * held and the next build finishes, and the node whose lock was lost failed. The 50-kill run on
 * several real packages is `npm run bench`'s business (BENCHMARKS.md, "Faults and fuzzing").
 *
 * Must not depend on: ix's internals (it runs the bench script like a user).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { repoRoot } from './cli';

export interface FaultsMachine {
  /** A's file:// cache, which A's x86 build pushed every path to. */
  cacheUrl(): string;
  /** The file holding A's public key. */
  publicKeyFile(): string;
  /** The source cache of the run. */
  sources(): string;
  /** Awaited before the story: A's x86 build (the one that pushed). */
  ready(): Promise<unknown>;
}

export function registerFaultsStory(m: FaultsMachine): void {
  test('faults on a real package: 3 kills of ix build, one of its build process, one of its lock helper; nothing corrupt or stuck, the next build finishes', async () => {
    await m.ready();
    const argv = [join(repoRoot, 'bench', 'faults.mjs'), '--real=lib/z', `--cache=${m.cacheUrl()}`, `--public-key=${m.publicKeyFile()}`,
      `--sources=${m.sources()}`, '--kills=3', '--sandbox-kills=1', '--lock-kills=1', '--seed=1'];
    // asynchronous: the aarch64 build of the same test file is still writing to its pipes
    const r = await new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
      const c = spawn(process.execPath, argv, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      c.stdout.on('data', (d: Buffer) => { out += d; });
      c.stderr.on('data', (d: Buffer) => { err += d; });
      c.on('error', reject);
      c.on('close', (code) => resolve({ code, out, err }));
    });
    expect(r.code, r.err.slice(-3000)).toBe(0);
    const counts = JSON.parse(r.out.trim().split('\n').pop()!) as Record<string, unknown> & { problems: string[] };
    expect(counts.problems).toEqual([]);
    expect(counts.workload).toMatch(/^real: lib\/z \(2 nodes built, \d+ substituted\)$/); // lib/z and its source
    expect(counts).toMatchObject({ kills: 3, sandboxKills: 1, sandboxKillsFailedTheBuild: 1, lockKills: 1, lockKillsFailedTheNode: 1, corruptPaths: 0, stuckLocks: 0, failedRebuilds: 0 });
  }, 10 * 60_000);
}
