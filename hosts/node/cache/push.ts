/**
 * Filling a cache: pushPath packs a built store path, uploads its archive, then its signed record
 * (the record last, so no reader ever sees a record whose archive is not complete; each backend's
 * put makes an object visible only once whole). A path whose record the cache has is skipped; an
 * archive already there with the right size is not uploaded again. A cache without ix-cache-info
 * gets one (with `extra.compression`/`extra.priority`, else the defaults); once read, a backend
 * object's info is kept, so a run pushing many paths asks for it once.
 *
 * Must not depend on: the executor, the CLI, the Linux sandbox.
 */
import { createReadStream } from 'node:fs';
import type { Store } from '../store/index';
import type { CacheBackend } from './backend/types';
import type { Compression } from './compress';
import { archiveKey, ensureCacheInfo, recordKey, type CacheInfo } from './info';
import { packPath } from './import';
import type { SecretKey } from './keys';
import { encodeRecord, signRecord, type CacheRecord } from './record';

export interface PushExtra {
  /** The plan node the path came from (default: id and name of the path). */
  node?: { id: string; name: string };
  /** For a cache that has no ix-cache-info yet. */
  compression?: Compression;
  priority?: number;
  /** Where the temporary archive goes (default: the OS temp dir). */
  tmpDir?: string;
}

export type PushResult = { status: 'present' } | { status: 'pushed'; record: CacheRecord; uploaded: number };

const infoOf = new WeakMap<CacheBackend, CacheInfo>();

/** Push built store path `p` to `cache`, signed by `key`. Throws CacheError/ImportError. */
export async function pushPath(store: Store, p: string, cache: CacheBackend, key: SecretKey, extra: PushExtra = {}): Promise<PushResult> {
  const rk = recordKey(p);
  if (await cache.head(rk)) return { status: 'present' };
  let info = infoOf.get(cache);
  if (!info) {
    info = await ensureCacheInfo(cache, { compression: extra.compression, priority: extra.priority });
    infoOf.set(cache, info);
  }
  const packed = await packPath(store, p, { compression: info.compression, node: extra.node, tmpDir: extra.tmpDir });
  try {
    const a = packed.record.archive;
    const ak = archiveKey(a.hash, a.compression);
    let uploaded = 0;
    if ((await cache.head(ak))?.size !== a.size) {
      await cache.put(ak, () => createReadStream(packed.file), a.size);
      uploaded += a.size;
    }
    const record = signRecord(packed.record, key);
    const bytes = Buffer.from(encodeRecord(record));
    await cache.put(rk, bytes, bytes.length);
    return { status: 'pushed', record, uploaded: uploaded + bytes.length };
  } finally {
    await packed.dispose();
  }
}
