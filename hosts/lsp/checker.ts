/**
 * Checks packages through the WASM core as files change and keeps what it learnt: for each
 * package, its last error (a parsed core message) and the recipe files its plan read; for each
 * file, the packages that read it, joined with the packages whose recipe reaches it by text
 * (users.ts: known before any plan ran). A change of a file re-checks the packages that use it
 * in two stages. First a bounded sample (open recipes first) is rendered on this thread through
 * the kept core instance, a few milliseconds each: a template error shows at once, and a fixed
 * one clears. Then every user is planned, one at a time, on the planning thread (planner.ts), so
 * a long plan never blocks hover or completion. A new change re-orders the queue (its sample
 * first), stops the previous change's render stage and cancels the background plan in flight
 * (queued again behind the sample). No plan starts while an edit waits for its (debounced)
 * change, and a result whose files changed while it was planned is dropped and the package
 * queued again: every published error is of content the checker has scheduled for, so an old
 * error never shows beside a new one. Runaway templates end at the evaluator's bounds (an error).
 *
 * Must not depend on: the executor, the store, the sandbox, the LSP library.
 */
import type { Plan, PlanWire } from '../../engine/api';
import { expandPlan } from '../../engine/plan/expand';
import type { Core } from '../node/core';
import { toMessage } from './core-message';
import type { CoreMessage } from './errors';
import type { Family } from './family';
import type { Planner, PlanResult } from './planner';
import { TemplateUsers } from './users';
import { packageOfFile, type Workspace } from './workspace';

/** The server's probe package (a name no recipe tree can hold: a directory starting with '.'). */
const PROBE = '.ix-lsp/probe';

/** How many users of a shared template are checked before anything is published. */
export const SAMPLE = 8;
/** Plans kept for hover and code lens (by target and selector, for the current content only). */
const MEMO_PLANS = 16;

export interface PlanAnswer {
  plan?: Plan;
  bytes?: Uint8Array;
  error?: CoreMessage;
  /** The files the plan read (a check can take the answer whole). */
  reads?: Set<string>;
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
  /** Packages of the latest sample whose render stage passed (their plan is still to come). */
  private rendered = new Set<string>();
  /** Bumped by every change and target switch: a render stage of an older one stops. */
  private generation = 0;
  private rendering = false;
  private pumping = false;
  private readonly memo = new Map<string, PlanAnswer>();
  private readonly paths = new Map<string, string>();
  private readonly textual: TemplateUsers;
  private readonly arch = new Map<string, { target: Record<string, unknown>; host: Record<string, unknown> }>();
  private memoVersion = -1;
  /** The workspace's content version at the latest change() call: plans start only on content up to it. */
  private known = 0;
  private packageList: { layout: number; names: string[] } | undefined;
  /** Packages checked (planned) since start, and how long the last check's plan took (tests, the bench). */
  checks = 0;
  lastCheckMs = 0;
  /** Render-stage renders since start, and results dropped because their content was stale. */
  renders = 0;
  dropped = 0;
  /** Checks answered by a plan made for a request of the same content. */
  reused = 0;

  constructor(
    private readonly core: Core,
    private readonly ws: Workspace,
    private readonly planner: Planner,
    family: Family,
    /**
     * Called with the package after each check; the next check waits for the promise, so what
     * it publishes leaves the process before another long plan blocks the event loop.
     */
    private readonly onResult: (pkgs: string[]) => void | Promise<void>,
    /** Packages to check first (those whose recipe is open in the editor). */
    private readonly preferred: () => Set<string> = () => new Set(),
  ) {
    this.textual = new TemplateUsers(family, () => ws.templateFiles());
  }

  /** Every package of the roots (buffers included), sorted; listed again only when files come or go. */
  packages(): string[] {
    if (this.packageList?.layout !== this.ws.layout) {
      let names: string[] = [];
      try {
        names = this.core.listPackages(this.ws.io);
      } catch {
        names = this.packageList?.names ?? [];
      }
      this.packageList = { layout: this.ws.layout, names };
    }
    return this.packageList.names;
  }

  /** Packages whose plan read `file` or whose recipe reaches it, and the package it is the recipe of. */
  usersOf(file: string): string[] {
    const users = new Set(this.readers.get(file) ?? []);
    for (const u of this.textual.usersOf(file)) users.add(u);
    const own = packageOfFile(file);
    if (own !== undefined) users.add(own);
    return [...users].sort();
  }

  /** Templates that may reach `file` (the textual index's, or every template file until it is built). */
  reachersOf(file: string): string[] {
    return this.textual.complete ? this.textual.reachersOf(file) : this.ws.templateFiles();
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
    return this.pumping || this.rendering || this.queue.size > 0;
  }

  /** Counters for ix/status. */
  stats(): Record<string, number> {
    return {
      queued: this.queue.size, indexedPackages: this.filesOf.size, indexedFiles: this.readers.size, memo: this.memo.size,
      textualIndexMs: this.textual.complete ? Math.round(this.textual.buildMs) : -1,
    };
  }

  /** Queue every package (start-up, target switch): preferred ones first. */
  checkAll(): void {
    void this.textual.build();
    this.schedule(this.packages(), false);
  }

  /** A file changed (buffer or disk): re-check its users, a sample first. */
  changed(files: string[]): void {
    this.known = this.ws.contentVersion;
    void this.textual.build();
    this.textual.changed(files);
    const users = new Set<string>();
    for (const f of files) for (const u of this.usersOf(f)) users.add(u);
    // a new or deleted package directory may fix or cause "unknown package" errors
    if (files.some((f) => f.endsWith('/ix.sh'))) for (const p of this.errors.keys()) users.add(p);
    for (const u of users) this.stale.add(u);
    this.sample = new Set(this.schedule([...users], true));
    // the background plan in flight is either stale now or holding the sample back: cancelled,
    // it goes back into the queue behind the sample (pump)
    this.planner.cancelBackground();
    this.rendered.clear();
    void this.renderStage([...this.sample], ++this.generation);
  }

  /**
   * Renders the sample on this thread (the kept core instance): a render error is the plan's
   * error too (a plan renders its root first), so it is recorded at once; a clean render hides
   * the package's old error until its plan decides. Yields between renders, and stops when a
   * newer change or a target switch came.
   */
  private async renderStage(pkgs: string[], gen: number): Promise<void> {
    this.rendering = true;
    try {
      for (const pkg of pkgs) {
        if (gen !== this.generation) return;
        if (!this.stale.has(pkg)) continue; // its plan already answered
        this.renders++;
        let error: CoreMessage | undefined;
        try {
          this.core.render(this.ws.io, { package: pkg, target: this.target });
        } catch (e) {
          error = toMessage(e);
        }
        if (error && error.file !== undefined) {
          this.stale.delete(pkg);
          this.errors.set(pkg, error);
        }
        this.rendered.add(pkg);
        await this.onResult([pkg]);
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      if (gen === this.generation) this.rendering = false;
    }
  }

  /**
   * True until the first package of the latest change's sample (an open recipe's own package
   * when there is one) is re-checked: publishing before would only hide the old errors of the
   * file's users and show them again (flicker). After it, every new result is published at once,
   * the errors of users not re-checked yet stay hidden (never shown stale).
   */
  settling(): boolean {
    const first = this.sample.values().next().value as string | undefined;
    return first !== undefined && this.stale.has(first) && !this.rendered.has(first);
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
        // an edit is on its way (debounced): its users are not marked stale yet, so a result of
        // the new content could show beside their old errors; its changed() starts the pump again
        if (this.ws.contentVersion > this.known) break;
        const pkg = this.queue.values().next().value as string;
        this.queue.delete(pkg);
        const before = this.ws.version;
        const target = this.target;
        // a plan of the current content made for a request (a code lens after the edit) is the check
        const hit = this.memoVersion === before ? this.memo.get(this.memoKey(pkg)) : undefined;
        const r: PlanResult = hit?.reads ? { reads: hit.reads, ms: 0, ...(hit.error ? { error: hit.error } : {}) } : await this.planner.plan(pkg, target, false);
        if (hit?.reads) this.reused++;
        if (r.cancelled) {
          if (target === this.target && !this.queue.has(pkg)) this.requeue(pkg, this.sample.size);
          continue;
        }
        this.checks++;
        if (!hit?.reads) this.lastCheckMs = r.ms;
        // a file the plan read changed while it ran, or content changed and the package is
        // queued again, or the target switched: the newer check decides
        const stale = this.ws.changedSince(r.reads, before);
        if (target !== this.target || stale || (this.ws.version !== before && this.queue.has(pkg))) {
          this.dropped++;
          if (stale && target === this.target && !this.queue.has(pkg)) this.requeue(pkg, this.sample.size);
          continue;
        }
        if (this.ws.version === before && !hit?.reads && r.reads.size) this.keep(this.memoKey(pkg), answerOf(r));
        await this.record(pkg, r);
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Puts `pkg` back into the queue at position `at` (behind a sample). */
  private requeue(pkg: string, at: number): void {
    const q = [...this.queue];
    q.splice(Math.min(at, q.length), 0, pkg);
    this.queue.clear();
    for (const p of q) this.queue.add(p);
  }

  /** One shared string per path: every package's read set holds the same few thousand. */
  private intern(f: string): string {
    const hit = this.paths.get(f);
    if (hit !== undefined) return hit;
    this.paths.set(f, f);
    return f;
  }

  private record(pkg: string, r: PlanResult): void | Promise<void> {
    const old = this.filesOf.get(pkg);
    const reads = new Set([...r.reads].map((f) => this.intern(f)));
    // a failed plan stopped early: keep the files it read before, so their changes still reach it
    const files = r.error && old ? new Set([...old, ...reads]) : reads;
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
    this.rendered.clear();
    this.generation++;
    this.memo.clear();
    if (had.length) void this.onResult(had);
  }

  private memoKey(selector: string): string {
    return `${this.target}\0${selector}`;
  }

  /** Keeps a plan for the current content, the oldest out past MEMO_PLANS. */
  private keep(key: string, a: PlanAnswer): void {
    if (this.memoVersion !== this.ws.version) {
      this.memo.clear();
      this.memoVersion = this.ws.version;
    }
    this.memo.delete(key);
    this.memo.set(key, a);
    if (this.memo.size > MEMO_PLANS) this.memo.delete(this.memo.keys().next().value as string);
  }

  /**
   * The plan of one selector for the current target: a plan of the current content if one was
   * made (a check's, or an earlier request's), else planned on the planning thread ahead of the
   * background checks.
   */
  async planOf(selector: string): Promise<PlanAnswer> {
    const key = this.memoKey(selector);
    let a = this.memoVersion === this.ws.version ? this.memo.get(key) : undefined;
    if (!a) {
      const before = this.ws.version;
      const r = await this.planner.plan(selector, this.target, true);
      a = answerOf(r);
      // an answer without reads is a planning thread that died: asked again next time
      if (this.ws.version === before && key === this.memoKey(selector) && r.reads.size) this.keep(key, a);
    }
    if (a.bytes && !a.plan) a.plan = expandPlan(JSON.parse(new TextDecoder().decode(a.bytes)) as PlanWire);
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

/** What a plan answered, as kept for requests and checks. */
function answerOf(r: PlanResult): PlanAnswer {
  const a: PlanAnswer = { reads: r.reads };
  if (r.error) a.error = r.error;
  else if (r.bytes) a.bytes = r.bytes;
  return a;
}
