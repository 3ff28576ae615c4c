/**
 * The store's public interface for the executor and the CLI: open a store (creating and
 * recovering it), test and produce outputs atomically under per-output locks, verify it.
 *
 * Typical use by an executor:
 *   const store = await openStore({ root: resolveRoot(env), onWait: (m) => display.note(m) });
 *   await store.realise(node, async (o) => runSandbox(node, { out: o.tmpOut, tmp: o.tmpBuild }));
 *
 * Must not depend on: the engine's evaluator, the sandbox or executor modules.
 */
import { Layout } from '../../common';
import { Store, type StoreOptions } from './store';
import { recover, type RecoverReport } from './recover';
import { verifyStore as verifyLayout, type VerifyEntry } from './verify';

export { Store, OutputCheckError, type OutputNode, type PendingOutput, type StoreOptions, type CommitOptions, type Failed, type RealiseHooks } from './store';
export { readRecord, type StoreRecord, RECORD_FORMAT } from './record';
export { type RecoverReport } from './recover';
export { type VerifyEntry, type VerifyStatus } from './verify';
export { TREE_FORMAT, NORMAL_MTIME, processTree, type TreeResult } from './tree';
export { lock, tryLock, flockWait, flockTry, type HeldLock, type LockMode } from './lock';
export { forceLockHelper } from './lock-helper';
export { writeFileAtomic, sha256File, syncDir, pidAlive } from './fsutil';

/** Open (and create) the store at opts.root; runs recovery unless disabled. */
export async function openStore(opts: StoreOptions): Promise<Store> {
  const store = new Store(opts);
  await store.init();
  if (opts.recover !== false) await recover(store.layout);
  return store;
}

/** Clean what crashed processes left (see recover.ts). */
export function recoverStore(root: string): Promise<RecoverReport> {
  return recover(new Layout(root));
}

/** `ix store verify`: one entry per store path (see verify.ts). */
export function verifyStore(root: string): Promise<VerifyEntry[]> {
  return verifyLayout(new Layout(root));
}
