/**
 * The local source cache, content-addressed by sha256: <cache>/sha256/<hex> (read-only files),
 * with downloads in progress under <cache>/tmp/<pid>-<random>. Entries are verified when read
 * (a corrupt entry is dropped and fetched again) and inserted by an atomic rename, so concurrent
 * fetchers of the same source are harmless.
 *
 * Must not depend on: the engine's evaluator, the store's internals, the sandbox or executor.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { pidAlive, sha256File } from '../store';

export function cachePath(cache: string, sha: string): string {
  return path.join(cache, 'sha256', sha);
}

/** The cached file for `sha` if present and intact (a corrupt one is removed). */
export async function lookupCache(cache: string, sha: string): Promise<{ path: string; bytes: number } | undefined> {
  const p = cachePath(cache, sha);
  try {
    const got = await sha256File(p);
    if (got.sha === sha) return { path: p, bytes: got.bytes };
    await fs.rm(p, { force: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  return undefined;
}

/** Move a verified download into the cache; returns its cache path. */
export async function storeInCache(cache: string, sha: string, verifiedFile: string): Promise<string> {
  const p = cachePath(cache, sha);
  await fs.mkdir(path.dirname(p), { recursive: true });
  await fs.chmod(verifiedFile, 0o444);
  await fs.rename(verifiedFile, p);
  return p;
}

/** Remove scratch files of fetcher processes that no longer exist. */
export async function cleanScratch(scratch: string): Promise<void> {
  for (const n of await fs.readdir(scratch).catch(() => [] as string[])) {
    const m = /^(?:apt-)?(\d+)-/.exec(n);
    if (!m || pidAlive(Number(m[1]))) continue;
    await fs.rm(path.join(scratch, n), { recursive: true, force: true });
  }
}

