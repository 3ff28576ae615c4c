/**
 * Descriptor cache: rendered descriptors kept through HostIO.cacheGet/cachePut so warm re-plans skip
 * template evaluation. Two levels, both under `desc1-` keys (plan/reads.ts explains why a render
 * depends only on its read set):
 *  - read sets: key = hash of (format, engine version, name, kind, host id, target id, boot
 *    environment); value canonical JSON {"format":"ix-descriptor-reads/1", "reads": [[flag, ...], ...]},
 *    every distinct read set the package's renders had;
 *  - renders: key = hash of (that key, one read set, the values of those flags; null = absent);
 *    value canonical JSON {"format":"ix-descriptor-cache/2", "text", "descriptor", "reads",
 *    "files": [[path, hexBlake3 | null], ...]} (null = the file was absent).
 * A render hit counts only if every file the render read still has the recorded content hash (files
 * are hashed by the host in one batch through HostIO.fileDigests when present, else re-read through
 * HostIO and hashed with HostIO.digest when present, else the pure BLAKE3).
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import type { Flags, HostIO } from '../api';
import type { Descriptor } from '../descriptor';
import { canonicalJson, hexOf, toHex, utf8Decode } from '../hash';
import { hostDigest, hostTextDigest } from '../host-digest';
import type { Digest } from '../hash';
import type { RenderedPackage } from './types';
import type { FullBootEnv } from '../eval/boot-env';

/** Bump when anything changes how descriptors are rendered or normalised. */
export const ENGINE_VERSION = 'ix-engine/0.3.0';
const FORMAT = 'ix-descriptor-cache/2';
const READS_FORMAT = 'ix-descriptor-reads/1';

/** Per-plan memo of file content hashes, so a file shared by many packages is hashed once. */
export class FileHashes {
  private readonly memo = new Map<string, string | null>();
  private readonly digest: Digest;
  constructor(private readonly io: HostIO) {
    this.digest = hostDigest(io);
  }
  /**
   * Hashes every path not yet known in one HostIO.fileDigests batch, when the host offers it;
   * a host answer of the wrong shape is ignored (get() then reads and hashes itself).
   */
  prefetch(paths: readonly string[]): void {
    if (!this.io.fileDigests) return;
    const todo = paths.filter((p) => !this.memo.has(p));
    if (todo.length === 0) return;
    const got = this.io.fileDigests(todo);
    if (!Array.isArray(got) || got.length !== todo.length) return;
    for (let i = 0; i < todo.length; i++) {
      const d = got[i];
      if (d == null) this.memo.set(todo[i], null);
      else if (d instanceof Uint8Array && d.length === 32) this.memo.set(todo[i], toHex(d));
    }
  }
  get(path: string): string | null {
    let h = this.memo.get(path);
    if (h === undefined) {
      const bytes = this.io.readFile(path);
      h = bytes === undefined ? null : hexOf(bytes, this.digest);
      this.memo.set(path, h);
    }
    return h;
  }
}

/** The key of a package's read sets (hashed with the host's digest when it has one). */
export function readSetsKey(io: HostIO, name: string, kind: string, hostId: string, targetId: string, boot: FullBootEnv): string {
  const id = canonicalJson({ format: READS_FORMAT, engine: ENGINE_VERSION, name, kind, host: hostId, target: targetId, boot });
  return 'desc1-' + toHex(hostTextDigest(io)(id));
}

/** The key of one render: the package's read-sets key, a read set and the values of its flags. */
export function renderKey(io: HostIO, setsKey: string, reads: readonly string[], flags: Flags): string {
  const values = reads.map((k) => (Object.prototype.hasOwnProperty.call(flags, k) ? flags[k] : null));
  const id = canonicalJson({ format: FORMAT, of: setsKey, reads, values });
  return 'desc1-' + toHex(hostTextDigest(io)(id));
}

/** The read sets stored under `key`; none for a miss or a value of another format. */
export function readSetsLookup(io: HostIO, key: string): string[][] {
  const raw = io.cacheGet?.(key);
  if (raw === undefined) return [];
  let v: { format?: unknown; reads?: unknown };
  try {
    v = JSON.parse(utf8Decode(raw));
  } catch {
    return [];
  }
  if (v === null || typeof v !== 'object' || v.format !== READS_FORMAT || !Array.isArray(v.reads)) return [];
  const out: string[][] = [];
  for (const r of v.reads as unknown[]) {
    if (Array.isArray(r) && r.every((x) => typeof x === 'string')) out.push(r as string[]);
  }
  return out;
}

/** Stores every read set known for a package. */
export function readSetsStore(io: HostIO, key: string, sets: readonly string[][]): void {
  io.cachePut?.(key, canonicalJson({ format: READS_FORMAT, reads: sets }));
}

/** A valid cached render, or undefined (miss, stale file, unreadable or foreign-format value). */
export function cacheLookup(io: HostIO, key: string, files: FileHashes): RenderedPackage | undefined {
  if (!io.cacheGet) return undefined;
  const raw = io.cacheGet(key);
  if (raw === undefined) return undefined;
  let v: { format?: unknown; text?: unknown; descriptor?: unknown; files?: unknown; reads?: unknown };
  try {
    v = JSON.parse(utf8Decode(raw));
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== 'object' || v.format !== FORMAT) return undefined;
  if (typeof v.text !== 'string' || !Array.isArray(v.files) || typeof v.descriptor !== 'object' || !Array.isArray(v.reads)) return undefined;
  const paths: string[] = [];
  for (const f of v.files as unknown[]) {
    if (!Array.isArray(f) || typeof f[0] !== 'string') return undefined;
    paths.push(f[0]);
  }
  files.prefetch(paths);
  for (const f of v.files as unknown[][]) if (files.get(f[0] as string) !== f[1]) return undefined;
  return { text: v.text, descriptor: v.descriptor as Descriptor, files: paths, reads: v.reads as string[] };
}

/** Stores a fresh render with its read set and the content hashes of the files it read. */
export function cacheStore(io: HostIO, key: string, r: RenderedPackage, reads: readonly string[], files: FileHashes): void {
  if (!io.cachePut) return;
  const value = { format: FORMAT, text: r.text, descriptor: r.descriptor, reads, files: r.files.map((p) => [p, files.get(p)]) };
  io.cachePut(key, canonicalJson(value));
}
