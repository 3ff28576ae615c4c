/**
 * Small filesystem helpers the store needs: writing a file atomically (temp file, fsync, rename),
 * hashing a file (sha256); removing read-only trees is hosts/common/tree.ts's.
 *
 * Must not depend on: the engine's evaluator, the sandbox or executor modules.
 */
import fs from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';

function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException)?.code === 'ENOENT';
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
