/**
 * One plan or render call's session: the request's platforms, flags and boot environment checked
 * into a graph with the plan's node task; a requested selector's instance, a buildable
 * instance's node, a hub's members and a render's intro() uid.
 *
 * Must not depend on: abi/, planner.ts, plan writing (plan-write.ts).
 */
import { IxErr } from '../errors';
import { JValue, jsString } from '../hash/index';
import { Flags } from './flags';
import { Graph } from './graph';
import { Renderer, TARGETS } from './graph-hooks';
import { Instance, PNode, T_NODE, T_RUN } from './instance';
import { hubUid } from './node';
import { parseSelector, withSelectorFlags } from './selector';
import { BootEnv } from '../tpl/index';
import { Boot, bootEnv } from './boot';
import { Nodes } from './node-task';
import { checkFlags, missing } from './request';
import { sortedUnique } from './sorted';

export const DEFAULT_PLATFORM = 'linux-x86_64';

/** One plan or render call: the graph, its node task, the request's platform and flags. */
export class Session {
  graph: Graph;
  nodes: Nodes = new Nodes();
  target: string = '';
  flags: Flags = new Flags();
  boot: BootEnv;
  err: IxErr | null = null;
  /** The instance of the root plan1 planned last. */
  lastRoot: Instance | null = null;

  constructor(req: JValue, renderer: Renderer, useCache: bool) {
    const boot = bootEnv(req.get('boot'));
    this.boot = boot.env;
    this.graph = new Graph('', '', boot.json, renderer, useCache);
    this.graph.nodeTask = this.nodes;
    this.start(req, boot);
  }

  private start(req: JValue, boot: Boot): void {
    const c = checkFlags(req.get('flags'));
    const hv = req.get('host');
    const hostName = missing(hv) ? DEFAULT_PLATFORM : jsString(hv!);
    if (c.err !== null) {
      this.err = c.err;
      return;
    }
    if (boot.err !== null) {
      this.err = boot.err;
      return;
    }
    this.flags = c.flags;
    const h = TARGETS.resolve(hostName);
    if (h === null) {
      this.err = TARGETS.err;
      return;
    }
    this.graph.hostName = h!;
    this.graph.hostId = TARGETS.idOf(h!);
    const tv = req.get('target');
    const t = TARGETS.resolve(missing(tv) ? DEFAULT_PLATFORM : jsString(tv!));
    if (t === null) {
      this.err = TARGETS.err;
      return;
    }
    this.target = t!;
  }

  /** The requested package's instance: request flags, then the selector's own (which win). */
  root(request: string): Instance | null {
    const sel = parseSelector(request);
    if (sel.err !== null) {
      this.err = sel.err;
      return null;
    }
    const base = new Flags().set('target', this.target).merged(this.flags);
    const inst = this.graph.instance(sel.name, withSelectorFlags(base, sel));
    if (inst === null) this.err = this.graph.instErr;
    return inst;
  }

  /** The node of a buildable instance, or null with `err` set. */
  nodeOf(p: Instance): PNode | null {
    const e = this.graph.run(p, T_NODE);
    if (e !== null) {
      this.err = e;
      return null;
    }
    return p.node;
  }

  /** The sorted unique outs of the buildable part of a hub's run closure, or null with `err` set. */
  members(p: Instance): Array<string> | null {
    const e = this.graph.run(p, T_RUN);
    if (e !== null) {
      this.err = e;
      return null;
    }
    const cl = this.graph.cl;
    const nr = cl.length(p, T_RUN);
    const outs = new Array<string>();
    for (let i = 0; i < nr; i++) {
      const x = cl.at(p, T_RUN, i);
      if (!x.buildable) continue;
      const n = this.nodeOf(x);
      if (n === null) return null;
      outs.push(n.out);
    }
    return sortedUnique(outs);
  }

  /** intro(selector).uid for a render of `flags` (the graph's introHook), or null with `err` set. */
  introUid(selector: string, flags: Flags): string | null {
    const sel = parseSelector(selector);
    if (sel.err !== null) {
      this.err = sel.err;
      return null;
    }
    const inst = this.graph.instance(sel.name, flags.merged(sel.flags));
    if (inst === null) {
      this.err = this.graph.instErr;
      return null;
    }
    this.graph.noteIntro(inst);
    if (inst.buildable) {
      const n = this.nodeOf(inst);
      return n === null ? null : n.id;
    }
    const m = this.members(inst);
    return m === null ? null : hubUid(m);
  }
}
