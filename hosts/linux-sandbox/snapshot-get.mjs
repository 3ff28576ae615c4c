#!/usr/bin/env node
/**
 * Files from Debian's snapshot archive, which keeps every version the ordinary archive drops, for
 * fill-source-cache.sh:
 *   snapshot-get.mjs deb BASE NAME VERSION ARCH OUT   the .deb of NAME=VERSION for ARCH (or "all")
 *   snapshot-get.mjs orig BASE SOURCE VERSION DIR     the original tarballs (*.orig.tar.*) of
 *                                                     source package SOURCE=VERSION, into DIR
 * The lookup is ix's fetcher's (hosts/common/snapshot.mjs). Each download must have the SHA-1 the
 * index named; the caller checks the sha256 the recipe pins. Prints the URL of each file written;
 * on failure one line on stderr naming the URL and why, exit 1. A plain .mjs because setup runs
 * it before anything is built.
 *
 * Must not depend on: anything but Node's standard library and hosts/common/snapshot.mjs.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { snapshotDownload, snapshotFileUrl, snapshotOrigs } from '../common/snapshot.mjs';

const [mode, base, name, version, ...rest] = process.argv.slice(2);
if (!['deb', 'orig'].includes(mode) || rest.length !== (mode === 'deb' ? 2 : 1)) {
  process.stderr.write('usage: snapshot-get.mjs deb BASE NAME VERSION ARCH OUT | orig BASE SOURCE VERSION DIR\n');
  process.exit(2);
}

try {
  const b = base.replace(/\/+$/, '');
  const files = mode === 'deb'
    ? [{ url: await snapshotFileUrl(b, name, version, rest[0]), out: rest[1] }]
    : (await snapshotOrigs(b, name, version)).map((o) => ({ url: o.url, out: join(rest[0], o.name) }));
  for (const f of files) {
    await writeFile(f.out, await snapshotDownload(f.url));
    process.stdout.write(`${f.url}\n`);
  }
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
