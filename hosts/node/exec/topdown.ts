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
 * A decision's `deps` (what the executor waits for) are computed when first read. The next wave
 * is found without them when every node carries its direct references (an expanded plan's or a
 * summary's nodes do): one walk over the run and lib references of the whole wave, each node's
 * references followed once per decision, instead of every node's whole input closure; the
 * union of closures is the closure of the union, so the nodes decided are the same.
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

/**
 * What the decision reads of a node (a plan's summary has it too: plan-summary.ts). The direct
 * references, when present, must be the ones `inputs` and `runtime` are the closures of
 * (engine/plan/expand.ts): inputs = deps with their runDeps closure and libs with their libDeps
 * closure; runtime = the runDeps closure.
 */
export type TopDownNode = Pick<PlanNode, 'id' | 'out' | 'inputs' | 'runtime'> & { deps?: string[]; libs?: string[]; runDeps?: string[]; libDeps?: string[] };

/**
 * The direct references of a node list (`of`) as positions in it: list k (0 deps, 1 libs,
 * 2 runDeps, 3 libDeps) of node i is data[offsets[4i+k] .. offsets[4i+k+1]) (plan-summary.ts).
 * Given for the very list TopDown decides over, the walk reads it instead of looking paths up.
 */
export interface RefTable {
  of: readonly unknown[];
  offsets: Uint32Array;
  data: Uint32Array;
}

const hasRefs = (n: TopDownNode): n is TopDownNode & Required<Pick<TopDownNode, 'deps' | 'libs' | 'runDeps' | 'libDeps'>> =>
  Array.isArray(n.deps) && Array.isArray(n.libs) && Array.isArray(n.runDeps) && Array.isArray(n.libDeps);

/**
 * A download or build decision whose `deps` are computed on first read and kept: a build needs
 * the node's inputs, a download the hit's references (else the node's runtime). It holds its
 * node and owner instead of a closure (a whole tree's dry run makes one per node).
 */
class Lazy<H extends TopDownHit, N extends TopDownNode> {
  private memo?: string[];
  constructor(readonly mode: 'download' | 'build', readonly hit: H | undefined, private readonly owner: TopDown<H, N>, private readonly n: N) {}
  get deps(): string[] {
    return (this.memo ??= this.owner.idsOf(this.mode === 'build' ? this.n.inputs : (this.hit!.refs ?? this.n.runtime), this.n.id));
  }
}

export interface TopDownIO<H extends TopDownHit, N extends TopDownNode = PlanNode> {
  /** Is this output in the store already? */
  isBuilt(out: string): Promise<boolean>;
  /**
   * True when this output is certainly not in the store, answered without waiting (false or
   * undefined: ask isBuilt). Such a node is decided at once when there are no caches to ask, so
   * a whole tree of unbuilt nodes costs no promise per node.
   */
  absentNow?(out: string): boolean | undefined;
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

/** The reference lists of a node by their RefTable number. */
const LISTS = ['deps', 'libs', 'runDeps', 'libDeps'] as const;

/**
 * Appends to `into` each position in list `k` of node `at` of `t` not yet `seen`, marking it:
 * one monomorphic loop over the typed arrays (a whole IX tree's dry run follows ~530,000 references).
 */
function queueAt(t: RefTable, at: number, k: number, seen: Uint8Array, into: number[]): void {
  const data = t.data;
  for (let x = t.offsets[4 * at + k], end = t.offsets[4 * at + k + 1]; x < end; x++) {
    const i = data[x];
    if (!seen[i]) {
      seen[i] = 1;
      into.push(i);
    }
  }
}

/** Queues node `i` (if any) for the next wave unless decided or already queued for wave `wave`. */
function addNext(i: number | undefined, done: Uint8Array, queued: Uint32Array, wave: number, next: number[]): void {
  if (i !== undefined && !done[i] && queued[i] !== wave) {
    queued[i] = wave;
    next.push(i);
  }
}

export class TopDown<H extends TopDownHit, N extends TopDownNode = PlanNode> {
  private readonly nodes: readonly N[];
  /** Index of a node in `nodes` by its out, and by its id (each made when first needed). */
  private outIndex?: Map<string, number>;
  private idIndex?: Map<string, number>;
  /** 1 where `decided` has the node (indexable where the walks below need speed). */
  private readonly done: Uint8Array;
  /** Every node carries its direct references: the next wave is found by walking them. */
  private readonly refs: boolean;
  /** ... given as positions (RefTable) for `nodes`. */
  private readonly table?: RefTable;
  /** Decisions by node position (undefined: not decided yet), and the positions in the order decided. */
  private readonly at: (Decision<H> | undefined)[];
  private readonly order: number[] = [];
  private byIdDecided?: Map<string, Decision<H>>;
  /** Cache lookups made so far (one per node asked, whatever the number of caches). */
  lookups = 0;

  constructor(nodes: readonly N[], private readonly io: TopDownIO<H, N>, table?: RefTable) {
    this.nodes = nodes;
    this.done = new Uint8Array(nodes.length);
    this.at = new Array<Decision<H> | undefined>(nodes.length);
    if (table && table.of === nodes && table.offsets.length === 4 * nodes.length + 1) this.table = table;
    this.refs = this.table !== undefined || nodes.every(hasRefs);
  }

  /** Decided nodes by id, in the order they were decided (made when first read, then kept). */
  get decided(): ReadonlyMap<string, Decision<H>> {
    if (!this.byIdDecided) {
      this.byIdDecided = new Map();
      for (const i of this.order) this.byIdDecided.set(this.nodes[i].id, this.at[i]!);
    }
    return this.byIdDecided;
  }

  /** The decision for the node at position `i` of the list given, if decided. */
  decisionAt(i: number): Decision<H> | undefined {
    return this.at[i];
  }

  /** How many nodes are decided. */
  get decidedCount(): number {
    return this.order.length;
  }

  private record(i: number, d: Decision<H>): void {
    if (this.at[i] === undefined) this.order.push(i);
    this.at[i] = d;
    this.byIdDecided?.set(this.nodes[i].id, d);
  }

  private get byOut(): Map<string, number> {
    if (!this.outIndex) {
      this.outIndex = new Map();
      for (let i = 0; i < this.nodes.length; i++) this.outIndex.set(this.nodes[i].out, i);
    }
    return this.outIndex;
  }

  private get byId(): Map<string, number> {
    if (!this.idIndex) {
      this.idIndex = new Map();
      for (let i = 0; i < this.nodes.length; i++) this.idIndex.set(this.nodes[i].id, i);
    }
    return this.idIndex;
  }

  node(id: string): N {
    return this.nodes[this.byId.get(id)!];
  }

  /** Plan node ids among store paths (paths no node of the plan makes are not ours to realise). */
  idsOf(paths: readonly string[], self?: string): string[] {
    const r = new Set<string>();
    for (const p of paths) {
      const i = this.byOut.get(p);
      if (i !== undefined && this.nodes[i].id !== self) r.add(this.nodes[i].id);
    }
    return [...r];
  }

  /**
   * Decide the nodes making `outs` and everything they need; resolves to the ids decided by this
   * call (nodes decided earlier are not repeated), in the order decided.
   */
  async need(outs: readonly string[]): Promise<string[]> {
    // positions straight from the outputs (the ids' order, without an index by id)
    const at: number[] = [];
    for (const p of outs) {
      const i = this.byOut.get(p);
      if (i !== undefined) at.push(i);
    }
    return this.needAt(at);
  }

  /** need() for the nodes at positions `at` of the list given (wantedAt's answer). */
  async needAt(at: readonly number[]): Promise<string[]> {
    const seen = new Uint8Array(this.nodes.length);
    const start: number[] = [];
    for (const i of at) {
      if (!seen[i]) {
        seen[i] = 1;
        start.push(i);
      }
    }
    return this.wave(start);
  }

  /** A download of `id` failed: build it instead; resolves to the ids newly decided for it. */
  async rebuild(id: string): Promise<string[]> {
    const n = this.node(id);
    const deps = this.idsOf(n.inputs, id);
    this.record(this.byId.get(id)!, { mode: 'build', deps });
    return this.wave(deps.map((d) => this.byId.get(d)!));
  }

  /** The decision for `n`; its deps are what it needs first (computed when read). */
  private async decide(n: N): Promise<Decision<H>> {
    if (await this.io.isBuilt(n.out)) return { mode: 'present', deps: [] };
    if (this.io.lookup) {
      this.lookups++;
      const hit = await this.io.lookup(n);
      if (hit) return this.decision('download', hit, n);
    }
    return this.decision('build', undefined, n);
  }

  private decision(mode: 'download' | 'build', hit: H | undefined, n: N): Decision<H> {
    return new Lazy<H, N>(mode, hit, this, n) as Decision<H>;
  }

  /** Decides the nodes at positions `start` (distinct) and what they need. */
  private async wave(start: number[]): Promise<string[]> {
    const added: string[] = [];
    const count = this.nodes.length;
    let frontier: number[] = [];
    for (const i of start) if (this.at[i] === undefined) frontier.push(i);
    const limit = this.io.concurrency ?? LOOKUP_CONCURRENCY;
    // nodes whose run (lib) references this call has followed already: their closures are queued
    const runSeen = new Uint8Array(count);
    const libSeen = new Uint8Array(count);
    // the wave a node was last queued for (a node is queued once per wave)
    const queued = new Uint32Array(count);
    for (let wave = 1; frontier.length; wave++) {
      const nodes = frontier.map((i) => this.nodes[i]);
      const answers: Decision<H>[] = new Array(nodes.length);
      const asked: number[] = [];
      nodes.forEach((n, i) => {
        if (!this.io.lookup && this.io.absentNow?.(n.out) === true) answers[i] = this.decision('build', undefined, n);
        else asked.push(i);
      });
      const got = await mapLimit(asked, limit, (i) => this.decide(nodes[i]));
      asked.forEach((i, k) => (answers[i] = got[k]));
      nodes.forEach((n, i) => {
        this.done[frontier[i]] = 1;
        if (this.at[frontier[i]] !== undefined) return;
        this.record(frontier[i], answers[i]);
        added.push(n.id);
      });
      // after the whole wave is recorded: a node of this wave is never asked about twice
      const next: number[] = [];
      const runStart: number[] = [];
      const libStart: number[] = [];
      const t = this.table;
      // list k of node `at` (0 deps, 1 libs, 2 runDeps, 3 libDeps), each unseen node once into `into`
      const queue = t
        ? (at: number, k: number, seen: Uint8Array, into: number[]) => queueAt(t, at, k, seen, into)
        : (at: number, k: number, seen: Uint8Array, into: number[]) => {
          for (const o of this.nodes[at][LISTS[k]]!) {
            const i = this.byOut.get(o);
            if (i !== undefined && !seen[i]) {
              seen[i] = 1;
              into.push(i);
            }
          }
        };
      const done = this.done;
      for (let k = 0; k < answers.length; k++) {
        const a = answers[k];
        if (a.mode === 'present') continue;
        if (!this.refs) {
          for (const d of a.deps) addNext(this.byId.get(d), done, queued, wave, next);
        } else if (a.mode === 'build') {
          queue(frontier[k], 0, runSeen, runStart);
          queue(frontier[k], 1, libSeen, libStart);
        } else if (a.hit.refs) {
          const out = nodes[k].out;
          for (const r of a.hit.refs) if (r !== out) addNext(this.byOut.get(r), done, queued, wave, next);
        } else {
          queue(frontier[k], 2, runSeen, runStart);
        }
      }
      // the closures: every queued node and what its run (lib) references reach, each once per call
      for (let q = 0; q < runStart.length; q++) {
        addNext(runStart[q], done, queued, wave, next);
        queue(runStart[q], 2, runSeen, runStart);
      }
      for (let q = 0; q < libStart.length; q++) {
        addNext(libStart[q], done, queued, wave, next);
        queue(libStart[q], 3, libSeen, libStart);
      }
      frontier = next;
    }
    return added;
  }

  /** Summary for displays and --dry-run. */
  counts(): { present: number; download: number; build: number; bytes: number } {
    const c = { present: 0, download: 0, build: 0, bytes: 0 };
    for (const i of this.order) {
      const d = this.at[i]!;
      c[d.mode]++;
      if (d.mode === 'download') c.bytes += d.hit.bytes;
    }
    return c;
  }
}

/**
 * The outputs a request wants: `roots` and the runtime closure the plan declares for them, so a
 * realm or `ix run` finds every path its packages may refer to. Nodes' `runDeps`, when present,
 * must be the direct references their `runtime` is the closure of (TopDownNode). Given a RefTable
 * for `nodes`, the walk reads its positions instead (no path list per node reached).
 */
export function wantedOutputs(nodes: readonly (Pick<PlanNode, 'out' | 'runtime'> & { runDeps?: string[] })[], roots: readonly string[], table?: RefTable): string[] {
  if (table && table.of === nodes && table.offsets.length === 4 * nodes.length + 1) return wantedByTable(nodes, roots, table);
  const byOut = new Map(nodes.map((n) => [n.out, n]));
  const seen = new Set<string>();
  const todo = [...roots];
  while (todo.length) {
    const p = todo.pop()!;
    if (seen.has(p)) continue;
    seen.add(p);
    // the direct run references reach the same closure without making each node's closure
    const n = byOut.get(p);
    todo.push(...((n && (Array.isArray(n.runDeps) ? n.runDeps : n.runtime)) ?? []));
  }
  return [...seen].sort();
}

/** wantedOutputs over a RefTable's run references (list 2): the same paths. */
function wantedByTable(nodes: readonly Pick<PlanNode, 'out'>[], roots: readonly string[], table: RefTable): string[] {
  const { at, foreign } = wantedAt(nodes, roots, table);
  return [...new Set([...foreign, ...at.map((i) => nodes[i].out)])].sort();
}

/**
 * The wanted nodes as positions in `nodes` (`table` is its RefTable), each once, in no particular
 * order, and the roots no node makes (`foreign`): wantedOutputs is these nodes' outputs and
 * `foreign`. TopDown.needAt takes `at` as need() takes the paths.
 */
export function wantedAt(nodes: readonly Pick<PlanNode, 'out'>[], roots: readonly string[], { offsets, data }: RefTable): { at: number[]; foreign: string[] } {
  // the roots' positions (the last node making a path wins, as a Map by output would have it)
  const rootSet = new Set(roots);
  const pos = new Map<string, number>();
  for (let i = 0; i < nodes.length; i++) if (rootSet.has(nodes[i].out)) pos.set(nodes[i].out, i);
  const seen = new Uint8Array(nodes.length);
  const todo: number[] = [];
  const at: number[] = [];
  const foreign: string[] = [];
  for (const r of rootSet) {
    const i = pos.get(r);
    if (i === undefined) foreign.push(r); // no node makes it: wanted as it is
    else if (!seen[i]) {
      seen[i] = 1;
      todo.push(i);
    }
  }
  while (todo.length) {
    const i = todo.pop()!;
    at.push(i);
    for (let x = offsets[4 * i + 2], end = offsets[4 * i + 3]; x < end; x++) {
      const j = data[x];
      if (!seen[j]) {
        seen[j] = 1;
        todo.push(j);
      }
    }
  }
  return { at, foreign };
}
