/**
 * The one place closures come from: turns a plan's wire form (ix-plan/4: direct references and a
 * script table) into the form consumers use, every node with
 *
 *   runtime(n) = runDeps(n) and the runtime of each            (its run closure)
 *   libs*(n)   = libDeps(n) and the libs* of each               (its lib closure)
 *   inputs(n)  = deps(n) with their runtime, libs(n) with their libs*   (what its build may read)
 *   cmd.stdin  = scripts[cmd.script]
 *
 * A node's closures are made when first read, by a walk over the references from that node alone
 * (an explicit queue, no recursion), and kept: asking for one node's closure costs its size, never
 * the closures of the nodes it reaches (a run_deps chain n deep asked for its top's runtime walks
 * n nodes once, not n²/2 entries).
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import type { Plan, PlanNode, PlanWire, WireNode } from '../api';
import { IxError } from '../errors';

/** The format tag of an expanded plan (`ix plan --json --expand`). */
export const EXPANDED_FORMAT = 'ix-plan/4-expanded';

/** Adds to `into` every out reachable from `start` along `refs` (`start` themselves included). */
function walk(byOut: Map<string, WireNode>, from: WireNode, start: readonly string[], refs: (n: WireNode) => string[], into: Set<string>): void {
  const seen = new Set<string>();
  const queue: string[] = [];
  const push = (r: string): void => {
    if (seen.has(r)) return;
    seen.add(r);
    queue.push(r);
  };
  start.forEach(push);
  for (let i = 0; i < queue.length; i++) {
    const r = queue[i];
    into.add(r);
    const n = byOut.get(r);
    if (n === undefined) throw badRef(from, r);
    refs(n).forEach(push);
  }
}

function badRef(n: WireNode, r: string): IxError {
  return new IxError(`plan: node ${n.out} references ${r}, which is no node of the plan`);
}

/** Checks the parts of a wire plan the expansion relies on; a malformed one is an IxError. */
function checkWire(w: PlanWire): void {
  if (w === null || typeof w !== 'object' || w.format !== 'ix-plan/4' || !Array.isArray(w.nodes)) {
    const f = w !== null && typeof w === 'object' ? String((w as { format?: unknown }).format) : typeof w;
    throw new IxError(`plan: expected format ix-plan/4, got ${f}`);
  }
  for (const n of w.nodes) {
    for (const l of [n.deps, n.libs, n.runDeps, n.libDeps]) {
      if (!Array.isArray(l)) throw new IxError(`plan: node ${n.out} lacks its reference lists (deps, libs, runDeps, libDeps)`);
    }
    if (n.cmd && typeof w.scripts?.[n.cmd.script] !== 'string') throw new IxError(`plan: node ${n.out} names script ${n.cmd.script}, which the plan's scripts table lacks`);
  }
}

/**
 * The expanded plan: nodes with `inputs`, `runtime` and `cmd.stdin`, besides their direct
 * references. `inputs` and `runtime` are computed on a node's first read of them and kept, so
 * consumers read them as plain arrays.
 */
export function expandPlan(w: PlanWire): Plan {
  checkWire(w);
  const byOut = new Map(w.nodes.map((n) => [n.out, n]));
  const nodes = w.nodes.map((n): PlanNode => {
    let runtime: string[] | undefined;
    let inputs: string[] | undefined;
    const { cmd, ...rest } = n;
    const e = {
      ...rest,
      get runtime(): string[] {
        if (runtime === undefined) {
          const set = new Set<string>();
          walk(byOut, n, n.runDeps, (x) => x.runDeps, set);
          runtime = [...set].sort();
        }
        return runtime;
      },
      get inputs(): string[] {
        if (inputs === undefined) {
          const set = new Set<string>();
          walk(byOut, n, n.deps, (x) => x.runDeps, set);
          walk(byOut, n, n.libs, (x) => x.libDeps, set);
          inputs = [...set].sort();
        }
        return inputs;
      },
    } as PlanNode & Omit<WireNode, 'cmd'>;
    if (cmd) e.cmd = { argv: cmd.argv, env: cmd.env, stdin: w.scripts[cmd.script], script: cmd.script } as PlanNode['cmd'];
    return e;
  });
  return { format: EXPANDED_FORMAT, host: w.host, target: w.target, roots: w.roots, nodes };
}
