/**
 * The client end of one builder connection: spawns ssh (ssh.ts), speaks ix-remote/1 over its
 * stdin/stdout (frames.ts, protocol.ts) and offers the requests as promises. Several requests
 * run at once on one session, each on its own channel. When the session dies (ssh exits, the
 * peer closes, a frame is garbage, or the builder stays silent past its time-out) every pending
 * request rejects with a BuilderDown error whose message is the one-line cause.
 *
 * Must not depend on: the executor, the store, anything Linux-only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { PlanNode } from '../../../engine/api';
import { FramedConnection, type Frame } from './frames';
import { PROTOCOL, str, strings, versionMismatch, type Hello } from './protocol';
import { sshCause, sshCommand } from './ssh';
import type { BuilderSpec } from './spec';
import { wireRecord, type TransferRecord } from './transfer';

/** The builder itself failed (not the node): `message` is the one-line cause. */
export class BuilderDown extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuilderDown';
  }
}

interface Pending {
  onJson(msg: Record<string, unknown>): void;
  onBytes?(b: Buffer): void;
  fail(e: Error): void;
}

export interface BuildReply {
  ok: boolean;
  /** Tree hash the builder committed (ok). */
  hash?: string;
  /** Why the node failed (not ok). */
  reason?: string;
}

export class Session {
  private readonly conn: FramedConnection;
  private readonly pending = new Map<number, Pending>();
  private next = 1;
  private down: BuilderDown | undefined;
  private hello: ((h: Hello) => void) | undefined;
  private stderr = '';
  private lastHeard = Date.now();
  private watchdog: NodeJS.Timeout;
  private deathCause: string | undefined;
  /** The builder's hello (after open()). */
  peer: Hello | undefined;

  private constructor(private readonly name: string, input: Readable, output: Writable, private readonly child: ChildProcess | undefined, timeoutMs: number) {
    this.conn = new FramedConnection(input, output, (f) => this.frame(f), (why) => this.ended(why));
    this.watchdog = setInterval(() => {
      if (this.pending.size && Date.now() - this.lastHeard > timeoutMs) {
        this.kill(`no answer for ${Math.round(timeoutMs / 1000)} s (time-out)`);
      }
    }, Math.min(1000, timeoutMs));
    this.watchdog.unref();
  }

  /** Connect over ssh and exchange hellos; rejects with BuilderDown and a one-line cause. */
  static async open(spec: BuilderSpec, env: Record<string, string | undefined>): Promise<Session> {
    const cmd = sshCommand(spec, env);
    const child = spawn(cmd.program, cmd.args, { stdio: ['pipe', 'pipe', 'pipe'], env: env as NodeJS.ProcessEnv });
    const s = new Session(spec.name, child.stdout!, child.stdin!, child, spec.timeoutMs);
    child.stderr!.on('data', (d: Buffer) => { s.stderr = (s.stderr + d.toString()).slice(-4000); });
    child.on('error', (e) => s.kill(`cannot run ${cmd.program}: ${e.message}`));
    child.on('exit', (code, signal) => {
      // Let stdout's end and stderr's last bytes arrive first, then name the cause.
      setTimeout(() => s.died(sshCause(code, signal, s.stderr)), 50);
    });
    return s.handshake(Math.max(spec.timeoutMs, 30_000));
  }

  /** A session over given streams (tests, `ix store serve` spoken to in-process). */
  static async over(name: string, input: Readable, output: Writable, timeoutMs = 120_000): Promise<Session> {
    return new Session(name, input, output, undefined, timeoutMs).handshake(timeoutMs);
  }

  private async handshake(timeoutMs: number): Promise<Session> {
    const got = new Promise<Hello>((resolve, reject) => {
      this.hello = resolve;
      this.pending.set(0, { onJson: () => undefined, fail: reject });
      setTimeout(() => reject(new BuilderDown(`no hello within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs).unref();
    });
    await this.conn.sendJson(0, { op: 'hello', protocol: PROTOCOL, ix: 'ix' } satisfies Hello).catch(() => undefined);
    try {
      this.peer = await got;
    } catch (e) {
      this.kill((e as Error).message);
      throw this.down ?? e;
    } finally {
      this.pending.delete(0);
    }
    if (this.peer.protocol !== PROTOCOL) {
      const msg = versionMismatch(this.peer.protocol);
      this.kill(msg);
      throw new BuilderDown(msg);
    }
    return this;
  }

  private frame(f: Frame): void {
    this.lastHeard = Date.now();
    if (f.kind === 'J' && f.ch === 0) {
      const m = f.msg;
      if (m.op === 'hello' && this.hello) {
        this.hello({ op: 'hello', protocol: typeof m.protocol === 'string' ? m.protocol : '', ix: String(m.ix ?? ''), signs: m.signs === true });
        this.hello = undefined;
      } else if (m.op === 'error') {
        this.kill(m.code === 'protocol' ? `refused our protocol: ${String(m.message)}` : `error: ${String(m.message)}`);
      }
      return;
    }
    const p = this.pending.get(f.ch);
    if (!p) return; // a request we gave up on
    if (f.kind === 'B') p.onBytes?.(f.data);
    else {
      try {
        p.onJson(f.msg);
      } catch (e) {
        this.kill(`sent a bad message: ${(e as Error).message}`);
      }
    }
  }

  private ended(why: Error | undefined): void {
    // A broken pipe to ssh is a symptom of ssh exiting (host unreachable, key rejected): like the
    // end of its output, wait for its exit, which says why (or die after a short grace).
    const symptom = why === undefined || (why as NodeJS.ErrnoException).code === 'EPIPE';
    if (!symptom) this.kill(why.message);
    else setTimeout(() => this.died(why?.message ?? 'connection closed'), this.child ? 2000 : 0).unref();
  }

  /** Stop the session: `cause` becomes the error of every pending request. */
  kill(cause: string): void {
    this.deathCause ??= cause;
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    this.died(cause);
  }

  private died(cause: string): void {
    if (this.down) return;
    this.down = new BuilderDown(this.deathCause ?? cause);
    clearInterval(this.watchdog);
    for (const p of this.pending.values()) p.fail(this.down);
    this.pending.clear();
  }

  get alive(): boolean {
    return !this.down;
  }

  /** Bytes sent and received over this session so far. */
  get bytes(): { sent: number; received: number } {
    return { sent: this.conn.sent, received: this.conn.received };
  }

  private request<T>(msg: object, handle: (resolve: (v: T) => void, reject: (e: Error) => void) => Omit<Pending, 'fail'>): { ch: number; done: Promise<T> } {
    if (this.down) return { ch: 0, done: Promise.reject(this.down) };
    const ch = this.next++;
    const done = new Promise<T>((resolve, reject) => {
      const h = handle((v) => { this.pending.delete(ch); resolve(v); }, (e) => { this.pending.delete(ch); reject(e); });
      this.pending.set(ch, { ...h, fail: reject });
    });
    this.conn.sendJson(ch, msg).catch(() => undefined);
    return { ch, done };
  }

  private static remoteError(m: Record<string, unknown>): Error | undefined {
    return m.op === 'error' ? new Error(String(m.message ?? 'error')) : undefined;
  }

  /**
   * Which of `paths` the builder has; with `substitute`, after it took what the binary caches it
   * trusts hold (a builder that predates this ignores the field and answers as before).
   */
  have(paths: string[], substitute = false): Promise<Set<string>> {
    return this.request<Set<string>>({ op: 'have', paths, ...(substitute ? { substitute: true } : {}) }, (ok, no) => ({
      onJson: (m) => {
        const e = Session.remoteError(m);
        if (e) return no(e);
        ok(new Set(strings(m, 'paths')));
      },
    })).done;
  }

  /** Send an archive of `record.path`; resolves when the builder has committed it. */
  async put(record: TransferRecord, bytes: Buffer): Promise<void> {
    const r = this.request<void>({ op: 'put', path: record.path, record: wireRecord(record) }, (ok, no) => ({
      onJson: (m) => {
        const e = Session.remoteError(m);
        if (e) return no(e);
        if (m.op === 'ok') ok();
      },
    }));
    if (r.ch) {
      await this.conn.sendBytes(r.ch, bytes).catch(() => undefined);
      await this.conn.sendJson(r.ch, { op: 'end' }).catch(() => undefined);
    }
    return r.done;
  }

  /** Build a node whose inputs the builder has; log bytes stream to `onLog`. */
  build(node: PlanNode, onLog: (b: Buffer) => void, signal: AbortSignal, timeoutMs?: number): Promise<BuildReply> {
    const r = this.request<BuildReply>({ op: 'build', node, ...(timeoutMs ? { timeoutMs } : {}) }, (ok, no) => ({
      onBytes: onLog,
      onJson: (m) => {
        const e = Session.remoteError(m);
        if (e) return no(e);
        if (m.op === 'built') ok({ ok: true, hash: str(m, 'hash') });
        else if (m.op === 'failed') ok({ ok: false, reason: str(m, 'reason') });
      },
    }));
    const cancel = () => { if (r.ch) this.conn.sendJson(r.ch, { op: 'cancel' }).catch(() => undefined); };
    signal.addEventListener('abort', cancel, { once: true });
    return r.done.finally(() => signal.removeEventListener('abort', cancel));
  }

  /** Fetch the archive of a path the builder has. */
  get(path: string): Promise<{ record: unknown; bytes: Buffer }> {
    const chunks: Buffer[] = [];
    let record: unknown;
    return this.request<{ record: unknown; bytes: Buffer }>({ op: 'get', path }, (ok, no) => ({
      onBytes: (b) => chunks.push(b),
      onJson: (m) => {
        const e = Session.remoteError(m);
        if (e) return no(e);
        if (m.op === 'archive') record = m.record;
        else if (m.op === 'end') ok({ record, bytes: Buffer.concat(chunks) });
      },
    })).done;
  }

  /** Say goodbye and let ssh end. */
  async close(): Promise<void> {
    if (this.down) return;
    await this.conn.sendJson(0, { op: 'bye' }).catch(() => undefined);
    this.conn.close();
    this.deathCause = 'closed';
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { child.kill('SIGTERM'); resolve(); }, 5000);
        child.once('exit', () => { clearTimeout(t); resolve(); });
      });
    }
    this.died('closed');
  }
}
