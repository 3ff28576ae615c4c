#!/usr/bin/env node
/**
 * snapshot-deb.mjs BASE NAME VERSION ARCH OUT: downloads the .deb of NAME=VERSION for ARCH (or an
 * "all" package) from the Debian snapshot archive at BASE into OUT, for fill-source-cache.sh when
 * the ordinary archive no longer has that version. The lookup is the one ix's fetcher makes
 * (hosts/node/fetch/snapshot.ts): `BASE/mr/binary/NAME/VERSION/binfiles` lists each
 * architecture's SHA-1, `BASE/file/SHA1` serves the file. BASE may be https://, http:// or
 * file:// (a snapshot-shaped tree on disk). The caller checks the sha256 the recipe pins; this
 * script checks only that the bytes have the SHA-1 the index named. Prints the file URL; on
 * failure one line on stderr naming the URL and why, exit 1. A plain .mjs because setup runs it
 * before anything is built.
 *
 * Must not depend on: anything but Node's standard library.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const [base, name, version, arch, out] = process.argv.slice(2);
if (!out) {
  process.stderr.write('usage: snapshot-deb.mjs BASE NAME VERSION ARCH OUT\n');
  process.exit(2);
}

async function get(url) {
  if (url.startsWith('file://')) return readFile(fileURLToPath(url)).catch(() => { throw new Error(`${url}: no such file`); });
  const res = await fetch(url, { signal: AbortSignal.timeout(120_000) }).catch((e) => { throw new Error(`${url}: ${e.cause?.code ?? e.message}`); });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

try {
  const b = base.replace(/\/+$/, '');
  const index = `${b}/mr/binary/${encodeURIComponent(name)}/${encodeURIComponent(version)}/binfiles`;
  let rows;
  try {
    rows = JSON.parse((await get(index)).toString('utf8')).result;
  } catch (e) {
    throw e.message.startsWith(index) ? e : new Error(`${index}: not a snapshot index`);
  }
  const hash = (Array.isArray(rows) ? rows : []).find((r) => (r.architecture === arch || r.architecture === 'all') && /^[0-9a-f]{40}$/.test(r.hash))?.hash;
  if (!hash) throw new Error(`${index}: no ${arch} file for ${name}=${version}`);
  const url = `${b}/file/${hash}`;
  const body = await get(url);
  if (createHash('sha1').update(body).digest('hex') !== hash) throw new Error(`${url}: the bytes do not have that SHA-1`);
  await writeFile(out, body);
  process.stdout.write(`${url}\n`);
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
