/**
 * Descriptor cache: rendered descriptors kept through HostIO.cacheGet/cachePut so warm re-plans skip
 * template evaluation. Key = hash of (cache format, engine version, name, flags, host id, target id,
 * boot environment).
 * A hit counts only if every file the render read still has the recorded content hash (files are
 * hashed by the host in one batch through HostIO.fileDigests when present, else re-read through
 * HostIO and hashed with HostIO.digest when present, else the pure BLAKE3).
 *
 * Value format, versioned: canonical JSON {"format":"ix-descriptor-cache/1", "text", "descriptor",
 * "files": [[path, hexBlake3 | null], ...]} (null = the file was absent).
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
const FORMAT = 'ix-descriptor-cache/1';

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

/** The cache key of one package instance (hashed with the host's digest when it has one). */
export function descriptorKey(io: HostIO, name: string, flags: Flags, hostId: string, targetId: string, boot: FullBootEnv): string {
  const id = canonicalJson({ format: FORMAT, engine: ENGINE_VERSION, name, flags, host: hostId, target: targetId, boot });
  return 'desc1-' + toHex(hostTextDigest(io)(id));
}

/** A valid cached render, or undefined (miss, stale file, unreadable or foreign-format value). */
export function cacheLookup(io: HostIO, key: string, files: FileHashes): RenderedPackage | undefined {
  if (!io.cacheGet) return undefined;
  const raw = io.cacheGet(key);
  if (raw === undefined) return undefined;
  let v: { format?: unknown; text?: unknown; descriptor?: unknown; files?: unknown };
  try {
    v = JSON.parse(utf8Decode(raw));
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== 'object' || v.format !== FORMAT) return undefined;
  if (typeof v.text !== 'string' || !Array.isArray(v.files) || typeof v.descriptor !== 'object') return undefined;
  const paths: string[] = [];
  for (const f of v.files as unknown[]) {
    if (!Array.isArray(f) || typeof f[0] !== 'string') return undefined;
    paths.push(f[0]);
  }
  files.prefetch(paths);
  for (const f of v.files as unknown[][]) if (files.get(f[0] as string) !== f[1]) return undefined;
  return { text: v.text, descriptor: v.descriptor as Descriptor, files: paths };
}

/** Stores a fresh render with the content hashes of the files it read. */
export function cacheStore(io: HostIO, key: string, r: RenderedPackage, files: FileHashes): void {
  if (!io.cachePut) return;
  const value = { format: FORMAT, text: r.text, descriptor: r.descriptor, files: r.files.map((p) => [p, files.get(p)]) };
  io.cachePut(key, canonicalJson(value));
}
