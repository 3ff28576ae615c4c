/**
 * The two halves every transport shares (binary caches here, remote builders over SSH):
 *  - packPath: a built store path -> an archive file + its unsigned ix-cache-record/1
 *    (packPathStream: the archive as a stream, the record once the stream has ended).
 *  - receiveInto: an archive (stream) + record -> a verified tree in a PendingOutput's tmpOut:
 *    references checked, archive size and BLAKE3 checked while it is saved, unpacked safely
 *    (bounded by the record's unpackedSize), and the unpacked tree hashed against the record.
 *  - importPath: receiveInto as the build step of Store.realise, committed with expectHash, so a crash leaves nothing that counts as built and two processes import once.
 *    The commit hashes the tree anyway, so importPath has receiveInto skip its own tree hash:
 *    one pass over the bytes, not two (a mismatch is then the commit's OutputCheckError).
 * Signatures are the caller's business (substitute.ts checks them; a remote builder the user
 * configured may be trusted without), passed as `trusted` when wanted.
 *
 * Must not depend on: the executor, the CLI, the Linux sandbox.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { createReadStream } from 'node:fs';
import { parseStorePath, removeTree } from '../../common';
import { processTree, type OutputNode, type PendingOutput, type Store, type StoreRecord } from '../store';
import { createBLAKE3 } from 'hash-wasm';
import { packArchive, unpackArchive, ArchiveError } from './archive';
import { DEFAULT_COMPRESSION, type Compression } from './compress';
import { checkSignature, CACHE_RECORD_FORMAT, RecordError, type CacheRecord } from './record';
import type { PublicKey } from './keys';
import { packToFile, saveStream, TransferError } from './transfer';

/** An import refused; `message` is one line (reason only: the caller names cache and path). */
export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

export interface PackedPath {
  /** Unsigned record (signRecord adds signatures). */
  record: CacheRecord;
  /** The archive file. */
  file: string;
  /** Remove the archive file and its directory. */
  dispose(): Promise<void>;
}

/**
 * Pack built store path `p` into a temp archive file; its record's tree hash, size and refs come
 * from the store record, after re-hashing the tree (a damaged store path is never packed).
 * `recheck: false` skips that hash, for a receiver that hashes the unpacked tree against the
 * record itself before anything is committed (a remote builder's client): a damaged path is then
 * refused there, and the sender reads the bytes once.
 */
export async function packPath(store: Store, p: string, opts: { compression?: Compression; node?: { id: string; name: string }; tmpDir?: string; recheck?: boolean } = {}): Promise<PackedPath> {
  const rec = await store.record(p);
  if (!rec) throw new ImportError(`${p} is not in the store`);
  const root = store.physical(p);
  if (opts.recheck !== false && (await processTree(root, { normalise: false })).hash !== rec.hash) {
    throw new ImportError(`${p} does not match its store record (run ix store verify)`);
  }
  const dir = await fs.mkdtemp(path.join(opts.tmpDir ?? os.tmpdir(), 'ix-pack-'));
  const file = path.join(dir, 'archive');
  try {
    const archive = await packToFile(root, file, opts.compression ?? DEFAULT_COMPRESSION);
    const sp = store.parse(p);
    const record: CacheRecord = {
      format: CACHE_RECORD_FORMAT, path: p, treeHash: rec.hash, treeSize: rec.size, archive,
      refs: [...rec.refs].sort(), node: opts.node ?? { id: sp.id, name: sp.name }, signatures: [],
    };
    return { record, file, dispose: () => fs.rm(dir, { recursive: true, force: true }) };
  } catch (e) {
    await fs.rm(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Pack built store path `p` as a stream (no temp file), for a transport that can send the record
 * after the archive (a remote builder's pipe): `record` resolves, unsigned, once `stream` has
 * ended. The tree is re-hashed against its store record first, as packPath does.
 */
export async function packPathStream(store: Store, p: string, opts: { compression?: Compression; node?: { id: string; name: string } } = {}): Promise<{ stream: Readable; record: Promise<CacheRecord> }> {
  const rec = await store.record(p);
  if (!rec) throw new ImportError(`${p} is not in the store`);
  const root = store.physical(p);
  if ((await processTree(root, { normalise: false })).hash !== rec.hash) throw new ImportError(`${p} does not match its store record (run ix store verify)`);
  const compression = opts.compression ?? DEFAULT_COMPRESSION;
  const a = packArchive(root, compression);
  const h = await createBLAKE3(256);
  h.init();
  let size = 0;
  const sp = store.parse(p);
  let done: (r: CacheRecord) => void = () => undefined;
  let failed: (e: Error) => void = () => undefined;
  const record = new Promise<CacheRecord>((resolve, reject) => {
    done = resolve;
    failed = reject;
  });
  const tap = new Transform({
    transform(c: Buffer, _e, cb) {
      h.update(c);
      size += c.length;
      cb(null, c);
    },
    flush(cb) {
      done({
        format: CACHE_RECORD_FORMAT, path: p, treeHash: rec.hash, treeSize: rec.size,
        archive: { hash: `blake3:${h.digest('hex')}`, size, compression, unpackedSize: a.tarBytes() },
        refs: [...rec.refs].sort(), node: opts.node ?? { id: sp.id, name: sp.name }, signatures: [],
      });
      cb();
    },
  });
  a.stream.on('error', (e) => {
    failed(e);
    tap.destroy(e);
  });
  a.stream.pipe(tap);
  record.catch(() => undefined);
  return { stream: tap, record };
}

/**
 * The node a record describes, for importing a path without a plan (`ix copy --from URL PATH`):
 * its references are its declared inputs and runtime, which must still be present locally.
 */
export function nodeOfRecord(rec: CacheRecord): OutputNode {
  const sp = parseStorePath(rec.path);
  if (!sp) throw new ImportError(`record has a bad path ${rec.path}`);
  return { id: sp.id, out: rec.path, name: sp.name, inputs: [...rec.refs], runtime: [...rec.refs] };
}

export interface ReceiveOptions {
  /** When given, the record must carry a good signature by one of these keys. */
  trusted?: readonly PublicKey[];
  /** True when a store path is present locally; every reference of the record must be. */
  havePath: (p: string) => Promise<boolean>;
  onProgress?: (bytes: number, total: number) => void;
  /**
   * The caller commits with expectHash = the record's tree hash (importPath): the unpacked tree
   * is not hashed here too, the commit's hash is the check.
   */
  hashAtCommit?: boolean;
}

/** Checks on a record before any byte of its archive is read; throws ImportError. */
export async function checkRecordFor(node: OutputNode, rec: CacheRecord, opts: Omit<ReceiveOptions, 'onProgress'>): Promise<void> {
  if (rec.path !== node.out) throw new ImportError(`record is for another path (${rec.path})`);
  // A fixed-output (seed) node's id names only its pinned tree hash, not how the tree was made:
  // a record must carry exactly that hash, whoever signed it (unpackVerified then holds the tree
  // to the record's hash, and the store's commit to the pin once more).
  if (node.fixed !== undefined && rec.treeHash !== node.fixed) {
    throw new ImportError(`record's tree hash ${rec.treeHash} is not the ${node.fixed} this fixed-output node pins`);
  }
  if (opts.trusted) {
    try {
      checkSignature(rec, opts.trusted);
    } catch (e) {
      if (e instanceof RecordError) throw new ImportError(e.message);
      throw e;
    }
  }
  const declared = new Set([...node.inputs, ...node.runtime]);
  for (const r of rec.refs) {
    if (r === node.out) continue;
    if (!declared.has(r)) throw new ImportError(`record refers to ${r}, which the plan does not declare for this node`);
    if (!(await opts.havePath(r))) throw new ImportError(`record refers to ${r}, which is not in the local store`);
  }
}

/** Empty `dir` again (recreated, mode 0755). */
async function emptyDir(dir: string, trash: string): Promise<void> {
  await removeTree(dir, trash);
  await fs.mkdir(dir, { mode: 0o755 });
}

/**
 * Verify and unpack an archive whose bytes are already in `file` into pending.tmpOut (emptied
 * first); then check the unpacked tree's hash (unless `hashAtCommit`: the caller's commit checks
 * it). Throws ImportError, leaving tmpOut empty.
 */
export async function unpackVerified(file: string, rec: CacheRecord, pending: PendingOutput, hashAtCommit = false): Promise<void> {
  // tmpOut lives in the store's build directory: trash goes there (same filesystem, one rename).
  const trash = path.dirname(pending.tmpOut);
  await emptyDir(pending.tmpOut, trash);
  try {
    await unpackArchive(createReadStream(file, { highWaterMark: 1 << 20 }), pending.tmpOut, rec.archive.compression, { maxBytes: rec.archive.unpackedSize });
    const t = hashAtCommit ? undefined : await processTree(pending.tmpOut, { normalise: false });
    if (t && t.hash !== rec.treeHash) throw new ImportError(`unpacked tree hash ${t.hash} differs from the record's ${rec.treeHash}`);
  } catch (e) {
    await emptyDir(pending.tmpOut, trash);
    if (e instanceof ImportError) throw e;
    if (e instanceof ArchiveError) throw new ImportError(e.message);
    throw e;
  }
}

/**
 * Receive `archive` (stream) for `rec` into `pending` (see module comment); the archive is saved
 * in pending.tmpBuild, checked, unpacked, and removed. Throws ImportError; tmpOut is left empty.
 */
export async function receiveInto(node: OutputNode, rec: CacheRecord, archive: Readable, pending: PendingOutput, opts: ReceiveOptions): Promise<void> {
  await checkRecordFor(node, rec, opts);
  const file = path.join(pending.tmpBuild, 'archive');
  try {
    try {
      await saveStream(archive, file, rec.archive, 'archive', opts.onProgress);
    } catch (e) {
      if (e instanceof TransferError) throw new ImportError(e.message);
      throw e;
    }
    await unpackVerified(file, rec, pending, opts.hashAtCommit);
  } finally {
    await fs.rm(file, { force: true });
  }
}

/**
 * Import a store path from an archive and its record into `store` through Store.realise: under
 * the output lock, into a fresh PendingOutput, committed with expectHash = the record's tree
 * hash. Returns 'present' when it is (or becomes, while waiting for the lock) built already (the
 * archive is then left unread and destroyed), else the new store record.
 * Throws ImportError (or the store's OutputCheckError); nothing enters the store then.
 */
export async function importPath(store: Store, node: OutputNode, rec: CacheRecord, archive: Readable, opts: Omit<ReceiveOptions, 'havePath'> & { havePath?: ReceiveOptions['havePath'] } = {}): Promise<StoreRecord | 'present'> {
  const havePath = opts.havePath ?? ((p: string) => store.isBuilt(p));
  let stored: StoreRecord | undefined;
  await store.realise(node, async (pending) => {
    try {
      await receiveInto(node, rec, archive, pending, { ...opts, havePath, hashAtCommit: true });
    } catch (e) {
      archive.destroy();
      throw e;
    }
    return { expectHash: rec.treeHash };
  }, { committed: (r) => { stored = r; } });
  // Only a commit sets `stored`; any other outcome of realise here is 'present'.
  if (!stored) {
    archive.destroy();
    return 'present';
  }
  return stored;
}
