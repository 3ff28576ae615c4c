/**
 * Substitution: fill a PendingOutput from the first binary cache that has a trustworthy copy of
 * the node's output. Caches are asked by priority (their ix-cache-info; lower first), then in
 * the order given. For each cache that has a record for node.out:
 *   record parses and is of a format we read -> is for this path -> carries the pinned tree hash
 *   when the node is fixed-output (a seed) -> signed by a trusted key ->
 *   its references are declared by the plan and present locally -> the archive downloads with the
 *   declared size and BLAKE3 (bounded retries) -> unpacks safely within the declared size ->
 *   the tree hashes to the record's tree hash.
 * Any failure is reported by hooks.onRefused as one line `cache URL: PATH: reason`, tmpOut is
 * emptied, and the next cache is asked. The caller then commits with { expectHash }, so the
 * store hashes the normalised tree once more before anything counts as built.
 *
 * Must not depend on: the executor, the CLI, the Linux sandbox.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { OutputNode, PendingOutput } from '../store/index';
import { CacheError, type CacheBackend } from './backend/types';
import { archiveKey, readCacheInfo, readSmall, recordKey, type CacheInfo } from './info';
import { checkRecordFor, ImportError, unpackVerified } from './import';
import type { PublicKey } from './keys';
import { parseRecord, RecordError, type CacheRecord } from './record';
import { downloadToFile } from './transfer';

export interface SubstituteHooks {
  /**
   * One line naming the cache, the path and why it was not used. A cache whose ix-cache-info is
   * unusable is reported for every path asked (its info is read only once per backend object).
   */
  onRefused(line: string): void;
  /** Archive bytes received so far for this path. */
  onProgress?(bytes: number, total: number): void;
  /** True when a store path is in the local store (default: refuse any record with references). */
  havePath?(p: string): Promise<boolean>;
}

export interface Substituted {
  /** URL of the cache the output came from. */
  cache: string;
  /** Archive bytes downloaded. */
  bytes: number;
  /** The tree hash to commit with: pending.commit({ expectHash }). */
  expectHash: string;
  record: CacheRecord;
}

/**
 * Each backend object's info, read once: a run asks for many paths, and a cache that is down or
 * of a newer format should cost one request (or one time-out), not one per path.
 */
const infoOf = new WeakMap<CacheBackend, Promise<CacheInfo>>();
function cachedInfo(c: CacheBackend): Promise<CacheInfo> {
  let p = infoOf.get(c);
  if (!p) {
    p = readCacheInfo(c);
    p.catch(() => undefined);
    infoOf.set(c, p);
  }
  return p;
}

/**
 * Caches that answer with a usable ix-cache-info (read once per backend object), by priority then
 * given order; the others are reported through onRefused (naming `what`, e.g. the path asked for).
 */
export async function orderCaches(caches: readonly CacheBackend[], onRefused: (line: string) => void, what = ''): Promise<{ cache: CacheBackend; info: CacheInfo }[]> {
  const infos = await Promise.all(caches.map((c) => cachedInfo(c).then((info) => ({ cache: c, info }), (e: unknown) => e)));
  const ok: { cache: CacheBackend; info: CacheInfo }[] = [];
  infos.forEach((r, i) => {
    if (r instanceof Error) onRefused(refusal(caches[i].url, what, r));
    else ok.push(r as { cache: CacheBackend; info: CacheInfo });
  });
  return ok.map((x, i) => ({ ...x, i })).sort((a, b) => a.info.priority - b.info.priority || a.i - b.i).map(({ cache, info }) => ({ cache, info }));
}

/** The one refusal line for a cache's copy of a path: "cache URL: PATH: why" (a surprise says so). */
export function refusal(url: string, p: string, e: unknown): string {
  let msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
  const prefix = `cache ${url}: `;
  if (msg.startsWith(prefix)) msg = msg.slice(prefix.length);
  if (!(e instanceof CacheError || e instanceof RecordError || e instanceof ImportError)) msg = `unexpected error: ${msg}`;
  return `cache ${url}: ${p ? `${p}: ` : ''}${msg}`;
}

export interface Found {
  cache: string;
  record: CacheRecord;
  /** Archive bytes a substitution would download. */
  bytes: number;
}

/**
 * The trusted-record lookup of ix, one cache at a time in the order given: each record for
 * node.out that parses, is for this path, is signed by a trusted key and names only references
 * the plan declares (`havePath`: whether a reference is present; default yes, as for a dry run
 * or a lookup whose references are realised first). Every other cache's record is refused with
 * one line (`refusal`) to `onRefused`; a cache without a record is passed over. `asked` is
 * called before each cache is read. Reads records only, never archives.
 */
export async function* trustedRecords(
  node: OutputNode, ordered: readonly CacheBackend[], trustedKeys: readonly PublicKey[],
  hooks: { onRefused(line: string): void; havePath?: (p: string) => Promise<boolean>; asked?: () => void },
): AsyncGenerator<{ cache: CacheBackend; record: CacheRecord }> {
  for (const cache of ordered) {
    let record: CacheRecord;
    try {
      hooks.asked?.();
      const text = await readSmall(cache, recordKey(node.out));
      if (text === undefined) continue;
      record = parseRecord(text);
      await checkRecordFor(node, record, { trusted: trustedKeys, havePath: hooks.havePath ?? (async () => true) });
    } catch (e) {
      hooks.onRefused(refusal(cache.url, node.out, e));
      continue;
    }
    yield { cache, record };
  }
}

/**
 * Which cache would serve `node` (for `ix build --dry-run`): the first trusted record
 * (trustedRecords). Downloads nothing else and does not require the references to be present
 * yet (a dry run has built nothing). Refusals go to onRefused as in substituteInto.
 */
export async function findInCaches(node: OutputNode, caches: readonly CacheBackend[], trustedKeys: readonly PublicKey[], hooks: Pick<SubstituteHooks, 'onRefused'>): Promise<Found | undefined> {
  const ordered = (await orderCaches(caches, hooks.onRefused, node.out)).map((c) => c.cache);
  for await (const { cache, record } of trustedRecords(node, ordered, trustedKeys, hooks)) {
    return { cache: cache.url, record, bytes: record.archive.size };
  }
  return undefined;
}

/** Fill `pending` for `node` from `caches` (see module comment); undefined when none could. */
export async function substituteInto(node: OutputNode, pending: PendingOutput, caches: readonly CacheBackend[], trustedKeys: readonly PublicKey[], hooks: SubstituteHooks): Promise<Substituted | undefined> {
  const ordered = (await orderCaches(caches, hooks.onRefused, node.out)).map((c) => c.cache);
  const havePath = hooks.havePath ?? (async () => false);
  const file = path.join(pending.tmpBuild, 'archive');
  for await (const { cache, record: rec } of trustedRecords(node, ordered, trustedKeys, { onRefused: hooks.onRefused, havePath })) {
    try {
      await downloadToFile(cache, archiveKey(rec.archive.hash, rec.archive.compression), file, rec.archive, { onProgress: hooks.onProgress });
      await unpackVerified(file, rec, pending);
      return { cache: cache.url, bytes: rec.archive.size, expectHash: rec.treeHash, record: rec };
    } catch (e) {
      hooks.onRefused(refusal(cache.url, node.out, e));
    } finally {
      await fs.rm(file, { force: true });
    }
  }
  return undefined;
}
