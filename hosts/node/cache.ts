/**
 * The on-disk cache behind the core's cache-get/cache-put imports: compiled templates (`tpl1-`),
 * rendered descriptors (`desc1-`) and plans (`plan1-`). Layout
 * `<dir>/v3/[<core hash>/]<key[0:2]>/<key>`. The entry format is the one place that decides
 * whether an entry can be trusted: each starts with the line `ix-cache/3 <byte length> <digest>`,
 * the digest being SHA-256 (hex) over the namespace, the key and the body, so a truncated,
 * corrupted (any flipped byte) or foreign entry (another key's or another core's, copied here)
 * is a miss and is never handed to the core. The seal is node:crypto's native SHA-256 (the hash
 * sources are verified with), not the store's BLAKE3: it checks a local file rather than naming
 * content, and a plan-memo hit then loads no WebAssembly (hash-wasm costs ~8 ms of a ~45 ms
 * `ix plan`, BENCHMARKS.md "Interactive speed"). Writes go to a unique temporary file and are
 * renamed into place, so concurrent processes never see a partial entry. Every failure is a
 * miss: the cache may vanish at any time and never changes plan bytes. A cache opened with
 * `background` hands those writes to a worker thread (hosts/node/cache-writer.ts) and answers
 * its own later gets for a key from memory until the entry is on disk (up to PENDING_MAX_BYTES;
 * past that, such a get is a miss).
 * Directory: IX_CACHE_DIR, else $XDG_CACHE_HOME/ix, else ~/.cache/ix.
 *
 * Must not depend on: the engine; anything but node:fs/path/os/crypto and ./cache-writer.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { onWritten, writeInBackground } from './cache-writer';

/** Version of the on-disk layout; a new layout gets a new directory. */
export const CACHE_LAYOUT = 'v3';
const HEADER = 'ix-cache/3 ';
const KEY = /^[A-Za-z0-9_.-]{4,200}$/;

/** Where the cache lives for this environment. */
export function cacheDir(env: Record<string, string | undefined>): string {
  if (env.IX_CACHE_DIR) return env.IX_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'ix');
  return join(env.HOME || homedir(), '.cache', 'ix');
}

export interface DiskCache {
  get(key: string): Uint8Array | undefined;
  put(key: string, value: Uint8Array): void;
}

let seq = 0;
/**
 * How many bytes of background puts a cache keeps in memory until they are on disk (so its own
 * gets still find them); beyond it a get of an entry still being written is a miss. Bounds what a
 * cold whole-tree plan holds while the worker catches up (~500 MB of entries for an IX tree).
 */
const PENDING_MAX_BYTES = 64 << 20;

export interface DiskCacheOptions {
  /**
   * Write entries on a worker thread (hosts/node/cache-writer.ts) instead of before put() returns;
   * the process must await flushCacheWrites() before exiting to keep them. For callers that put
   * many entries during one long synchronous core call (the CLI's plan).
   */
  background?: boolean;
}

/**
 * A cache rooted at `dir` (created lazily). Keys outside [A-Za-z0-9_.-] are never stored.
 * `namespace` (the built core's hash) separates entries of different cores: entries hold compiled
 * templates and plans whose meaning depends on the engine's code, so a rebuilt core starts afresh.
 */
export function diskCache(dir: string, namespace?: string, opts: DiskCacheOptions = {}): DiskCache {
  const base = namespace ? join(dir, CACHE_LAYOUT, namespace) : join(dir, CACHE_LAYOUT);
  // background puts not yet on disk (a get must still see them): key -> [write number, value]
  const pending = new Map<string, [number, Uint8Array]>();
  const keyOf = new Map<number, string>();
  let pendingBytes = 0;
  if (opts.background) {
    onWritten((n) => {
      const k = keyOf.get(n);
      if (k === undefined) return;
      keyOf.delete(n);
      const p = pending.get(k);
      if (p?.[0] === n) {
        pending.delete(k);
        pendingBytes -= p[1].length;
      }
    });
  }
  const pathOf = (key: string) => join(base, key.slice(0, 2), key);
  const seal = (key: string, body: Uint8Array): string => {
    return createHash('sha256').update(`${HEADER}${namespace ?? ''}\0${key}\0`, 'latin1').update(body).digest('hex');
  };
  return {
    get(key) {
      if (!KEY.test(key) || key.startsWith('.')) return undefined;
      const queued = pending.get(key);
      if (queued) return queued[1];
      let buf: Buffer;
      try {
        buf = readFileSync(pathOf(key));
      } catch {
        return undefined;
      }
      const nl = buf.indexOf(10);
      if (nl < 0 || nl > 100) return undefined;
      const head = buf.subarray(0, nl).toString('latin1');
      if (!head.startsWith(HEADER)) return undefined;
      const [len, sum] = head.slice(HEADER.length).split(' ');
      if (len !== String(buf.length - nl - 1)) return undefined;
      const body = new Uint8Array(buf.buffer, buf.byteOffset + nl + 1, buf.length - nl - 1);
      return sum === seal(key, body) ? body : undefined;
    },
    put(key, value) {
      if (!KEY.test(key) || key.startsWith('.')) return;
      const final = pathOf(key);
      const tmp = `${final}.tmp-${process.pid}-${++seq}`;
      const data = () => {
        // a fresh buffer of its own (not Node's shared pool): the background writer transfers it
        const head = Buffer.from(`${HEADER}${value.length} ${seal(key, value)}\n`, 'latin1');
        const out = new Uint8Array(head.length + value.length);
        out.set(head);
        out.set(value, head.length);
        return out;
      };
      if (opts.background) {
        const n = writeInBackground({ dir: join(base, key.slice(0, 2)), tmp, final, data: data() });
        if (n !== undefined) {
          const old = pending.get(key);
          if (old) {
            pending.delete(key); // the newer write replaces it (the worker writes in order)
            pendingBytes -= old[1].length;
          }
          if (pendingBytes + value.length <= PENDING_MAX_BYTES) {
            pending.set(key, [n, value]);
            keyOf.set(n, key);
            pendingBytes += value.length;
          }
          return;
        }
      }
      try {
        mkdirSync(join(base, key.slice(0, 2)), { recursive: true });
        writeFileSync(tmp, data());
        renameSync(tmp, final);
      } catch {
        try {
          rmSync(tmp, { force: true });
        } catch {
          // the cache is best-effort
        }
      }
    },
  };
}
