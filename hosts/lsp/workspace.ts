/**
 * The language server's view of the recipe roots: the layered roots of the CLI (`--recipes`
 * first, pkgs/ last) with the editor's open, unsaved buffers laid over them, as a HostIO for
 * the WASM core; mapping between editor URIs and logical recipe paths; a listing of every
 * template file. Reads of the core can be recorded (which files a package's plan used).
 * The cache the core sees is in memory over the CLI's disk cache (read only): entries are
 * validated by content hashes, so buffers never corrupt it and the disk never sees them.
 *
 * Must not depend on: the executor, the store, the sandbox, the LSP library.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { HostIO } from '../../engine/api';
import type { DiskCache } from '../node/cache';
import type { Digest } from '../node/digest';
import { fsHostIO } from '../node/io';

const enc = new TextEncoder();
/**
 * Bound of the in-memory cache (bytes of values): compiled templates and descriptors of a
 * session, oldest first out. IX_LSP_CACHE_BYTES overrides it (tests make it small).
 */
const MEMORY_BYTES = 96 * 1024 * 1024;

export class Workspace {
  /** Open buffers by absolute host path. */
  private readonly overlays = new Map<string, string>();
  /** Files only the server's own probes read, by logical path (never listed, never on disk). */
  readonly virtual = new Map<string, string>();
  private readonly memory = new Map<string, Uint8Array>();
  private readonly disk: HostIO;
  /** Files the core read since the last startRecording(), or undefined when not recording. */
  private reads: Set<string> | undefined;
  /** Bumped on every change of content (buffer edit, file on disk): caches of answers key on it. */
  version = 0;
  /** Bumped when the set of files may have changed (a buffer opened or closed, a change on disk). */
  layout = 0;
  /** The version at which each logical path's content last changed through a buffer. */
  private readonly changedAt = new Map<string, number>();
  /** The version of the last change any file may have seen: a change on disk, a file come or gone. */
  private wideAt = 0;
  /** The version of the last change that can reach the core (a buffer in no root cannot). */
  contentVersion = 0;
  private memoryBytes = 0;
  private readonly memoryCap: number;
  /** Entries the in-memory cache dropped to stay under its bound (ix/status, tests). */
  evicted = 0;

  constructor(readonly roots: string[], private readonly digest: Digest, private readonly diskCache?: DiskCache, env: Record<string, string | undefined> = {}) {
    this.disk = fsHostIO(roots);
    const cap = Number(env.IX_LSP_CACHE_BYTES);
    this.memoryCap = Number.isFinite(cap) && cap > 0 ? cap : MEMORY_BYTES;
  }

  /** Sets (text) or drops (undefined) the overlay of an open buffer. */
  setOverlay(path: string, text: string | undefined): void {
    // a buffer over a file on disk adds or removes no file: listings stay valid
    const moved = (text === undefined) !== !this.overlays.has(path) && !isFile(path);
    if (moved) this.layout++;
    if (text === undefined) this.overlays.delete(path);
    else this.overlays.set(path, text);
    this.version++;
    const logical = this.logicalOf(path);
    if (logical === undefined) return;
    this.contentVersion = this.version;
    if (moved) this.wideAt = this.version;
    else this.changedAt.set(logical, this.version);
  }

  /** Notes a change on disk (another editor, git checkout). */
  touched(): void {
    this.version++;
    this.layout++;
    this.contentVersion = this.wideAt = this.version;
  }

  /**
   * True if what the core would read from `files` (logical paths) may differ from what it read at
   * `version`: one of them changed since, or any file may have (a change on disk, a file come or gone).
   */
  changedSince(files: Iterable<string>, version: number): boolean {
    if (this.contentVersion <= version) return false;
    if (this.wideAt > version) return true;
    for (const f of files) if ((this.changedAt.get(f) ?? 0) > version) return true;
    return false;
  }

  /** The in-memory cache's size: entries and bytes of values. */
  cacheStats(): { entries: number; bytes: number; evicted: number; cap: number } {
    return { entries: this.memory.size, bytes: this.memoryBytes, evicted: this.evicted, cap: this.memoryCap };
  }

  /** The logical recipe path of a host file, or undefined when it is in no root. */
  logicalOf(uri: string): string | undefined {
    let file: string;
    try {
      file = uri.startsWith('file:') ? fileURLToPath(uri) : uri;
    } catch {
      return undefined;
    }
    for (const r of this.roots) {
      const rel = relative(r, file);
      if (rel && !rel.startsWith('..') && !rel.startsWith(sep)) return rel.split(sep).join('/');
    }
    return undefined;
  }

  /** The host file a logical path reads from (overlay or disk, first root wins), or undefined. */
  hostPathOf(path: string): string | undefined {
    for (const r of this.roots) {
      const abs = join(r, path);
      if (this.overlays.has(abs)) return abs;
      try {
        if (statSync(abs).isFile()) return abs;
      } catch {
        // not in this root
      }
    }
    return undefined;
  }

  uriOf(path: string): string | undefined {
    const abs = this.hostPathOf(path);
    return abs === undefined ? undefined : pathToFileURL(abs).href;
  }

  /** The text of a logical recipe path as the core sees it. */
  text(path: string): string | undefined {
    const b = this.io.readFile(path);
    return b === undefined ? undefined : new TextDecoder().decode(b);
  }

  startRecording(): void {
    this.reads = new Set();
  }

  stopRecording(): Set<string> {
    const r = this.reads ?? new Set<string>();
    this.reads = undefined;
    return r;
  }

  /** The HostIO handed to the core. */
  readonly io: HostIO = {
    readFile: (path) => {
      this.reads?.add(path);
      const v = this.virtual.get(path);
      if (v !== undefined) return enc.encode(v);
      for (const r of this.roots) {
        const o = this.overlays.get(join(r, path));
        if (o !== undefined) return enc.encode(o);
        const abs = join(r, path);
        try {
          const b = readFileSync(abs);
          return new Uint8Array(b.buffer, b.byteOffset, b.length);
        } catch {
          // next root
        }
      }
      return undefined;
    },
    listDir: (path) => {
      const names = new Set(this.disk.listDir(path) ?? []);
      for (const abs of this.overlays.keys()) {
        for (const r of this.roots) {
          const rel = relative(join(r, path), abs);
          if (!rel || rel.startsWith('..') || rel.startsWith(sep)) continue;
          const [first, ...more] = rel.split(sep);
          names.add(more.length ? `${first}/` : first);
        }
      }
      return names.size || this.disk.listDir(path) ? [...names] : undefined;
    },
    digest: (d) => this.digest(d),
    digestText: (s) => this.digest(enc.encode(s)),
    fileDigests: (paths) =>
      paths.map((p) => {
        const b = this.io.readFile(p);
        return b === undefined ? undefined : this.digest(b);
      }),
    cacheGet: (k) => {
      const hit = this.memory.get(k);
      if (hit) {
        this.memory.delete(k); // most recently used last: eviction takes the oldest
        this.memory.set(k, hit);
        return hit;
      }
      const d = this.diskCache?.get(k);
      if (d) this.remember(k, d);
      return d;
    },
    cachePut: (k, v) => this.remember(k, enc.encode(v)),
  };

  private remember(k: string, v: Uint8Array): void {
    const old = this.memory.get(k);
    if (old) {
      this.memoryBytes -= old.length;
      this.memory.delete(k);
    }
    this.memory.set(k, v);
    this.memoryBytes += v.length;
    while (this.memoryBytes > this.memoryCap && this.memory.size > 1) {
      const first = this.memory.keys().next().value as string;
      this.memoryBytes -= this.memory.get(first)!.length;
      this.memory.delete(first);
      this.evicted++;
    }
  }

  private templates: { layout: number; files: string[] } | undefined;

  /** Every template-like file (`ix.sh`, files under `die/`) of all roots, logical, sorted (walked again only when files come or go). */
  templateFiles(): string[] {
    if (this.templates?.layout !== this.layout) this.templates = { layout: this.layout, files: this.walkTemplates() };
    return this.templates.files;
  }

  private walkTemplates(): string[] {
    const found = new Set<string>();
    const walk = (root: string, rel: string, depth: number) => {
      if (depth > 12) return;
      let entries;
      try {
        entries = readdirSync(join(root, rel), { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(root, p, depth + 1);
        else if (e.name === 'ix.sh' || p.startsWith('die/')) found.add(p);
      }
    };
    for (const r of this.roots) walk(r, '', 0);
    for (const abs of this.overlays.keys()) {
      const l = this.logicalOf(abs);
      if (l && (l.endsWith('/ix.sh') || l.startsWith('die/'))) found.add(l);
    }
    return [...found].sort();
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The package a logical path is the recipe of ("bin/zstd/ix.sh" → "bin/zstd"), if any. */
export function packageOfFile(path: string): string | undefined {
  return path.endsWith('/ix.sh') && !path.startsWith('die/') ? path.slice(0, -'/ix.sh'.length) : undefined;
}
