/**
 * Removing and emptying directory trees that a build may have made read-only (a build can leave
 * 0555 directories behind, which a plain recursive rm cannot enter as a normal user).
 *
 * Must not depend on: anything but node:fs.
 */
import { chmodSync, lchownSync, lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

function makeWritable(dir: string): void {
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
  for (const e of readdirSync(dir)) makeWritable(join(dir, e));
}

/** rm -rf that also copes with read-only directories. Missing paths are fine. */
export function removeTree(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    makeWritable(path);
    rmSync(path, { recursive: true, force: true });
  }
}

/** Remove everything inside `dir`, keeping `dir` itself. */
export function emptyDir(dir: string): void {
  for (const e of readdirSync(dir)) removeTree(join(dir, e));
}

/** lchown every entry of a tree (the root included) to uid:gid. */
export function chownTree(path: string, uid: number, gid: number): void {
  lchownSync(path, uid, gid);
  if (lstatSync(path).isDirectory()) for (const e of readdirSync(path)) chownTree(join(path, e), uid, gid);
}

/** The first directory on the way to `path` that `uid` cannot enter, or undefined. */
export function untraversable(path: string, uid: number): { dir: string; mode: number } | undefined {
  const parts = path.split('/').filter(Boolean);
  let dir = '';
  for (const p of parts) {
    dir += `/${p}`;
    const st = lstatSync(dir);
    if (!st.isDirectory()) continue;
    const ok = st.uid === uid ? (st.mode & 0o100) !== 0 : (st.mode & 0o001) !== 0 || (st.gid === uid && (st.mode & 0o010) !== 0);
    if (!ok) return { dir, mode: st.mode & 0o7777 };
  }
  return undefined;
}
