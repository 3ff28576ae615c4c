/**
 * Step two of a node's job, in the "subst" pool: realise the node from the binary cache that
 * offered it (the store's realise: under the output lock, into a pending output that commits
 * only when its tree hash is the one the signed record names). A copy refused or broken halfway
 * is one `refused` line and the answer "build it instead" (undefined); a failure of the store
 * or its lock before the node started is thrown (the run reports it as its cause).
 *
 * Must not depend on: the CLI, the terminal (events go through `emit`), the planner.
 */
import type { PlanNode } from '../../../engine/api';
import { safeText } from '../../common';
import type { Decision } from './topdown';
import { formatBytes, type ExecEvent } from './events';
import { openLog, type NodeLog } from './logs';
import type { Outcome } from './scheduler';
import { oneLine } from './failure';
import { present } from './step-present';
import type { ExecStore, Substituter, SubstituteHit, SubstituteHooks } from './types';

export interface SubstituteContext {
  store: Pick<ExecStore, 'isBuilt' | 'realise'>;
  /** The logs folder of the ix root. */
  logs: string;
  substituter: Pick<Substituter, 'fetch'>;
  emit(e: ExecEvent): void;
  signal: AbortSignal;
}

/** Hooks of one node's cache lookup or download: refusals into its log and events, progress as steps. */
export function downloadHooks(ctx: Pick<SubstituteContext, 'emit' | 'signal'>, n: PlanNode, log?: NodeLog): SubstituteHooks {
  const t = performance.now();
  let shown = 0;
  return {
    signal: ctx.signal,
    onRefused: (line: string) => {
      log?.write(`# ix: ${safeText(line)}\n`);
      ctx.emit({ event: 'refused', id: n.id, name: n.name, out: n.out, line });
    },
    onProgress: (bytes: number, total?: number) => {
      const now = performance.now();
      if (now - shown < 250) return; // a step line at most 4 times a second
      shown = now;
      const of = total ? ` of ${formatBytes(total)}` : '';
      const rate = now > t ? ` at ${formatBytes(Math.round((bytes * 1000) / (now - t)))}/s` : '';
      ctx.emit({ event: 'step', id: n.id, name: n.name, line: `downloading ${formatBytes(bytes)}${of}${rate}` });
    },
  };
}

/**
 * Realises n as `decision` says: from its cache when it is to be downloaded, else it is only
 * found present. Undefined: build it (nothing to download, or the copy was refused).
 */
export async function substitute(ctx: SubstituteContext, n: PlanNode, decision: Decision<SubstituteHit> | undefined): Promise<Outcome | undefined> {
  const { store, emit } = ctx;
  if (decision?.mode !== 'download') return (await store.isBuilt(n.out)) ? present(emit, n) : undefined;
  const hit = decision.hit;
  let t = 0;
  let log: NodeLog | undefined;
  let got: { cache: string; bytes: number; expectHash: string } | undefined;
  try {
    const how = await store.realise(n, async (o) => {
      got = await ctx.substituter.fetch(n, hit, o, downloadHooks(ctx, n, log));
      return got ? { expectHash: got.expectHash } : { failed: 'refused' };
    }, {
      start: () => {
        t = performance.now();
        log = openLog(ctx.logs, n);
        emit({ event: 'start', id: n.id, name: n.name, out: n.out, pool: 'subst', log: log.path });
      },
    });
    if (how === 'present') return present(emit, n);
    if (how !== 'built' || !got) {
      log?.close();
      return undefined;
    }
  } catch (e) {
    if (!log) throw e; // the store or its lock failed, not this cache's copy
    const line = `cache ${hit.cache}: ${n.out}: ${oneLine(e)}`;
    log?.write(`# ix: ${safeText(line)}\n`);
    log?.close();
    emit({ event: 'refused', id: n.id, name: n.name, out: n.out, line });
    return undefined;
  }
  // realise called `start` before it resolved to 'built', so the log is open
  const done = log!;
  done.write(`# ix: substituted from ${got.cache} (${got.bytes} bytes downloaded, tree hash ${got.expectHash} verified); built elsewhere, so there is no build log here\n`);
  done.close();
  emit({ event: 'done', id: n.id, name: n.name, out: n.out, status: 'substituted', ms: Math.round(performance.now() - t), log: done.path, cache: got.cache, bytes: got.bytes });
  return 'substituted';
}
