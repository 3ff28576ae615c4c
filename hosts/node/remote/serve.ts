/**
 * The builder end of ix-remote/1: `ix store serve --stdio` reads requests on stdin and answers on
 * stdout (see protocol.ts for the messages). It builds each node with this machine's own executor
 * and sandbox, exactly as a local `ix build` would (same locks, logs, output checks and atomic
 * commit), imports the archives it receives through the same verification as a substituted path,
 * and packs the outputs it is asked for. Before a client sends inputs it asks `have` with
 * `substitute`: the builder first takes what the binary caches it trusts hold (its own
 * configuration, checked like any substitution), so only the rest crosses the connection. Everything this session was asked about, received or
 * builds is registered as a gc hold (hosts/node/gc/holds.ts) before it is looked at, so the
 * builder's `ix gc` never removes the inputs of a build that is still running.
 *
 * When the client goes away (its ssh closes: Ctrl-C, a dead network) the running builds are
 * cancelled, their partial outputs dropped by the executor, and the process exits; if it is
 * killed instead, the store's recovery removes what was left (nothing counts as built).
 *
 * Must not depend on: the CLI.
 */
import type { Readable, Writable } from 'node:stream';
import { parseStorePath } from '../../common';
import type { PlanNode } from '../../../engine/api';
import { holdPaths, type Hold } from '../gc';
import { execute, type ExecEvent, DiskFullError } from '../exec';
import { openStore, type Store } from '../store';
import { FramedConnection, type Frame } from './frames';
import { ALIVE_MS, PROTOCOL, str, strings } from './protocol';
import { checkRecord, importInput, packForWire, wireRecord } from './transfer';
import type { SecretKey } from '../cache/index';
import type { Runner } from '../../common';

export interface ServeOptions {
  /** The ix root. */
  root: string;
  /** Diagnostics (stderr); never stdout, which carries the protocol. */
  note?: (line: string) => void;
  /** ix version for the hello. */
  version?: string;
  /** Sign the records of the outputs it sends (`--secret-key=FILE`). */
  secretKey?: SecretKey;
  /**
   * Fill the store from the binary caches this machine trusts: asked for the paths a client is
   * about to send (`have` with `substitute`), so it sends only what they lack. Resolves to the
   * paths now present.
   */
  substitute?(store: Store, paths: string[]): Promise<string[]>;
  /** Runs the nodes it is asked to build (the command line hands in the host's Runner); none: builds fail. */
  run?: Runner;
}

/** Checks the shape of a node sent by a client (the executor and sandbox check the rest). */
function checkNode(x: unknown): PlanNode {
  const n = x as PlanNode;
  if (!n || typeof n.id !== 'string' || typeof n.out !== 'string' || typeof n.name !== 'string' || !Array.isArray(n.inputs) || !Array.isArray(n.runtime)) {
    throw new Error('build: not a plan node');
  }
  const sp = parseStorePath(n.out);
  if (!sp || sp.id !== n.id) throw new Error(`build: node ${n.name} has a bad output path ${n.out}`);
  if (n.fetch || n.net) throw new Error(`build: ${n.name} uses the network (a fetch node or a fixed-output build); the client runs those itself`);
  if (!n.cmd) throw new Error(`build: ${n.name} has no command`);
  for (const p of [...n.inputs, ...n.runtime]) if (!parseStorePath(p)) throw new Error(`build: ${n.name} names a bad store path ${p}`);
  return n;
}

/** Serve one client until it says bye or goes away; resolves with the exit code. */
export async function serve(input: Readable, output: Writable, opts: ServeOptions): Promise<number> {
  const note = opts.note ?? (() => undefined);
  const store: Store = await openStore({ root: opts.root, onWait: () => undefined });
  const hold: Hold = await holdPaths(store.layout, [], `ix store serve (builder session, pid ${process.pid})`);
  // Hold.add rewrites one file through one temp name: concurrent requests take turns.
  let holding: Promise<void> = Promise.resolve();
  const holdMore = (paths: string[]): Promise<void> => (holding = holding.catch(() => undefined).then(() => hold.add(paths)));
  const builds = new Map<number, AbortController>();
  const running = new Set<Promise<unknown>>();
  /** Inputs arriving: their bytes are held up to the archive size their record names, no more. */
  const puts = new Map<number, { path: string; record: unknown; chunks: Buffer[]; size: number; limit: number }>();
  let greeted = false;
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((r) => { finish = r; });

  const conn = new FramedConnection(input, output, (f) => onFrame(f), (why) => {
    if (why) note(`ix store serve: ${why.message}`);
    stop(why ? 1 : 0);
  });
  const send = (ch: number, msg: object) => conn.sendJson(ch, msg).catch(() => undefined);
  const fail = (ch: number, e: unknown) => send(ch, { op: 'error', message: (e instanceof Error ? e.message : String(e)).split('\n')[0] });
  const track = (p: Promise<unknown>) => { running.add(p); p.finally(() => running.delete(p)); };

  let stopping = false;
  function stop(code: number): void {
    if (stopping) return;
    stopping = true;
    for (const a of builds.values()) a.abort();
    void Promise.allSettled([...running]).then(async () => {
      await hold.release();
      conn.close();
      finish(code);
    });
  }

  async function have(ch: number, paths: string[], substitute: boolean): Promise<void> {
    await holdMore(paths); // held before looked at: a gc either ran before or keeps them
    const present: string[] = [];
    const lacking: string[] = [];
    for (const p of paths) {
      if (!parseStorePath(p)) continue;
      if (await store.isBuilt(p)) present.push(p);
      else lacking.push(p);
    }
    // The client is about to send these: take what our own trusted caches have first.
    if (substitute && lacking.length && opts.substitute) {
      try {
        const got = await opts.substitute(store, lacking);
        if (got.length) note(`ix store serve: ${got.length} of ${lacking.length} inputs from this machine's binary caches`);
        present.push(...got);
      } catch (e) {
        note(`ix store serve: binary caches: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    await send(ch, { op: 'have', paths: present });
  }

  async function put(ch: number, p: { path: string; record: unknown; chunks: Buffer[] }): Promise<void> {
    const record = checkRecord(p.record, p.path);
    await holdMore([record.path]);
    await importInput(store, record, Buffer.concat(p.chunks));
    await send(ch, { op: 'ok' });
  }

  async function build(ch: number, node: PlanNode, timeoutMs: number | undefined): Promise<void> {
    // Cancellable from the first moment: a session that stops while this waits must not start it.
    const cancel = new AbortController();
    builds.set(ch, cancel);
    if (stopping) cancel.abort();
    try {
      await holdMore([node.out, ...node.inputs]);
      const missing: string[] = [];
      for (const p of node.inputs) if (!(await store.isBuilt(p))) missing.push(p);
      if (missing.length) throw new Error(`build ${node.name}: inputs missing here: ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''}`);
      if (cancel.signal.aborted) {
        await send(ch, { op: 'failed', reason: 'cancelled' });
        return;
      }
      await runBuild(ch, node, timeoutMs, cancel);
    } finally {
      builds.delete(ch);
    }
  }

  async function runBuild(ch: number, node: PlanNode, timeoutMs: number | undefined, cancel: AbortController): Promise<void> {
    const alive = setInterval(() => void send(ch, { op: 'alive' }), ALIVE_MS);
    let reason = 'failed';
    try {
      // A build that fails because this machine's disk is full is the builder's trouble, not the
      // node's (exec/disk-full.ts): the client then tries elsewhere.
      const r = await execute([node], {
        store, timeoutMs, keepGoing: false,
        reporter: { emit: (e: ExecEvent) => { if (e.event === 'done' && e.reason) reason = e.reason; }, close() {} },
        run: opts.run && ((n, ro) => opts.run!(n, {
          ...ro,
          signal: ro.signal ? AbortSignal.any([ro.signal, cancel.signal]) : cancel.signal,
          output: (c) => { ro.output?.(c); void conn.sendBytes(ch, c).catch(() => undefined); },
        })),
      }).catch((e: unknown) => {
        if (!(e instanceof DiskFullError)) throw e;
        return { ok: false as const, full: e };
      });
      const rec = r.ok ? await store.record(node.out) : undefined;
      if (rec) await send(ch, { op: 'built', path: node.out, hash: rec.hash });
      else if (cancel.signal.aborted) await send(ch, { op: 'failed', reason: 'cancelled' });
      else await send(ch, { op: 'failed', reason: 'full' in r ? `ENOSPC: no space left on device in ${store.layout.root} (${r.full.reason})` : reason });
    } finally {
      clearInterval(alive);
    }
  }

  async function get(ch: number, path: string): Promise<void> {
    await holdMore([path]);
    // The client hashes what it unpacks against this record before committing: no re-hash here.
    const packed = await packForWire(store, path, opts.secretKey, { recheck: false });
    await send(ch, { op: 'archive', record: wireRecord(packed.record) });
    await conn.sendBytes(ch, packed.bytes);
    await send(ch, { op: 'end' });
  }

  function onFrame(f: Frame): void {
    if (stopping) return;
    if (!greeted) {
      if (f.kind !== 'J' || f.msg.op !== 'hello') {
        void fail(0, 'the first message must be hello').then(() => stop(2));
        return;
      }
      if (f.msg.protocol !== PROTOCOL) {
        void send(0, { op: 'error', code: 'protocol', message: `this builder speaks ${PROTOCOL}, the client ${String(f.msg.protocol)}` }).then(() => stop(2));
        return;
      }
      greeted = true;
      return;
    }
    const ch = f.ch;
    if (f.kind === 'B') {
      const p = puts.get(ch);
      if (!p) return;
      p.size += f.data.length;
      if (p.size > p.limit) {
        puts.delete(ch);
        void fail(ch, `${p.path}: more archive bytes than the ${p.limit} its record names`);
        return;
      }
      p.chunks.push(f.data);
      return;
    }
    const m = f.msg;
    const guard = (p: Promise<void>) => track(p.catch((e) => fail(ch, e)));
    try {
      switch (m.op) {
        case 'have': guard(have(ch, strings(m, 'paths'), m.substitute === true)); break;
        case 'put': {
          const size = (m.record as { archive?: { size?: unknown } } | undefined)?.archive?.size;
          puts.set(ch, { path: str(m, 'path'), record: m.record, chunks: [], size: 0, limit: typeof size === 'number' && size >= 0 ? size : 0 });
          break;
        }
        case 'end': {
          const p = puts.get(ch);
          puts.delete(ch);
          if (p) guard(put(ch, p));
          break;
        }
        case 'build': guard(build(ch, checkNode(m.node), typeof m.timeoutMs === 'number' ? m.timeoutMs : undefined)); break;
        case 'cancel': builds.get(ch)?.abort(); break;
        case 'get': guard(get(ch, str(m, 'path'))); break;
        case 'bye': stop(0); break;
        default: void fail(ch, `unknown request '${String(m.op)}'`);
      }
    } catch (e) {
      void fail(ch, e);
    }
  }

  await send(0, { op: 'hello', protocol: PROTOCOL, ix: opts.version ?? 'ix', signs: opts.secretKey !== undefined });
  return finished;
}

