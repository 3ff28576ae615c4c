#!/usr/bin/env node
/**
 * Files from Debian's snapshot archive, which keeps every version the ordinary archive drops, for
 * fill-source-cache.sh:
 *   snapshot-get.mjs deb BASE NAME VERSION ARCH OUT   the .deb of NAME=VERSION for ARCH (or "all")
 *   snapshot-get.mjs orig BASE SOURCE VERSION DIR     the original tarballs (*.orig.tar.*) of
 *                                                     source package SOURCE=VERSION, into DIR
 * The lookup is the one ix's fetcher makes (hosts/node/fetch/snapshot.ts): the index
 * `BASE/mr/binary/NAME/VERSION/binfiles` (or `BASE/mr/package/SOURCE/VERSION/srcfiles?fileinfo=1`,
 * which adds each file's name) gives each file's SHA-1, and `BASE/file/SHA1` serves it. BASE may
 * be https://, http:// or file:// (a snapshot-shaped tree on disk; the query is not part of a file
 * path). Each download must have the SHA-1 the index named; the caller checks the sha256 the
 * recipe pins. Prints the URL of each file written; on failure one line on stderr naming the URL
 * and why, exit 1. A plain .mjs because setup runs it before anything is built.
 *
 * Must not depend on: anything but Node's standard library.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [mode, base, name, version, ...rest] = process.argv.slice(2);
if (!['deb', 'orig'].includes(mode) || rest.length !== (mode === 'deb' ? 2 : 1)) {
  process.stderr.write('usage: snapshot-get.mjs deb BASE NAME VERSION ARCH OUT | orig BASE SOURCE VERSION DIR\n');
  process.exit(2);
}

async function get(url) {
  if (url.startsWith('file://')) return readFile(fileURLToPath(url)).catch(() => { throw new Error(`${url}: no such file`); });
  const res = await fetch(url, { signal: AbortSignal.timeout(120_000) }).catch((e) => { throw new Error(`${url}: ${e.cause?.code ?? e.message}`); });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

async function index(url) {
  let j;
  try {
    j = JSON.parse((await get(url)).toString('utf8'));
  } catch (e) {
    throw e.message.startsWith(url) ? e : new Error(`${url}: not a snapshot index`);
  }
  return { rows: Array.isArray(j.result) ? j.result : [], fileinfo: j.fileinfo ?? {} };
}

/** Downloads BASE/file/HASH to `out`, checking the SHA-1; returns the URL. */
async function download(b, hash, out) {
  const url = `${b}/file/${hash}`;
  const body = await get(url);
  if (createHash('sha1').update(body).digest('hex') !== hash) throw new Error(`${url}: the bytes do not have that SHA-1`);
  await writeFile(out, body);
  return url;
}

const sha1 = (h) => typeof h === 'string' && /^[0-9a-f]{40}$/.test(h);

try {
  const b = base.replace(/\/+$/, '');
  const what = `${encodeURIComponent(name)}/${encodeURIComponent(version)}`;
  if (mode === 'deb') {
    const [arch, out] = rest;
    const url = `${b}/mr/binary/${what}/binfiles`;
    const hash = (await index(url)).rows.find((r) => (r.architecture === arch || r.architecture === 'all') && sha1(r.hash))?.hash;
    if (!hash) throw new Error(`${url}: no ${arch} file for ${name}=${version}`);
    process.stdout.write(`${await download(b, hash, out)}\n`);
  } else {
    const url = `${b}/mr/package/${what}/srcfiles?fileinfo=1`;
    const { fileinfo } = await index(url);
    const origs = Object.entries(fileinfo).flatMap(([hash, infos]) => (Array.isArray(infos) ? infos : [])
      .filter((i) => typeof i?.name === 'string' && /\.orig\.tar\.[a-z0-9]+$/.test(i.name) && sha1(hash))
      .slice(0, 1).map((i) => ({ hash, name: basename(i.name) })));
    if (!origs.length) throw new Error(`${url}: no original tarball for ${name}=${version}`);
    for (const o of origs) process.stdout.write(`${await download(b, o.hash, join(rest[0], o.name))}\n`);
  }
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
