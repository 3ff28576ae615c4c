/**
 * Background writes of disk-cache entries (hosts/node/cache.ts): one worker thread per process
 * creates the entry files while the main thread keeps planning. A cold plan of a whole IX tree
 * puts ~22,000 entries (compiled templates, descriptors, the plan); written synchronously, their
 * open/write/rename calls were ~20% of the main thread's time (BENCHMARKS.md, "A real IX tree").
 * The core's calls are synchronous, so the worker is the only way to overlap those system calls
 * with the core's work.
 *
 * The worker receives finished entries (header and seal already computed by cache.ts) and writes
 * each one exactly as a synchronous put does: a unique temporary file renamed into place, the
 * temporary removed on failure. So a reader never sees a partial entry, and an entry lost to a
 * killed process is a later miss. `flushCacheWrites()` resolves when every entry handed over so
 * far is on disk (or failed); the CLI awaits it before exiting (hosts/node/main.ts). Until then the
 * worker does not keep the process alive on its own, and a process that exits without flushing
 * loses (only) the entries still queued.
 *
 * Must not depend on: the engine; anything but node:module/worker_threads (node:fs in the worker).
 */
import { createRequire } from 'node:module';
import type { Worker as WorkerT } from 'node:worker_threads';

/** The worker's program (CommonJS, evaluated from this string: no file of its own to bundle). */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { mkdirSync, renameSync, rmSync, writeFileSync } = require('node:fs');
parentPort.on('message', (m) => {
  if (m.flush !== undefined) return parentPort.postMessage({ flushed: m.flush });
  try {
    mkdirSync(m.dir, { recursive: true });
    writeFileSync(m.tmp, m.data);
    renameSync(m.tmp, m.final);
  } catch {
    try { rmSync(m.tmp, { force: true }); } catch {}
  }
  parentPort.postMessage({ done: m.seq });
});
`;

/** One entry to write: `data` goes to `tmp` in `dir`, then becomes `final`. */
export interface EntryWrite {
  dir: string;
  tmp: string;
  final: string;
  data: Uint8Array;
}

let worker: WorkerT | undefined;
let broken = false;
let seq = 0;
let flushes = 0;
const waiting = new Map<number, () => void>();
const written = new Set<(seq: number) => void>();

function start(): WorkerT | undefined {
  if (worker || broken) return worker;
  try {
    const { Worker } = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
    const w = new Worker(WORKER_SOURCE, { eval: true });
    w.on('message', (m: { done?: number; flushed?: number }) => {
      if (m.done !== undefined) for (const f of written) f(m.done);
      if (m.flushed !== undefined) {
        waiting.get(m.flushed)?.();
        waiting.delete(m.flushed);
        if (waiting.size === 0) w.unref();
      }
    });
    w.on('error', () => stop());
    w.on('exit', () => stop());
    w.unref();
    worker = w;
  } catch {
    broken = true;
  }
  return worker;
}

/** The worker is gone: later puts are written by the caller itself (cache.ts), pending flushes resolve. */
function stop(): void {
  worker = undefined;
  broken = true;
  for (const r of waiting.values()) r();
  waiting.clear();
}

/**
 * Hands one entry to the worker; returns its sequence number, or undefined when no worker can
 * run (the caller then writes it itself). `data` is transferred: the caller must not reuse it.
 */
export function writeInBackground(e: EntryWrite): number | undefined {
  const w = start();
  if (!w) return undefined;
  const n = ++seq;
  const data = e.data;
  const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
  w.postMessage({ ...e, seq: n }, whole ? [data.buffer as ArrayBuffer] : []);
  return n;
}

/** Calls `f(seq)` as each background write finishes (on the main thread's event loop). */
export function onWritten(f: (seq: number) => void): void {
  written.add(f);
}

/** Resolves when every entry handed to the worker so far is written (or failed). Never rejects. */
export function flushCacheWrites(): Promise<void> {
  const w = worker;
  if (!w) return Promise.resolve();
  const id = ++flushes;
  w.ref(); // keep the process alive until the queue is written
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    w.postMessage({ flush: id });
  });
}
