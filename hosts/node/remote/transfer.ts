/**
 * How store paths cross the builder protocol: exactly as in a binary cache (hosts/node/cache), an
 * "ix-archive/1" archive (deterministic tar, compressed) with its "ix-cache-record/1" record
 * (store path, tree hash, archive hash and sizes, runtime references, the node, signatures).
 * There is no second transfer format: this module packs into and unpacks from the cache's
 * archive, builds and checks the cache's record, and checks a received archive in the cache's
 * order: the record parses, its signature when one is required, the archive's size and hash, the
 * unpacked size bound while unpacking, then the tree hash at the store's atomic commit.
 *
 * Archives are held in memory while they cross (they are compressed; a toolchain is tens of MB).
 *
 * Must not depend on: the executor, the sandbox, anything Linux-only.
 */
import { Readable } from 'node:stream';
import { createBLAKE3 } from 'hash-wasm';
import { IxError } from '../../../engine/errors';
import { packArchive, unpackArchive } from '../cache/archive';
import { DEFAULT_COMPRESSION, type Compression } from '../cache/compress';
import { CACHE_RECORD_FORMAT, encodeRecord, parseRecord, signRecord, type CacheRecord } from '../cache/record';
import type { SecretKey } from '../cache/keys';
import type { PendingOutput, Store, StoreRecord } from '../store';
import { parseStorePath } from '../store/layout';

export { CACHE_RECORD_FORMAT as TRANSFER_RECORD };
export type TransferRecord = CacheRecord;

export interface Packed {
  record: CacheRecord;
  bytes: Buffer;
}

async function blake3Hex(b: Uint8Array): Promise<string> {
  const h = await createBLAKE3();
  h.init();
  h.update(b);
  return `blake3:${h.digest('hex')}`;
}

/** Pack a built store path of `store` into an archive and its record (signed with `key` if given). */
export async function packPath(store: Store, path: string, key?: SecretKey, compression: Compression = DEFAULT_COMPRESSION): Promise<Packed> {
  const rec: StoreRecord | undefined = await store.record(path);
  const sp = parseStorePath(path);
  if (!rec || !sp) throw new IxError(`${path} is not in the store at ${store.layout.root}`);
  const a = packArchive(store.physical(path), compression);
  const chunks: Buffer[] = [];
  for await (const c of a.stream) chunks.push(c as Buffer);
  const bytes = Buffer.concat(chunks);
  const record: CacheRecord = {
    format: CACHE_RECORD_FORMAT, path, treeHash: rec.hash, treeSize: rec.size,
    archive: { hash: await blake3Hex(bytes), size: bytes.length, compression, unpackedSize: a.tarBytes() },
    refs: [...rec.refs].sort(), node: { id: sp.id, name: sp.name }, signatures: [],
  };
  return { bytes, record: key ? signRecord(record, key) : record };
}

/** A record received from the other side, checked as a cache checks one (one line on failure). */
export function checkRecord(x: unknown, path: string): CacheRecord {
  let r: CacheRecord;
  try {
    r = parseRecord(JSON.stringify(x));
  } catch (e) {
    throw new IxError(`${path}: ${(e as Error).message}`);
  }
  if (r.path !== path) throw new IxError(`${path}: the record sent with it is for ${r.path}`);
  return r;
}

/** The record as it travels (canonical JSON, parsed back: what the other side parses). */
export function wireRecord(r: CacheRecord): unknown {
  return JSON.parse(encodeRecord(r));
}

/**
 * Check `bytes` against `record` and unpack them into `o.tmpOut`; returns the tree hash the
 * store's commit must find (pass it as expectHash). Nothing is trusted before that commit.
 */
export async function unpackInto(o: PendingOutput, record: CacheRecord, bytes: Buffer): Promise<string> {
  if (bytes.length !== record.archive.size) throw new IxError(`${record.path}: archive has ${bytes.length} bytes, its record says ${record.archive.size}`);
  const got = await blake3Hex(bytes);
  if (got !== record.archive.hash) throw new IxError(`${record.path}: archive hash ${got} is not the ${record.archive.hash} its record names`);
  await unpackArchive(Readable.from([bytes]), o.tmpOut, record.archive.compression, { maxBytes: record.archive.unpackedSize });
  return record.treeHash;
}

/** The node-like description the store's commit needs to import a path (references as declared). */
export function importNode(record: CacheRecord): { id: string; out: string; name: string; inputs: string[]; runtime: string[] } {
  const sp = parseStorePath(record.path);
  if (!sp) throw new IxError(`not a store path: ${record.path}`);
  return { id: sp.id, out: record.path, name: record.node.name || sp.name, inputs: [], runtime: record.refs };
}

/**
 * Import an archive as `record.path` into `store` under its output lock (a path already there is
 * left alone): the cache's checks, then the store's atomic commit with the promised tree hash.
 * Returns whether it was new.
 */
export async function importPath(store: Store, record: CacheRecord, bytes: Buffer): Promise<boolean> {
  const node = importNode(record);
  if (await store.isBuilt(node.out)) return false;
  return store.withOutputLock(node.out, async () => {
    if (await store.isBuilt(node.out)) return false;
    const o = await store.beginOutput(node);
    try {
      await o.commit({ expectHash: await unpackInto(o, record, bytes) });
    } catch (e) {
      await o.abort().catch(() => undefined);
      throw e;
    }
    return true;
  });
}
