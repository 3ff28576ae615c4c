/**
 * The archive of a store path's tree, "ix-archive/1": a POSIX tar stream (ustar headers, pax
 * records for long or non-ASCII names) with fixed metadata, then compressed (compress.ts).
 *  - The first entry is the root directory "./", whose pax header carries `comment=ix-archive/1`
 *    (a standard pax keyword that tar tools ignore), so `tar -xf` still works on it.
 *  - Then a depth-first walk with names sorted bytewise in each directory (the order of the
 *    store's ix-tree/1 hash, hosts/node/store/tree.ts); names are relative ("bin/zstd").
 *  - Only directories (0755), regular files (0755 if the owner may execute, else 0644) and
 *    symlinks (0777); uid/gid 0, empty user and group names, mtime 1 (the store's normal mtime).
 * So the same tree gives the same bytes, whoever owns it and whenever it was written.
 *
 * unpackArchive() refuses, with an ArchiveError naming the entry: another format version, names
 * that are absolute, contain "..", "." or empty components, or lie under anything but a directory
 * the archive created (so never under a symlink); hard links, devices, fifos; duplicates; and
 * more than `maxBytes` of uncompressed tar (the size a record declares), which stops a
 * decompression bomb. It never follows a symlink: files are opened with O_EXCL | O_NOFOLLOW.
 * The unpacked tree is NOT trusted until its ix-tree/1 hash matches (Store commit with expectHash).
 *
 * Must not depend on: the cache backends, the executor, the CLI, the Linux sandbox.
 */
import fs from 'node:fs/promises';
import { constants as C, createReadStream } from 'node:fs';
import path from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { compressStream, decompressStream, type Compression } from './compress';
import { ZstdFrameError } from './zstd-frames';

export const ARCHIVE_FORMAT = 'ix-archive/1';
const FORMAT_PREFIX = 'ix-archive/';
const MTIME = new Date(1000);

/** An archive that must not be unpacked or cannot be packed; `message` is one line. */
export class ArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveError';
  }
}

const fixed = { uid: 0, gid: 0, uname: '', gname: '', mtime: MTIME };

function utf8Name(raw: Buffer, rel: string): string {
  const s = raw.toString('utf8');
  if (!Buffer.from(s, 'utf8').equals(raw)) throw new ArchiveError(`${rel}: file name is not valid UTF-8`);
  return s;
}

async function writeEntries(p: tar.Pack, dir: string, rel: string): Promise<void> {
  const names = (await fs.readdir(dir, { encoding: 'buffer' })).sort(Buffer.compare);
  for (const raw of names) {
    const name = (rel ? `${rel}/` : '') + utf8Name(raw, `${rel}/${raw.toString('utf8')}`);
    const full = path.join(dir, raw.toString('utf8'));
    const st = await fs.lstat(full);
    if (st.isDirectory()) {
      await entry(p, { ...fixed, name: `${name}/`, type: 'directory', mode: 0o755 });
      await writeEntries(p, full, name);
    } else if (st.isSymbolicLink()) {
      const target = utf8Name(await fs.readlink(full, { encoding: 'buffer' }), name);
      await entry(p, { ...fixed, name, type: 'symlink', linkname: target, mode: 0o777 });
    } else if (st.isFile()) {
      const header = { ...fixed, name, type: 'file' as const, size: st.size, mode: st.mode & 0o100 ? 0o755 : 0o644 };
      await new Promise<void>((resolve, reject) => {
        const sink = p.entry(header, (e) => (e ? reject(e) : resolve()));
        const src = createReadStream(full, { highWaterMark: 1 << 20 });
        src.on('error', reject);
        src.pipe(sink as unknown as NodeJS.WritableStream);
      });
    } else {
      throw new ArchiveError(`${name}: not a regular file, directory or symlink`);
    }
  }
}

function entry(p: tar.Pack, header: Partial<tar.Header> & { name: string }): Promise<void> {
  return new Promise((resolve, reject) => p.entry(header, (e) => (e ? reject(e) : resolve())));
}

/** The uncompressed tar stream of the tree at `root` (a directory). */
export function packTar(root: string): Readable {
  const p = tar.pack();
  (async () => {
    const st = await fs.lstat(root);
    if (!st.isDirectory()) throw new ArchiveError(`${root}: the root of an archive must be a directory`);
    await entry(p, { ...fixed, name: './', type: 'directory', mode: 0o755, pax: { comment: ARCHIVE_FORMAT } });
    await writeEntries(p, root, '');
    p.finalize();
  })().catch((e) => p.destroy(e));
  return Readable.from(p as unknown as AsyncIterable<Buffer>);
}

/** Counts the bytes flowing through; `bytes` is final once the stream ends. */
export class ByteCounter extends Transform {
  bytes = 0;
  constructor(private readonly limit = Infinity, private readonly what = 'stream') {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) return cb(new ArchiveError(`${this.what} is larger than the ${this.limit} bytes its record declares`));
    cb(null, chunk);
  }
}

/**
 * Pack the tree at `root`: the compressed archive as a stream, and the uncompressed tar size once
 * the stream has ended (`tarBytes()`; a record's `unpackedSize`).
 */
export function packArchive(root: string, compression: Compression): { stream: Readable; tarBytes: () => number } {
  const counter = new ByteCounter();
  const z = compressStream(compression);
  packTar(root).on('error', (e) => z.destroy(e)).pipe(counter).on('error', (e) => z.destroy(e)).pipe(z);
  return { stream: z, tarBytes: () => counter.bytes };
}

/** Check one entry name; returns its relative path ("" for the root). */
function safeName(name: string, type: string): string {
  if (name.includes('\0')) throw new ArchiveError(`unsafe entry name ${JSON.stringify(name)} (NUL byte)`);
  if (name.startsWith('/')) throw new ArchiveError(`unsafe entry ${name}: absolute name`);
  let n = name;
  if (type === 'directory' && n.endsWith('/')) n = n.slice(0, -1);
  if (n === '.' || n === '') return '';
  for (const c of n.split('/')) {
    if (c === '..') throw new ArchiveError(`unsafe entry ${name}: '..' in its name`);
    if (c === '' || c === '.') throw new ArchiveError(`unsafe entry ${name}: empty or '.' component`);
  }
  return n;
}

export interface UnpackOptions {
  /** Most uncompressed tar bytes to read (the record's archive.unpackedSize). */
  maxBytes: number;
}

/**
 * Unpack an archive stream into `destDir`, an existing empty directory. Rejects with
 * ArchiveError on anything unsafe (see the module comment); on rejection destDir may hold a
 * partial tree, which the caller removes. Returns the uncompressed bytes read.
 */
export async function unpackArchive(stream: Readable, destDir: string, compression: Compression, opts: UnpackOptions): Promise<number> {
  const ex = tar.extract();
  const counter = new ByteCounter(opts.maxBytes, 'archive');
  const feeding = pipeline(stream, decompressStream(compression), counter, ex as unknown as NodeJS.WritableStream);
  feeding.catch(() => undefined);
  const dirs = new Set<string>();
  const seen = new Set<string>();
  let first = true;
  try {
    for await (const e of ex) {
      const h = e.header;
      if (first) {
        first = false;
        const fmt = (h.pax as Record<string, string> | null | undefined)?.comment;
        if (h.type !== 'directory' || safeName(h.name, h.type) !== '' || typeof fmt !== 'string' || !fmt.startsWith(FORMAT_PREFIX)) {
          throw new ArchiveError(`not an ${ARCHIVE_FORMAT} archive (its first entry is not the root with the format)`);
        }
        if (fmt !== ARCHIVE_FORMAT) throw new ArchiveError(`archive format ${fmt} is newer than this ix reads (${ARCHIVE_FORMAT})`);
        dirs.add('');
        e.resume();
        continue;
      }
      if (h.type !== 'file' && h.type !== 'directory' && h.type !== 'symlink') {
        throw new ArchiveError(`unsafe entry ${h.name}: type ${h.type} (only files, directories and symlinks)`);
      }
      const rel = safeName(h.name, h.type);
      if (rel === '' || seen.has(rel)) throw new ArchiveError(`unsafe entry ${h.name}: appears twice`);
      const parent = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
      if (!dirs.has(parent)) throw new ArchiveError(`unsafe entry ${h.name}: its parent is not a directory of the archive`);
      seen.add(rel);
      const target = path.join(destDir, rel);
      if (h.type === 'directory') {
        await fs.mkdir(target, { mode: 0o755 });
        dirs.add(rel);
        e.resume();
      } else if (h.type === 'symlink') {
        await fs.symlink(h.linkname, target);
        e.resume();
      } else {
        const fh = await fs.open(target, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, h.mode & 0o100 ? 0o755 : 0o644);
        try {
          for await (const chunk of e) await fh.write(chunk as Buffer);
        } finally {
          await fh.close();
        }
      }
    }
    if (first) throw new ArchiveError('archive is empty');
    await feeding;
  } catch (e) {
    ex.destroy();
    stream.destroy();
    const cause = await feeding.then(() => undefined, (f: unknown) => f);
    // The stream's own failure (bomb, bad frame) explains a parse error better than the parser.
    const err = cause instanceof ArchiveError || cause instanceof ZstdFrameError ? cause : e;
    if (err instanceof ArchiveError) throw err;
    if (err instanceof ZstdFrameError) throw new ArchiveError(`archive is damaged: ${err.message}`);
    throw new ArchiveError(`archive is damaged or truncated: ${(err as Error).message.split('\n')[0]}`);
  }
  return counter.bytes;
}
