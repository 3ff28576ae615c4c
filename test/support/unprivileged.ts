/**
 * An unprivileged local user for the tests that run ix rootless, as most users do
 * (test/rootless.test.ts, test/support/rootless-story.ts): created once with useradd (no home of
 * its own: each caller makes a fresh one), commands run as it through util-linux setpriv with a
 * clean environment (its HOME, a plain PATH), from the checkout. Needs root.
 *
 * Must not depend on: ix's internals (it runs commands as a user, nothing more).
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chownSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './cli';
import { isRoot, onPath } from './prereq';

export const ROOTLESS_USER = 'ixrootless';

/** Whether this process can create the user and switch to it. */
export const canRunUnprivileged = (): boolean => isRoot && onPath('setpriv') && onPath('useradd');

export interface Unprivileged {
  uid: number;
  gid: number;
  /** A fresh home directory owned by the user. */
  home: string;
  /** Runs argv as the user (blocking): HOME, TMPDIR and PATH, then `env` on top; nothing else. */
  run(argv: string[], env?: Record<string, string>, input?: Buffer): SpawnSyncReturns<Buffer>;
  /** The same without blocking this process (long builds beside other work). */
  runAsync(argv: string[], env?: Record<string, string>): Promise<{ code: number; out: string; err: string }>;
  /** Runs this checkout's ./ix as the user (blocking), output as text. */
  ix(args: string[], env?: Record<string, string>): SpawnSyncReturns<string>;
}

/** Creates the user if needed and a fresh home for it under `parent` (which it must be able to enter). */
export function unprivilegedUser(parent = '/tmp'): Unprivileged {
  if (spawnSync('id', ['-u', ROOTLESS_USER]).status !== 0) {
    const r = spawnSync('useradd', ['-M', '-r', '-s', '/usr/sbin/nologin', ROOTLESS_USER], { encoding: 'utf8' });
    // another test file may have created it meanwhile
    if (r.status !== 0 && spawnSync('id', ['-u', ROOTLESS_USER]).status !== 0) throw new Error(`useradd ${ROOTLESS_USER}: ${r.stderr}`);
  }
  const uid = Number(spawnSync('id', ['-u', ROOTLESS_USER], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', ROOTLESS_USER], { encoding: 'utf8' }).stdout.trim());
  const home = mkdtempSync(join(parent, 'ix-rootless-home-'));
  chownSync(home, uid, gid);
  const argvOf = (argv: string[], env: Record<string, string>) => {
    const vars = Object.entries({ PATH: '/usr/bin:/bin', HOME: home, TMPDIR: home, ...env }).map(([k, v]) => `${k}=${v}`);
    return [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', 'env', '-i', ...vars, ...argv];
  };
  return {
    uid, gid, home,
    run: (argv, env = {}, input) => spawnSync('setpriv', argvOf(argv, env), { cwd: repoRoot, input, maxBuffer: 1 << 28 }),
    runAsync: (argv, env = {}) => new Promise((resolve, reject) => {
      const p = spawn('setpriv', argvOf(argv, env), { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      p.stdout.on('data', (b: Buffer) => out.push(b));
      p.stderr.on('data', (b: Buffer) => err.push(b));
      p.on('error', reject);
      p.on('close', (code) => resolve({ code: code ?? -1, out: Buffer.concat(out).toString('utf8'), err: Buffer.concat(err).toString('utf8') }));
    }),
    ix: (args, env = {}) => spawnSync('setpriv', argvOf([process.execPath, join(repoRoot, 'ix'), ...args], env), { cwd: repoRoot, encoding: 'utf8', maxBuffer: 1 << 26 }),
  };
}
