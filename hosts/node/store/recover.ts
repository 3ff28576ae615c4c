/**
 * Crash recovery: removes what an interrupted ix process left behind, without touching the work
 * of live processes (every removal of something tied to an id happens under that id's lock, taken
 * without waiting; a busy lock means a live builder, so its files are skipped).
 *   - <root>/build/<id>, <root>/build/<id>.out, trash-*: partial builds and half-deleted trees
 *   - records without a store directory (crash between writing the record and the rename)
 *   - store directories without a record (not committed by this store, or record lost)
 *   - a committed root left writable (crash between the rename and the final chmod)
 *
 * Must not depend on: the engine's evaluator, the sandbox or executor modules.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { BUILD_ENTRY, STORE_ENTRY, STORE_PREFIX, parseStorePath, type Layout, removeTree } from '../../common';
import { tryLock } from './lock';
import { pidAlive } from './fsutil';
import { readRecord } from './record';

export interface RecoverReport {
  /** Physical paths removed. */
  removed: string[];
  /** Committed roots whose mode was repaired. */
  repaired: string[];
  /** Entries skipped because a live process holds their lock. */
  busy: string[];
}

async function list(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

export async function recover(layout: Layout): Promise<RecoverReport> {
  const report: RecoverReport = { removed: [], repaired: [], busy: [] };
  /** Run `fn` under id's lock if free; record the entry as busy otherwise. */
  const underLock = async (id: string, what: string, fn: () => Promise<void>) => {
    const l = await tryLock(layout.lock(id));
    if (!l) {
      report.busy.push(what);
      return;
    }
    try {
      await fn();
    } finally {
      await l.release();
    }
  };

  for (const name of await list(layout.build)) {
    const p = path.join(layout.build, name);
    const m = BUILD_ENTRY.exec(name);
    if (m) {
      await underLock(m[1], p, async () => {
        await removeTree(p);
        report.removed.push(p);
      });
    } else if (name.startsWith('trash-')) {
      const pid = Number(/^trash-(\d+)-/.exec(name)?.[1]);
      if (pid && pid !== process.pid && pidAlive(pid)) {
        report.busy.push(p); // another process is deleting it right now
        continue;
      }
      await removeTree(p);
      report.removed.push(p);
    }
  }

  const storeNames = await list(layout.store);
  const storeById = new Map<string, string>();
  for (const n of storeNames) {
    const m = STORE_ENTRY.exec(n);
    if (m) storeById.set(m[1], n);
  }

  for (const name of await list(layout.db)) {
    const p = path.join(layout.db, name);
    const tmp = /^\.([0-9a-z]{32})\.json\.\d+(?:\.\d+)?\.tmp$/.exec(name);
    const rec = /^([0-9a-z]{32})\.json$/.exec(name);
    const id = tmp?.[1] ?? rec?.[1];
    if (!id) continue;
    if (tmp || !storeById.has(id)) {
      await underLock(id, p, async () => {
        const r = await readRecord(layout, id);
        const sp = r ? parseStorePath(r.path) : undefined;
        const dir = sp && sp.id === id ? layout.physical(sp) : undefined;
        if (tmp || !dir || !(await fs.lstat(dir).catch(() => undefined))) {
          await fs.rm(p, { force: true });
          report.removed.push(p);
        }
      });
    }
  }

  for (const [id, name] of storeById) {
    const p = path.join(layout.store, name);
    const r = await readRecord(layout, id);
    if (r && r.path === `${STORE_PREFIX}${name}`) {
      const st = await fs.lstat(p);
      if ((st.mode & 0o222) !== 0 && st.isDirectory()) {
        await underLock(id, p, async () => {
          await fs.chmod(p, 0o555);
          await fs.utimes(p, 1, 1);
          report.repaired.push(p);
        });
      }
      continue;
    }
    await underLock(id, p, async () => {
      const again = await readRecord(layout, id);
      if (again && again.path === `/ix/store/${name}`) return; // committed meanwhile
      await removeTree(p, layout.build);
      report.removed.push(p);
    });
  }
  return report;
}

