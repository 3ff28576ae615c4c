/**
 * How store paths cross the builder protocol: as the binary cache's archives (hosts/node/cache:
 * "ix-archive/1", a deterministic tar, compressed) with a record naming the store path, its tree
 * hash (ix-tree/1, what `ix store verify` checks), the archive's BLAKE3 and sizes, and its runtime
 * references. There is no second transfer format: this module only packs into and unpacks from
 * the cache's archive, and checks a received archive in the cache's order (archive hash, size
 * bound while unpacking, then the tree hash at the store's commit).
 *
 * Archives are held in memory while they cross (they are compressed; a toolchain is tens of MB).
 *
 * Must not depend on: the executor, the sandbox, anything Linux-only.
 */
import { Readable } from 'node:stream';
import { createBLAKE3 } from 'hash-wasm';
import { IxError } from '../../../engine/errors';
import { packArchive, unpackArchive } from '../cache/archive';
import { DEFAULT_COMPRESSION, isCompression, type Compression } from '../cache/compress';
import type { PendingOutput, Store, StoreRecord } from '../store';

export const TRANSFER_RECORD = 'ix-cache-record/1';

/** What travels with an archive (the fields of a cache record this protocol needs). */
export interface TransferRecord {
  format: typeof TRANSFER_RECORD;
  path: string;
  /** Tree hash (ix-tree/1) the unpacked archive must have. */
  treeHash: string;
  /** Store paths the tree refers to (its runtime references). */
  refs: string[];
  /** Regular-file bytes of the tree. */
  size: number;
  archive: { compression: Compression; hash: string; size: number; unpackedSize: number };
}

export interface Packed {
  record: TransferRecord;
  bytes: Buffer;
}

async function blake3Hex(b: Uint8Array): Promise<string> {
  const h = await createBLAKE3();
  h.init();
  h.update(b);
  return `blake3:${h.digest('hex')}`;
}

/** Pack a built store path of `store` into an archive and its record. */
export async function packPath(store: Store, path: string, compression: Compression = DEFAULT_COMPRESSION): Promise<Packed> {
  const rec: StoreRecord | undefined = await store.record(path);
  if (!rec) throw new IxError(`${path} is not in the store at ${store.layout.root}`);
  const a = packArchive(store.physical(path), compression);
  const chunks: Buffer[] = [];
  for await (const c of a.stream) chunks.push(c as Buffer);
  const bytes = Buffer.concat(chunks);
  return {
    bytes,
    record: {
      format: TRANSFER_RECORD, path, treeHash: rec.hash, refs: rec.refs, size: rec.size,
      archive: { compression, hash: await blake3Hex(bytes), size: bytes.length, unpackedSize: a.tarBytes() },
    },
  };
}

/** A record received from the other side, checked field by field (one line on failure). */
export function checkRecord(x: unknown, path: string): TransferRecord {
  const r = x as TransferRecord;
  const ok = r && r.format === TRANSFER_RECORD && r.path === path && typeof r.treeHash === 'string' && /^blake3:[0-9a-f]{64}$/.test(r.treeHash)
    && Array.isArray(r.refs) && r.refs.every((p) => typeof p === 'string') && typeof r.size === 'number'
    && r.archive && isCompression(r.archive.compression) && typeof r.archive.hash === 'string'
    && Number.isSafeInteger(r.archive.size) && Number.isSafeInteger(r.archive.unpackedSize);
  if (!ok) throw new IxError(`${path}: the record sent with it is not an ${TRANSFER_RECORD} record for this path`);
  return r;
}

/**
 * Check `bytes` against `record` and unpack them into `o.tmpOut`; returns the tree hash the
 * store's commit must find (pass it as expectHash). Nothing is trusted before that commit.
 */
export async function unpackInto(o: PendingOutput, record: TransferRecord, bytes: Buffer): Promise<string> {
  if (bytes.length !== record.archive.size) throw new IxError(`${record.path}: archive has ${bytes.length} bytes, its record says ${record.archive.size}`);
  const got = await blake3Hex(bytes);
  if (got !== record.archive.hash) throw new IxError(`${record.path}: archive hash ${got} is not the ${record.archive.hash} its record names`);
  await unpackArchive(Readable.from([bytes]), o.tmpOut, record.archive.compression, { maxBytes: record.archive.unpackedSize });
  return record.treeHash;
}

/** The node-like description the store's commit needs to import a path (references as declared). */
export function importNode(record: TransferRecord): { id: string; out: string; name: string; inputs: string[]; runtime: string[] } {
  const m = /^\/ix\/store\/([0-9a-z]{32})-(.+)$/.exec(record.path);
  if (!m) throw new IxError(`not a store path: ${record.path}`);
  return { id: m[1], out: record.path, name: m[2], inputs: [], runtime: record.refs };
}

/** Commit with the tree hash the record promised (Store.commit checks it before anything is stored). */
export function commitExpecting(o: PendingOutput, treeHash: string): Promise<StoreRecord> {
  return (o.commit as (opts?: { expectHash?: string }) => Promise<StoreRecord>)({ expectHash: treeHash });
}

/**
 * Import an archive as `record.path` into `store` under its output lock (a path already there is
 * left alone): the cache's checks, then the store's atomic commit with the promised tree hash.
 * Returns whether it was new.
 */
export async function importPath(store: Store, record: TransferRecord, bytes: Buffer): Promise<boolean> {
  const node = importNode(record);
  if (await store.isBuilt(node.out)) return false;
  return store.withOutputLock(node.out, async () => {
    if (await store.isBuilt(node.out)) return false;
    const o = await store.beginOutput(node);
    try {
      await commitExpecting(o, await unpackInto(o, record, bytes));
    } catch (e) {
      await o.abort().catch(() => undefined);
      throw e;
    }
    return true;
  });
}
