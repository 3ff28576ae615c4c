/**
 * The store database: one small JSON record per finished store path, at
 * <root>/var/db/v1/<id>.json. A path counts as built only when its record AND its directory exist;
 * the record is written (atomically) before the output is renamed into place, so every crash
 * leaves at most a record without a path, which recovery deletes.
 *
 * Must not depend on: the engine's evaluator, the sandbox or executor modules.
 */
import fs from 'node:fs/promises';
import { parseStorePath, type Layout } from '../../common';
import { writeFileAtomic } from './fsutil';

export const RECORD_FORMAT = 'ix-store-record/1';

export interface StoreRecord {
  format: typeof RECORD_FORMAT;
  /** Logical store path, /ix/store/<id>-<name>. */
  path: string;
  /** Content hash of the tree: "blake3:<hex>" over the ix-tree/1 serialisation (tree.ts). */
  hash: string;
  /** Total bytes of regular files. */
  size: number;
  /** Store paths (other than itself) the output's bytes refer to, sorted: its direct references. */
  refs: string[];
}

export async function writeRecord(layout: Layout, id: string, rec: StoreRecord): Promise<void> {
  await writeFileAtomic(layout.record(id), `${JSON.stringify(rec, null, 1)}\n`);
}

/** The record of `id`, or undefined when missing or not in a format this version reads. */
export async function readRecord(layout: Layout, id: string): Promise<StoreRecord | undefined> {
  let text: string;
  try {
    text = await fs.readFile(layout.record(id), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const r = JSON.parse(text) as StoreRecord;
    return isRecord(r) ? r : undefined;
  } catch {
    return undefined;
  }
}

/** True for a record of this format whose every field has its type (a damaged one reads as missing). */
export function isRecord(r: unknown): r is StoreRecord {
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return false;
  const x = r as Record<string, unknown>;
  return x.format === RECORD_FORMAT && typeof x.path === 'string' && parseStorePath(x.path) !== undefined
    && typeof x.hash === 'string' && typeof x.size === 'number' && Number.isFinite(x.size)
    && Array.isArray(x.refs) && x.refs.every((p) => typeof p === 'string');
}
