/**
 * Kernel flock(2) locks between ix processes (per-output locks, realm locks, and the gc lock,
 * which running builds hold shared and a collection exclusive), held through a helper process
 * (util-linux `flock`, or perl where that is missing, e.g. macOS: lock-helper.ts), because Node
 * has no flock binding. The one lock module of ix.
 *
 * Why this scheme: a kernel lock is released by the kernel when its holder dies, whatever kills
 * it (kill -9 included), so there is no stale-lock heuristic, no pid-reuse hazard, and no race
 * between two processes "taking over" the same stale lock (the classic weakness of O_EXCL lock
 * files: reading "dead owner" and deleting the file are two steps another process can interleave).
 * The lock is held by a tiny helper (`flock FILE sh -c 'echo L; exec cat'`) whose stdin is a pipe
 * from us: when we die the pipe closes, `cat` exits, and the lock goes with it. Cost: one short
 * spawn per lock (a few ms), paid once per built node. Locks conflict inside one process too.
 * Lock files are never deleted (deleting a flock'ed file is itself racy); they are empty-ish
 * files holding the holder's pid, read only to say who we wait for.
 *
 * Must not depend on: the engine's evaluator, the sandbox or executor modules.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { missingTool } from '../../common';
import { holderArgv } from './lock-helper';

/** A held lock; release() is idempotent and waits until the kernel lock is gone. */
export interface HeldLock {
  readonly file: string;
  release(): Promise<void>;
  /** True when the helper died before release() (killed): the kernel lock is gone. */
  lost?(): boolean;
}

const CONFLICT = 75;

/** Exclusive (one holder) or shared (many holders, no exclusive one). */
export type LockMode = 'shared' | 'exclusive';

/** Spawn the helper; resolves when locked (or with null when `nonBlocking` and busy). */
function spawnHolder(file: string, nonBlocking: boolean, mode: LockMode = 'exclusive'): Promise<ChildProcess | null> {
  const h = holderArgv(file, mode, !nonBlocking, CONFLICT);
  // detached: a Ctrl-C to our process group must not drop the lock before we have cleaned up.
  const child = spawn(h.cmd, h.args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  return new Promise((resolve, reject) => {
    let err = '';
    let done = false;
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    child.stdout!.once('data', () => {
      done = true;
      resolve(child);
    });
    child.once('error', (e: NodeJS.ErrnoException) => {
      if (done) return;
      done = true;
      reject(e.code === 'ENOENT'
        ? missingTool('flock', h.cmd === 'flock' ? "util-linux (it holds ix's locks)" : "util-linux, or perl (either holds ix's locks)")
        : new Error(`cannot run the lock helper ${h.cmd} for ${file}: ${e.message}`));
    });
    child.once('exit', (code) => {
      if (done) return;
      done = true;
      if (nonBlocking && code === CONFLICT) resolve(null);
      else reject(new Error(`flock ${file} failed (exit ${code}): ${err.trim()}`));
    });
  });
}

function held(file: string, child: ChildProcess): HeldLock {
  // A held lock must not keep the event loop alive: if we exit, the kernel releases it anyway.
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void } | null)?.unref?.();
  let released: Promise<void> | undefined;
  let exited = false;
  child.once('exit', () => { exited = true; });
  return {
    file,
    lost: () => exited && released === undefined,
    release() {
      if (!released) {
        released = new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.ref(); // keep the loop alive until the kernel lock is really gone
          child.once('exit', () => resolve());
          child.stdin!.end();
        });
      }
      return released;
    },
  };
}

async function writeOwner(file: string): Promise<void> {
  // Informational only: who holds the lock, for the "waiting for" message of other processes.
  await fs.writeFile(file, `${JSON.stringify({ format: 'ix-lock/1', pid: process.pid })}\n`).catch(() => undefined);
}

/** The pid written by the current holder, if readable. */
export async function lockOwner(file: string): Promise<number | undefined> {
  try {
    const j = JSON.parse(await fs.readFile(file, 'utf8')) as { pid?: unknown };
    return typeof j.pid === 'number' ? j.pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The holder writes its pid just after taking the lock, so a waiter that arrives in between
 * reads nothing yet: look again a few times (at most ~200 ms) before reporting "unknown".
 */
async function ownerSoon(file: string): Promise<number | undefined> {
  for (let i = 0; i < 10; i++) {
    const pid = await lockOwner(file);
    if (pid !== undefined) return pid;
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

/** Take the lock without waiting; undefined when another holder has it. */
export async function tryLock(file: string): Promise<HeldLock | undefined> {
  const child = await spawnHolder(file, true);
  if (!child) return undefined;
  await writeOwner(file);
  return held(file, child);
}

/**
 * Take the lock, waiting as long as needed. `onWait` is called once if the lock is busy,
 * with the holder's pid when known.
 */
export async function lock(file: string, onWait?: (holderPid: number | undefined) => void): Promise<HeldLock> {
  const quick = await tryLock(file);
  if (quick) return quick;
  if (onWait) onWait(await ownerSoon(file));
  const child = await spawnHolder(file, false);
  await writeOwner(file);
  return held(file, child!);
}

/** Take the lock in `mode`, waiting (its directory is created); `onWait` is called once when busy. */
export async function flockWait(file: string, mode: LockMode, onWait?: () => void): Promise<HeldLock> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const quick = await spawnHolder(file, true, mode);
  if (quick) return held(file, quick);
  onWait?.();
  return held(file, (await spawnHolder(file, false, mode))!);
}

/** Take the lock in `mode` without waiting (its directory is created); undefined when busy. */
export async function flockTry(file: string, mode: LockMode): Promise<HeldLock | undefined> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const c = await spawnHolder(file, true, mode);
  return c ? held(file, c) : undefined;
}
