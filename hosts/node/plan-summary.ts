/**
 * A plan's summary: what `ix build --dry-run` prints and decides from, without the plan itself.
 * A whole IX tree's plan is ~200 MB (build environments and scripts); its summary keeps, per
 * node, only the name, the fixed-output pin a cache record is checked against, and the four
 * lists of direct references as node positions (~3 MB), so reading it costs little however large
 * the scripts are. The roots and each node's output path, in plan order, are kept by the caller
 * beside it (the plan memo's head holds them for its own answers), and a node's id is its
 * output's store id (encodeSummary refuses a plan where it is not). Closures (`runtime`,
 * `inputs`) come from the references through engine/plan/expand.ts, the one place closures
 * come from, so they equal the full plan's; they are expanded only if some node's is read.
 *
 * Bytes, versioned: the line "ix-plan-summary/2\n", one line of JSON
 *   {"host":H,"target":T,"names":[name, ...],"fixed":{"<position>":pin, ...}}
 * padded with spaces to a multiple of 4 bytes, then little-endian uint32s: the node count n,
 * 4n+1 offsets, then the references (RefTable: list k of node i, k = deps, libs, runDeps,
 * libDeps, is data[offsets[4i+k] .. offsets[4i+k+1])). Read as a view, never parsed number by
 * number. Anything malformed or not matching the caller's outputs reads as undefined (the
 * caller then reads the plan).
 *
 * Must not depend on: the filesystem, the environment, the core (the engine's expand.ts only).
 */
import type { Plan, PlanNode, WireNode } from '../../engine/api';
import { expandPlan } from '../../engine/plan/expand';
import type { RefTable } from './exec';
import { parseStorePath, storePathId } from '../common';

/** The summary's format line. */
export const SUMMARY_FORMAT = 'ix-plan-summary/2';
const HEADER = SUMMARY_FORMAT + '\n';
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** What a summary keeps of a node (and what --dry-run and the top-down decision read). */
export type SummaryNode = Pick<PlanNode, 'id' | 'name' | 'out' | 'inputs' | 'runtime' | 'fixed'>;

/** A plan as far as its summary tells it: a full Plan is one too. */
export interface PlanSummary {
  host: string;
  target: string;
  roots: Plan['roots'];
  nodes: readonly SummaryNode[];
  /** The nodes' direct references as positions (a decoded summary has them). */
  refTable?: RefTable;
}

const LISTS = ['deps', 'libs', 'runDeps', 'libDeps'] as const;

/**
 * What a summary is made from: a plan whose nodes still carry their direct references (an
 * expanded plan keeps the wire fields), or what plan-scan.ts reads of a plan's bytes.
 */
export interface SummarySource {
  host: string;
  target: string;
  nodes: readonly Pick<PlanNode, 'id' | 'name' | 'out' | 'fixed'>[];
}

/**
 * The summary of `plan`, or undefined when its nodes do not carry their direct references, refer
 * outside the plan, or a node's id is not its output's store id.
 */
export function encodeSummary(plan: SummarySource): Uint8Array | undefined {
  if (!LE) return undefined;
  const index = new Map<string, number>();
  plan.nodes.forEach((n, i) => index.set(n.out, i));
  const n = plan.nodes.length;
  const offsets = new Uint32Array(4 * n + 1);
  const data: number[] = [];
  const fixed: Record<string, string> = {};
  const names: string[] = [];
  for (const [i, node] of (plan.nodes as readonly (SummarySource['nodes'][number] & Partial<WireNode>)[]).entries()) {
    if (parseStorePath(node.out)?.id !== node.id) return undefined;
    names.push(node.name);
    if (node.fixed !== undefined) fixed[i] = node.fixed;
    for (const [k, list] of LISTS.entries()) {
      const refs = node[list];
      if (!Array.isArray(refs)) return undefined;
      offsets[4 * i + k] = data.length;
      for (const r of refs) {
        const j = index.get(r);
        if (j === undefined) return undefined;
        data.push(j);
      }
    }
  }
  offsets[4 * n] = data.length;
  let head = HEADER + JSON.stringify({ host: plan.host, target: plan.target, names, fixed }) + '\n';
  const len = Buffer.byteLength(head, 'utf8');
  head += ' '.repeat((4 - (len % 4)) % 4);
  const text = Buffer.from(head, 'utf8');
  const out = new Uint8Array(text.length + 4 * (1 + offsets.length + data.length));
  out.set(text);
  const u = new Uint32Array(out.buffer, text.length);
  u[0] = n;
  u.set(offsets, 1);
  u.set(data, 1 + offsets.length);
  return out;
}

/**
 * A summary's node: plain fields (read for every node of a whole tree, so a fixed shape); its
 * references as output paths when first read; closures from the expanded summary.
 */
class Node implements SummaryNode {
  /** The reference lists as paths, made on the first read of any (most nodes of a dry run have none read). */
  private paths?: (string[] | undefined)[];
  constructor(
    private readonly index: number, readonly id: string, readonly name: string, readonly out: string, readonly fixed: string | undefined,
    private readonly table: RefTable, private readonly outs: readonly string[], private readonly closures: () => Plan,
  ) {}

  private refs(k: number): string[] {
    const { offsets, data } = this.table;
    const at = 4 * this.index + k;
    const paths = (this.paths ??= [undefined, undefined, undefined, undefined]);
    return (paths[k] ??= Array.from(data.subarray(offsets[at], offsets[at + 1]), (x) => this.outs[x]));
  }

  get deps(): string[] {
    return this.refs(0);
  }

  get libs(): string[] {
    return this.refs(1);
  }

  get runDeps(): string[] {
    return this.refs(2);
  }

  get libDeps(): string[] {
    return this.refs(3);
  }

  get inputs(): string[] {
    return this.closures().nodes[this.index].inputs;
  }

  get runtime(): string[] {
    return this.closures().nodes[this.index].runtime;
  }
}

/**
 * The plan summary in `bytes` (as encodeSummary wrote them) for a plan with these roots and these
 * output paths (in plan order), or undefined when it is not one.
 */
export function decodeSummary(bytes: Uint8Array, roots: Plan['roots'], outs: readonly string[]): PlanSummary | undefined {
  if (!LE || bytes.length < HEADER.length || Buffer.from(bytes.buffer, bytes.byteOffset, HEADER.length).toString('latin1') !== HEADER) return undefined;
  const nl = bytes.indexOf(10, HEADER.length);
  if (nl < 0) return undefined;
  let start = nl + 1;
  while (start % 4 !== 0 && bytes[start] === 32) start++;
  if (start % 4 !== 0 || (bytes.length - start) % 4 !== 0) return undefined;
  let s: { host?: unknown; target?: unknown; names?: unknown; fixed?: unknown };
  try {
    s = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + HEADER.length, nl - HEADER.length).toString('utf8')) as typeof s;
  } catch {
    return undefined;
  }
  const count = outs.length;
  const isStr = (x: unknown): x is string => typeof x === 'string';
  if (!s || !isStr(s.host) || !isStr(s.target) || !Array.isArray(s.names) || s.names.length !== count || !s.names.every(isStr)) return undefined;
  const fixed = s.fixed;
  if (fixed === null || typeof fixed !== 'object' || !Object.values(fixed).every(isStr)) return undefined;
  // a view when the bytes are aligned (the cache's records are not always), else one copy
  const body = (bytes.byteOffset + start) % 4 === 0 ? bytes.subarray(start) : bytes.slice(start);
  const u = new Uint32Array(body.buffer, body.byteOffset, body.length / 4);
  if (u.length < 1 + 4 * count + 1 || u[0] !== count) return undefined;
  const offsets = u.subarray(1, 2 + 4 * count);
  const data = u.subarray(2 + 4 * count);
  if (offsets[0] !== 0 || offsets[4 * count] !== data.length) return undefined;
  for (let i = 1; i < offsets.length; i++) if (offsets[i] < offsets[i - 1]) return undefined;
  for (let i = 0; i < data.length; i++) if (data[i] >= count) return undefined;
  const nodes: Node[] = [];
  const table: RefTable = { of: nodes, offsets, data };
  // every reference is a position checked here, so the expansion cannot fail
  let expanded: Plan | undefined;
  const closures = () => (expanded ??= expandPlan({
    format: 'ix-plan/4', host: s.host as string, target: s.target as string, roots, scripts: {},
    nodes: nodes.map((n) => ({ id: n.id, name: n.name, out: n.out, deps: n.deps, libs: n.libs, runDeps: n.runDeps, libDeps: n.libDeps }) as WireNode),
  }));
  const names = s.names as string[];
  const pins = fixed as Record<string, string>;
  for (let i = 0; i < count; i++) {
    const id = storePathId(outs[i]);
    if (id === undefined) return undefined;
    nodes.push(new Node(i, id, names[i], outs[i], pins[i], table, outs, closures));
  }
  return { host: s.host, target: s.target, roots, nodes, refTable: table };
}
