/**
 * The store: atomic production of outputs. A node's output is built in <root>/build/<id>.out,
 * then (under the per-output lock) checked, normalised and hashed, its record written, and only
 * then renamed to <root>/store/<id>-<name>. "Built" means record + directory, so a crash or
 * kill -9 at any moment leaves nothing that counts as built; recovery (recover.ts) removes the rest.
 *
 * Must not depend on: the engine's evaluator, the sandbox or executor modules.
 */
import fs from 'node:fs/promises';
import type { PlanNode } from '../../../engine/api';
import { IxError } from '../../../engine/errors';
import { lock, type HeldLock } from './lock';
import { exists, syncDir } from './fsutil';
import { EnvironmentError, Layout, declaredRefs, parseStorePath, type ParsedStorePath, removeTree } from '../../common';
import { readRecord, writeRecord, RECORD_FORMAT, type StoreRecord } from './record';
import { processTree, TreeViolation, NORMAL_MTIME } from './tree';
import { checkFixedFiles } from './fixed-files';

/** What the store needs of a plan node. */
export type OutputNode = Pick<PlanNode, 'id' | 'out' | 'name' | 'inputs' | 'runtime'> &
  { fetch?: PlanNode['fetch']; fixed?: string; fixedFiles?: PlanNode['fixedFiles'] };

/** An output being produced. Exactly one of commit()/abort() should be called. */
export interface PendingOutput {
  /** Physical directory to build $out into (empty, writable). Mount it at node.out in the sandbox. */
  readonly tmpOut: string;
  /** Physical directory for $tmp (empty, writable); removed by commit() and abort(). */
  readonly tmpBuild: string;
  /**
   * Check, normalise, hash, record and move into place. Throws OutputCheckError (nothing is
   * stored, tmp cleaned), also when `expectHash` is given and the tree's ix-tree/1 hash differs
   * (an output imported from a binary cache or a remote builder must hash to what it claimed).
   */
  commit(opts?: CommitOptions): Promise<StoreRecord>;
  /** Throw the partial output away. `keepBuild` leaves tmpBuild for debugging. */
  abort(opts?: { keepBuild?: boolean }): Promise<void>;
}

export interface CommitOptions {
  /** The "blake3:<hex>" ix-tree/1 hash the normalised tree must have. */
  expectHash?: string;
}

/** An output broke a store rule; one line naming the package, file and problem. */
export class OutputCheckError extends IxError {
  constructor(readonly node: string, readonly file: string, readonly problem: string) {
    super(`output ${file === '.' ? '' : `file ${file} `}${problem}`, { pkg: node });
    this.name = 'OutputCheckError';
  }
}

export interface StoreOptions {
  /** The ix root (the CLI's: resolveRoot of its environment). */
  root: string;
  /** Called when another process holds an output's lock; default: nothing is said. */
  onWait?: (message: string) => void;
  /** Run recover() when opening (default true). */
  recover?: boolean;
  /** Test seam: awaited at named points of commit ("checked", "recorded"). */
  faultHook?: (stage: string) => Promise<void> | void;
}

export class Store {
  readonly layout: Layout;
  private readonly onWait: (message: string) => void;
  private readonly faultHook?: (stage: string) => Promise<void> | void;
  /** Ids whose lock this Store object holds (beginOutput requires it). */
  private readonly held = new Map<string, HeldLock>();

  constructor(opts: StoreOptions) {
    this.layout = new Layout(opts.root);
    this.onWait = opts.onWait ?? (() => undefined);
    this.faultHook = opts.faultHook;
  }

  /** Create the directory skeleton. */
  async init(): Promise<void> {
    const l = this.layout;
    try {
      for (const d of [l.store, l.build, l.db, l.locks, l.logs, l.sources]) await fs.mkdir(d, { recursive: true });
    } catch (e) {
      throw await unwritableRoot(l.root, e);
    }
  }

  parse(p: string): ParsedStorePath {
    const sp = parseStorePath(p);
    if (!sp) throw new IxError(`not a store path: ${p}`);
    return sp;
  }

  /** Physical directory of a logical store path. */
  physical(p: string): string {
    return this.layout.physical(this.parse(p));
  }

  /** True when `p` has both its record and its directory (i.e. was committed). No lock needed. */
  async isBuilt(p: string): Promise<boolean> {
    const sp = this.parse(p);
    const rec = await readRecord(this.layout, sp.id);
    return rec !== undefined && rec.path === p && (await exists(this.layout.physical(sp)));
  }

  /** The record of a built path, or undefined. */
  async record(p: string): Promise<StoreRecord | undefined> {
    const sp = this.parse(p);
    const rec = await readRecord(this.layout, sp.id);
    return rec && rec.path === p && (await exists(this.layout.physical(sp))) ? rec : undefined;
  }

  /** Take the lock of output path `p` (waiting, and reporting the wait through onWait). */
  async lockOutput(p: string): Promise<HeldLock> {
    const sp = this.parse(p);
    const l = await lock(this.layout.lock(sp.id), (pid) =>
      this.onWait(`waiting for ${p}${pid !== undefined ? ` (locked by process ${pid})` : ''}`));
    this.held.set(sp.id, l);
    return {
      file: l.file,
      lost: () => l.lost?.() ?? false,
      release: async () => {
        this.held.delete(sp.id);
        await l.release();
      },
    };
  }

  /** Run `fn` holding the lock of output path `p`. */
  async withOutputLock<T>(p: string, fn: () => Promise<T>): Promise<T> {
    const l = await this.lockOutput(p);
    try {
      return await fn();
    } finally {
      await l.release();
    }
  }

  /**
   * Start producing node.out: clears leftovers of an earlier crash for this id and returns empty
   * tmpOut/tmpBuild directories. The caller must hold the output lock (withOutputLock).
   */
  async beginOutput(node: OutputNode): Promise<PendingOutput> {
    const sp = this.parse(node.out);
    if (sp.id !== node.id) throw new IxError(`node id ${node.id} does not match its output ${node.out}`, { pkg: node.name });
    if (!this.held.has(sp.id)) throw new Error(`beginOutput(${node.out}) without holding its lock`);
    const l = this.layout;
    const tmpOut = l.tmpOut(sp.id);
    const tmpBuild = l.tmpBuild(sp.id);
    // Leftovers of a crashed attempt: partial output, build dir, a record or path without its partner.
    await removeTree(tmpOut, l.build);
    await removeTree(tmpBuild, l.build);
    if (!(await this.isBuilt(node.out))) {
      await removeTree(l.physical(sp), l.build);
      await fs.rm(l.record(sp.id), { force: true });
    } else {
      throw new Error(`beginOutput(${node.out}): already built`);
    }
    await fs.mkdir(tmpOut, { mode: 0o755 });
    await fs.mkdir(tmpBuild, { mode: 0o755 });
    let finished = false;
    const once = () => {
      if (finished) throw new Error(`output ${node.out} already committed or aborted`);
      finished = true;
    };
    return {
      tmpOut,
      tmpBuild,
      commit: async (opts) => {
        once();
        try {
          return await this.commit(node, sp, tmpOut, tmpBuild, opts?.expectHash);
        } catch (e) {
          await removeTree(tmpOut, l.build);
          await removeTree(tmpBuild, l.build);
          throw e;
        }
      },
      abort: async (opts) => {
        once();
        await removeTree(tmpOut, l.build);
        if (!opts?.keepBuild) await removeTree(tmpBuild, l.build);
      },
    };
  }

  private async commit(node: OutputNode, sp: ParsedStorePath, tmpOut: string, tmpBuild: string, expectHash?: string): Promise<StoreRecord> {
    const declared = declaredRefs(node);
    let tree;
    try {
      // A fixed-output build node (it had the network) must give exactly the files it declared.
      if (node.fixedFiles !== undefined) await checkFixedFiles(tmpOut, node.fixedFiles);
      tree = await processTree(tmpOut, {
        normalise: true,
        // A fetch output is fixed by its sha256: its bytes may mention anything.
        refs: node.fetch ? undefined : { self: node.out, selfId: sp.id, declared },
      });
    } catch (e) {
      if (e instanceof TreeViolation) throw new OutputCheckError(node.name, e.file, e.detail);
      throw e;
    }
    // A fixed-output node (a seed run with host tools) must give exactly the pinned tree.
    if (node.fixed !== undefined && tree.hash !== node.fixed) {
      throw new OutputCheckError(node.name, '.', `has tree hash ${tree.hash}, but its recipe pins ${node.fixed} ` +
        '(the host tools it ran produced other bytes, or the pin is wrong; nothing was stored)');
    }
    if (expectHash !== undefined && tree.hash !== expectHash) {
      throw new OutputCheckError(node.name, '.', `tree hash ${tree.hash} differs from the expected ${expectHash}`);
    }
    await this.faultHook?.('checked');
    // Never commit without the lock: if its helper was killed, another process may be producing
    // the same output right now.
    if (this.held.get(sp.id)?.lost?.() !== false) throw new Error(`the lock on ${node.out} was lost (its flock helper died); the output was not committed`);
    const rec: StoreRecord = { format: RECORD_FORMAT, path: node.out, hash: tree.hash, size: tree.size, refs: tree.refs };
    await writeRecord(this.layout, sp.id, rec);
    await this.faultHook?.('recorded');
    const dest = this.layout.physical(sp);
    // The root stays writable until here: moving a directory to another parent needs its write bit.
    await fs.chmod(tmpOut, 0o755);
    await fs.rename(tmpOut, dest);
    await fs.chmod(dest, 0o555);
    await fs.utimes(dest, NORMAL_MTIME, NORMAL_MTIME);
    await syncDir(this.layout.store);
    await removeTree(tmpBuild, this.layout.build);
    return rec;
  }

  /**
   * Produce node.out once across processes: the one check, lock, check, begin, commit-or-abort
   * sequence of ix. Resolves "present" if it is (or becomes, while we wait for another process)
   * built; else runs `build` on a fresh PendingOutput (after `hooks.start`, under the lock) and
   * commits it with the options `build` returns (its record goes to `hooks.committed`), or aborts it and resolves `{ failed }` when
   * `build` says why it made nothing. A throw from `build` aborts the output and is rethrown; a
   * commit that fails cleans up after itself and throws (OutputCheckError for a broken rule).
   */
  async realise(node: OutputNode, build: (o: PendingOutput) => Promise<void | CommitOptions | Failed>, hooks: RealiseHooks = {}): Promise<'built' | 'present' | Failed> {
    if (await this.isBuilt(node.out)) return 'present';
    return this.withOutputLock(node.out, async () => {
      if (await this.isBuilt(node.out)) return 'present';
      hooks.start?.();
      const o = await this.beginOutput(node);
      let step;
      try {
        step = await build(o);
      } catch (e) {
        await o.abort({ keepBuild: hooks.keepBuild }).catch(() => undefined);
        throw e;
      }
      if (step && 'failed' in step) {
        await o.abort({ keepBuild: hooks.keepBuild });
        return step;
      }
      // Not `hooks.committed?.(await o.commit())`: without a hook that would skip the commit.
      const rec = await o.commit(step ?? undefined);
      hooks.committed?.(rec);
      return 'built';
    });
  }
}

/** What a build step of Store.realise resolves to when it made nothing (one line, no throw). */
export interface Failed {
  failed: string;
}

export interface RealiseHooks {
  /** Called under the output lock once the output must be made, before its pending output opens. */
  start?(): void;
  /** Keep a failed build's $tmp (run-node --keep-tmp). */
  keepBuild?: boolean;
  /** Called with the new store record once the output is committed (before realise resolves). */
  committed?(rec: StoreRecord): void;
}

/**
 * Why the root's directories cannot be made, as an EnvironmentError naming the path: recursive
 * mkdir reports ENOENT on a read-only file system, so the nearest existing ancestor is asked.
 */
async function unwritableRoot(root: string, cause: unknown): Promise<unknown> {
  let dir = root;
  while (!(await exists(dir)) && dir !== '/') dir = dir.slice(0, dir.lastIndexOf('/')) || '/';
  let code = (cause as { code?: string }).code ?? 'error';
  try {
    await fs.access(dir, fs.constants.W_OK);
    if (code === 'ENOENT') return cause;
  } catch (e) {
    code = (e as { code?: string }).code ?? code;
  }
  const why = code === 'EROFS' ? 'read-only file system' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOSPC' ? 'no space left' : code;
  return new EnvironmentError(`the ix root ${root} is not writable (${why} at ${dir}): set IX_ROOT to a writable directory`);
}
