/**
 * Shared or exclusive kernel flock(2) on one file, held by a helper process (util-linux `flock`, or
 * perl: store/lock-helper.ts; Node has no flock binding). Same scheme as the store's per-output
 * locks (store/lock.ts): the helper keeps the lock while our pipe to it is open, so the kernel
 * drops it when we die, however we die. Here the mode is a parameter, which the gc lock needs:
 * running builds hold it shared while they register what they use, a collection holds it exclusive.
 *
 * Must not depend on: the engine's evaluator, the sandbox or executor modules.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { HeldLock } from '../store/lock';
import { holderArgv } from '../store/lock-helper';

export type LockMode = 'shared' | 'exclusive';

const BUSY = 75;

/** Spawn the helper; resolves when held, or null when `wait` is false and the lock is busy. */
function holder(file: string, mode: LockMode, wait: boolean): Promise<ChildProcess | null> {
  const h = holderArgv(file, mode, wait, BUSY);
  const child = spawn(h.cmd, h.args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  return new Promise((resolve, reject) => {
    let err = '';
    let settled = false;
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    child.stdout!.once('data', () => { settled = true; resolve(child); });
    child.once('error', (e) => {
      if (!settled) { settled = true; reject(new Error(`cannot run the lock helper ${h.cmd} for ${file}: ${e.message}`)); }
    });
    child.once('exit', (code) => {
      if (settled) return;
      settled = true;
      if (!wait && code === BUSY) resolve(null);
      else reject(new Error(`flock ${file} failed (exit ${code}): ${err.trim()}`));
    });
  });
}

function wrap(file: string, child: ChildProcess): HeldLock {
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void } | null)?.unref?.();
  let released: Promise<void> | undefined;
  return {
    file,
    release() {
      released ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.ref();
        child.once('exit', () => resolve());
        child.stdin!.end();
      });
      return released;
    },
  };
}

/** Take the lock in `mode`, waiting; `onWait` is called once when it is busy. */
export async function flockWait(file: string, mode: LockMode, onWait?: () => void): Promise<HeldLock> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const quick = await holder(file, mode, false);
  if (quick) return wrap(file, quick);
  onWait?.();
  return wrap(file, (await holder(file, mode, true))!);
}

/** Take the lock in `mode` without waiting; undefined when it is busy. */
export async function flockTry(file: string, mode: LockMode): Promise<HeldLock | undefined> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const c = await holder(file, mode, false);
  return c ? wrap(file, c) : undefined;
}
