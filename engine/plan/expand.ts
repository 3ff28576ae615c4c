/**
 * The one place closures come from: turns a plan's wire form (ix-plan/4: direct references and a
 * script table) into the form consumers use, every node with
 *
 *   runtime(n) = runDeps(n) and the runtime of each            (its run closure)
 *   libs*(n)   = libDeps(n) and the libs* of each               (its lib closure)
 *   inputs(n)  = deps(n) with their runtime, libs(n) with their libs*   (what its build may read)
 *   cmd.stdin  = scripts[cmd.script]
 *
 * Nodes come in dependency order, so one pass in plan order computes every closure from closures
 * already made (no recursion, each closure once). Closures are made when first asked for: a plan
 * only printed or walked by its direct edges never pays for them.
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import type { Plan, PlanNode, PlanWire, WireNode } from '../api';
import { IxError } from '../errors';

/** The format tag of an expanded plan (`ix plan --json --expand`). */
export const EXPANDED_FORMAT = 'ix-plan/4-expanded';

type Closures = Map<string, string[]>;

/** Closes `refs` over itself in plan order: each node's list, sorted, deduplicated. */
function closeOver(nodes: WireNode[], refs: (n: WireNode) => string[]): Closures {
  const done: Closures = new Map();
  for (const n of nodes) {
    const set = new Set<string>();
    for (const r of refs(n)) {
      set.add(r);
      const c = done.get(r);
      if (c === undefined) throw badRef(n, r);
      for (const x of c) set.add(x);
    }
    done.set(n.out, [...set].sort());
  }
  return done;
}

function badRef(n: WireNode, r: string): IxError {
  return new IxError(`plan: node ${n.out} references ${r}, which is not a node before it (not an ix-plan/4 plan in dependency order)`);
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
 * references. `inputs` and `runtime` are computed on first read (for every node at once, then
 * kept), so consumers read them as plain arrays.
 */
export function expandPlan(w: PlanWire): Plan {
  checkWire(w);
  let run: Closures | undefined;
  let lib: Closures | undefined;
  const runtimes = (): Closures => (run ??= closeOver(w.nodes, (n) => n.runDeps));
  const libClosures = (): Closures => (lib ??= closeOver(w.nodes, (n) => n.libDeps));
  const nodes = w.nodes.map((n): PlanNode => {
    let inputs: string[] | undefined;
    const { cmd, ...rest } = n;
    const e = {
      ...rest,
      get runtime(): string[] {
        return runtimes().get(n.out)!;
      },
      get inputs(): string[] {
        if (inputs === undefined) {
          const r = runtimes();
          const l = libClosures();
          const set = new Set<string>();
          for (const [refs, closure] of [[n.deps, r], [n.libs, l]] as const) {
            for (const d of refs) {
              set.add(d);
              const c = closure.get(d);
              if (c === undefined) throw badRef(n, d);
              for (const x of c) set.add(x);
            }
          }
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
