/**
 * The main thread's handle on the planning thread (plan-worker.ts): mirrors the editor's buffers
 * to it, queues plan requests and runs them one at a time there. Urgent requests (a hover, a code
 * lens: someone waits) go before background ones (re-checks), and the checker keeps at most one
 * background request here; a request for a plan already queued, or in flight over the same
 * buffers, waits for that one. An urgent request cancels the background plan in flight, and so may
 * the caller (a plan made stale by an edit, or holding back a fresh edit's sample): cancelled, it
 * resolves with `cancelled` and the caller queues it again. A
 * worker that dies (out of memory) fails its request with an internal error and is replaced at
 * the next request, with the buffers sent again.
 *
 * Must not depend on: the executor, the store, the sandbox, the LSP library.
 */
import { Worker } from 'node:worker_threads';
import type { CoreMessage } from './errors';
import { PROTOCOL, type PlanDone, type ToWorker, type WorkerInit } from './plan-worker';

export interface PlanResult {
  reads: Set<string>;
  error?: CoreMessage;
  bytes?: Uint8Array;
  /** The core's time for this plan (ms). */
  ms: number;
  /** Cancelled before it finished: nothing else is set. */
  cancelled?: boolean;
}

interface Job {
  id: number;
  selector: string;
  target: string;
  urgent: boolean;
  /** Everyone waiting for this plan (a request for a plan already asked for joins it). */
  waiters: ((r: PlanResult) => void)[];
  /** The buffers' epoch when it was sent to the thread. */
  epoch: number;
}

export class Planner {
  private worker: Worker | undefined;
  private readonly overlays = new Map<string, string>();
  private readonly urgent: Job[] = [];
  private readonly background: Job[] = [];
  private running: Job | undefined;
  private nextId = 1;
  /** Bumped by every buffer or disk change sent to the thread. */
  private epoch = 0;
  private readonly cancelWord = new SharedArrayBuffer(4);
  /** Plans cancelled, and requests that joined a plan already asked for (ix/status). */
  cancelled = 0;
  joined = 0;
  /** Plans made, and the process's RSS after the latest (bytes): for ix/status. */
  plans = 0;
  rss = 0;
  /** The planning thread's in-memory cache after the latest plan. */
  cache: PlanDone['cache'] | undefined;

  /** `script`: the file that runs runPlanWorker in a worker thread (the bundle itself). */
  constructor(
    private readonly script: URL,
    private readonly roots: string[],
    private readonly env: Record<string, string | undefined>,
    /** Where the thread's own stdout goes (never the protocol's stream). */
    private readonly log: (s: string) => void,
  ) {}

  /** Sets (text) or drops (undefined) a buffer by absolute host path. */
  setOverlay(path: string, text: string | undefined): void {
    if (text === undefined) this.overlays.delete(path);
    else this.overlays.set(path, text);
    this.post({ v: PROTOCOL, t: 'overlay', path, text: text ?? null });
    this.epoch++;
  }

  touched(): void {
    this.post({ v: PROTOCOL, t: 'touched' });
    this.epoch++;
  }

  /** The plan running on the thread now (its request number and selector), if any. */
  inFlight(): { id: number; selector: string } | undefined {
    return this.running ? { id: this.running.id, selector: this.running.selector } : undefined;
  }

  /** True while a plan runs or waits. */
  busy(): boolean {
    return this.running !== undefined || this.urgent.length + this.background.length > 0;
  }

  plan(selector: string, target: string, urgent: boolean): Promise<PlanResult> {
    return new Promise((resolve) => {
      const same = (j: Job) => j.selector === selector && j.target === target;
      // the same plan of the same content, in flight and not being cancelled: wait for it
      const r = this.running;
      if (r && same(r) && r.epoch === this.epoch && Atomics.load(new Int32Array(this.cancelWord), 0) !== r.id) {
        r.urgent ||= urgent;
        r.waiters.push(resolve);
        this.joined++;
        return;
      }
      // the same plan queued (it will see the buffers as they are when it is sent): join it
      const queued = this.urgent.find(same) ?? this.background.find(same);
      if (queued) {
        queued.waiters.push(resolve);
        this.joined++;
        if (urgent && !queued.urgent) {
          this.background.splice(this.background.indexOf(queued), 1);
          queued.urgent = true;
          this.urgent.push(queued);
          this.cancelBackground();
        }
        return;
      }
      (urgent ? this.urgent : this.background).push({ id: this.nextId++, selector, target, urgent, waiters: [resolve], epoch: -1 });
      if (urgent) this.cancelBackground(); // someone waits: the background plan goes back to its queue
      this.kick();
    });
  }

  /** Cancels the background plan in flight, if any; returns its selector. */
  cancelBackground(): string | undefined {
    const r = this.running;
    if (!r || r.urgent) return undefined;
    Atomics.store(new Int32Array(this.cancelWord), 0, r.id);
    return r.selector;
  }

  close(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private post(m: ToWorker): void {
    this.worker?.postMessage(m); // no worker yet: it gets every buffer when it starts
  }

  private start(): Worker {
    const init: WorkerInit = { ixLspPlanner: PROTOCOL, roots: this.roots, env: this.env, cancel: this.cancelWord };
    // the worker's stdout would interleave with the protocol on ours: it goes to stderr
    const w = new Worker(this.script, { workerData: init, stdout: true });
    w.stdout.on('data', (d: Buffer) => this.log(d.toString()));
    w.on('message', (m: PlanDone) => {
      if (m.v !== PROTOCOL || m.t !== 'done' || m.id !== this.running?.id) return;
      const job = this.running;
      this.running = undefined;
      this.plans++;
      this.rss = m.rss;
      this.cache = m.cache;
      const r: PlanResult = { reads: new Set(m.reads), ms: m.ms };
      if (m.cancelled) {
        r.cancelled = true;
        this.cancelled++;
      }
      if (m.error) r.error = m.error;
      if (m.bytes) r.bytes = m.bytes;
      for (const w of job.waiters) w(r);
      this.kick();
    });
    const died = (why: string) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      const job = this.running;
      this.running = undefined;
      const failed: PlanResult = { reads: new Set(), ms: 0, error: { detail: `internal error in ix: the planning thread ${why}`, chain: [], suggestions: [] } };
      for (const w of job?.waiters ?? []) w(failed);
      this.kick();
    };
    w.on('error', (e) => died(`failed: ${e.message.split('\n')[0]}`));
    w.on('exit', (code) => died(`exited (${code})`));
    w.unref(); // the server's lifetime is its connection's, not this thread's
    for (const [path, text] of this.overlays) w.postMessage({ v: PROTOCOL, t: 'overlay', path, text } satisfies ToWorker);
    return w;
  }

  private kick(): void {
    if (this.running) return;
    const job = this.urgent.shift() ?? this.background.shift();
    if (!job) return;
    this.worker ??= this.start();
    this.running = job;
    job.epoch = this.epoch;
    this.post({ v: PROTOCOL, t: 'plan', id: job.id, selector: job.selector, target: job.target });
  }
}
