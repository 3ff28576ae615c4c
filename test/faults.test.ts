// Faults in CI (bench/faults.mjs, small): `ix build` killed with SIGKILL at 5 random moments, a
// sandboxed build process killed, and a node's flock helper killed. After each: store verify
// passes, no lock is held, the next build finishes; the node whose lock was lost failed.
// The 50-kill run and its counts are in BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { haveBusybox } from './fixtures/hostile/kit';
import { ensureCoreBuilt, repoRoot } from './support/cli';
import { missing, onPath } from './support/prereq';

test.skipIf(missing('bwrap (Debian bubblewrap)', onPath('bwrap')) || missing('busybox (Debian busybox-static)', haveBusybox()))(
  '5 kills of ix build, 1 of a build process, 1 of a lock helper: nothing corrupt, nothing stuck, the next build finishes',
  () => {
    ensureCoreBuilt();
    const r = spawnSync(process.execPath, [join(repoRoot, 'bench', 'faults.mjs'), '--kills=5', '--sandbox-kills=1', '--lock-kills=1', '--packages=2', "--seed=1"], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const counts = JSON.parse(r.stdout) as Record<string, number> & { problems: string[] };
    expect(counts.problems).toEqual([]);
    expect(counts).toMatchObject({ kills: 5, sandboxKills: 1, lockKills: 1, lockKillsFailedTheNode: 1, corruptPaths: 0, stuckLocks: 0, failedRebuilds: 0 });
    expect(r.status).toBe(0);
  },
  300_000,
);
