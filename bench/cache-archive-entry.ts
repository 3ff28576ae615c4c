/**
 * Bundled and run by bench/cache-archive.mjs: packs and unpacks one tree with each candidate
 * compression and prints one JSON line per measurement. Candidates: the archive module's own
 * streams (zstd framed over @mongodb-js/zstd, gzip via node:zlib) at several levels, and brotli
 * (node:zlib) over the same tar stream, which the archive module does not offer.
 *
 * Must not depend on: the network; writes only under the directory it is given.
 */
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { packArchive, packTar, unpackArchive } from '../hosts/node/cache/archive';
import { compressStream, type Compression } from '../hosts/node/cache/compress';

const [tree, work, only] = process.argv.slice(2);
const now = () => Number(process.hrtime.bigint()) / 1e6;
/** CPU milliseconds (user + system) of this process, all threads (libuv's pool included). */
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const emit = (o: object) => console.log(JSON.stringify(o));

async function tarBytes(): Promise<number> {
  let n = 0;
  await pipeline(packTar(tree), new Writable({ write(c: Buffer, _e, cb) { n += c.length; cb(); } }));
  return n;
}

async function ours(c: Compression, level: number) {
  const file = join(work, `a.${c}${level}`);
  let t = now();
  let c0 = cpu();
  const { stream, tarBytes: tb } = c === 'zstd' && level === 3 ? packArchive(tree, c) : { stream: packTar(tree).pipe(compressStream(c, level)), tarBytes: () => 0 };
  await pipeline(stream, createWriteStream(file));
  const pack = now() - t;
  const packCpu = cpu() - c0;
  const dest = join(work, 'u');
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest);
  t = now();
  c0 = cpu();
  await unpackArchive(createReadStream(file, { highWaterMark: 1 << 20 }), dest, c, { maxBytes: Number.MAX_SAFE_INTEGER });
  const unpack = now() - t;
  emit({ tool: `ix ${c} -${level}`, packMs: pack, unpackMs: unpack, packCpu, unpackCpu: cpu() - c0, bytes: statSync(file).size, tar: tb() });
}

async function brotli(quality: number) {
  const file = join(work, `a.br${quality}`);
  let t = now();
  await pipeline(packTar(tree), zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: quality } }), createWriteStream(file));
  const pack = now() - t;
  t = now();
  await pipeline(createReadStream(file), zlib.createBrotliDecompress(), new Writable({ write(_c, _e, cb) { cb(); } }));
  emit({ tool: `node brotli -q${quality} (decompress only, no unpack)`, packMs: pack, unpackMs: now() - t, bytes: statSync(file).size });
}

const cases: [string, () => Promise<void>][] = [
  ['zstd1', () => ours('zstd', 1)], ['zstd2', () => ours('zstd', 2)], ['zstd3', () => ours('zstd', 3)], ['zstd9', () => ours('zstd', 9)], ['zstd19', () => ours('zstd', 19)],
  ['gzip1', () => ours('gzip', 1)], ['gzip6', () => ours('gzip', 6)],
  ['br1', () => brotli(1)], ['br5', () => brotli(5)],
];
emit({ tree, tarBytes: await tarBytes() });
for (const [k, f] of cases) if (!only || only.split(',').includes(k)) await f();
