/**
 * The fetcher: makes `<dest>/<file>` hold exactly the bytes whose sha256 a fetch node names.
 * Order: the local source cache (<cache>/sha256/<hex>), then content-addressed mirrors (URL
 * templates with {sha} and {sha2}), then the node's own URLs; an apt:NAME=VERSION/ARCH URL is
 * followed by Debian's snapshot archive (snapshot.ts), which keeps the versions ordinary mirrors
 * drop. Each candidate is retried with
 * exponential backoff on transient failures; a download is verified before anything is stored
 * (a mismatch stores nothing), then put into the cache and copied to the destination.
 * Progress goes to a callback so the executor's display owns the terminal.
 *
 * Typical use by an executor:
 *   await store.realise(node, (o) => fetchSource(node.fetch!, o.tmpOut, { name: node.name, onProgress }));
 *
 * Must not depend on: the engine's evaluator, the store's internals, the sandbox or executor.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Layout, resolveRoot, snapshotFileUrl, SnapshotError } from '../../common';
import { IxError } from '../../../engine/errors';
import { APT_URL, attempt, AttemptError, type FetchProgress } from './transport';
import { snapshotBases } from './snapshot';
import { lookupCache, storeInCache, cleanScratch } from './cache';

export { type FetchProgress } from './transport';
export { APT_URL } from './transport';
export { snapshotBases } from './snapshot';

export interface FetchSpec {
  urls: string[];
  /** Hex sha256 (64 lowercase hex digits), optionally prefixed "sha256:". */
  sha256: string;
  /** Name of the file to create in the destination directory. */
  file: string;
}

export interface FetchOptions {
  /** Source cache directory; default $IX_SOURCE_CACHE, else <ix root>/cache/sources. */
  cacheDir?: string;
  /** Mirror URL templates; default $IX_MIRRORS split on spaces. */
  mirrors?: string[];
  /** Retries per candidate after the first attempt (default 3). */
  retries?: number;
  /** First backoff delay in ms, doubled each retry, capped at 10 s (default 500). */
  backoffMs?: number;
  /** Give up on a download that receives nothing for this long (default 60 s). */
  stallMs?: number;
  /** Progress callback for large downloads (see progressMinBytes). */
  onProgress?: (p: FetchProgress) => void;
  /** Report progress only for downloads of at least this many bytes or of unknown size (default 1 MiB). */
  progressMinBytes?: number;
  /** Called before each retry with a one-line reason. */
  onRetry?: (message: string) => void;
  /** apt-get executable (default "apt-get"). */
  aptGet?: string;
  /** Debian snapshot archive bases tried after an apt: URL fails; default $IX_DEBIAN_SNAPSHOT (snapshot.ts). */
  snapshots?: string[];
  /** Package name for error messages. */
  name?: string;
  /** Environment to read IX_SOURCE_CACHE / IX_MIRRORS / IX_ROOT / IX_DEBIAN_SNAPSHOT from (default: none set). */
  env?: Record<string, string | undefined>;
}

export interface FetchResult {
  /** The file created: <dest>/<file>. */
  path: string;
  /** Where the bytes came from. */
  source: 'cache' | 'mirror' | 'url' | 'snapshot';
  /** The URL used (absent for a cache hit). */
  url?: string;
  bytes: number;
}

/** A fetch failed; one line naming every URL tried and why (sha mismatches with both sums). */
export class FetchError extends IxError {
  constructor(detail: string, pkg?: string) {
    super(detail, pkg ? { pkg } : {});
    this.name = 'FetchError';
  }
}

/** $IX_SOURCE_CACHE, else <ix root>/cache/sources. */
export function resolveSourceCache(env: Record<string, string | undefined>): string {
  if (env.IX_SOURCE_CACHE) return path.resolve(env.IX_SOURCE_CACHE);
  return new Layout(resolveRoot(env)).sources;
}

/** Mirror templates from $IX_MIRRORS (space-separated). */
export function mirrorsFromEnv(env: Record<string, string | undefined>): string[] {
  return (env.IX_MIRRORS ?? '').split(/\s+/).filter(Boolean);
}

/** Expand a mirror template: {sha} is the hex sha256, {sha2} its first two characters. */
export function mirrorUrl(template: string, sha: string): string {
  return template.replaceAll('{sha2}', sha.slice(0, 2)).replaceAll('{sha}', sha);
}

/** A one-line progress text, e.g. "fetch zlib.tar.gz 1.5/4.0 MiB 37%". */
export function formatProgress(p: FetchProgress): string {
  const mib = (n: number) => (n / 1048576).toFixed(1);
  const tail = p.total ? `${mib(p.received)}/${mib(p.total)} MiB ${Math.floor((100 * p.received) / p.total)}%` : `${mib(p.received)} MiB`;
  return `fetch ${p.file} ${tail}${p.done ? ' done' : ''}`;
}

function normaliseSha(s: string, name?: string): string {
  const hex = s.startsWith('sha256:') ? s.slice(7) : s;
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new FetchError(`bad sha256 "${s}" (want 64 lowercase hex digits)`, name);
  return hex;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Make `<dest>/<spec.file>` hold the verified bytes. Throws FetchError; on failure nothing is stored. */
export async function fetchSource(spec: FetchSpec, dest: string, opts: FetchOptions = {}): Promise<FetchResult> {
  const env = opts.env ?? {};
  const sha = normaliseSha(spec.sha256, opts.name);
  if (!spec.file || spec.file.includes('/') || spec.file.startsWith('.')) throw new FetchError(`bad file name "${spec.file}"`, opts.name);
  const cache = opts.cacheDir ?? resolveSourceCache(env);
  const target = path.join(dest, spec.file);
  const scratch = path.join(cache, 'tmp');
  await fs.mkdir(scratch, { recursive: true });
  await cleanScratch(scratch);

  const hit = await lookupCache(cache, sha);
  if (hit) {
    await fs.copyFile(hit.path, target);
    return { path: target, source: 'cache', bytes: hit.bytes };
  }

  const snapshots = opts.snapshots ?? snapshotBases(env);
  const candidates: { url: string; source: 'mirror' | 'url' | 'snapshot'; resolve?: () => Promise<string> }[] = [
    ...(opts.mirrors ?? mirrorsFromEnv(env)).map((t) => ({ url: mirrorUrl(t, sha), source: 'mirror' as const })),
    ...spec.urls.flatMap((url) => {
      const apt = APT_URL.exec(url);
      const snap = apt ? snapshots.map((base) => ({ url: base, source: 'snapshot' as const, resolve: () => snapshotFileUrl(base, apt[1], apt[2], apt[3], opts.stallMs ?? 60_000) })) : [];
      return [{ url, source: 'url' as const }, ...snap];
    }),
  ];
  if (candidates.length === 0) throw new FetchError(`${spec.file}: not in the source cache and no URL to fetch it from`, opts.name);
  const retries = opts.retries ?? 3;
  const failures: string[] = [];
  const tmp = path.join(scratch, `${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    for (const c of candidates) {
      for (let i = 0; ; i++) {
        let url = c.url;
        try {
          if (c.resolve) url = await c.resolve().catch((e: unknown) => {
            throw e instanceof SnapshotError ? new AttemptError(`snapshot ${e.message}`, e.retry) : e;
          });
          const got = await attempt(url, tmp, {
            stallMs: opts.stallMs ?? 60_000,
            onProgress: opts.onProgress,
            progressMinBytes: opts.progressMinBytes ?? 1 << 20,
            aptGet: opts.aptGet ?? 'apt-get',
            scratch,
            file: spec.file,
          });
          if (got.sha256 !== sha) {
            failures.push(`sha256 mismatch for ${url}: expected ${sha}, got ${got.sha256}`);
            break;
          }
          const cached = await storeInCache(cache, sha, tmp);
          await fs.copyFile(cached, target);
          return { path: target, source: c.source, url, bytes: got.bytes };
        } catch (e) {
          if (!(e instanceof AttemptError)) throw e;
          if (e.retry && i < retries) {
            const delay = Math.min((opts.backoffMs ?? 500) * 2 ** i, 10_000);
            opts.onRetry?.(`${e.message}; retrying in ${delay} ms`);
            await sleep(delay);
            continue;
          }
          failures.push(c.resolve && url !== c.url ? `snapshot ${e.message}` : e.message);
          break;
        }
      }
    }
  } finally {
    await fs.rm(tmp, { force: true });
  }
  throw new FetchError(`cannot fetch ${spec.file} (sha256 ${sha}): ${failures.join('; ')}`, opts.name);
}
