/**
 * The executor's types shared by the run (execute.ts), each node's job and its steps
 * (node-job.ts, step-*.ts, make.ts, uploads.ts): what it needs of the store, the fetcher, the
 * binary caches and the uploader. Types only, so the step modules need not import the run.
 *
 * Must not depend on: the CLI, the executor's modules (everything here imports this).
 */
import type { PlanNode } from '../../../engine/api';
import type { PendingOutput, Store } from '../store';

/** What the executor needs of the store (hosts/node/store Store satisfies it). */
export type ExecStore = Pick<Store, 'layout' | 'isBuilt' | 'realise'>;

/** Performs a fetch node: puts node.fetch.file into `tmpOut` (verified by sha256). */
export type FetchNode = (node: PlanNode, tmpOut: string, log: (line: string) => void, signal: AbortSignal) => Promise<void>;

/** A cache that offers a node's output: found by Substituter.lookup, used by Substituter.fetch. */
export interface SubstituteHit {
  /** The cache's URL (for messages, events and the log). */
  cache: string;
  /** Size of the compressed archive to download. */
  bytes: number;
  /** The store paths the output refers to (its record's references; absent: the node's runtime). */
  refs?: string[];
}

export interface SubstituteHooks {
  /** A cache's copy was refused: one line naming the cache, the path and the reason. */
  onRefused(line: string): void;
  /** Bytes downloaded so far (of `total`, when known). */
  onProgress(bytes: number, total?: number): void;
  signal: AbortSignal;
}

/** Binary caches as the executor sees them (hosts/node/subst implements it over hosts/node/cache). */
export interface Substituter {
  /**
   * The first cache (in priority order) with a trusted record for node.out; no download. The
   * record's references need not be in the store yet: they are realised before `fetch`.
   */
  lookup(node: Pick<PlanNode, 'id' | 'out' | 'name' | 'inputs' | 'runtime' | 'fixed'>, hooks: SubstituteHooks): Promise<SubstituteHit | undefined>;
  /**
   * Download, verify and unpack node.out from `hit` into `o.tmpOut`. Resolves to the tree hash
   * the signed record names (the store's commit checks it), or undefined when refused.
   */
  fetch(node: PlanNode, hit: SubstituteHit, o: PendingOutput, hooks: SubstituteHooks): Promise<{ cache: string; bytes: number; expectHash: string } | undefined>;
}

/** Uploads a path built by this run; one entry per target cache, `error` when that upload failed. */
export type Pusher = (node: PlanNode) => Promise<{ cache: string; error?: string }[]>;
