/**
 * Making a node's output into a pending output: a fetch node through the fetcher, a command node
 * with the Runner the caller handed in, on this machine or (with remote builders) on whichever
 * builder of the pool takes it. Resolves to why it failed, or to success with the tree hash a
 * remote builder's signed record names.
 *
 * Must not depend on: the CLI, the terminal (events go through `emit`), the planner.
 */
import type { PlanNode } from '../../../engine/api';
import type { Layout, Runner } from '../../common';
import type { PendingOutput } from '../store';
import type { ExecEvent } from './events';
import type { NodeLog } from './logs';
import { DiskFullError, diskWatch } from './disk-full';
import { buildIO, emptyPending, type BuilderPool } from './builders';
import type { FetchNode } from './types';

/** What making an output came to: `failed` says why; `expectHash` when a builder vouched for it. */
export interface Made {
  failed?: string;
  expectHash?: string;
}

export type Make = (n: PlanNode, o: PendingOutput, log: NodeLog) => Promise<Made>;

export interface HereContext {
  layout: Layout;
  cores: number;
  timeoutMs?: number;
  fetch?: FetchNode;
  run?: Runner;
  emit(e: ExecEvent): void;
  signal: AbortSignal;
}

/**
 * Makes n's output on this machine; why not, or undefined. A failed command on a full disk is
 * the machine's trouble, not the node's: DiskFullError is thrown (the run's cause, exit 3).
 */
export async function makeHere(ctx: HereContext, n: PlanNode, o: PendingOutput, log: NodeLog): Promise<string | undefined> {
  const { emit, layout } = ctx;
  if (n.fetch) {
    if (!ctx.fetch) return 'no fetcher configured for fetch nodes';
    await ctx.fetch(n, o.tmpOut, (line) => {
      log.write(`${line}\n`);
      emit({ event: 'step', id: n.id, name: n.name, line });
    }, ctx.signal);
    return undefined;
  }
  if (!ctx.run) return 'no runner for command nodes on this host';
  let lastStep = '';
  const disk = diskWatch(layout.root);
  const r = await ctx.run(n, {
    layout, outDir: o.tmpOut, tmpDir: o.tmpBuild, cores: ctx.cores, timeoutMs: ctx.timeoutMs, signal: ctx.signal,
    output: (c) => {
      disk.watch(c);
      log.write(c);
      const line = log.lastLine();
      if (line !== lastStep) { lastStep = line; emit({ event: 'step', id: n.id, name: n.name, line }); }
    },
  });
  if (!r.ok && disk.full) throw new DiskFullError(layout.root, n.name, r.reason ?? 'failed');
  return r.ok ? undefined : r.reason ?? 'failed';
}

/**
 * The run's Make: command nodes to the pool when there is one, the rest here (network nodes
 * build here: builders refuse them, see remote/serve.ts).
 */
export function maker(
  here: (n: PlanNode, o: PendingOutput, log: NodeLog) => Promise<string | undefined>,
  pool: BuilderPool | undefined,
  ctx: Pick<HereContext, 'emit' | 'signal'>,
): Make {
  return async (n, o, log) => {
    if (pool && !n.fetch && !n.net) {
      const r = await pool.build(n, o, buildIO(n, log, ctx.signal, ctx.emit), () => emptyPending(o));
      if (!r.ok) return { failed: r.reason ?? 'failed' };
      return r.expectHash ? { expectHash: r.expectHash } : {};
    }
    const why = await here(n, o, log);
    return why === undefined ? {} : { failed: why };
  };
}
