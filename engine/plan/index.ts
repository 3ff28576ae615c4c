/**
 * The planner: package selectors in, a Plan out (pkgs/README.md §5-6). Resolves the requested
 * packages into instances (graph.ts), turns every buildable instance reachable from them — through
 * build inputs and run closures — into a node (node.ts, fetch.ts), and orders the nodes (order.ts).
 * Hubs have no node: a hub root lists its members, the buildable part of its run closure.
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale. The evaluator is passed in.
 */
import type { Flags, HostIO, PlanRequest, PlanRoots, PlanWire, RenderRequest, WireNode } from '../api';
import { IxError } from '../errors';
import { canonicalJson, toHex } from '../hash/index';
import { hostTextDigest } from '../host-digest';
import { fetchNode, mergeFetch } from './fetch';
import { Graph } from './graph';
import type { ClosureKind, Instance } from './graph';
import { buildNode } from './node';
import { nodeMemoKey, nodeMemoLookup, nodeMemoStore } from './node-memo';
import type { PlanNodeRef } from './node';
import { orderNodes } from './order';
import { parseSelector, withSelectorFlags } from './selector';
import { bootEnv } from '../eval/boot-env';
import type { ArchLike, Evaluator } from './types';

/** Host and target when a request names none: fixed, never detected from the machine. */
export const DEFAULT_PLATFORM = 'linux-x86_64';

/** Plans `req`; the result is plain data (the caller encodes it canonically). */
/** `shareRenders: false` renders every instance on its own, uncached (plan/reads.ts; for equivalence tests). */
export function makePlan<A extends ArchLike>(io: HostIO, req: PlanRequest, ev: Evaluator<A>, opts: { shareRenders?: boolean } = {}): PlanWire {
  rootsOnly(req);
  checkFlags(req.flags);
  const graph = new Graph(io, ev, req.host ?? DEFAULT_PLATFORM, undefined, bootEnv(req.boot));
  graph.shareRenders = opts.shareRenders ?? true;
  const target = graph.arch(req.target ?? DEFAULT_PLATFORM);
  const { nodes, fetches, scripts, nodeOf } = nodeTask(graph, io);

  const roots: PlanWire['roots'] = [];
  const plan1 = (request: string): void => {
    const inst = rootInstance(graph, request, req.flags ?? {}, target.name);
    if (inst.buildable) roots.push({ request, name: inst.name, out: nodeOf(inst).out });
    else {
      const members = graph.runClosure(inst).filter((x) => x.buildable).map((x) => nodeOf(x).out);
      roots.push({ request, name: inst.name, members: [...new Set(members)].sort() });
    }
  };
  for (const request of req.packages) {
    if (!req.keepGoing) plan1(request);
    else {
      try {
        plan1(request);
      } catch (e) {
        if (!(e instanceof IxError)) throw e;
        roots.push({ request, name: request, error: e.message });
      }
    }
  }
  return {
    format: 'ix-plan/4',
    host: graph.host.name,
    target: target.name,
    roots,
    nodes: orderNodes([...nodes.values(), ...fetches.values()]),
    scripts,
  };
}

/**
 * What the engine answers to `req` with the plan `wire` of it: the plan, or with `output: "roots"`
 * its roots alone (PlanRoots). The caller encodes it canonically.
 */
export function answerOf(wire: PlanWire, req: PlanRequest): PlanWire | PlanRoots {
  if (!rootsOnly(req)) return wire;
  return { format: 'ix-plan-roots/1', host: wire.host, target: wire.target, roots: wire.roots };
}

/** True for `output: "roots"`, false for the whole plan; any other value is a malformed request. */
function rootsOnly(req: PlanRequest): boolean {
  const o = (req as { output?: unknown }).output;
  if (o === undefined || o === null || o === 'plan') return false;
  if (o === 'roots') return true;
  throw new Error("plan request field output must be 'plan' or 'roots'");
}

/**
 * Registers the node task on `graph` (every closure first, then the nodes of every buildable
 * dependency, then this node) and the graph's `intro` hook (a template's `intro(selector).uid`:
 * the store id of that package's node; of a hub, the digest of its members' paths, as IX hashes
 * a hub's run-time uids).
 */
function nodeTask<A extends ArchLike>(graph: Graph<A>, io: HostIO) {
  const td = hostTextDigest(io);
  const nodes = new Map<Instance<A>, WireNode>();
  const fetches = new Map<string, WireNode>();
  const scripts: Record<string, string> = {};
  // closures (the environment lists them) and direct references (the node lists them)
  const kinds: ClosureKind[] = ['bin', 'data', 'tlib', 'hlib', 'rdir', 'ldir'];
  graph.addTask('node', (p) => {
    const missing = kinds.filter((k) => !p.memo[k]).map((k) => ({ inst: p, what: k }));
    if (missing.length) return missing;
    const runItems = [...graph.toolItems(p), ...graph.dataItems(p)];
    const libItems = [...graph.targetLibItems(p), ...graph.hostLibItems(p)];
    const hubs = [...graph.directNeeds(runItems, 'rdir'), ...graph.directNeeds(libItems, 'ldir')];
    if (hubs.length) return hubs;
    const deps = graph.direct(runItems, 'rdir');
    const libs = graph.direct(libItems, 'ldir');
    // One missing node at a time: asking for all of them put every member of every closure on the
    // driver's stack again at each level of a chain; the first member's node brings its own
    // references' nodes, so few steps repeat.
    for (const l of [...kinds.map((k) => p.memo[k]!), deps, libs]) {
      for (const x of l) if (x.buildable && !nodes.has(x)) return [{ inst: x, what: 'node' }];
    }
    const refs = (k: ClosureKind): PlanNodeRef[] => p.memo[k]!.filter((x) => x.buildable).map((x) => nodes.get(x)!);
    const outs = (l: Instance<A>[]): string[] => l.map((x) => nodes.get(x)!.out);
    const sources = p.descriptor.bld.fetch.map((item) => {
      const f = fetchNode(item, p.name, td);
      const old = fetches.get(f.id);
      if (!old) fetches.set(f.id, f);
      else mergeFetch(old, f);
      return old ?? f;
    });
    const parts = {
      inst: p, tools: refs('bin'), data: refs('data'), targetLibs: refs('tlib'), hostLibs: refs('hlib'),
      deps: outs(deps), libs: outs(libs), runDeps: outs(p.memo.rdir!), libDeps: outs(p.memo.ldir!), sources,
    };
    // the node memo (node-memo.ts): a node whose inputs an earlier plan saw is not built again
    const key = io.cacheGet ? nodeMemoKey(parts, td) : undefined;
    let built = key !== undefined ? nodeMemoLookup(io, key) : undefined;
    if (built === undefined) {
      built = buildNode(parts, td);
      if (key !== undefined) nodeMemoStore(io, key, built);
    }
    nodes.set(p, built.node);
    scripts[built.node.cmd!.script] = built.script;
    return null;
  }, (p) => nodes.has(p));
  const nodeOf = (p: Instance<A>): WireNode => {
    graph.run(p, 'node');
    return nodes.get(p)!;
  };
  graph.introHook = (p) => {
    if (p.buildable) return nodeOf(p).id;
    const members = [...new Set(graph.runClosure(p).filter((x) => x.buildable).map((x) => nodeOf(x).out))].sort();
    return toHex(td(canonicalJson(members))).slice(0, 32);
  };
  return { nodes, fetches, scripts, nodeOf };
}

/** The descriptor text of one package instance, exactly as its template chain rendered it (or, with
 * `normalised`, its normalised descriptor as canonical JSON). */
export function renderOne<A extends ArchLike>(io: HostIO, req: RenderRequest, ev: Evaluator<A>): string {
  checkFlags(req.flags);
  const graph = new Graph(io, ev, req.host ?? DEFAULT_PLATFORM, undefined, bootEnv(req.boot));
  const target = graph.arch(req.target ?? DEFAULT_PLATFORM);
  nodeTask(graph, io);
  const inst = rootInstance(graph, req.package, req.flags ?? {}, target.name);
  return req.normalised ? canonicalJson(inst.descriptor) : inst.text;
}

/** A requested package: request flags, then the selector's own flags (which win). */
function rootInstance<A extends ArchLike>(graph: Graph<A>, request: string, flags: Flags, target: string): Instance<A> {
  const sel = parseSelector(request);
  return graph.instance(sel.name, withSelectorFlags({ target, ...flags }, sel));
}

function checkFlags(flags: unknown): void {
  if (flags === undefined) return;
  if (flags === null || typeof flags !== 'object' || Array.isArray(flags)) throw new IxError('flags must be an object of strings');
  for (const [k, v] of Object.entries(flags)) {
    if (typeof v !== 'string') throw new IxError(`flag '${k}' must be a string`);
  }
}
