/**
 * The compressions an archive may use, by the name records and `ix-cache-info` carry. Levels are
 * fixed here, so the same tree packs to the same bytes wherever this version of ix runs (zstd:
 * for the same libzstd; gzip: Node's zlib writes no time and no file name in its header).
 * The default is zstd, chosen by bench/cache-archive.ts (numbers in BENCHMARKS.md).
 *
 * Must not depend on: the store, the cache backends, the CLI.
 */
import zlib from 'node:zlib';
import type { Transform } from 'node:stream';
import { zstdCompressStream, zstdDecompressStream } from './zstd-frames';

export const COMPRESSIONS = ['zstd', 'gzip'] as const;
export type Compression = (typeof COMPRESSIONS)[number];
export const DEFAULT_COMPRESSION: Compression = 'zstd';

/** Levels used when packing (see BENCHMARKS.md, "Binary cache archives"). */
export const LEVELS: Record<Compression, number> = { zstd: 3, gzip: 6 };

/** File name suffix of an archive in a cache. */
export const ARCHIVE_SUFFIX: Record<Compression, string> = { zstd: '.tar.zst', gzip: '.tar.gz' };

export function isCompression(s: unknown): s is Compression {
  return typeof s === 'string' && (COMPRESSIONS as readonly string[]).includes(s);
}

export function compressStream(c: Compression, level: number = LEVELS[c]): Transform {
  return c === 'zstd' ? zstdCompressStream(level) : zlib.createGzip({ level });
}

export function decompressStream(c: Compression): Transform {
  return c === 'zstd' ? zstdDecompressStream() : zlib.createGunzip();
}
