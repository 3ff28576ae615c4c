/**
 * Removing a tree that a build or the store made read-only (store outputs are 0555/0444, and a
 * build can leave 0555 directories behind, which a plain recursive rm cannot enter as a normal
 * user): every directory is made writable first, then the tree is removed. The one way ix
 * deletes a tree; the synchronous form is for callers that cannot wait (a sandbox being set up,
 * test clean-up).
 *
 * Must not depend on: anything but Node's fs, path and crypto.
 */
import fs from 'node:fs/promises';
import { chmodSync, lstatSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException)?.code === 'ENOENT';
}

/** Make every directory of a tree writable and searchable by us (ignores vanished entries). */
async function unlockDirs(dir: string): Promise<void> {
  try {
    await fs.chmod(dir, 0o700);
    const entries = await fs.readdir(dir, { withFileTypes: true });
    for (const e of entries) if (e.isDirectory()) await unlockDirs(path.join(dir, e.name));
  } catch (e) {
    if (!isMissing(e)) throw e;
  }
}

/**
 * Remove a file or tree, even if read-only. When `trashDir` is given the tree is first renamed
 * there (one atomic step, so it stops existing at its old name at once), then deleted.
 */
export async function removeTree(p: string, trashDir?: string): Promise<void> {
  let target = p;
  if (trashDir) {
    target = path.join(trashDir, `trash-${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      await fs.rename(p, target);
    } catch (e) {
      if (isMissing(e)) return;
      // A directory moving to another parent needs its own write bit: unlock the top and retry.
      await fs.chmod(p, 0o700).catch(() => undefined);
      try {
        await fs.rename(p, target);
      } catch (e2) {
        if (isMissing(e2)) return;
        throw e2;
      }
    }
  }
  let st;
  try {
    st = await fs.lstat(target);
  } catch (e) {
    if (isMissing(e)) return;
    throw e;
  }
  if (st.isDirectory()) await unlockDirs(target);
  await fs.rm(target, { recursive: true, force: true });
}

/** Synchronous removeTree without a trash directory. Missing paths are fine. */
export function removeTreeSync(p: string): void {
  try {
    rmSync(p, { recursive: true, force: true });
  } catch {
    unlockDirsSync(p);
    rmSync(p, { recursive: true, force: true });
  }
}

function unlockDirsSync(dir: string): void {
  let st;
  try {
    st = lstatSync(dir);
  } catch {
    return;
  }
  if (!st.isDirectory()) return;
  try {
    chmodSync(dir, 0o700);
  } catch { /* not ours: rm will report */ }
  for (const e of readdirSync(dir)) unlockDirsSync(path.join(dir, e));
}

/** Remove everything inside `dir`, keeping `dir` itself. */
export function emptyDirSync(dir: string): void {
  for (const e of readdirSync(dir)) removeTreeSync(path.join(dir, e));
}
