/**
 * Tree helpers the sandbox needs to hand a build its directories: ownership and traversability
 * (removing trees is hosts/common/tree.ts's).
 *
 * Must not depend on: anything but node:fs.
 */
import { lchownSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

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
