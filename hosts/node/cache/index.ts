/**
 * Binary caches: the public interface (issue 7). Archives of store paths (archive.ts), signed
 * records (record.ts, keys.ts), backends chosen by URL (open.ts, backend/), and the high-level
 * operations the executor, `ix copy` and remote builders use (substitute.ts, push.ts, transfer.ts).
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
export { CacheError, type CacheBackend, type Body, type NetOptions } from './backend/types';
export { DirBackend } from './backend/dir';
export { HttpBackend, type HttpOptions } from './backend/http';
export { S3Backend } from './backend/s3';
export {
  CACHE_INFO_FORMAT, INFO_KEY, DEFAULT_PRIORITY, recordKey, archiveKey, readSmall, readCacheInfo, parseCacheInfo, encodeCacheInfo, ensureCacheInfo,
  type CacheInfo,
} from './info';
export { packToFile, hashFile, saveStream, downloadToFile, TransferError, type DownloadOptions } from './transfer';
export { packPath, importPath, receiveInto, unpackVerified, checkRecordFor, ImportError, type PackedPath, type ReceiveOptions } from './import';
export { substituteInto, orderCaches, type SubstituteHooks, type Substituted } from './substitute';
export { pushPath, type PushExtra, type PushResult } from './push';
