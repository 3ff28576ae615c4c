/**
 * The on-disk cache behind the core's cache-get/cache-put imports: compiled templates (`tpl1-`),
 * rendered descriptors (`desc1-`), built nodes (`node1-`; the compiled core's keys begin `as-`)
 * and the host's plan memo (`memo1-`, `memob-`), the one whole-plan cache.
 * Entries live in append-only packs, one per writing process, under `<dir>/v4/[<core hash>/]`
 * (format: hosts/node/cache-pack.ts; writer: cache-writer.ts; `ix gc` compacts them:
 * cache-compact.ts). A cache reads every index of its directory once, at its first get, and
 * answers its own puts from its own pack; entries other processes write later are not seen.
 *
 * The entry format is the one place that decides whether an entry can be trusted: each record is
 * sealed with a CRC-32 over the namespace, the key and the body, checked at every get, so a
 * truncated, corrupted (any flipped byte) or foreign entry (another key's or another core's) is a
 * miss and is never handed to the core. The seal is zlib's native CRC-32, not the store's BLAKE3
 * nor a cryptographic hash: it checks local bytes against accidents rather than naming content
 * (why that suffices: cache-pack.ts), and a plan-memo hit then loads no WebAssembly (hash-wasm
 * costs ~8 ms of a ~45 ms `ix plan`, BENCHMARKS.md "Interactive speed"). Every failure is a miss:
 * the cache may vanish at any time and never changes plan bytes.
 * Directory: IX_CACHE_DIR, else $XDG_CACHE_HOME/ix, else ~/.cache/ix.
 *
 * Must not depend on: the engine; anything but node:fs/path/os and ./cache-pack, ./cache-index, ./cache-writer.
 */
import { openSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CacheIndex } from './cache-index';
import { CACHE_LAYOUT, decodeRecord, encodeRecord, INTO_RECORD, KEY, readRecordInto, readSpan, sealStart, textRecordBound, writeTextRecord, type Body, type Span } from './cache-pack';
import { PackWriter } from './cache-writer';

export { CACHE_LAYOUT } from './cache-pack';
export { holdWrites } from './cache-writer';

/** Where the cache lives for this environment. */
export function cacheDir(env: Record<string, string | undefined>): string {
  if (env.IX_CACHE_DIR) return env.IX_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'ix');
  return join(env.HOME || homedir(), '.cache', 'ix');
}

export interface DiskCache {
  /**
   * The entry under `key`, or undefined. With `into`, an entry larger than INTO_RECORD is read
   * into the array `into(length)` returns (see cache-pack.ts readRecordInto) and that array is the
   * answer; a smaller one is returned as without it.
   */
  get(key: string, into?: (n: number) => Uint8Array): Uint8Array | undefined;
  /**
   * Stores `value` (or the concatenation of its parts, which is never made in memory) under `key`.
   * Keeps no reference to it after returning: the caller may reuse its buffer.
   */
  put(key: string, value: Body): void;
  /**
   * Stores the UTF-8 of `text` under `key`, as put(key, Buffer.from(text, 'utf8')) would; a
   * record that fits the writer's gathering buffer is encoded and sealed in it, not copied there.
   */
  putText(key: string, text: string): void;
}

/** The directory of a cache's packs. */
export function cacheBase(dir: string, namespace?: string): string {
  return namespace ? join(dir, CACHE_LAYOUT, namespace) : join(dir, CACHE_LAYOUT);
}

/** One pack per cache directory per process, whichever DiskCache instances write to it. */
const writers = new Map<string, PackWriter>();
function writerFor(base: string): PackWriter {
  let w = writers.get(base);
  if (!w) writers.set(base, (w = new PackWriter(base)));
  return w;
}

/**
 * A cache rooted at `dir` (created at the first put). Keys outside [A-Za-z0-9_.-] are never stored.
 * `namespace` (the built core's hash) separates entries of different cores: entries hold compiled
 * templates and plans whose meaning depends on the engine's code, so a rebuilt core starts afresh.
 */
export function diskCache(dir: string, namespace?: string): DiskCache {
  const base = cacheBase(dir, namespace);
  const ns = namespace ?? '';
  const writer = writerFor(base);
  const index = new CacheIndex(base, () => writer.flush()); // the indexes as read include this process's gathered puts
  const own = new Map<string, Span>(); // this process's puts: it always sees its own latest write
  const fds = new Map<string, number>();
  const fdOf = (pack: string): number => {
    if (pack === writer.id) return writer.readFd();
    let fd = fds.get(pack);
    if (fd === undefined) {
      try {
        fd = openSync(join(base, `${pack}.pack`), 'r');
      } catch {
        fd = -1; // compacted away meanwhile: its entries are misses
      }
      fds.set(pack, fd);
    }
    return fd;
  };
  let start: number | undefined; // sealStart(ns), at the first putText
  /** Notes the span of a put of `key`, or that it failed. */
  const noted = (key: string, span: Span | undefined): void => {
    if (span) own.set(key, span);
    else {
      own.delete(key); // not the older value after a failed rewrite
      index.delete(key);
    }
  };
  return {
    get(key, into) {
      if (!KEY.test(key)) return undefined;
      const span = own.get(key) ?? index.get(key);
      if (!span) return undefined;
      const fd = fdOf(span.pack);
      if (fd < 0) return undefined;
      if (into && span.length > INTO_RECORD) return readRecordInto(fd, span, ns, key, into);
      const rec = readSpan(fd, span);
      return rec && decodeRecord(ns, key, rec);
    },
    put(key, value) {
      if (!KEY.test(key)) return;
      noted(key, writer.append(key, encodeRecord(ns, key, value)));
    },
    putText(key, text) {
      if (!KEY.test(key)) return;
      start ??= sealStart(ns);
      const s = start;
      const span = writer.appendWith(key, textRecordBound(key, text), (out, at) => writeTextRecord(out, at, s, key, text));
      noted(key, span === null ? writer.append(key, encodeRecord(ns, key, Buffer.from(text, 'utf8'))) : span);
    },
  };
}
