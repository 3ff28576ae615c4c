/**
 * How store paths cross the builder protocol: exactly as in a binary cache, through the cache's
 * own halves (hosts/node/cache/import.ts): an "ix-archive/1" archive with its "ix-cache-record/1"
 * record, packed by packPath, received by receiveInto / importPath, which check the record (path,
 * declared and present references, signature when keys are given), the archive's size and BLAKE3,
 * the unpacked size bound, and the unpacked tree's hash, before the store's atomic commit with
 * that hash. There is no second transfer format. This module only adds what the wire needs:
 * archives held in memory while they cross (they are compressed), records as canonical JSON.
 *
 * Must not depend on: the executor, the sandbox, anything Linux-only.
 */
import fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import { parseStorePath } from '../../common';
import { IxError } from '../../../engine/errors';
import { importPath, packPath, receiveInto, type PublicKey, type SecretKey, CACHE_RECORD_FORMAT, encodeRecord, parseRecord, signRecord, type CacheRecord } from '../cache/index';
import type { OutputNode, PendingOutput, Store } from '../store';

export { CACHE_RECORD_FORMAT as TRANSFER_RECORD };
export type TransferRecord = CacheRecord;

export interface Packed {
  record: CacheRecord;
  bytes: Buffer;
}

/**
 * Pack a built store path into the cache's archive and record (signed with `key` if given).
 * `recheck: false` (a builder sending an output back: the client hashes the unpacked tree against
 * the record before its commit) skips re-hashing the tree first.
 */
export async function packForWire(store: Store, path: string, key?: SecretKey, opts: { recheck?: boolean } = {}): Promise<Packed> {
  const p = await packPath(store, path, { recheck: opts.recheck });
  try {
    const bytes = await fs.readFile(p.file);
    return { bytes, record: key ? signRecord(p.record, key) : p.record };
  } finally {
    await p.dispose();
  }
}

/** A record received from the other side, parsed and checked as a cache's (one line on failure). */
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

/** The record as it travels: its canonical JSON, as a value. */
export function wireRecord(r: CacheRecord): unknown {
  return JSON.parse(encodeRecord(r));
}

/**
 * Receive a node's output built elsewhere into the pending output `o` (every check of the cache's
 * receiveInto, signatures when `trusted`); returns the tree hash the commit must find.
 */
export async function receiveOutput(store: Store, node: OutputNode, record: CacheRecord, bytes: Buffer, o: PendingOutput, trusted?: readonly PublicKey[]): Promise<string> {
  await receiveInto(node, record, Readable.from([bytes]), o, { trusted, havePath: (p) => store.isBuilt(p) });
  return record.treeHash;
}

/** The node-like description an imported input commits as (its references as declared). */
export function importNode(record: CacheRecord): OutputNode {
  const sp = parseStorePath(record.path);
  if (!sp) throw new IxError(`not a store path: ${record.path}`);
  return { id: sp.id, out: record.path, name: record.node.name || sp.name, inputs: [], runtime: record.refs };
}

/**
 * Import an input received from a client under its output lock (left alone when present): the
 * cache's checks (its references must be here already), then the atomic commit. Whether it was new.
 */
export async function importInput(store: Store, record: CacheRecord, bytes: Buffer): Promise<boolean> {
  return (await importPath(store, importNode(record), record, Readable.from([bytes]))) !== 'present';
}
