/**
 * The language server's planning thread: a worker thread with its own WASM core and its own view
 * of the recipe roots (a Workspace whose buffers the main thread mirrors), so a plan of a large
 * package (a second or more on a real IX tree) never blocks the main thread's hover, completion
 * or the fast render stage of a fresh edit. It runs one request at a time, in the order the main
 * thread sends them; the main thread keeps the queue (and so decides priority and drops stale
 * work). A plan is cancelled through a shared word (`cancel`, Int32): the main thread stores the
 * request's id there; the worker's HostIO sees it at the core's next host call and fails it, and
 * the core, which gets "absent" for everything after a host failure, ends the call within a few
 * calls. Messages (structured clones, version 1 of this protocol):
 *   main → worker: {v:1, t:'overlay', path, text|null}  {v:1, t:'touched'}
 *                  {v:1, t:'plan', id, selector, target}
 *   worker → main: {v:1, t:'done', id, reads, error?, bytes?, cancelled?, ms, rss, cache}
 *
 * Must not depend on: the executor, the store, the sandbox, the LSP library.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { coreCacheFor, coreFor } from '../node/context';
import { loadDigest } from '../node/digest';
import { toMessage } from './core-message';
import type { CoreMessage } from './errors';
import { Workspace } from './workspace';

export const PROTOCOL = 1;

/** What the main thread hands the worker at start. */
export interface WorkerInit {
  ixLspPlanner: typeof PROTOCOL;
  roots: string[];
  env: Record<string, string | undefined>;
  /** One Int32: the id of the plan to cancel. */
  cancel: SharedArrayBuffer;
}

export type ToWorker =
  | { v: 1; t: 'overlay'; path: string; text: string | null }
  | { v: 1; t: 'touched' }
  | { v: 1; t: 'plan'; id: number; selector: string; target: string };

export interface PlanDone {
  v: 1;
  t: 'done';
  id: number;
  /** Logical recipe paths the plan read. */
  reads: string[];
  error?: CoreMessage;
  bytes?: Uint8Array;
  /** The main thread cancelled it: no result. */
  cancelled?: boolean;
  /** Time the core took (ms) and the process's resident memory after it (bytes). */
  ms: number;
  rss: number;
  /** The worker's in-memory cache (workspace.ts). */
  cache: ReturnType<Workspace['cacheStats']>;
}

/** True in a thread started by Planner (the bundle's entry calls runPlanWorker then). */
export function isPlanWorker(): boolean {
  return parentPort !== null && (workerData as Partial<WorkerInit> | undefined)?.ixLspPlanner === PROTOCOL;
}

export async function runPlanWorker(): Promise<void> {
  const init = workerData as WorkerInit;
  const port = parentPort!;
  const [core, digest] = await Promise.all([coreFor(init.env), loadDigest()]);
  const ws = new Workspace(init.roots, digest, coreCacheFor(init.env), init.env);
  const cancel = new Int32Array(init.cancel);
  let current = 0;
  const check = () => {
    if (Atomics.load(cancel, 0) === current) throw new Error('plan cancelled');
  };
  // the workspace's HostIO, failing once the running plan is cancelled
  const io = Object.fromEntries(
    Object.entries(ws.io).map(([k, f]) => [k, (...a: unknown[]) => (check(), (f as (...x: unknown[]) => unknown)(...a))]),
  ) as unknown as typeof ws.io;
  port.on('message', (m: ToWorker) => {
    if (m.v !== PROTOCOL) return;
    if (m.t === 'overlay') ws.setOverlay(m.path, m.text ?? undefined);
    else if (m.t === 'touched') ws.touched();
    else if (m.t === 'plan') {
      ws.startRecording();
      const t0 = performance.now();
      let bytes: Uint8Array | undefined;
      let error: CoreMessage | undefined;
      current = m.id;
      try {
        // a keystroke changes what a package renders: a kept graph would cost a write per plan
        bytes = core.plan(io, { packages: [m.selector], target: m.target, keepGraph: false });
      } catch (e) {
        error = toMessage(e);
      }
      const cancelled = Atomics.load(cancel, 0) === m.id;
      current = 0;
      const ms = performance.now() - t0;
      const done: PlanDone = { v: 1, t: 'done', id: m.id, reads: [...ws.stopRecording()], ms, rss: process.memoryUsage.rss(), cache: ws.cacheStats() };
      if (cancelled) done.cancelled = true;
      else if (error) done.error = error;
      else if (bytes) done.bytes = bytes;
      port.postMessage(done); // copied: the core's bytes may sit in Node's shared buffer pool
    }
  });
}
