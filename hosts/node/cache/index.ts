/**
 * Binary caches: the public interface (formats and trust rules in ARCHITECTURE.md,
 * "Binary caches"). Import it as `hosts/node/cache/index`: hosts/node/cache.ts (the core's
 * template cache) shadows the bare folder name.
 *
 * Substituting (the executor), as the build step of Store.realise like any build:
 *   const caches = urls.map((u) => openCache(u));            // file://, http(s)://, s3://
 *   const trusted = keys.map((k) => parsePublicKey(k, 'config file'));
 *   await store.realise(node, async (pending) => {
 *     const got = await substituteInto(node, pending, caches, trusted, {
 *       onRefused: (line) => display.note(line), onProgress: (b, total) => ..., havePath: (p) => store.isBuilt(p) });
 *     return got ? { expectHash: got.expectHash } : { failed: 'refused' }; // then build it instead
 *   });
 * Dry run (would it download, how many bytes): findInCaches(node, caches, trusted, hooks).
 * Importing a path without a plan (`ix copy --from`): importPath(store, nodeOfRecord(rec), rec, stream).
 * Pushing (`--push-to`, `ix copy --to`):
 *   await pushPath(store, path, openCache(url), await readSecretKey(file), { node: { id, name } });
 * Remote builders (same archive, record and checks, no signatures needed):
 *   sender: packPath(store, p) -> { record, file } or packPathStream(store, p) -> { stream, record }
 *   receiver: importPath(store, node, record, archiveStream) -> StoreRecord | 'present'
 *
 * Stable: the names exported here and the formats ix-archive/1, ix-cache-record/1,
 * ix-cache-fingerprint/1, ix-cache/1. Errors meant for users (CacheError, RecordError,
 * ArchiveError, ImportError, KeyError) have one-line messages.
 *
 * Must not depend on: the Linux sandbox, the executor, the CLI, the WASM core.
 */
export { ARCHIVE_FORMAT, ArchiveError, ByteCounter, packArchive, packTar, unpackArchive, type UnpackOptions } from './archive';
export { COMPRESSIONS, DEFAULT_COMPRESSION, LEVELS, ARCHIVE_SUFFIX, isCompression, type Compression } from './compress';
export {
  CACHE_RECORD_FORMAT, FINGERPRINT_FORMAT, RecordError, fingerprint, encodeRecord, parseRecord, signRecord, checkSignature,
  type CacheRecord, type ArchiveInfo, type Signature,
} from './record';
export {
  KeyError, generateKey, generateKeyFiles, parsePublicKey, parseSecretKey, readSecretKey, checkKeyName, signText, verifyText,
  type PublicKey, type SecretKey,
} from './keys';
export { openCache, type OpenOptions } from './open';
export { parseCacheUrl, redactUrl, cacheUrlProblem, type CacheUrl } from './url';
export { CacheError, type CacheBackend, type Body, type NetOptions } from './backend/types';
export { DirBackend } from './backend/dir';
export { HttpBackend, type HttpOptions } from './backend/http';
export { S3Backend } from './backend/s3';
export {
  CACHE_INFO_FORMAT, INFO_KEY, DEFAULT_PRIORITY, recordKey, archiveKey, readSmall, readCacheInfo, parseCacheInfo, encodeCacheInfo, ensureCacheInfo, PARTIAL_INFO_WAITS,
  type CacheInfo,
} from './info';
export { packToFile, hashFile, saveStream, downloadToFile, TransferError, type DownloadOptions } from './transfer';
export { packPath, packPathStream, importPath, nodeOfRecord, receiveInto, unpackVerified, checkRecordFor, ImportError, type PackedPath, type ReceiveOptions } from './import';
export { substituteInto, findInCaches, orderCaches, trustedRecords, refusal, type SubstituteHooks, type Substituted, type Found } from './substitute';
export { pushPath, type PushExtra, type PushResult } from './push';
