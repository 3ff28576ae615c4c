/**
 * Debian's snapshot archive as a mirror for pinned .debs (apt:NAME=VERSION/ARCH). Ordinary
 * mirrors drop a version once it is superseded; the snapshot archive keeps every version it has
 * seen. Its machine-readable index maps a binary package and version to the SHA-1 of each
 * architecture's file: `<base>/mr/binary/<NAME>/<VERSION>/binfiles` answers
 * {"result": [{"architecture": "amd64", "hash": "<sha1>"}, ...]}, and `<base>/file/<sha1>`
 * serves that file. NAME and VERSION are percent-encoded (a version may hold ':' and '+').
 * The caller (index.ts) verifies the downloaded bytes against the sha256 the recipe pins, so
 * the index only says where to look, never what is right.
 * Bases come from $IX_DEBIAN_SNAPSHOT (space-separated; "none" for no snapshot mirror), default
 * https://snapshot.debian.org; a file:// base reads a snapshot-shaped tree on disk (tests,
 * offline mirrors).
 *
 * Must not depend on: the engine's evaluator, the store, the sandbox or executor.
 */
import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const DEFAULT_SNAPSHOT = 'https://snapshot.debian.org';
/** The index answer is small; anything larger is not the index. */
const MAX_INDEX_BYTES = 1 << 20;

/** Snapshot bases from $IX_DEBIAN_SNAPSHOT ("none": no snapshot mirror). */
export function snapshotBases(env: Record<string, string | undefined>): string[] {
  const v = env.IX_DEBIAN_SNAPSHOT;
  if (v === undefined) return [DEFAULT_SNAPSHOT];
  if (v.trim() === 'none') return [];
  return v.split(/\s+/).filter(Boolean).map((b) => b.replace(/\/+$/, ''));
}

/** Why a snapshot lookup failed; `retry` for transient failures (5xx, network). */
export class SnapshotError extends Error {
  constructor(message: string, readonly retry: boolean) {
    super(message);
  }
}

async function getText(url: string, timeoutMs: number): Promise<string> {
  if (url.startsWith('file://')) {
    const text = await fs.readFile(fileURLToPath(url), 'utf8').catch(() => undefined);
    if (text === undefined) throw new SnapshotError(`${url}: no such file`, false);
    return text;
  }
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    const res = await fetch(url, { signal: ctl.signal }).catch((e: { cause?: { code?: string }; message?: string }) => {
      throw new SnapshotError(`${url}: ${ctl.signal.aborted ? 'timed out' : (e.cause?.code ?? e.message)}`, true);
    });
    if (!res.ok) throw new SnapshotError(`${url}: HTTP ${res.status}`, res.status >= 500 || res.status === 429);
    const body = await res.text();
    if (body.length > MAX_INDEX_BYTES) throw new SnapshotError(`${url}: answer larger than ${MAX_INDEX_BYTES} bytes`, false);
    return body;
  } finally {
    clearTimeout(timer);
  }
}

/** The index URL for one binary package version. */
export function snapshotIndexUrl(base: string, name: string, version: string): string {
  return `${base}/mr/binary/${encodeURIComponent(name)}/${encodeURIComponent(version)}/binfiles`;
}

/**
 * The URL of NAME=VERSION's file for ARCH (or an "all" package) in the snapshot archive at
 * `base`, from its index. Throws SnapshotError naming the base, the package and what failed.
 */
export async function snapshotFileUrl(base: string, name: string, version: string, arch: string, timeoutMs = 60_000): Promise<string> {
  const index = snapshotIndexUrl(base, name, version);
  const text = await getText(index, timeoutMs);
  let hashes: string[];
  try {
    const j = JSON.parse(text) as { result?: { architecture?: unknown; hash?: unknown }[] };
    const rows = Array.isArray(j.result) ? j.result : [];
    hashes = rows.filter((r) => r.architecture === arch || r.architecture === 'all').map((r) => r.hash).filter((h): h is string => typeof h === 'string');
  } catch {
    throw new SnapshotError(`${index}: not a snapshot index (JSON with a "result" list)`, false);
  }
  const hash = hashes.find((h) => /^[0-9a-f]{40}$/.test(h));
  if (!hash) throw new SnapshotError(`${index}: no ${arch} file for ${name}=${version}`, false);
  return `${base}/file/${hash}`;
}
