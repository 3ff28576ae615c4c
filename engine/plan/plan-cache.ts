/**
 * Whole-plan cache: a warm re-plan of an unchanged request returns the stored plan bytes after
 * checking that every recipe file the plan was made from still has the same content hash. It sits
 * in front of the per-package descriptor cache (cache.ts): with nothing changed, planning costs one
 * cache read plus one digest per recipe file (one HostIO.fileDigests batch when the host has it),
 * instead of a descriptor lookup per package and re-hashing every node.
 *
 * Key = hash of (format, engine version, the request as given). Value, versioned: the text
 *   "ix-plan-cache/1\n" + canonical JSON [[path, hexBlake3 | null], ...] + "\n" + plan text,
 * put as text and read back as its UTF-8 bytes, so a hit returns the plan bytes without decoding
 * them. Only successful plans are stored; a plan's text depends on nothing but the request and the
 * files read (the engine sees nothing else), so the check is complete.
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import type { HostIO, PlanRequest } from '../api';
import { canonicalJson, toHex, utf8Decode } from '../hash';
import { hostTextDigest } from '../host-digest';
import { ENGINE_VERSION, FileHashes } from './cache';

const FORMAT = 'ix-plan-cache/2';
const HEADER = FORMAT + '\n';

/** The cache key of a plan request (hashed with the host's digest when it has one). */
export function planKey(io: HostIO, req: PlanRequest): string {
  return 'plan1-' + toHex(hostTextDigest(io)(canonicalJson({ format: FORMAT, engine: ENGINE_VERSION, req })));
}

/**
 * A HostIO that records every recipe path read (the plan's inputs) and memoises reads for the
 * duration of one plan() call: a template shared by every package (die/std.sh) is read once,
 * not once per package. One call sees one snapshot of the recipe tree either way.
 */
export function recordingIO(io: HostIO): { io: HostIO; paths: Set<string> } {
  const paths = new Set<string>();
  const reads = new Map<string, Uint8Array | undefined>();
  const rec: HostIO = {
    readFile: (p) => {
      paths.add(p);
      if (reads.has(p)) return reads.get(p);
      const b = io.readFile(p);
      reads.set(p, b);
      return b;
    },
    listDir: (p) => io.listDir(p),
  };
  if (io.digest) rec.digest = (d) => io.digest!(d);
  if (io.digestText) rec.digestText = (s) => io.digestText!(s);
  // a descriptor-cache hit validates its files through fileDigests without reading them: they
  // are inputs of the plan all the same (else a changed dependency would serve a stale plan)
  if (io.fileDigests) {
    rec.fileDigests = (ps) => {
      for (const p of ps) paths.add(p);
      return io.fileDigests!(ps);
    };
  }
  if (io.cacheGet) rec.cacheGet = (k) => io.cacheGet!(k);
  if (io.cachePut) rec.cachePut = (k, v) => io.cachePut!(k, v);
  return { io: rec, paths };
}

/** The stored plan bytes if every recorded file is unchanged, else undefined. */
export function planLookup(io: HostIO, key: string): Uint8Array | undefined {
  if (!io.cacheGet) return undefined;
  const raw = io.cacheGet(key);
  if (raw === undefined) return undefined;
  const nl1 = HEADER.length;
  if (raw.length < nl1 || utf8Decode(raw.subarray(0, nl1)) !== HEADER) return undefined;
  const nl2 = raw.indexOf(10, nl1);
  if (nl2 < 0) return undefined;
  let files: unknown;
  try {
    files = JSON.parse(utf8Decode(raw.subarray(nl1, nl2)));
  } catch {
    return undefined;
  }
  if (!Array.isArray(files)) return undefined;
  const paths: string[] = [];
  for (const f of files as unknown[]) {
    if (!Array.isArray(f) || typeof f[0] !== 'string') return undefined;
    paths.push(f[0]);
  }
  const hashes = new FileHashes(io);
  hashes.prefetch(paths);
  for (const f of files as unknown[][]) if (hashes.get(f[0] as string) !== f[1]) return undefined;
  return raw.subarray(nl2 + 1);
}

/**
 * Stores plan text with the content hashes of the files it was made from. Pass the plan
 * call's recording IO: its memoised reads spare re-reading the files when the host cannot hash them.
 */
export function planStore(io: HostIO, key: string, paths: Set<string>, text: string): void {
  if (!io.cachePut) return;
  const sorted = [...paths].sort();
  const hashes = new FileHashes(io);
  hashes.prefetch(sorted);
  const files = sorted.map((p) => [p, hashes.get(p)]);
  io.cachePut(key, HEADER + canonicalJson(files) + '\n' + text);
}
