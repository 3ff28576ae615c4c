/**
 * A remote builder as the executor's pool sees it (exec/builders.ts Builder): one SSH session
 * (session.ts) shared by its `jobs` slots. On open it learns which of the plan's paths the builder
 * already has, so placement can prefer it for nodes whose inputs are there. To build a node it
 * first lets the builder take the inputs it lacks from the binary caches it trusts, then sends
 * the rest as archives (each at most once, also when several builds
 * need it at the same time), asks for the build with the log streaming back into the local log,
 * then fetches the output's archive and unpacks it into the local pending output; the executor's
 * commit accepts it only if its tree hash is the one the builder reported (and the record's).
 *
 * Anything that goes wrong with the builder rather than the node (the session dies, the builder
 * refuses an input, the output archive does not match) is a `builderDown` outcome: the pool
 * retries the node elsewhere and stops using this builder.
 *
 * Must not depend on: the sandbox, anything Linux-only.
 */
import type { PlanNode } from '../../../engine/api';
import type { Builder, BuildIO, BuildOutcome } from '../exec';
import type { PendingOutput, Store } from '../store';
import { BuilderDown, Session } from './session';
import type { BuilderSpec } from './spec';
import { checkRecord, packForWire, receiveOutput } from './transfer';
import { trustedKeys } from './trust';
import type { PublicKey } from '../cache/index';

export interface RemoteOptions {
  /** The local store (inputs are packed from it). */
  store: Store;
  /** Every store path of the plan (asked about once, at open). */
  paths: string[];
  env: Record<string, string | undefined>;
  /** Per-node time-out handed to the builder (ms). */
  timeoutMs?: number;
  /** Test seam: the session (default: ssh to the spec's host). */
  connect?: () => Promise<Session>;
}

export class RemoteBuilder implements Builder {
  readonly name: string;
  readonly slots: number;
  readonly speed: number;
  private session: Session | undefined;
  /** Paths the builder is known to have. */
  private readonly present = new Set<string>();
  /** Inputs being sent now (so two builds send one archive once). */
  private readonly sending = new Map<string, Promise<void>>();
  private keys: PublicKey[] = [];

  constructor(readonly spec: BuilderSpec, private readonly opts: RemoteOptions) {
    this.name = spec.name;
    this.slots = spec.jobs;
    this.speed = spec.speed;
  }

  builds(host: string): boolean {
    return this.spec.targets.includes(host);
  }

  holds(node: PlanNode): number {
    if (!node.inputs.length) return 1;
    return node.inputs.filter((p) => this.present.has(p)).length / node.inputs.length;
  }

  async open(): Promise<void> {
    this.keys = trustedKeys(this.spec);
    this.session = await (this.opts.connect?.() ?? Session.open(this.spec, this.opts.env));
    if (this.keys.length && !this.session.peer?.signs) {
      await this.session.close();
      throw new BuilderDown('does not sign what it sends (run it as ix store serve --stdio --secret-key=FILE), but trust= requires signatures');
    }
    for (const p of await this.session.have(this.opts.paths)) this.present.add(p);
  }

  /** Send `path` (its references first: the builder accepts a path only when they are there). */
  private async send(path: string, io: BuildIO, s: Session): Promise<void> {
    let p = this.sending.get(path);
    if (!p) {
      p = (async () => {
        const rec = await this.opts.store.record(path);
        for (const r of rec?.refs ?? []) if (r !== path && !this.present.has(r)) await this.send(r, io, s);
        const packed = await packForWire(this.opts.store, path);
        const before = s.bytes.sent;
        await s.put(packed.record, packed.bytes);
        io.moved(this.name, s.bytes.sent - before, 0);
        this.present.add(path);
      })();
      this.sending.set(path, p);
      p.finally(() => this.sending.delete(path)).catch(() => undefined);
    }
    return p;
  }

  async build(node: PlanNode, o: PendingOutput, io: BuildIO): Promise<BuildOutcome> {
    const s = this.session;
    if (!s || !s.alive) return { ok: false, builderDown: true, reason: 'not connected' };
    const down = (e: unknown): BuildOutcome => ({ ok: false, builderDown: true, reason: (e as Error).message.split('\n')[0] });
    try {
      const missing = node.inputs.filter((p) => !this.present.has(p));
      if (missing.length) {
        // The builder takes what its own trusted caches hold (another client may also have sent
        // some meanwhile); only the rest is sent from here.
        const got = await s.have(missing, true);
        for (const p of got) this.present.add(p);
        if (got.size) io.note(`${this.name} has ${got.size} of the ${missing.length} inputs it lacked (from its binary caches or another client)`);
        const rest = missing.filter((p) => !this.present.has(p));
        if (rest.length) io.note(`sending ${rest.length} input${rest.length > 1 ? 's' : ''} to ${this.name}`);
        for (const p of rest) await this.send(p, io, s);
      }
      io.note(`building on ${this.name}`);
      const r = await s.build(node, (b) => {
        io.output(b);
        io.moved(this.name, 0, b.length);
      }, io.signal, this.opts.timeoutMs);
      // A full disk there is the builder's trouble, not the node's: try elsewhere.
      if (!r.ok && /ENOSPC|no space left on device/i.test(r.reason ?? '')) throw new BuilderDown(`out of disk space: ${r.reason}`);
      if (!r.ok) return { ok: false, reason: `${r.reason} (on ${this.name})` };
      const got = await s.get(node.out);
      io.moved(this.name, 0, got.bytes.length);
      const record = checkRecord(got.record, node.out);
      if (record.treeHash !== r.hash) throw new BuilderDown(`reported ${r.hash} for ${node.out} but sent a record of ${record.treeHash}`);
      let hash: string;
      try {
        hash = await receiveOutput(this.opts.store, node, record, got.bytes, o, this.keys.length ? this.keys : undefined);
      } catch (e) {
        throw new BuilderDown(`sent ${node.out}: ${(e as Error).message.split('\n')[0]}`);
      }
      this.present.add(node.out);
      return { ok: true, expectHash: hash };
    } catch (e) {
      return down(e);
    }
  }

  async close(): Promise<void> {
    await this.session?.close();
  }
}
