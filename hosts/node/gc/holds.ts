/**
 * Paths held by running processes ("temporary roots"). A process that is about to use store
 * paths (a build's inputs and outputs, a realm being assembled) registers them before it checks
 * whether they exist: it takes the gc lock shared (so no collection is running), writes
 * holds/<tag>.json atomically while holding an exclusive flock on holds/<tag>.lock, and drops the
 * gc lock. A collection takes the gc lock exclusive and treats the paths of every hold whose lock
 * is busy as roots; a hold whose lock is free belongs to a dead process and is deleted. So a path
 * is either deleted before the process registers it (and the process then sees it missing and
 * rebuilds it) or kept for as long as the process lives, kill -9 included.
 *
 * Must not depend on: the engine's evaluator, the sandbox, the CLI.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Layout } from '../../common';
import { writeFileAtomic, lock as lockExclusive, tryLock, flockWait } from '../store';
import { GcLayout } from './layout';

export const HOLD_FORMAT = 'ix-gc-hold/1';

interface HoldFile {
  format: typeof HOLD_FORMAT;
  pid: number;
  /** What it is for ("ix mut demo"); shown by why-alive. */
  purpose: string;
  paths: string[];
}

/** A registration of held paths; release() ends it (idempotent). */
export interface Hold {
  readonly file: string;
  /** Hold more paths (registered under the gc lock like the first ones). */
  add(paths: string[]): Promise<void>;
  release(): Promise<void>;
}

/**
 * Register `paths` as in use by this process until release() (or until the process dies).
 * `onWait` is called when a collection is running and we wait for it.
 */
export async function holdPaths(layout: Layout, paths: string[], purpose: string, onWait?: (m: string) => void): Promise<Hold> {
  const gl = new GcLayout(layout);
  await fs.mkdir(gl.holds, { recursive: true });
  const tag = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const json = path.join(gl.holds, `${tag}.json`);
  const mine = await lockExclusive(path.join(gl.holds, `${tag}.lock`));
  const held = new Set<string>();
  const register = async (more: string[]) => {
    const g = await flockWait(gl.gcLock, 'shared', () => onWait?.('waiting for a garbage collection to finish'));
    try {
      for (const p of more) held.add(p);
      const body: HoldFile = { format: HOLD_FORMAT, pid: process.pid, purpose, paths: [...held].sort() };
      await writeFileAtomic(json, `${JSON.stringify(body)}\n`);
    } finally {
      await g.release();
    }
  };
  try {
    await register(paths);
  } catch (e) {
    await mine.release();
    throw e;
  }
  let done: Promise<void> | undefined;
  return {
    file: json,
    add: register,
    release() {
      done ??= (async () => {
        await fs.rm(json, { force: true });
        await mine.release();
        await fs.rm(mine.file, { force: true });
      })();
      return done;
    },
  };
}

/** Run `fn` while holding `paths`. */
export async function withHold<T>(layout: Layout, paths: string[], purpose: string, fn: (h: Hold) => Promise<T>, onWait?: (m: string) => void): Promise<T> {
  const h = await holdPaths(layout, paths, purpose, onWait);
  try {
    return await fn(h);
  } finally {
    await h.release();
  }
}

/** One live hold, as a collection sees it. */
export interface LiveHold {
  pid: number;
  purpose: string;
  paths: string[];
}

/**
 * Holds of live processes; removes those of dead ones. Call with the gc lock held exclusive
 * (no registration can be half-done then).
 */
export async function liveHolds(layout: Layout): Promise<LiveHold[]> {
  const gl = new GcLayout(layout);
  const names = (await fs.readdir(gl.holds).catch(() => [] as string[])).sort();
  const out: LiveHold[] = [];
  for (const n of names) {
    const m = /^(.+)\.json$/.exec(n);
    if (!m || n.startsWith('.')) continue;
    const lockFile = path.join(gl.holds, `${m[1]}.lock`);
    const probe = await tryLock(lockFile);
    if (probe) {
      // Free lock: its process is gone (or released just now); the hold is void.
      await fs.rm(path.join(gl.holds, n), { force: true });
      await probe.release();
      await fs.rm(lockFile, { force: true });
      continue;
    }
    try {
      const h = JSON.parse(await fs.readFile(path.join(gl.holds, n), 'utf8')) as HoldFile;
      if (h.format === HOLD_FORMAT) out.push({ pid: h.pid, purpose: h.purpose, paths: h.paths });
    } catch {
      // released between the probe and the read
    }
  }
  return out;
}
