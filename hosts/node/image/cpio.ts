/**
 * The cpio "newc" format (what Linux unpacks as an initramfs), written deterministically: entries
 * sorted by path (parents before children), owner and group 0, modification time 0, inode numbers
 * counted from 1 in that order, one link each, and only the permission bits given (callers pass
 * normalised modes; set-user-ID, set-group-ID and sticky bits are refused). The same entries give
 * the same bytes on every machine. Also a reader, for checks of what an image holds.
 *
 * Must not depend on: the filesystem, the store, the engine.
 */

/** One member of the archive, by its path relative to the root (no leading `/`). */
export type CpioEntry =
  | { path: string; kind: 'dir'; mode: number }
  | { path: string; kind: 'file'; mode: number; data: Uint8Array }
  | { path: string; kind: 'symlink'; target: string }
  | { path: string; kind: 'chardev'; mode: number; major: number; minor: number };

const TYPE = { dir: 0o040000, file: 0o100000, symlink: 0o120000, chardev: 0o020000 } as const;
const TYPE_MASK = 0o170000;
const SPECIAL_BITS = 0o7000;
const TRAILER = 'TRAILER!!!';

const hex8 = (n: number) => n.toString(16).padStart(8, '0');
const pad4 = (n: number) => (4 - (n % 4)) % 4;

/** Byte order of paths: plain code units, so every machine sorts alike (no locale). */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkEntry(e: CpioEntry): void {
  if (!e.path || e.path.startsWith('/') || e.path.split('/').some((c) => c === '' || c === '.' || c === '..')) {
    throw new Error(`cpio: bad member path '${e.path}'`);
  }
  if (e.kind !== 'symlink' && (e.mode & ~0o777) !== 0) {
    throw new Error(`cpio: ${e.path}: mode ${e.mode.toString(8)} has bits beyond rwx (set-user-ID, set-group-ID or sticky are never written)`);
  }
}

/** The archive of `entries` (any order; they are sorted here), ending with the trailer. */
export function writeCpio(entries: readonly CpioEntry[]): Uint8Array {
  const sorted = [...entries].sort((a, b) => comparePaths(a.path, b.path));
  const parts: Uint8Array[] = [];
  let size = 0;
  const enc = new TextEncoder();
  const push = (b: Uint8Array) => { parts.push(b); size += b.length; };
  const header = (ino: number, mode: number, nlink: number, fileSize: number, rdevMajor: number, rdevMinor: number, name: string) => {
    const nameBytes = enc.encode(`${name}\0`);
    const h = `070701${hex8(ino)}${hex8(mode)}${hex8(0)}${hex8(0)}${hex8(nlink)}${hex8(0)}${hex8(fileSize)}`
      + `${hex8(0)}${hex8(0)}${hex8(rdevMajor)}${hex8(rdevMinor)}${hex8(nameBytes.length)}${hex8(0)}`;
    push(enc.encode(h));
    push(nameBytes);
    push(new Uint8Array(pad4(110 + nameBytes.length)));
  };
  let ino = 0;
  let last = '';
  for (const e of sorted) {
    checkEntry(e);
    if (e.path === last) throw new Error(`cpio: ${e.path} is given twice`);
    last = e.path;
    ino++;
    const data = e.kind === 'file' ? e.data : e.kind === 'symlink' ? enc.encode(e.target) : new Uint8Array(0);
    const mode = e.kind === 'symlink' ? TYPE.symlink | 0o777 : TYPE[e.kind] | e.mode;
    const nlink = e.kind === 'dir' ? 2 : 1;
    header(ino, mode, nlink, data.length, e.kind === 'chardev' ? e.major : 0, e.kind === 'chardev' ? e.minor : 0, e.path);
    push(data);
    push(new Uint8Array(pad4(data.length)));
  }
  header(0, 0, 1, 0, 0, 0, TRAILER);
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** One member as read back: its path, full mode (type and permission bits), owner, size. */
export interface CpioMember {
  path: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  type: 'dir' | 'file' | 'symlink' | 'chardev' | 'other';
  data: Uint8Array;
}

/** Reads a newc archive up to its trailer. Throws on anything malformed. */
export function readCpio(bytes: Uint8Array): CpioMember[] {
  const dec = new TextDecoder();
  const out: CpioMember[] = [];
  let at = 0;
  const field = (i: number) => parseInt(dec.decode(bytes.subarray(at + 6 + i * 8, at + 14 + i * 8)), 16);
  for (;;) {
    if (at + 110 > bytes.length || dec.decode(bytes.subarray(at, at + 6)) !== '070701') throw new Error(`cpio: no newc header at byte ${at}`);
    const mode = field(1);
    const uid = field(2);
    const gid = field(3);
    const mtime = field(5);
    const fileSize = field(6);
    const nameSize = field(11);
    const name = dec.decode(bytes.subarray(at + 110, at + 110 + nameSize - 1));
    at += 110 + nameSize;
    at += pad4(at);
    const data = bytes.subarray(at, at + fileSize);
    at += fileSize;
    at += pad4(at);
    if (name === TRAILER) return out;
    const t = mode & TYPE_MASK;
    const type = t === TYPE.dir ? 'dir' : t === TYPE.file ? 'file' : t === TYPE.symlink ? 'symlink' : t === TYPE.chardev ? 'chardev' : 'other';
    out.push({ path: name, mode, uid, gid, mtime, type, data });
  }
}

/** True when a member's mode carries set-user-ID or set-group-ID (or sticky). */
export function hasSpecialBits(mode: number): boolean {
  return (mode & SPECIAL_BITS) !== 0;
}
