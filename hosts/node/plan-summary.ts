/**
 * A plan's summary: what `ix build --dry-run` prints and decides from, without the plan itself.
 * A whole IX tree's plan is ~200 MB (build environments and scripts); its summary keeps, per
 * node, only the name, the fixed-output pin a cache record is checked against, and the four
 * lists of direct references (~4 MB), so reading it costs little however large the scripts are.
 * The roots and each node's output path, in plan order, are kept by the caller beside it (the
 * plan memo's head holds them for its own answers), and a node's id is its output's store id
 * (encodeSummary refuses a plan where it is not). Closures (`runtime`, `inputs`) come from the
 * references through engine/plan/expand.ts, the one place closures come from, so they equal
 * the full plan's.
 *
 * Text, versioned, after a first line the caller chooses (the plan memo puts its own there):
 *   {"format":"ix-plan-summary/1","host":H,"target":T,
 *    "nodes":[[name, deps, libs, runDeps, libDeps, fixed?], ...]}
 * in plan order; each reference list holds indices into `nodes`. Anything malformed or not
 * matching the caller's outputs reads as undefined (the caller then reads the plan).
 *
 * Must not depend on: the filesystem, the environment, the core (the engine's expand.ts only).
 */
import type { Plan, PlanNode, PlanWire, WireNode } from '../../engine/api';
import { expandPlan } from '../../engine/plan/expand';
import { parseStorePath } from './store/layout';

/** The summary's format tag. */
export const SUMMARY_FORMAT = 'ix-plan-summary/1';

/** What a summary keeps of a node (and what --dry-run and the top-down decision read). */
export type SummaryNode = Pick<PlanNode, 'id' | 'name' | 'out' | 'inputs' | 'runtime' | 'fixed'>;

/** A plan as far as its summary tells it: a full Plan is one too. */
export interface PlanSummary {
  host: string;
  target: string;
  roots: Plan['roots'];
  nodes: readonly SummaryNode[];
}

type Row = [name: string, deps: number[], libs: number[], runDeps: number[], libDeps: number[], fixed?: string];
const LISTS = ['deps', 'libs', 'runDeps', 'libDeps'] as const;

/**
 * The summary text of a plan whose nodes still carry their direct references (an expanded
 * plan keeps the wire fields), or undefined when they do not, refer outside the plan, or a
 * node's id is not its output's store id.
 */
export function encodeSummary(plan: Plan): string | undefined {
  const index = new Map<string, number>();
  plan.nodes.forEach((n, i) => index.set(n.out, i));
  const rows: Row[] = [];
  for (const n of plan.nodes as readonly (PlanNode & Partial<WireNode>)[]) {
    if (parseStorePath(n.out)?.id !== n.id) return undefined;
    const lists: number[][] = [];
    for (const k of LISTS) {
      const refs = n[k];
      if (!Array.isArray(refs)) return undefined;
      const l: number[] = [];
      for (const r of refs) {
        const i = index.get(r);
        if (i === undefined) return undefined;
        l.push(i);
      }
      lists.push(l);
    }
    const row: Row = [n.name, lists[0], lists[1], lists[2], lists[3]];
    if (n.fixed !== undefined) row.push(n.fixed);
    rows.push(row);
  }
  return JSON.stringify({ format: SUMMARY_FORMAT, host: plan.host, target: plan.target, nodes: rows });
}

const isStr = (x: unknown): x is string => typeof x === 'string';

/**
 * A summary's node: plain fields (read for every node of a whole tree, so a fixed shape), and
 * closures from the expanded summary, which is made only when some node's closure is read.
 */
class Node implements SummaryNode, Omit<WireNode, 'storeName' | 'flags' | 'pool' | 'net' | 'cmd'> {
  constructor(
    private readonly index: number, readonly id: string, readonly name: string, readonly out: string, readonly fixed: string | undefined,
    readonly deps: string[], readonly libs: string[], readonly runDeps: string[], readonly libDeps: string[],
    private readonly closures: () => Plan,
  ) {}

  get inputs(): string[] {
    return this.closures().nodes[this.index].inputs;
  }

  get runtime(): string[] {
    return this.closures().nodes[this.index].runtime;
  }
}

/**
 * The plan summary of `text` (as encodeSummary wrote it) for a plan with these roots and these
 * output paths (in plan order), or undefined when it is not one.
 */
export function decodeSummary(text: string, roots: Plan['roots'], outs: readonly string[]): PlanSummary | undefined {
  let s: { format?: unknown; host?: unknown; target?: unknown; nodes?: unknown };
  try {
    s = JSON.parse(text) as typeof s;
  } catch {
    return undefined;
  }
  if (!s || s.format !== SUMMARY_FORMAT || !isStr(s.host) || !isStr(s.target) || !Array.isArray(s.nodes) || s.nodes.length !== outs.length) return undefined;
  const refs = (l: unknown): string[] | undefined => {
    if (!Array.isArray(l)) return undefined;
    const out: string[] = new Array(l.length);
    for (let i = 0; i < l.length; i++) {
      const x = l[i] as number;
      if (!Number.isInteger(x) || x < 0 || x >= outs.length) return undefined;
      out[i] = outs[x];
    }
    return out;
  };
  const nodes: Node[] = [];
  const wire: PlanWire = { format: 'ix-plan/4', host: s.host, target: s.target, roots, nodes: nodes as unknown as WireNode[], scripts: {} };
  // every reference is an index checked here, so the expansion cannot fail
  let expanded: Plan | undefined;
  const closures = () => (expanded ??= expandPlan(wire));
  for (const r of s.nodes as unknown[]) {
    if (!Array.isArray(r) || r.length < 5 || r.length > 6 || !isStr(r[0]) || (r.length === 6 && !isStr(r[5]))) return undefined;
    const out = outs[nodes.length];
    const id = isStr(out) ? parseStorePath(out)?.id : undefined;
    const [deps, libs, runDeps, libDeps] = [refs(r[1]), refs(r[2]), refs(r[3]), refs(r[4])];
    if (id === undefined || !deps || !libs || !runDeps || !libDeps) return undefined;
    nodes.push(new Node(nodes.length, id, r[0], out, r.length === 6 ? (r[5] as string) : undefined, deps, libs, runDeps, libDeps, closures));
  }
  return { host: s.host, target: s.target, roots, nodes };
}
