/**
 * Where command nodes build: a pool of builders, each a set of `slots` that can build nodes for
 * some build hosts. "here" (this machine's sandbox, `--jobs` slots, possibly 0) is one builder;
 * remote builders (hosts/node/remote) are others. For each node the pool picks, among the live
 * builders with a free slot that can build for the plan's host, the one that already holds the
 * largest share of the node's inputs, then the fastest (`speed`), then the least loaded.
 *
 * A builder that fails (not the node: the connection, the protocol, its store) is reported once,
 * never used again during this run, and the node goes to another builder; when no remote builder
 * is left, the node builds here even with `--jobs=0` (`fallback`), so a run does not fail because
 * a builder did. A failed build of the node itself is not retried.
 *
 * Must not depend on: the CLI, the terminal, the sandbox, hosts/node/remote (remote builders
 * come in through the Builder interface).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { PlanNode } from '../../../engine/api';
import type { PendingOutput } from '../store';
import type { ExecEvent } from './events';
import type { NodeLog } from './logs';
import { safeText, removeTree } from '../../common';

/** What a builder gets to build one node into a pending output. */
export interface BuildIO {
  /** The node's log file (local builds write it themselves). */
  nodeLog: NodeLog;
  /** Build output: into the log, and its last line to the live display. */
  output(chunk: Buffer | string): void;
  /** A line of ix's own into the log ("# ix: ..."). */
  note(line: string): void;
  signal: AbortSignal;
  /** Bytes sent to / received from a remote builder for this node (for events). */
  moved(builder: string, sent: number, received: number): void;
}

export interface BuildOutcome {
  ok: boolean;
  /** Why the node failed (ok false). */
  reason?: string;
  /** Tree hash the output must have (a remote's report; the store's commit checks it). */
  expectHash?: string;
  /** The builder, not the node, failed: `reason` is its cause; try elsewhere. */
  builderDown?: boolean;
}

export interface Builder {
  /** "here" or the builder's spec name (ssh://user@host). */
  readonly name: string;
  readonly slots: number;
  readonly speed: number;
  /** Can it build nodes for this build host ("linux-x86_64")? */
  builds(host: string): boolean;
  /** Share (0..1) of the node's inputs it holds already. */
  holds(node: PlanNode): number;
  /** Connect (once); rejects with a one-line cause when unusable. */
  open?(): Promise<void>;
  build(node: PlanNode, o: PendingOutput, io: BuildIO): Promise<BuildOutcome>;
  close?(): Promise<void>;
}

export interface PoolEvents {
  /** A node was given to a builder (again, after a builder failed). */
  placed(node: PlanNode, builder: string): void;
  /** A builder failed and is out for the rest of the run. */
  down(builder: string, cause: string, node?: PlanNode): void;
}

export class BuilderPool {
  private readonly busy = new Map<Builder, number>();
  private readonly dead = new Set<Builder>();
  private readonly opening = new Map<Builder, Promise<boolean>>();
  private waiters: (() => void)[] = [];

  /**
   * `builders`: here first, then the remote ones; `fallback`: builds here when no remote builder
   * is left (here with 0 slots); `host`: the plan's build host.
   */
  constructor(private readonly builders: Builder[], private readonly host: string, private readonly ev: PoolEvents, private readonly fallback?: Builder) {
    for (const b of builders) this.busy.set(b, 0);
  }

  /** Slots of all builders (the scheduler's cpu capacity); at least 1. */
  get slots(): number {
    return Math.max(1, this.builders.reduce((s, b) => s + b.slots, 0));
  }

  /** Builder names in use (for the begin line). */
  get names(): string[] {
    return this.builders.filter((b) => b.slots > 0).map((b) => b.name);
  }

  private usable(b: Builder): boolean {
    return b.slots > 0 && !this.dead.has(b) && b.builds(this.host);
  }

  private markDown(b: Builder, cause: string, node?: PlanNode): void {
    if (this.dead.has(b)) return;
    this.dead.add(b);
    this.ev.down(b.name, cause, node);
    void b.close?.().catch(() => undefined);
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private open(b: Builder): Promise<boolean> {
    let p = this.opening.get(b);
    if (!p) {
      p = b.open ? b.open().then(() => true, (e: Error) => { this.markDown(b, e.message.split('\n')[0]); return false; }) : Promise.resolve(true);
      this.opening.set(b, p);
    }
    return p;
  }

  /** A free slot for `node`, best builder first; undefined when no usable builder is left. */
  private async acquire(node: PlanNode): Promise<Builder | undefined> {
    // Connect every usable builder first (in parallel), so placement knows what each holds.
    await Promise.all(this.builders.filter((b) => this.usable(b)).map((b) => this.open(b)));
    for (;;) {
      const live = this.builders.filter((b) => this.usable(b));
      if (!live.length) {
        const fb = this.fallback;
        if (!fb || this.dead.has(fb)) return undefined;
        if (!this.builders.includes(fb)) {
          this.builders.push(fb);
          this.busy.set(fb, 0);
        }
        continue;
      }
      const free = live.filter((b) => this.busy.get(b)! < b.slots);
      if (free.length) {
        const score = (b: Builder) => [b.holds(node), b.speed, -this.busy.get(b)! / b.slots];
        free.sort((a, b) => {
          const x = score(a);
          const y = score(b);
          for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return y[i] - x[i];
          return 0;
        });
        const b = free[0];
        this.busy.set(b, this.busy.get(b)! + 1);
        return b;
      }
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  private release(b: Builder): void {
    this.busy.set(b, this.busy.get(b)! - 1);
    this.wake();
  }

  /**
   * Build `node` into `o` on the best free builder, moving to another when a builder fails.
   * `reset` empties o's directories before a retry.
   */
  async build(node: PlanNode, o: PendingOutput, io: BuildIO, reset: () => Promise<void>): Promise<BuildOutcome & { builder?: string }> {
    const tried: string[] = [];
    for (;;) {
      const b = await this.acquire(node);
      if (!b) {
        return { ok: false, reason: `no builder left for ${this.host}${tried.length ? ` (failed: ${tried.join('; ')})` : ''}` };
      }
      this.ev.placed(node, b.name);
      let r: BuildOutcome;
      try {
        r = await b.build(node, o, io);
      } catch (e) {
        r = { ok: false, reason: (e as Error).message.split('\n')[0] };
      } finally {
        this.release(b);
      }
      if (!r.builderDown) return { ...r, builder: b.name };
      tried.push(`${b.name}: ${r.reason}`);
      io.note(`builder ${b.name} failed: ${r.reason}; building ${node.name} elsewhere`);
      this.markDown(b, r.reason ?? 'failed', node);
      await reset();
    }
  }

  /** Close every builder's connection. */
  async close(): Promise<void> {
    await Promise.all(this.builders.map((b) => b.close?.().catch(() => undefined)));
  }
}

/** This machine as a builder: `slots` sandbox slots, every input at hand. */
export function hereBuilder(slots: number, run: (n: PlanNode, o: PendingOutput, log: NodeLog) => Promise<string | undefined>): Builder {
  return {
    name: 'here', slots, speed: 1,
    builds: (host) => host.startsWith('linux-'),
    holds: () => 1,
    async build(n, o, io) {
      const why = await run(n, o, io.nodeLog);
      return why === undefined ? { ok: true } : { ok: false, reason: why };
    },
  };
}

/** The pool of one run: here (localSlots, default cores) first, then the remote builders. */
export function builderPool(
  opts: { builders?: Builder[]; localSlots?: number; fallbackHere?: boolean },
  cores: number,
  host: string,
  run: (n: PlanNode, o: PendingOutput, log: NodeLog) => Promise<string | undefined>,
  emit: (e: ExecEvent) => void,
): BuilderPool {
  const slots = opts.localSlots ?? cores;
  return new BuilderPool([hereBuilder(slots, run), ...(opts.builders ?? [])], host, {
    placed: (n, builder) => emit({ event: 'placed', id: n.id, name: n.name, builder }),
    down: (builder, reason, n) => emit({ event: 'builder', builder, status: 'down', reason, ...(n ? { name: n.name } : {}) }),
  }, slots === 0 && opts.fallbackHere !== false ? hereBuilder(1, run) : undefined);
}

/** The BuildIO of one node: log file, step events, byte counts as events. */
export function buildIO(n: PlanNode, log: NodeLog, signal: AbortSignal, emit: (e: ExecEvent) => void): BuildIO {
  let last = '';
  return {
    nodeLog: log,
    signal,
    output(c) {
      log.write(c);
      const line = log.lastLine();
      if (line !== last) { last = line; emit({ event: 'step', id: n.id, name: n.name, line }); }
    },
    note: (line) => log.write(`\n# ix: ${safeText(line)}\n`),
    moved: (builder, sent, received) => emit({ event: 'moved', id: n.id, name: n.name, builder, sent, received }),
  };
}

/** Empty a pending output's directories for another attempt. */
export async function emptyPending(o: PendingOutput): Promise<void> {
  for (const d of [o.tmpOut, o.tmpBuild]) {
    for (const e of await fs.readdir(d).catch(() => [] as string[])) await removeTree(path.join(d, e));
  }
}
