/**
 * Recipe mounts in the compiled core: directories whose recipes are generated rather than stored,
 * as IX's tree has them (`pip/mount.py` + `pip/pypi.json` serve `pip/<name>/ix.sh` and
 * `pip/<name>/t/ix.sh`). host.ts reads, lists and digests recipe files through here, so every
 * part of the core sees the generated files as files. A port of engine/mount/index.ts (the
 * oracle): the same rules, the same answers, the same one-line errors. Its host reads are the
 * oracle's but for one saving: a directory this call listed without a mount.py is not probed.
 *
 * - A file no recipe root has falls to the shallowest proper ancestor `D` with a `D/mount.py`
 *   (the root itself is never a mount); that mount alone decides. A stored file always wins.
 * - A listing of a directory merges the stored entries with what the mount over it serves.
 * - A mount is known when its BLAKE3 is one of KNOWN or its first line is MOUNT_MARKER; reading
 *   a file under any other mount (or under a mount whose files are unusable) gives no bytes and
 *   leaves a fault (readFault) naming the file at fault; listing skips such a mount.
 * - Mounts are remembered for one call of the core (resetMounts at each entry): a kept instance
 *   serves later calls whose recipe roots may have changed.
 *
 * Must not depend on: anything else of the core but abi/imports (the host's raw reads), hash, errors.
 */
import * as imp from '../abi/imports';
import { IxErr } from '../errors';
import { blake3, toHex, utf8, utf8Decode } from '../hash/index';
import { PypiMount, pypiMount } from './pypi';

/** BLAKE3 (hex) of IX's `pip/mount.py` versions that are `pypi-template/1` generators (as engine/mount). */
const KNOWN: Array<string> = [
  'f8c63b9d08305a01c1666c8656eaea68438ea2d3aa85399c8ddcc560ac29a77f',
  '06e1df4e449526b9ae00b1f8c2799337cc915c950580253092cd63f58f7aca00',
];
/** The first line by which a mount.py declares that it follows `pypi-template/1`. */
export const MOUNT_MARKER = '# ix-mount: pypi-template/1';

/** A mount directory: its generator, or the error every read under it gives. */
class Mount {
  dir: string;
  ok: PypiMount | null = null;
  failDetail: string = '';
  failFile: string = '';

  constructor(dir: string) {
    this.dir = dir;
  }

  fail(detail: string, file: string): Mount {
    this.failDetail = detail;
    this.failFile = file;
    return this;
  }
}

/** The mount deciding a path, and the rest of the path under it. */
class Owner {
  m: Mount;
  rel: string;
  constructor(m: Mount, rel: string) {
    this.m = m;
    this.rel = rel;
  }
}

/** Directory -> its mount, or null for a directory with no mount.py. */
let mounts = new Map<string, Mount | null>();
/** The fault of the last readFile that found no bytes ('' when none). */
let faultDetail = '';
let faultFile = '';

/** Forget every mount (each call of the core starts afresh). */
export function resetMounts(): void {
  mounts = new Map<string, Mount | null>();
  faultDetail = '';
  faultFile = '';
}

/** TextDecoder's string of UTF-8 bytes: invalid sequences as U+FFFD, a leading BOM dropped. */
function decode(b: Uint8Array): string {
  const s = utf8Decode(b);
  return s.length > 0 && s.charCodeAt(0) == 0xfeff ? s.substring(1) : s;
}

function known(sum: string): bool {
  for (let i = 0; i < KNOWN.length; i++) if (unchecked(KNOWN[i]) == sum) return true;
  return false;
}

/** A mount parsed by an earlier call, with the bytes it was parsed from. */
class Kept {
  src: Uint8Array;
  /** Whether parsing read pypi.json (a known mount.py), and what it got. */
  readIndex: bool;
  index: Uint8Array | null;
  m: Mount;
  constructor(src: Uint8Array, readIndex: bool, index: Uint8Array | null, m: Mount) {
    this.src = src;
    this.readIndex = readIndex;
    this.index = index;
    this.m = m;
  }
}

/** Directory -> the mount last parsed there, across calls: the same bytes make the same mount. */
const kept = new Map<string, Kept>();
/** What fresh() read of pypi.json. */
let freshReadIndex = false;
let freshIndex: Uint8Array | null = null;

function sameBytes(a: Uint8Array | null, b: Uint8Array | null): bool {
  if (a === null || b === null) return a === b;
  return a.length == b.length && memory.compare(a.dataStart, b.dataStart, a.length) == 0;
}

/**
 * The mount of `dir` from its mount.py bytes: the kept one when its files read the same again
 * (a kept instance's later calls skip hashing, decoding and parsing; the host reads are a fresh
 * parse's).
 */
function parse(dir: string, file: string, src: Uint8Array): Mount {
  if (kept.has(dir)) {
    const k = kept.get(dir);
    if (sameBytes(k.src, src)) {
      if (!k.readIndex) return k.m;
      const index = imp.readFile(dir + '/pypi.json');
      if (sameBytes(k.index, index)) return k.m;
      const m = fresh(dir, file, src, true, index);
      kept.set(dir, new Kept(src, true, index, m));
      return m;
    }
  }
  freshReadIndex = false;
  freshIndex = null;
  const m = fresh(dir, file, src, false, null);
  kept.set(dir, new Kept(src, freshReadIndex, freshIndex, m));
  return m;
}

/** Parses a mount; `given` is what reading pypi.json gave when the caller read it already (`read`). */
function fresh(dir: string, file: string, src: Uint8Array, read: bool, given: Uint8Array | null): Mount {
  const m = new Mount(dir);
  const sum = toHex(blake3(src));
  const text = decode(src);
  const nl = text.indexOf('\n');
  let first = nl < 0 ? text : text.substring(0, nl);
  if (first.endsWith('\r')) first = first.substring(0, first.length - 1);
  if (!known(sum) && first != MOUNT_MARKER) {
    return m.fail(
      'unknown recipe mount (BLAKE3 ' + sum + "): ix serves generated recipes only for the mounts it knows (IX's pip/mount.py, or a first line '" + MOUNT_MARKER + "')",
      file,
    );
  }
  const indexFile = dir + '/pypi.json';
  const index = read ? given : imp.readFile(indexFile);
  freshReadIndex = true;
  freshIndex = index;
  if (index === null) return m.fail('missing: the recipe mount ' + file + ' serves from it', indexFile);
  const got = pypiMount(text, decode(index));
  const f = got.fault;
  if (f !== null) return m.fail(f.message, f.aboutMount ? file : indexFile);
  m.ok = got.mount;
  return m;
}

function mountAt(dir: string): Mount | null {
  if (mounts.has(dir)) return mounts.get(dir);
  const file = dir + '/mount.py';
  const src = imp.readFile(file);
  const m: Mount | null = src === null ? null : parse(dir, file, src);
  mounts.set(dir, m);
  return m;
}

/** The mount deciding `path` (a file, or a directory ending in "/"), or null. */
function owner(path: string, isDir: bool): Owner | null {
  if (path.startsWith('/')) return null;
  const all = path.split('/');
  for (let i = 0; i < all.length; i++) {
    const p = unchecked(all[i]);
    if (p == '..' || p == '.') return null;
  }
  const parts = isDir ? path.substring(0, path.length - 1).split('/') : all;
  const last = isDir ? parts.length : parts.length - 1;
  let dir = '';
  for (let i = 1; i <= last; i++) {
    dir = i == 1 ? unchecked(parts[0]) : dir + '/' + unchecked(parts[i - 1]);
    const m = mountAt(dir);
    if (m !== null) return new Owner(m, parts.slice(i).join('/'));
  }
  return null;
}

/** The generated bytes of `path`, or null; `record` keeps a fault for readFault. */
function generate(path: string, record: bool): Uint8Array | null {
  const o = owner(path, false);
  if (o === null) return null;
  const m = o.m;
  const ok = m.ok;
  if (ok === null) {
    if (record) { faultDetail = m.failDetail; faultFile = m.failFile; }
    return null;
  }
  const s = ok.serve(o.rel);
  const err = s.err;
  if (err !== null) {
    if (record) { faultDetail = err; faultFile = m.dir + '/pypi.json'; }
    return null;
  }
  const t = s.text;
  return t === null ? null : utf8(t);
}

/** Bytes of a recipe file, stored or generated; null when neither (see readFault). */
export function readFile(path: string): Uint8Array | null {
  faultDetail = '';
  faultFile = '';
  const stored = imp.readFile(path);
  return stored !== null ? stored : generate(path, true);
}

/** Why the last readFile gave null when a mount should have served it, else null (the file is just missing). */
export function readFault(): IxErr | null {
  if (faultFile.length == 0) return null;
  const e = new IxErr(faultDetail);
  e.file = faultFile;
  return e;
}

/** Entry names of a directory: the stored ones, then those its mount serves (directories end with "/"). */
export function listDir(path: string): Array<string> | null {
  const stored = imp.listDir(path);
  if (path.length == 0 || !path.endsWith('/')) return stored;
  // a listing without mount.py answers the probe of this directory: no host call for it (a
  // walk of a whole tree would make one per directory; a host memo validates listings anyway)
  const dir = path.substring(0, path.length - 1);
  if (stored !== null && !mounts.has(dir) && !stored.includes('mount.py')) mounts.set(dir, null);
  const o = owner(path, true);
  if (o === null) return stored;
  const ok = o.m.ok;
  if (ok === null) return stored;
  const prefix = o.rel.length == 0 ? '' : o.rel + '/';
  const seen = new Set<string>();
  const names = new Array<string>();
  if (stored !== null) {
    for (let i = 0; i < stored.length; i++) {
      const n = unchecked(stored[i]);
      if (!seen.has(n)) { seen.add(n); names.push(n); }
    }
  }
  let any = false;
  const ps = ok.paths();
  for (let i = 0; i < ps.length; i++) {
    const p = unchecked(ps[i]);
    if (!p.startsWith(prefix)) continue;
    const rest = p.substring(prefix.length);
    const slash = rest.indexOf('/');
    const n = slash < 0 ? rest : rest.substring(0, slash + 1);
    if (!seen.has(n)) { seen.add(n); names.push(n); }
    any = true;
  }
  return stored === null && !any ? null : names;
}

/** BLAKE3 of each file as readFile gives it (null where it gives none), or null when the host cannot. */
export function fileDigests(paths: Array<string>): Array<Uint8Array | null> | null {
  const got = imp.fileDigests(paths);
  if (got === null) return null;
  for (let i = 0; i < got.length && i < paths.length; i++) {
    if (got[i] !== null) continue;
    const b = generate(unchecked(paths[i]), false);
    if (b !== null) got[i] = blake3(b);
  }
  return got;
}
