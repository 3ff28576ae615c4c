/**
 * Checks packages through the WASM core as files change and keeps what it learnt: for each
 * package, its last error (a parsed core message) and the recipe files its plan read; for each
 * file, the packages that read it. A change of a file re-checks the packages that use it: a
 * bounded sample first (open recipes first), the rest queued behind it, one package per turn of
 * the event loop so typing never waits for a long tail. A result computed against content that
 * changed meanwhile, for a package already queued again, is dropped (the newer check wins), so no
 * stale error is ever published. Runaway templates end at the evaluator's bounds (an error).
 *
 * Must not depend on: the executor, the store, the sandbox, the LSP library.
 */
import type { Plan, PlanRequest, PlanWire } from '../../engine/api';
import { expandPlan } from '../../engine/plan/expand';
import { CoreError, HostError, type Core } from '../node/core';
import { fromRecord, type CoreMessage } from './errors';
import { packageOfFile, type Workspace } from './workspace';

/** The server's probe package (a name no recipe tree can hold: a directory starting with '.'). */
const PROBE = '.ix-lsp/probe';

/** How many users of a shared template are checked before anything is published. */
export const SAMPLE = 8;

export interface PlanAnswer {
  plan?: Plan;
  bytes?: Uint8Array;
  error?: CoreMessage;
}

export class Checker {
  /** The target plans are made for (a workspace setting). */
  target = 'linux-x86_64';
  private readonly errors = new Map<string, CoreMessage>();
  private readonly filesOf = new Map<string, Set<string>>();
  private readonly readers = new Map<string, Set<string>>();
  private readonly queue = new Set<string>();
  /** Packages whose last result predates a change of a file they use: their errors are hidden. */
  private readonly stale = new Set<string>();
  /** The sample of the latest change: diagnostics wait until these are checked (no flicker). */
  private sample = new Set<string>();
  private pumping = false;
  private memo = new Map<string, PlanAnswer>();
  private readonly arch = new Map<string, { target: Record<string, unknown>; host: Record<string, unknown> }>();
  private memoVersion = -1;
  private packageList: { version: number; names: string[] } | undefined;
  /** Packages checked since start, and how long the last check's plan took (tests, the bench). */
  checks = 0;
  lastCheckMs = 0;

  constructor(
    private readonly core: Core,
    private readonly ws: Workspace,
    /**
     * Called with the package after each check; the next check waits for the promise, so what
     * it publishes leaves the process before another long plan blocks the event loop.
     */
    private readonly onResult: (pkgs: string[]) => void | Promise<void>,
    /** Packages to check first (those whose recipe is open in the editor). */
    private readonly preferred: () => Set<string> = () => new Set(),
  ) {}

  /** Every package of the roots (buffers included), sorted. */
  packages(): string[] {
    if (this.packageList?.version !== this.ws.version) {
      let names: string[] = [];
      try {
        names = this.core.listPackages(this.ws.io);
      } catch {
        names = this.packageList?.names ?? [];
      }
      this.packageList = { version: this.ws.version, names };
    }
    return this.packageList.names;
  }

  /** Packages whose plan read `file` (and the package the file is the recipe of). */
  usersOf(file: string): string[] {
    const users = new Set(this.readers.get(file) ?? []);
    const own = packageOfFile(file);
    if (own !== undefined) users.add(own);
    return [...users].sort();
  }

  errorOf(pkg: string): CoreMessage | undefined {
    return this.errors.get(pkg);
  }

  /** Packages that currently have an error (not those waiting for a re-check after a change). */
  failing(): string[] {
    return [...this.errors.keys()].filter((p) => !this.stale.has(p));
  }

  /** True while checks are queued or running. */
  busy(): boolean {
    return this.pumping || this.queue.size > 0;
  }

  /** Queue every package (start-up, target switch): preferred ones first. */
  checkAll(): void {
    this.schedule(this.packages(), false);
  }

  /** A file changed (buffer or disk): re-check its users, a sample first. */
  changed(files: string[]): void {
    const users = new Set<string>();
    for (const f of files) for (const u of this.usersOf(f)) users.add(u);
    // a new or deleted package directory may fix or cause "unknown package" errors
    if (files.some((f) => f.endsWith('/ix.sh'))) for (const p of this.errors.keys()) users.add(p);
    for (const u of users) this.stale.add(u);
    this.sample = new Set(this.schedule([...users], true));
  }

  /**
   * True until the first package of the latest change's sample (an open recipe's own package
   * when there is one) is re-checked: publishing before would only hide the old errors of the
   * file's users and show them again (flicker). After it, every new result is published at once,
   * the errors of users not re-checked yet stay hidden (never shown stale).
   */
  settling(): boolean {
    const first = this.sample.values().next().value as string | undefined;
    return first !== undefined && this.stale.has(first);
  }

  /** Queues packages; urgent ones go first, at most SAMPLE of them. Returns the urgent head. */
  private schedule(pkgs: string[], urgent: boolean): string[] {
    const pref = this.preferred();
    const ordered = [...pkgs.filter((p) => pref.has(p)), ...pkgs.filter((p) => !pref.has(p))];
    if (urgent) {
      const head = ordered.slice(0, SAMPLE);
      const rest = [...this.queue].filter((p) => !head.includes(p));
      this.queue.clear();
      for (const p of [...head, ...rest, ...ordered.slice(SAMPLE)]) this.queue.add(p);
      void this.pump();
      return head;
    }
    for (const p of ordered) this.queue.add(p);
    void this.pump();
    return [];
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.size) {
        const pkg = this.queue.values().next().value as string;
        this.queue.delete(pkg);
        const before = this.ws.version;
        const result = this.check(pkg);
        // content changed meanwhile and the package is queued again: the newer check decides
        if (!(this.ws.version !== before && this.queue.has(pkg))) await this.record(pkg, result);
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Plans one package now, recording the files it read. */
  private check(pkg: string): { reads: Set<string>; error?: CoreMessage } {
    this.checks++;
    this.ws.startRecording();
    let error: CoreMessage | undefined;
    const t0 = performance.now();
    try {
      this.core.plan(this.ws.io, this.request(pkg));
    } catch (e) {
      error = toMessage(e);
    }
    this.lastCheckMs = performance.now() - t0;
    return { reads: this.ws.stopRecording(), error };
  }

  private record(pkg: string, r: { reads: Set<string>; error?: CoreMessage }): void | Promise<void> {
    const old = this.filesOf.get(pkg);
    // a failed plan stopped early: keep the files it read before, so their changes still reach it
    const files = r.error && old ? new Set([...old, ...r.reads]) : r.reads;
    for (const f of old ?? []) if (!files.has(f)) this.readers.get(f)?.delete(pkg);
    for (const f of files) {
      let s = this.readers.get(f);
      if (!s) this.readers.set(f, (s = new Set()));
      s.add(pkg);
    }
    this.filesOf.set(pkg, files);
    this.stale.delete(pkg);
    if (r.error) this.errors.set(pkg, r.error);
    else this.errors.delete(pkg);
    // also when the error is unchanged: where it lands may have moved (the server dedups)
    return this.onResult([pkg]);
  }

  /** Forgets every result (target switch): errors are re-learnt by checkAll. */
  reset(): void {
    const had = [...this.errors.keys()];
    this.errors.clear();
    this.stale.clear();
    this.sample.clear();
    this.memo.clear();
    if (had.length) void this.onResult(had);
  }

  private request(selector: string): PlanRequest {
    return { packages: [selector], target: this.target };
  }

  /** The plan of one selector for the current target (memoised until content changes). */
  planOf(selector: string): PlanAnswer {
    if (this.memoVersion !== this.ws.version) {
      this.memo.clear();
      this.memoVersion = this.ws.version;
    }
    const key = `${this.target}\0${selector}`;
    let a = this.memo.get(key);
    if (!a) {
      try {
        const bytes = this.core.plan(this.ws.io, this.request(selector));
        a = { bytes, plan: expandPlan(JSON.parse(new TextDecoder().decode(bytes)) as PlanWire) };
      } catch (e) {
        a = { error: toMessage(e) };
      }
      this.memo.set(key, a);
    }
    return a;
  }

  /**
   * The architecture records templates see as `target` and `host` for the current target, read
   * through the core by rendering a probe package that exists only in the server's memory (so the
   * values are the engine's, never a copy). Undefined if the core refuses.
   */
  archRecords(): { target: Record<string, unknown>; host: Record<string, unknown> } | undefined {
    const hit = this.arch.get(this.target);
    if (hit) return hit;
    this.ws.virtual.set(`${PROBE}/ix.sh`, '{"target": {{ target | jd }}, "host": {{ host | jd }}}\n');
    try {
      const r = JSON.parse(this.core.render(this.ws.io, { package: PROBE, target: this.target })) as { target: Record<string, unknown>; host: Record<string, unknown> };
      this.arch.set(this.target, r);
      return r;
    } catch {
      return undefined;
    }
  }

  /** The rendered descriptor text of a package for the current target. */
  render(pkg: string): { text?: string; error?: CoreMessage } {
    try {
      return { text: this.core.render(this.ws.io, { package: pkg, target: this.target }) };
    } catch (e) {
      return { error: toMessage(e) };
    }
  }
}

/**
 * A core or host failure as a message (the core's record fields); anything else (a bug, a trap
 * in the core: the loader replaces the dead instance at the next call) keeps its first line.
 */
function toMessage(e: unknown): CoreMessage {
  if (e instanceof CoreError && !e.internal) return fromRecord(e);
  if (e instanceof HostError) return { detail: `host error: ${e.message}`, chain: [], suggestions: [] };
  const text = e instanceof Error ? e.message : String(e);
  return { detail: `internal error in ix: ${text.split('\n')[0]}`, chain: [], suggestions: [] };
}
