/**
 * Top-down realisation: which nodes of a plan a run has to touch, and how. Starting from the
 * wanted outputs, each needed node is decided once:
 *   - present: already in the store; nothing it was built from is needed;
 *   - download: a binary cache holds a trusted copy; only the paths its record refers to (its
 *     runtime references) are needed, and they come first;
 *   - build: none has it; every input it declares is needed.
 * Needed nodes are found in waves (the newly needed nodes of one wave are the next wave), each
 * wave asked at once with a bounded number of lookups in flight, so a cache holding the wanted
 * outputs costs a request per output and spares the whole build closure. A node needed only to
 * build something present or downloadable is never looked at. When a download fails later,
 * `rebuild` turns that node into a build and decides its inputs the same way.
 * The plan is never changed: this only chooses which of its nodes run.
 *
 * Must not depend on: the store, the caches' formats, the sandbox, the terminal (lookups and
 * presence come in through TopDownIO).
 */
import type { PlanNode } from '../../../engine/api';

/** A cache's answer for a node: what a download would cost and what the path refers to. */
export interface TopDownHit {
  cache: string;
  /** Bytes of the compressed archive. */
  bytes: number;
  /** Store paths the output refers to (its record's references); absent: the node's runtime. */
  refs?: string[];
}

/** What the decision reads of a node (a plan's summary has it too: plan-summary.ts). */
export type TopDownNode = Pick<PlanNode, 'id' | 'out' | 'inputs' | 'runtime'>;

export interface TopDownIO<H extends TopDownHit, N extends TopDownNode = PlanNode> {
  /** Is this output in the store already? */
  isBuilt(out: string): Promise<boolean>;
  /** The cache that would serve this node, if any (absent: no caches, everything builds). */
  lookup?(node: N): Promise<H | undefined>;
  /** Lookups (and presence checks) in flight at once; default 16. */
  concurrency?: number;
}

export type Decision<H extends TopDownHit> =
  | { mode: 'present'; deps: string[] }
  | { mode: 'download'; deps: string[]; hit: H }
  | { mode: 'build'; deps: string[] };

/** Default bound on concurrent lookups. */
export const LOOKUP_CONCURRENCY = 16;

/** Runs `fn` over `xs` with at most `limit` calls pending; results in input order. */
export async function mapLimit<T, R>(xs: readonly T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(xs.length);
  let next = 0;
  const worker = async () => {
    while (next < xs.length) {
      const i = next++;
      out[i] = await fn(xs[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), xs.length) }, worker));
  return out;
}

export class TopDown<H extends TopDownHit, N extends TopDownNode = PlanNode> {
  private readonly byOut = new Map<string, N>();
  private readonly byId = new Map<string, N>();
  /** Decided nodes by id, in the order they were decided. */
  readonly decided = new Map<string, Decision<H>>();
  /** Cache lookups made so far (one per node asked, whatever the number of caches). */
  lookups = 0;

  constructor(nodes: readonly N[], private readonly io: TopDownIO<H, N>) {
    for (const n of nodes) {
      this.byOut.set(n.out, n);
      this.byId.set(n.id, n);
    }
  }

  node(id: string): N {
    return this.byId.get(id)!;
  }

  /** Plan node ids among store paths (paths no node of the plan makes are not ours to realise). */
  private ids(paths: readonly string[], self?: string): string[] {
    const r = new Set<string>();
    for (const p of paths) {
      const n = this.byOut.get(p);
      if (n && n.id !== self) r.add(n.id);
    }
    return [...r];
  }

  /**
   * Decide the nodes making `outs` and everything they need; resolves to the ids decided by this
   * call (nodes decided earlier are not repeated), in the order decided.
   */
  async need(outs: readonly string[]): Promise<string[]> {
    return this.wave(this.ids(outs));
  }

  /** A download of `id` failed: build it instead; resolves to the ids newly decided for it. */
  async rebuild(id: string): Promise<string[]> {
    const n = this.byId.get(id)!;
    const deps = this.ids(n.inputs, id);
    this.decided.set(id, { mode: 'build', deps });
    return this.wave(deps);
  }

  private async wave(start: string[]): Promise<string[]> {
    const added: string[] = [];
    let frontier = start.filter((id) => !this.decided.has(id));
    const limit = this.io.concurrency ?? LOOKUP_CONCURRENCY;
    while (frontier.length) {
      const nodes = frontier.map((id) => this.byId.get(id)!);
      const answers = await mapLimit(nodes, limit, async (n): Promise<Decision<H>> => {
        if (await this.io.isBuilt(n.out)) return { mode: 'present', deps: [] };
        if (this.io.lookup) {
          this.lookups++;
          const hit = await this.io.lookup(n);
          if (hit) return { mode: 'download', hit, deps: this.ids(hit.refs ?? n.runtime, n.id) };
        }
        return { mode: 'build', deps: this.ids(n.inputs, n.id) };
      });
      nodes.forEach((n, i) => {
        if (this.decided.has(n.id)) return;
        this.decided.set(n.id, answers[i]);
        added.push(n.id);
      });
      // after the whole wave is recorded: a node of this wave is never asked about twice
      const next = new Set<string>();
      for (const a of answers) for (const d of a.deps) if (!this.decided.has(d)) next.add(d);
      frontier = [...next];
    }
    return added;
  }

  /** Summary for displays and --dry-run. */
  counts(): { present: number; download: number; build: number; bytes: number } {
    const c = { present: 0, download: 0, build: 0, bytes: 0 };
    for (const d of this.decided.values()) {
      c[d.mode]++;
      if (d.mode === 'download') c.bytes += d.hit.bytes;
    }
    return c;
  }
}

/**
 * The outputs a request wants: `roots` and the runtime closure the plan declares for them, so a
 * realm or `ix run` finds every path its packages may refer to.
 */
export function wantedOutputs(nodes: readonly Pick<PlanNode, 'out' | 'runtime'>[], roots: readonly string[]): string[] {
  const byOut = new Map(nodes.map((n) => [n.out, n]));
  const seen = new Set<string>();
  const todo = [...roots];
  while (todo.length) {
    const p = todo.pop()!;
    if (seen.has(p)) continue;
    seen.add(p);
    todo.push(...(byOut.get(p)?.runtime ?? []));
  }
  return [...seen].sort();
}
