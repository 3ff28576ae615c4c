/**
 * What the package graph (graph.ts) is given from outside: the renderer, the kept graph's clean
 * instances, the planner's node task and the target names; and the copies of errors it reports.
 *
 * Must not depend on: abi/, host.ts, the walk itself (graph.ts only names the Graph type).
 */
import { IxErr } from '../errors';
import { Flags } from './flags';
import { Graph } from './graph';
import { Instance, PNode } from './instance';

/**
 * Where clean instances come from without a render (the planner's side of the kept graph,
 * reuse.ts): an instance nothing it read changed and none of whose dependencies is stale has the
 * kept descriptor, so its loads, closures' direct items and node are the kept ones (kept.ts).
 */
export abstract class KeptSource {
  /** The instance of `key` taken from the kept graph, or null (not kept, or not clean). */
  abstract instanceOf(g: Graph, key: string): Instance | null;
  /** Fills p.libItems / runPre / runPost from its record (those it kept); false if unreadable. */
  abstract items(g: Graph, p: Instance): bool;
  /** The kept node of `p`, or null (none kept, or the memo lost it). */
  abstract node(g: Graph, p: Instance): PNode | null;
  /** Its record's uses as instances, for a kept instance rendered after all (unstub). */
  abstract uses(g: Graph, p: Instance): Array<Instance>;
}

/** What renders a package for the graph: the template evaluator, or a test's stand-in. */
export abstract class Renderer {
  /** Text and files read; `err` set on failure. `intro` answers the template's intro(selector). */
  abstract render(g: Graph, name: string, flags: Flags, target: string): RenderOut;
  /** Drops what it keeps between renders (a plan calls this once its walk is over). */
  release(): void {}
}

export class RenderOut {
  text: string = '';
  files: Array<string> = [];
  err: IxErr | null = null;
  /** The render called intro(): it depends on more than its files, so it is not cached. */
  introduced: bool = false;
  /** Context names the render looked up; null: unknown, so the render is not shared (plan/reads.ts). */
  names: Array<string> | null = null;
}

/** A copy of an error (errors are remembered and re-reported; never mutate a shared one). */
export function cloneErr(e: IxErr): IxErr {
  const c = new IxErr(e.detail);
  c.file = e.file;
  c.line = e.line;
  c.pkg = e.pkg;
  c.suggestions = e.suggestions;
  c.internal = e.internal;
  return c;
}

/** engine's `e.within({pkg})`: a copy with pkg filled when missing. */
export function withinPkg(e: IxErr, pkg: string): IxErr {
  if (e.pkg !== null) return e;
  const c = cloneErr(e);
  c.pkg = pkg;
  return c;
}

/** The hooks the planner adds: the node task and a template's intro(selector). */
export abstract class NodeTask {
  /** Computes the node of `p` or appends its needs; returns an error or null. */
  abstract step(g: Graph, p: Instance): IxErr | null;
}

/** Target names to canonical names and ids (engine/targets.ts through tpl), set by the planner. */
export abstract class Targets {
  err: IxErr | null = null;
  /** The canonical name, or null with `err` set. */
  abstract resolve(name: string): string | null;
  abstract idOf(canonical: string): string;
}

export let TARGETS: Targets = changetype<Targets>(0);

/**
 * TARGETS.resolve with the last name that resolved remembered (a walk asks for one target
 * name lookup after lookup); null with TARGETS.err set.
 */
export class LastTarget {
  private name: string = '';
  private canonical: string = '';
  /** The TARGETS the name was resolved by (0: none yet). */
  private by: usize = 0;

  resolve(name: string): string | null {
    if (changetype<usize>(TARGETS) == this.by && name == this.name) return this.canonical;
    const t = TARGETS.resolve(name);
    if (t !== null) {
      this.name = name;
      this.canonical = t;
      this.by = changetype<usize>(TARGETS);
    }
    return t;
  }
}
export function setTargets(t: Targets): void {
  TARGETS = t;
}
