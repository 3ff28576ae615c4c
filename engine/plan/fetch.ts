/**
 * Fetch nodes: one per source (file name, sha256), fixed-output. The id hashes only the predicted
 * output, {file, sha256}, so URLs and mirrors never change it; the host performs the download
 * natively (no script) into $out/<file> and verifies the sha256.
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import type { WireNode } from '../api';
import type { FetchItem } from '../descriptor';
import { IxError } from '../errors';
import { storeIdOf } from '../hash';
import type { TextDigest } from '../hash';
import { storeName } from '../eval/names';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * The file name a download is stored as: the item's name, else the URL's last path component
 * (query and fragment dropped); `apt:NAME=VERSION/ARCH` gives apt-get's "NAME_VERSION_ARCH.deb".
 */
export function fetchFileName(item: FetchItem): string {
  if (item.name) return item.name;
  const apt = /^apt:([^=/]+)=([^/]+)\/(.+)$/.exec(item.url);
  if (apt) return `${apt[1]}_${apt[2].replace(/:/g, '%3a')}_${apt[3]}.deb`;
  const path = item.url.replace(/[?#].*$/, '');
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The fetch node of one descriptor source item; malformed items are IxErrors naming `pkg`. */
export function fetchNode(item: FetchItem, pkg: string, td?: TextDigest): WireNode {
  const file = fetchFileName(item);
  const sha256 = typeof item.sha256 === 'string' ? item.sha256.replace(/^sha(256)?:/, '').toLowerCase() : '';
  if (!SHA256.test(sha256)) throw new IxError(`source ${item.url}: sha256 must be 64 hex digits, got '${item.sha256}'`, { pkg });
  if (file === '' || file === '.' || file === '..' || file.includes('/') || file.includes('\0')) {
    throw new IxError(`source ${item.url}: cannot derive a file name (give the item a "name")`, { pkg });
  }
  const id = storeIdOf({ file, sha256 }, td);
  const sname = storeName(`fetch/${file}`, 'src');
  return {
    id,
    out: `/ix/store/${id}-${sname}`,
    name: `fetch:${file}`,
    storeName: sname,
    flags: {},
    deps: [],
    libs: [],
    runDeps: [],
    libDeps: [],
    fetch: { urls: [item.url], sha256, file },
    pool: 'net',
    net: true,
  };
}

/** Merges a second sighting of the same source (same id): URLs united, sorted. */
export function mergeFetch(a: WireNode, b: WireNode): void {
  const urls = new Set([...a.fetch!.urls, ...b.fetch!.urls]);
  a.fetch!.urls = [...urls].sort();
}
