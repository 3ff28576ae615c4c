/**
 * One walk over an output tree that (a) normalises it (fixed mtimes, read-only, no setuid/setgid),
 * (b) checks it (only files, directories and symlinks; no symlink leaving the output or the
 * declared store paths; no byte sequence naming an undeclared store path), and (c) hashes it.
 *
 * The content hash is BLAKE3 (hash-wasm) over the canonical serialisation "ix-tree/1":
 *   "ix-tree/1\n" then node(root), where
 *   node(file)    = "f" exec(1 byte: 0|1) size(u64 LE) bytes
 *   node(symlink) = "l" len(u32 LE) target-bytes
 *   node(dir)     = "d" count(u32 LE) { len(u32 LE) name-bytes node(entry) }*  names sorted bytewise
 * Nothing else (owner, mtime, other mode bits, inode order) reaches the hash.
 *
 * Must not depend on: the engine's evaluator, the sandbox or executor modules.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { createBLAKE3 } from 'hash-wasm';
import { ID_CHARS, STORE_PREFIX } from '../../common';

export const TREE_FORMAT = 'ix-tree/1';
/** The mtime (seconds since the epoch) of every file in the store. */
export const NORMAL_MTIME = 1;

const CHUNK = 1 << 20;
const PREFIX = Buffer.from(STORE_PREFIX);
/** "/ix/store/" + 32-char id + "-". */
const REF_LEN = PREFIX.length + 32 + 1;
const ID_BYTE = new Uint8Array(256);
for (const c of ID_CHARS) ID_BYTE[c.charCodeAt(0)] = 1;
const NAME_BYTE = new Uint8Array(256);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+._=:-') NAME_BYTE[c.charCodeAt(0)] = 1;

/** A rule broken by an output; `file` is relative to the output root ("." for the root). */
export class TreeViolation extends Error {
  constructor(readonly file: string, readonly detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'TreeViolation';
  }
}

export interface TreeOptions {
  /** Rewrite modes and mtimes (commit) or only read (verify). */
  normalise: boolean;
  /**
   * Reference checking: the output's own logical path and the ids allowed to appear
   * (id -> declared store path). Absent: no reference or symlink-target rules (fetch outputs).
   */
  refs?: { self: string; selfId: string; declared: Map<string, string> };
}

export interface TreeResult {
  /** "blake3:<hex>" */
  hash: string;
  size: number;
  /** Declared store paths (not self) whose id appears in the tree, sorted. */
  refs: string[];
  /** Mode/mtime deviations from the normal form (only collected when not normalising). */
  deviations: string[];
}

type Hasher = Awaited<ReturnType<typeof createBLAKE3>>;

function u32(n: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
function u64(n: number): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

class Walk {
  readonly found = new Set<string>();
  readonly deviations: string[] = [];
  size = 0;
  constructor(readonly h: Hasher, readonly opt: TreeOptions) {}

  /** Scan `buf` for store references; `file` names the place in messages. */
  scan(buf: Buffer, file: string): void {
    const r = this.opt.refs;
    if (!r) return;
    for (let i = buf.indexOf(PREFIX); i >= 0 && i + REF_LEN <= buf.length; i = buf.indexOf(PREFIX, i + 1)) {
      let ok = buf[i + REF_LEN - 1] === 0x2d; // '-'
      for (let k = PREFIX.length; ok && k < PREFIX.length + 32; k++) ok = ID_BYTE[buf[i + k]] === 1;
      if (!ok) continue;
      const id = buf.toString('latin1', i + PREFIX.length, i + PREFIX.length + 32);
      if (id === r.selfId) continue;
      const declared = r.declared.get(id);
      if (declared !== undefined) {
        this.found.add(declared);
        continue;
      }
      let end = i + REF_LEN;
      while (end < buf.length && NAME_BYTE[buf[end]] === 1) end++;
      throw new TreeViolation(file, `refers to undeclared store path ${buf.toString('latin1', i, end)}`);
    }
  }

  async file(p: Buffer, rel: string, mode: number): Promise<void> {
    const exec = (mode & 0o100) !== 0;
    if (this.opt.normalise) await fs.chmod(p, exec ? 0o555 : 0o444);
    else if ((mode & 0o7777) !== (exec ? 0o555 : 0o444)) this.deviations.push(`${rel}: mode ${(mode & 0o7777).toString(8)}`);
    const fh = await fs.open(p, 'r');
    try {
      const st = await fh.stat();
      this.h.update('f').update(new Uint8Array([exec ? 1 : 0])).update(u64(st.size));
      const buf = Buffer.allocUnsafe(CHUNK + REF_LEN);
      let carry = 0;
      let total = 0;
      for (;;) {
        const { bytesRead } = await fh.read(buf, carry, CHUNK, null);
        if (bytesRead === 0) break;
        this.h.update(buf.subarray(carry, carry + bytesRead));
        total += bytesRead;
        const window = buf.subarray(0, carry + bytesRead);
        this.scan(window, rel);
        // Keep the last REF_LEN-1 bytes: a reference split across chunks is found next round.
        carry = Math.min(REF_LEN - 1, window.length);
        window.copy(buf, 0, window.length - carry);
      }
      if (total !== st.size) throw new TreeViolation(rel, 'changed size while being read');
      this.size += total;
    } finally {
      await fh.close();
    }
  }

  link(target: Buffer, rel: string): void {
    this.h.update('l').update(u32(target.length)).update(target);
    const r = this.opt.refs;
    if (!r) return;
    const t = target.toString('utf8');
    if (t.startsWith('/')) {
      const id = t.startsWith(STORE_PREFIX) ? t.slice(STORE_PREFIX.length, STORE_PREFIX.length + 32) : '';
      if (id !== r.selfId && !r.declared.has(id)) {
        throw new TreeViolation(rel, `symlink to ${t} points outside the output and its declared store paths`);
      }
    } else {
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(rel), t));
      if (resolved === '..' || resolved.startsWith('../')) {
        throw new TreeViolation(rel, `symlink to ${t} escapes the output`);
      }
    }
    this.scan(target, rel);
  }

  async node(p: Buffer, rel: string): Promise<void> {
    const st = await fs.lstat(p);
    if (st.isSymbolicLink()) {
      this.link(await fs.readlink(p, { encoding: 'buffer' }), rel);
    } else if (st.isFile()) {
      await this.file(p, rel, st.mode);
    } else if (st.isDirectory()) {
      if (this.opt.normalise) await fs.chmod(p, 0o755);
      else if ((st.mode & 0o7777) !== 0o555) this.deviations.push(`${rel}: mode ${(st.mode & 0o7777).toString(8)}`);
      const names = (await fs.readdir(p, { encoding: 'buffer' })).sort(Buffer.compare);
      this.h.update('d').update(u32(names.length));
      for (const n of names) {
        this.h.update(u32(n.length)).update(n);
        const childRel = rel === '.' ? n.toString('utf8') : `${rel}/${n.toString('utf8')}`;
        await this.node(Buffer.concat([p, Buffer.from('/'), n]), childRel);
      }
      if (this.opt.normalise) await fs.chmod(p, 0o555);
    } else {
      throw new TreeViolation(rel, 'is not a regular file, directory or symlink');
    }
    if (this.opt.normalise) {
      if (st.isSymbolicLink()) await fs.lutimes(p, NORMAL_MTIME, NORMAL_MTIME);
      else await fs.utimes(p, NORMAL_MTIME, NORMAL_MTIME);
    } else if (!st.isSymbolicLink() && Math.floor(st.mtimeMs / 1000) !== NORMAL_MTIME) {
      this.deviations.push(`${rel}: mtime ${Math.floor(st.mtimeMs / 1000)}`);
    }
  }
}

/** Walk, check, optionally normalise, and hash the tree at `root`. Throws TreeViolation. */
export async function processTree(root: string, opt: TreeOptions): Promise<TreeResult> {
  const h = await createBLAKE3(256);
  h.init();
  h.update(`${TREE_FORMAT}\n`);
  const w = new Walk(h, opt);
  await w.node(Buffer.from(root), '.');
  return { hash: `blake3:${h.digest('hex')}`, size: w.size, refs: [...w.found].sort(), deviations: w.deviations };
}
