/**
 * HostIO over the filesystem: layered recipe roots (the first root that has a path wins;
 * directory listings merge all roots, the engine sorts), the fast digest (also of whole recipe
 * files, for cache validation), and the disk cache.
 * Only logical recipe paths ("bin/zstd/ix.sh") cross into the core: never a host path.
 *
 * Must not depend on: the engine's internals (types only).
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { HostIO } from '../../engine/api';
import type { DiskCache } from './cache';
import type { Digest } from './digest';
import { settled, StatTable } from './stat-table';
import { TEXT_UNITS, textOf, utf8Of } from './utf8-units';

/**
 * A logical path the core may ask for: relative, no '.' or '..' segments, no backslashes, no
 * empty segment but a trailing one ('a/' is one, 'a//b' is not). Scanned in place, without
 * splitting: a warm memo lookup checks every recorded path (4,097 for a whole IX tree).
 */
export function logical(path: string): boolean {
  if (path.startsWith('/') || path.includes('\\') || path.includes('\0')) return false;
  for (let from = 0; ;) {
    const slash = path.indexOf('/', from);
    const len = (slash < 0 ? path.length : slash) - from;
    if (len === 0 && slash >= 0) return false; // an empty segment before a '/'
    if ((len === 1 || len === 2) && path.charCodeAt(from) === 46 && path.charCodeAt(from + len - 1) === 46) return false; // '.', '..'
    if (slash < 0) return true;
    from = slash + 1;
  }
}

const missing = (e: unknown) => {
  const code = (e as { code?: string }).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};

/**
 * The bytes of open regular file `fd` whose fstat gave `size`: what readFileSync(fd) returns
 * (up to `size` bytes, fewer if it shrank; read to its end when `size` is 0), without the second
 * fstat readFileSync makes (a cold plan reads ~750 recipe files).
 */
function readOpen(fd: number, size: number): Uint8Array {
  if (size === 0) {
    const b = readFileSync(fd);
    return new Uint8Array(b.buffer, b.byteOffset, b.length);
  }
  const buf = Buffer.allocUnsafeSlow(size); // its own memory, as readFileSync's
  const b = new Uint8Array(buf.buffer, buf.byteOffset, size);
  let got = 0;
  while (got < size) {
    const n = readSync(fd, b, got, size - got, null);
    if (n === 0) break;
    got += n;
  }
  return got === size ? b : b.subarray(0, got);
}

export interface FsHostOptions {
  digest?: Digest;
  cache?: DiskCache;
  /**
   * Read each recipe file once for this HostIO's life (one CLI command): later reads of a path
   * return the bytes of the first (the same object), and `digest`/`fileDigests` hash those bytes
   * once. A cold plan of bin/zstd reads 390 files 908 times, and the plan memo's recording hashes
   * each read: with this, the core sees one snapshot of every file it reads. Not for a
   * long-lived host whose files change between calls (ix lsp).
   * With `cache` too, `listDir` and `fileDigests` (with `digest`) answer a directory or a file
   * of the first root that this command has not read yet from its stat when an earlier command
   * remembered its listing or digest under that stat (stat-table.ts), and remember what they read.
   */
  snapshot?: boolean;
  /** When this command started (Date.now(), the default): files changed after it minus MARGIN_MS are not remembered by stat. */
  startedMs?: number;
}

/** The names in directory `dir` (a directory's with a trailing '/'), and whether one is a symbolic link; throws as readdirSync. */
function listOne(dir: string): { names: string[]; links: boolean } {
  const names: string[] = [];
  let links = false;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    let isDir = d.isDirectory();
    if (d.isSymbolicLink()) {
      links = true;
      try {
        isDir = statSync(join(dir, d.name)).isDirectory();
      } catch {
        continue; // dangling link
      }
    }
    names.push(isDir ? `${d.name}/` : d.name);
  }
  return { names, links };
}

/**
 * A remembered listing's names, or undefined when there is none or it is not a list of strings.
 * Unique, as listDir returns them: only listDir writes these rows, from one readdir's names.
 */
function namesOf(json: string | undefined): string[] | undefined {
  if (json === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) && v.every((n) => typeof n === 'string') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}

const HEX32 = /^[0-9a-f]{64}$/;

/**
 * The stat of `path` under `root` (links followed), null when nothing is there (ENOENT, ENOTDIR:
 * what readFile and listDir treat as absent from this root), undefined when it cannot be taken.
 */
function statIn(root: string, path: string): Stats | null | undefined {
  try {
    return statSync(`${root}/${path}`, { throwIfNoEntry: false }) ?? null;
  } catch (e) {
    return missing(e) ? null : undefined; // otherwise the read that follows says why
  }
}

/** Per snapshot HostIO: the stat of the first-root file each recorded answer came from. */
const answeredUnder = new WeakMap<HostIO, (path: string) => Stats | undefined>();

/**
 * For a HostIO made by fsHostIO with `snapshot`: the stat, taken before the read, of the
 * first-root file whose bytes (or digest) this HostIO gave for `path` (the descriptor's fstat, or
 * the stat a remembered digest was matched against), undefined when it has none (not read, absent,
 * from a lower root). The plan memo records it instead of taking a stat of every file again
 * after the core call: a stat from before the read is what the stat-table rule asks for too.
 * Only a stat settled (stat-table.ts) at this HostIO's start is given. Undefined for any other HostIO.
 */
export function answeredStat(io: HostIO): ((path: string) => Stats | undefined) | undefined {
  return answeredUnder.get(io);
}

/** A logical directory path as a key: '' for the root, else ending in '/'. */
const dirKey = (path: string) => (path === '' || path.endsWith('/') ? path : `${path}/`);
/** The key of the directory holding `path` (a file, or a directory with or without its '/'). */
function parentKey(path: string): string {
  const end = path.endsWith('/') ? path.length - 1 : path.length;
  return path.slice(0, path.lastIndexOf('/', end - 1) + 1);
}

/** HostIO reading recipes from `roots` (absolute directories, highest priority first). */
export function fsHostIO(roots: string[], opts: FsHostOptions = {}): HostIO {
  /** The fstat of the descriptor each file of the first root was read from, by the bytes returned. */
  const statOf = new WeakMap<Uint8Array, Stats>();
  /** Listings of the first root's directories remembered by stat (see FsHostOptions.snapshot). */
  const listings = opts.snapshot && opts.cache && roots.length > 0 ? new StatTable(opts.cache, 'listing', roots[0], '', opts.startedMs) : undefined;
  /**
   * A snapshot's directories (as `dirKey`) found absent, or not a directory, in each root: what
   * lies under them is absent from that root too, without a stat or an open that fails (the
   * bundled second root has almost none of a recipe tree's ~4,000 directories, and listing the
   * packages walks them top-down). Within one command, as a snapshot's reads are.
   */
  const absent = opts.snapshot ? roots.map(() => new Set<string>()) : undefined;
  const underAbsent = (i: number, path: string) => absent !== undefined && absent[i].size > 0 && absent[i].has(parentKey(path));
  /**
   * A snapshot's listings of the lower roots' directories (as `dirKey`), as read: a directory whose
   * parent's listing lacks it is absent from that root without a stat (the bundled second root
   * has a few dozen directories, and listing the packages asks it for each of a tree's ~4,000).
   * Within one command, as `absent`.
   */
  const lower = opts.snapshot ? roots.map(() => new Map<string, Set<string>>()) : undefined;
  const notInParent = (i: number, path: string) => {
    if (lower === undefined || i === 0 || path === '' || path === '/') return false;
    const names = lower[i].get(parentKey(path));
    if (names === undefined) return false;
    const key = dirKey(path);
    return !names.has(key.slice(parentKey(path).length));
  };
  const io: HostIO = {
    readFile(path) {
      if (!logical(path) || path === '' || path.endsWith('/')) return undefined;
      for (let i = 0; i < roots.length; i++) {
        const r = roots[i];
        if (underAbsent(i, path)) continue;
        let fd: number;
        try {
          // non-blocking, so a named pipe where a recipe belongs cannot stall the open
          fd = openSync(join(r, path), constants.O_RDONLY | constants.O_NONBLOCK);
        } catch (e) {
          // a mistake in the recipe tree, not an absent file: a lower root must not stand in for it
          const code = (e as { code?: string }).code;
          if (code === 'ELOOP') throw new Error(`${path}: a loop of symbolic links, not a file`);
          if (code === 'ENOENT' && lstatSync(join(r, path), { throwIfNoEntry: false })?.isSymbolicLink()) {
            throw new Error(`${path}: a symbolic link to nothing (${readlinkSync(join(r, path))})`);
          }
          if (!missing(e)) throw e;
          continue;
        }
        try {
          const st = fstatSync(fd);
          // a pipe or a device (a link to /dev/zero) would never end: only regular files are read
          if (!st.isFile()) throw new Error(`${path}: ${st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a named pipe' : st.isSocket() ? 'a socket' : 'a device'}, not a file`);
          const b = readOpen(fd, st.size);
          if (r === roots[0]) statOf.set(b, st);
          return b;
        } finally {
          closeSync(fd);
        }
      }
      return undefined;
    },
    listDir(path) {
      if (!logical(path)) return undefined;
      // each root's names (unique within a root), merged only when two roots have the directory
      const lists: string[][] = [];
      for (let i = 0; i < roots.length; i++) {
        const r = roots[i];
        if (underAbsent(i, path) || notInParent(i, path)) {
          absent![i].add(dirKey(path));
          continue;
        }
        // nothing there, or not a directory: readdir would fail as missing (an exception each,
        // for every directory of a tree the bundled second root does not have)
        const st = statIn(r, path);
        if (st === null || (st && !st.isDirectory())) {
          absent?.[i].add(dirKey(path));
          continue;
        }
        // the first root's directory, unchanged since an earlier command listed it: its listing
        const known = st && listings && r === roots[0] ? namesOf(listings.get(path, st)) : undefined;
        if (known !== undefined) {
          lists.push(known);
          continue;
        }
        let got;
        try {
          got = listOne(join(r, path));
        } catch (e) {
          if (missing(e)) continue;
          throw e;
        }
        lists.push(got.names);
        if (i > 0) lower?.[i].set(dirKey(path), new Set(got.names));
        if (st && listings && r === roots[0] && !got.links) listings.note(path, st, JSON.stringify(got.names));
      }
      if (lists.length < 2) return lists[0];
      return [...new Set(lists.flat())];
    },
  };
  /** The digests of the snapshot's files, by the bytes readFile returned (nothing else is remembered). */
  const digests = new WeakMap<Uint8Array, Uint8Array | undefined>();
  const files = new Map<string, Uint8Array | undefined>();
  /** Paths whose digest a remembered row answered, by the stat it was matched against (not read). */
  const digestedUnder = new Map<string, Stats>();
  if (opts.snapshot) {
    const read = io.readFile;
    // a throw (a directory, a pipe, a link loop where a file belongs) is not remembered
    io.readFile = (path) => {
      if (files.has(path)) return files.get(path);
      const b = read(path);
      files.set(path, b);
      if (b) digests.set(b, undefined);
      return b;
    };
  }
  if (opts.digest) {
    const hash = opts.digest;
    // a snapshot's file is hashed once, however often its digest is asked (the memo's recording, file-digests)
    const digest: Digest = (b) => {
      if (!digests.has(b)) return hash(b);
      let d = digests.get(b);
      if (d === undefined) digests.set(b, (d = hash(b)));
      return d;
    };
    io.digest = digest;
    io.digestText = (s) => hash(Buffer.from(s, 'utf8'));
    // Hashes files host-side, so cache validation moves no file bytes into the core.
    io.fileDigests = (paths) =>
      paths.map((p) => {
        const b = io.readFile(p);
        return b === undefined ? undefined : digest(b);
      });
    if (opts.snapshot && opts.cache && roots.length > 0) {
      const hex = (d: Uint8Array) => Buffer.from(d.buffer, d.byteOffset, d.length).toString('hex');
      // the salt names the digest function: another one's digests are never answered
      const known = new StatTable(opts.cache, 'digest', roots[0], hex(hash(new Uint8Array(0))), opts.startedMs);
      // A digest answered by its stat answers the same path again for the rest of the command, as
      // a snapshot's read does: validation asks for a shared template's digest once per cached
      // descriptor (tens of thousands of asks for a whole IX tree), a stat and a row lookup each.
      const byStat = new Map<string, Uint8Array>();
      io.fileDigests = (paths) =>
        paths.map((p) => {
          // a file already read keeps its snapshot's digest; others may be answered by their stat
          if (!files.has(p)) {
            const again = byStat.get(p);
            if (again !== undefined) return again;
          }
          if (!files.has(p) && logical(p) && p !== '' && !p.endsWith('/')) {
            const st = statIn(roots[0], p);
            const d = st && st.isFile() ? known.get(p, st) : undefined;
            if (d !== undefined && HEX32.test(d)) {
              digestedUnder.set(p, st!);
              const got = new Uint8Array(Buffer.from(d, 'hex'));
              byStat.set(p, got);
              return got;
            }
          }
          const b = io.readFile(p);
          if (b === undefined) return undefined;
          const d = digest(b);
          const st = statOf.get(b);
          if (st) known.note(p, st, hex(d));
          return d;
        });
    }
  }
  if (opts.snapshot) {
    // A read path keeps the stat of its one read (the snapshot's bytes), else the matched row's.
    // Only a stat settled before this HostIO was made, so before it was taken, is given: a file
    // changed in the same timestamp tick after its stat keeps that stat (the "racy git" case).
    const since = opts.startedMs ?? Date.now();
    answeredUnder.set(io, (p) => {
      const st = files.has(p) ? ((b) => b && statOf.get(b))(files.get(p)) : digestedUnder.get(p);
      return st && settled(st, since) ? st : undefined;
    });
  }
  if (opts.cache) {
    const c = opts.cache;
    // the engine puts text and gets back its UTF-8 bytes
    io.cacheGet = (k, into) => c.get(k, into);
    io.cachePut = (k, v) => c.put(k, Buffer.from(v, 'utf8'));
    // a value's UTF-8 is written straight into the pack's gathered bytes; a large one is transcoded
    io.cachePutUtf16 = (k, v) => (v.length > TEXT_UNITS ? c.put(k, utf8Of(v)) : c.putText(k, textOf(v)));
  }
  return io;
}
