/**
 * In-memory HostIO fake: a recipe tree given as { "bin/x/ix.sh": "text" }, layered roots,
 * a cache map and a log of every call, so tests can assert what the engine asked for.
 */
import type { HostIO } from '../../engine/api';

export interface MemIO extends HostIO {
  calls: string[];
  cache: Map<string, Uint8Array>;
}

export function memIO(...roots: Record<string, string | Uint8Array>[]): MemIO {
  const enc = new TextEncoder();
  const calls: string[] = [];
  const cache = new Map<string, Uint8Array>();
  return {
    calls,
    cache,
    readFile(path) {
      calls.push(`read ${path}`);
      for (const r of roots) {
        const v = r[path];
        if (v !== undefined) return typeof v === 'string' ? enc.encode(v) : v;
      }
      return undefined;
    },
    listDir(path) {
      calls.push(`list ${path}`);
      const prefix = path === '' || path.endsWith('/') ? path : path + '/';
      const names = new Set<string>();
      for (const r of roots) {
        for (const k of Object.keys(r)) {
          if (!k.startsWith(prefix)) continue;
          const rest = k.slice(prefix.length);
          const slash = rest.indexOf('/');
          names.add(slash < 0 ? rest : rest.slice(0, slash + 1));
        }
      }
      return names.size ? [...names] : undefined;
    },
    cacheGet(key) {
      calls.push(`cache-get ${key}`);
      return cache.get(key);
    },
    cachePut(key, value) {
      calls.push(`cache-put ${key}`);
      cache.set(key, new TextEncoder().encode(value));
    },
  };
}
