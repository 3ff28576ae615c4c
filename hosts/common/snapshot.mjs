/**
 * Debian's snapshot archive, which keeps every version of a package that ordinary mirrors drop:
 * the one lookup both ix's fetcher (hosts/node/fetch/snapshot.ts) and setup
 * (hosts/linux-sandbox/snapshot-get.mjs, run before anything is built, hence plain JavaScript
 * with its types in snapshot.d.mts) make. The machine-readable index
 * `BASE/mr/binary/NAME/VERSION/binfiles` answers {"result": [{"architecture", "hash"}]}, and
 * `BASE/mr/package/SOURCE/VERSION/srcfiles?fileinfo=1` adds each file's name; `BASE/file/SHA1`
 * serves a file. NAME and VERSION are percent-encoded (a version may hold ':' and '+'). BASE may
 * be https://, http:// or file:// (a snapshot-shaped tree on disk; the query is not part of a
 * file path). The index only says where to look: a download must have the SHA-1 it named, and
 * the caller checks the sha256 the recipe pins.
 *
 * Must not depend on: anything but Node's standard library.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_SNAPSHOT = 'https://snapshot.debian.org';
/** The index answer is small; anything larger is not the index. */
const MAX_INDEX_BYTES = 1 << 20;

/** Why a snapshot lookup failed; `retry` for transient failures (5xx, 429, network). */
export class SnapshotError extends Error {
  constructor(message, retry) {
    super(message);
    this.retry = retry;
  }
}

/** The bytes at `url` (file:// or http[s]://), or a SnapshotError naming the URL. */
export async function snapshotGet(url, timeoutMs, maxBytes = Infinity) {
  if (url.startsWith('file://')) {
    const path = fileURLToPath(url.replace(/\?.*$/, ''));
    const body = await readFile(path).catch(() => undefined);
    if (body === undefined) throw new SnapshotError(`${url}: no such file`, false);
    return body;
  }
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    const res = await fetch(url, { signal: ctl.signal }).catch((e) => {
      throw new SnapshotError(`${url}: ${ctl.signal.aborted ? 'timed out' : (e.cause?.code ?? e.message)}`, true);
    });
    if (!res.ok) throw new SnapshotError(`${url}: HTTP ${res.status}`, res.status >= 500 || res.status === 429);
    const body = Buffer.from(await res.arrayBuffer());
    if (body.length > maxBytes) throw new SnapshotError(`${url}: answer larger than ${maxBytes} bytes`, false);
    return body;
  } catch (e) {
    if (e instanceof SnapshotError) throw e;
    throw new SnapshotError(`${url}: ${ctl.signal.aborted ? 'timed out' : e.message}`, true);
  } finally {
    clearTimeout(timer);
  }
}

async function index(url, timeoutMs) {
  const text = (await snapshotGet(url, timeoutMs, MAX_INDEX_BYTES)).toString('utf8');
  try {
    const j = JSON.parse(text);
    return { rows: Array.isArray(j.result) ? j.result : [], fileinfo: j.fileinfo && typeof j.fileinfo === 'object' ? j.fileinfo : {} };
  } catch {
    throw new SnapshotError(`${url}: not a snapshot index (JSON with a "result" list)`, false);
  }
}

const isSha1 = (h) => typeof h === 'string' && /^[0-9a-f]{40}$/.test(h);
const what = (name, version) => `${encodeURIComponent(name)}/${encodeURIComponent(version)}`;

/** The index URL for one binary package version. */
export function snapshotIndexUrl(base, name, version) {
  return `${base}/mr/binary/${what(name, version)}/binfiles`;
}

/** The URL of NAME=VERSION's file for ARCH (or an "all" package) at `base`, from its index. */
export async function snapshotFileUrl(base, name, version, arch, timeoutMs = 60_000) {
  const url = snapshotIndexUrl(base, name, version);
  const hash = (await index(url, timeoutMs)).rows.find((r) => (r?.architecture === arch || r?.architecture === 'all') && isSha1(r.hash))?.hash;
  if (!hash) throw new SnapshotError(`${url}: no ${arch} file for ${name}=${version}`, false);
  return `${base}/file/${hash}`;
}

/** The original tarballs (*.orig.tar.*) of source package SOURCE=VERSION at `base`: their URLs and names. */
export async function snapshotOrigs(base, source, version, timeoutMs = 60_000) {
  const url = `${base}/mr/package/${what(source, version)}/srcfiles?fileinfo=1`;
  const { fileinfo } = await index(url, timeoutMs);
  const origs = Object.entries(fileinfo).flatMap(([hash, infos]) => (Array.isArray(infos) ? infos : [])
    .filter((i) => typeof i?.name === 'string' && /\.orig\.tar\.[a-z0-9]+$/.test(i.name) && isSha1(hash))
    .slice(0, 1).map((i) => ({ url: `${base}/file/${hash}`, name: basename(i.name) })));
  if (!origs.length) throw new SnapshotError(`${url}: no original tarball for ${source}=${version}`, false);
  return origs;
}

/** The bytes of a snapshot file URL (BASE/file/SHA1), checked against that SHA-1. */
export async function snapshotDownload(url, timeoutMs = 120_000) {
  const body = await snapshotGet(url, timeoutMs);
  if (createHash('sha1').update(body).digest('hex') !== url.slice(url.lastIndexOf('/') + 1)) {
    throw new SnapshotError(`${url}: the bytes do not have that SHA-1`, false);
  }
  return body;
}
