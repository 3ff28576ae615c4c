/**
 * Small filesystem helpers the store needs: removing read-only trees (store outputs are 0555/0444,
 * which an unprivileged user cannot delete without first making directories writable) and writing
 * a file atomically (temp file, fsync, rename), hashing a file (sha256).
 *
 * Must not depend on: the engine's evaluator, the sandbox or executor modules.
 */
import fs from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';

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

let atomicSeq = 0;

/** Write `data` to `file` atomically: a crash leaves either the old file or the new one. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  // pid and a per-process sequence: two writes of one file in one process never share a temp file
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${++atomicSeq}.tmp`);
  const fh = await fs.open(tmp, 'w', 0o644);
  try {
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (e) {
    // Disk full or an I/O error: leave nothing half-written, and name the file (a failed
    // write on a descriptor names no path).
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    if (e instanceof Error && (e as { path?: string }).path === undefined) (e as { path?: string }).path = file;
    throw e;
  }
  await fs.rename(tmp, file);
  await syncDir(path.dirname(file));
}

/** fsync a directory so a rename inside it survives a power loss. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch (e) {
    if (isMissing(e)) return false;
    throw e;
  }
}

/** True when a process with this pid exists (EPERM: it exists but is another user's). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The sha256 (hex) and size of a file, read as a stream. */
export async function sha256File(p: string): Promise<{ sha: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const c of createReadStream(p)) {
    h.update(c as Buffer);
    bytes += (c as Buffer).length;
  }
  return { sha: h.digest('hex'), bytes };
}
