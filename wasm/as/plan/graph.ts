/**
 * The package graph (engine/plan/graph.ts) on the demand-driven task driver (engine/plan/driver.ts):
 * package instances (name + flags incl. kind and target), each rendered once, and their closures
 * with IX's flag propagation:
 *
 *   edge                  loaded as            flags the dependency gets
 *   lib.deps, bld.target_libs, ind.deps of tools
 *                         target lib           parent's libBase minus one-level flags, kind=lib
 *   bld.host_libs         host lib             {target: host, kind: lib}
 *   bld.deps (tools)      host bin + run cl.   {target: host, kind: bin} (a hub passes its flags too)
 *   run.deps              target bin           {target: parent's target, kind: bin} (hubs pass flags)
 *   bld.data, run.data    host aux             {target: host, kind: aux}
 *
 * The driver computes "task `what` of instance `p`" with an explicit stack (graph depth never
 * exhausts the wasm stack) and reports dependency cycles with their path. Tasks are small
 * integers, the "expanded" set is a bit mask per instance, closures are index ranges in one arena
 * (closures.ts).
 * Errors are IxErr values: a step returns one and the driver unwinds.
 *
 * Must not depend on: abi/.
 */
import { IxErr } from '../errors';
import { KeyTable, StrBuilder } from '../hash/index';
import { Descriptor, normalise } from './descriptor';
import { Flags } from './flags';
import { defaultKind } from './names';
import { parseSelector, sanitize, Selector, withSelectorFlags } from './selector';
import { listPackages, suggestPackage } from './packages';
import { FileHashes, descLookup, descStore, ENGINE_VERSION, readSetsLookup, readSetsStore } from './cache';
import { flagsBehind, RenderShare, valuesKey } from './reads';
import { digestBuilder, hexOfText, toHex } from '../hash/index';
import * as host from '../host';
import { driverSafePoint } from '../gc';
import { Closures } from './closures';
import { Instance, MAX_INSTANCES, PNode, T_BIN, T_DATA, T_HLIB, T_LDIR, T_LIB, T_NODE, T_RDIR, T_RUN, T_TLIB } from './instance';

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

/**
 * What the walk of one root read (the kept graph keeps it for a root that failed, plan/kept.ts):
 * the recipe files it consulted (a failed render's too, with the paths it probed and found
 * missing), every instance it looked up, and every instance whose node it needed (built or found
 * built). `listed`: an error's suggestion read the package list; `bad`: a recipe mount failed
 * under it, whose own files no record names.
 */
export class RootRec {
  files: Array<string> = [];
  touched: Array<Instance> = [];
  needed: Array<Instance> = [];
  listed: bool = false;
  bad: bool = false;
}

export class Graph {
  /** The walk of the root in progress records what it read here (null: nothing recorded). */
  rec: RootRec | null = null;
  /** Of a key that failed: the files its failure read, and whether it was a failed render. */
  private failedFiles: Map<string, Array<string>> = new Map<string, Array<string>>();
  private failedBad: Set<string> = new Set<string>();
  private failedListed: Set<string> = new Set<string>();
  /** Calls of packageNames (a failure that listed the packages depends on the list). */
  private listings: i32 = 0;
  hostName: string;
  hostId: string;
  bootJson: string;
  renderer: Renderer;
  files: FileHashes = new FileHashes();
  nodeTask: NodeTask | null = null;
  useCache: bool;
  /** Every instance's closures and direct lists (closures.ts). */
  cl: Closures = new Closures();
  instances: Map<string, Instance> = new Map<string, Instance>();
  /** The same instances, found by the text of a key being built (a hit makes no key string). */
  private byKey: KeyTable<Instance> = new KeyTable<Instance>();
  private failed: Map<string, IxErr> = new Map<string, IxErr>();
  count: i32 = 0;
  /** The driver's stack of tasks (outermost first). */
  private stInst: Array<Instance> = [];
  private stWhat: Array<i32> = [];
  /** Needs appended by the step being run (a region per step, see run). */
  needInst: Array<Instance> = [];
  needWhat: Array<i32> = [];
  private stamp: i32 = 0;
  private keyBuf: StrBuilder = new StrBuilder(256);
  /** The descriptor cache's keys are put together and hashed here (before the render they key). */
  private renderKeyBuf: StrBuilder = new StrBuilder(256);
  /** Target ids by canonical name (the descriptor cache key). */
  targetIds: Map<string, string> = new Map<string, string>();
  /** Renders shared by read set (plan/reads.ts); false renders every instance on its own. */
  share: RenderShare<Rendered2> = new RenderShare<Rendered2>();
  shareRenders: bool = true;
  /**
   * Whether instances keep their descriptor text (render() returns it; a plan reads only the
   * parsed descriptor, and a whole tree's texts are hundreds of MB).
   */
  keepText: bool = true;
  /** Instances whose ids the renders in progress read through intro() (innermost last). */
  introLists: Array<Array<Instance>> = [];

  /** Notes that the render in progress read `p`'s id (the kept graph's edge). */
  noteIntro(p: Instance): void {
    const n = this.introLists.length;
    if (n > 0) unchecked(this.introLists[n - 1]).push(p);
  }

  /** Clean instances of the kept graph, taken without a render (null: none). */
  keptSrc: KeptSource | null = null;
  /** Rendered instances whose kept record was taken first but did not hold what was asked. */
  unstubbed: i32 = 0;

  /** Makes an instance taken from the kept graph (not through instance()) found by its key. */
  adopt(x: Instance): void {
    this.byKey.add(x.key, x);
  }

  /** Package keys whose stored read sets were loaded from the descriptor cache. */
  private setsLoaded: Set<string> = new Set<string>();

  constructor(hostName: string, hostId: string, bootJson: string, renderer: Renderer, useCache: bool) {
    this.hostName = hostName;
    this.hostId = hostId;
    this.bootJson = bootJson;
    this.renderer = renderer;
    this.useCache = useCache;
  }

  // ---- the driver ----

  done(p: Instance, what: i32): bool {
    return what == T_NODE ? p.node !== null : this.cl.has(p, what);
  }

  need(p: Instance, what: i32): void {
    this.needInst.push(p);
    this.needWhat.push(what);
  }

  private step(p: Instance, what: i32): IxErr | null {
    if (p.kept >= 0) {
      const r = this.keptStep(p, what);
      if (r != 1) return r == 0 ? null : this.loadErr;
      // its record lacks what is asked: rendered after all, then computed as any instance
      const e = this.unstub(p);
      if (e !== null) return e;
    }
    switch (what) {
      case T_LIB: {
        const items = this.load(p, p.desc.libDeps, this.targetLibFlags(p));
        if (this.loadErr === null && p.libItems === null) p.libItems = orShared(items);
        return this.finish(p, T_LIB, items, T_LIB);
      }
      case T_BIN: return this.finish(p, T_BIN, this.load(p, p.desc.deps, this.binFlags(p, this.hostName)), T_RUN);
      case T_HLIB: return this.finish(p, T_HLIB, this.load(p, p.desc.hostLibs, this.hostLibFlags()), T_LIB);
      case T_DATA: return this.finish(p, T_DATA, this.load(p, p.desc.data, this.dataFlags()), T_RUN);
      case T_TLIB: {
        const cl = this.cl;
        if (!cl.has(p, T_BIN)) {
          this.need(p, T_BIN);
          return null;
        }
        const names = p.desc.libDeps.concat(p.desc.targetLibs);
        const nt = cl.length(p, T_BIN);
        for (let i = 0; i < nt; i++) {
          const ind = cl.at(p, T_BIN, i).desc.indDeps;
          for (let j = 0; j < ind.length; j++) names.push(unchecked(ind[j]));
        }
        return this.finish(p, T_TLIB, this.load(p, names, this.targetLibFlags(p)), T_LIB);
      }
      case T_RUN: {
        let wait = false;
        if (p.kind == 'lib' && !this.cl.has(p, T_LIB)) {
          this.need(p, T_LIB);
          wait = true;
        }
        if (!this.cl.has(p, T_TLIB)) {
          this.need(p, T_TLIB);
          wait = true;
        }
        if (wait) return null;
        const direct = this.runItems(p, p.kind == 'lib' ? this.cl.copy(p, T_LIB) : new Array<Instance>());
        if (this.loadErr !== null) return this.loadErr;
        return this.finish(p, T_RUN, direct, T_RUN);
      }
      case T_RDIR: {
        if (!this.cl.has(p, T_TLIB)) {
          this.need(p, T_TLIB);
          return null;
        }
        let libs = new Array<Instance>();
        if (p.kind == 'lib') {
          libs = this.load(p, p.desc.libDeps, this.targetLibFlags(p));
          if (this.loadErr !== null) return this.loadErr;
        }
        const items = this.runItems(p, libs);
        if (this.loadErr !== null) return this.loadErr;
        if (this.directNeeds(items, T_RDIR)) return null;
        this.cl.set(p, T_RDIR, this.directBuf(items, T_RDIR));
        return null;
      }
      case T_LDIR: {
        const items = this.load(p, p.desc.libDeps, this.targetLibFlags(p));
        if (this.loadErr !== null) return this.loadErr;
        if (p.libItems === null) p.libItems = orShared(items);
        if (this.directNeeds(items, T_LDIR)) return null;
        this.cl.set(p, T_LDIR, this.directBuf(items, T_LDIR));
        return null;
      }
      default: {
        const t = this.nodeTask;
        if (t === null) {
          const e = new IxErr('plan: unknown task node');
          e.internal = true;
          return e;
        }
        return t.step(this, p);
      }
    }
  }

  /**
   * What the run closure is made of (engine/plan/graph.ts runItems; needs T_TLIB): run.deps,
   * run.data, `libs`, the run.data of every target lib. loadErr set on failure. The parts
   * around `libs` are kept on `p` (runPre, runPost) for the kept graph.
   */
  runItems(p: Instance, libs: Array<Instance>): Array<Instance> {
    const d = p.desc;
    const direct = this.load(p, d.runDeps, this.binFlags(p, p.target));
    if (this.loadErr !== null) return direct;
    const rd = this.load(p, d.runData, this.dataFlags());
    if (this.loadErr !== null) return direct;
    for (let i = 0; i < rd.length; i++) direct.push(rd[i]);
    const pre = direct.length;
    for (let i = 0; i < libs.length; i++) direct.push(libs[i]);
    const post = direct.length;
    const nt = this.cl.length(p, T_TLIB);
    for (let i = 0; i < nt; i++) {
      const l = this.cl.at(p, T_TLIB, i);
      // most libs have no run.data: a load of nothing allocates an array (once per lib per closure)
      if (l.desc.runData.length == 0) continue;
      const x = this.load(l, l.desc.runData, this.dataFlags());
      if (this.loadErr !== null) return direct;
      for (let j = 0; j < x.length; j++) direct.push(x[j]);
    }
    if (p.runPre === null) {
      p.runPre = pre == 0 ? NO_INSTANCES : direct.slice(0, pre);
      p.runPost = post == direct.length ? NO_INSTANCES : direct.slice(post);
    }
    return direct;
  }

  /**
   * A task of an instance taken from the kept graph: its closures from its kept direct items
   * (the same items give the same closures over the same dependencies), its node the kept one.
   * 0: done or needs appended; 2: failed (loadErr); 1: its record lacks it (unstub).
   */
  private keptStep(p: Instance, what: i32): i32 {
    const src = this.keptSrc!;
    const lib = p.kind == 'lib';
    this.loadErr = null;
    if (!p.keptRead) {
      p.keptRead = true;
      if (!src.items(this, p)) return 1;
    }
    switch (what) {
      case T_LIB: {
        if (p.libItems === null) return 1;
        return this.finish(p, T_LIB, p.libItems!, T_LIB) === null ? 0 : 2;
      }
      case T_LDIR: {
        if (p.libItems === null) return 1;
        if (this.directNeeds(p.libItems!, T_LDIR)) return 0;
        this.cl.set(p, T_LDIR, this.directBuf(p.libItems!, T_LDIR));
        return 0;
      }
      case T_RUN:
      case T_RDIR: {
        if (p.runPre === null || (lib && p.libItems === null)) return 1;
        if (lib && what == T_RUN && !this.cl.has(p, T_LIB)) {
          this.need(p, T_LIB);
          return 0;
        }
        const items = p.runPre!.slice(0);
        if (lib) {
          if (what == T_RUN) this.cl.pushTo(items, p, T_LIB);
          else {
            const li = p.libItems!;
            for (let i = 0; i < li.length; i++) items.push(unchecked(li[i]));
          }
        }
        const post = p.runPost!;
        for (let i = 0; i < post.length; i++) items.push(unchecked(post[i]));
        if (what == T_RUN) return this.finish(p, T_RUN, items, T_RUN) === null ? 0 : 2;
        if (this.directNeeds(items, T_RDIR)) return 0;
        this.cl.set(p, T_RDIR, this.directBuf(items, T_RDIR));
        return 0;
      }
      case T_NODE: {
        const n = src.node(this, p);
        if (n === null) return 1;
        p.node = n;
        return 0;
      }
      default:
        return 1;
    }
  }

  /**
   * Renders an instance taken from the kept graph after all (its record lacks a closure or a
   * node that is now asked for): it is clean, so the render gives its kept descriptor, and it
   * keeps its kept record's uses and the items taken so far.
   */
  private unstub(p: Instance): IxErr | null {
    const r = this.renderCached(p.name, p.flags, p.target);
    if (r.err !== null) return r.err;
    p.desc = r.desc!;
    p.digest = r.digest;
    p.files = r.files;
    const intros = r.intros;
    p.uses = this.keptSrc!.uses(this, p);
    for (let i = 0; i < intros.length; i++) p.addUse(intros[i]);
    p.introduced = intros.length > 0;
    const data = p.desc.scriptData;
    p.buildable = data !== null && data.length > 0;
    const fb = p.flags.get('boot');
    const boot = fb !== null ? fb != '' : p.name.startsWith('bld/boot/');
    p.libBase = p.buildable && boot ? p.flags.copy().set('boot', 'True') : p.flags;
    p.libFlags = null;
    p.kept = -1;
    this.instances.set(p.key, p);
    this.unstubbed++;
    return null;
  }

  /** Appends task `k` of each hub among `items` that lacks it; true if any was appended. */
  directNeeds(items: Array<Instance>, k: i32): bool {
    let waiting = false;
    for (let i = 0; i < items.length; i++) {
      const x = unchecked(items[i]);
      if (!x.buildable && !this.cl.has(x, k)) {
        this.need(x, k);
        waiting = true;
      }
    }
    return waiting;
  }

  /** Buildable `items` with each hub replaced by its direct references `k`, once each, in order. */
  direct(items: Array<Instance>, k: i32): Array<Instance> {
    return exactCopy(this.directBuf(items, k));
  }

  /** direct() in the graph's one reused buffer (valid until the next directBuf or finish). */
  private directBuf(items: Array<Instance>, k: i32): Array<Instance> {
    const stamp = ++this.stamp;
    const out = closureBuf;
    out.length = 0;
    for (let i = 0; i < items.length; i++) {
      const x = unchecked(items[i]);
      if (x.buildable) {
        if (x.mark != stamp) {
          x.mark = stamp;
          out.push(x);
        }
        continue;
      }
      this.pushUnmarked(out, x, k, stamp);
    }
    return out;
  }

  /** Needs for items without their `child` closure, else the closure: each item, then its closure. */
  private finish(p: Instance, k: i32, items: Array<Instance>, child: i32): IxErr | null {
    if (this.loadErr !== null) return this.loadErr;
    let waiting = false;
    for (let i = 0; i < items.length; i++) {
      const x = unchecked(items[i]);
      if (!this.cl.has(x, child)) {
        this.need(x, child);
        waiting = true;
      }
    }
    if (waiting) return null;
    const stamp = ++this.stamp;
    const out = closureBuf;
    out.length = 0;
    for (let i = 0; i < items.length; i++) {
      const x = unchecked(items[i]);
      if (x.mark == stamp) continue;
      x.mark = stamp;
      out.push(x);
      this.pushUnmarked(out, x, child, stamp);
    }
    this.cl.set(p, k, out);
    out.length = 0;
    return null;
  }

  /** Appends the members of the list `k` of `x` not marked with `stamp`, marking them. */
  private pushUnmarked(out: Array<Instance>, x: Instance, k: i32, stamp: i32): void {
    const cl = this.cl;
    const n = cl.length(x, k);
    for (let j = 0; j < n; j++) {
      const y = cl.at(x, k, j);
      if (y.mark != stamp) {
        y.mark = stamp;
        out.push(y);
      }
    }
  }

  /** Computes task `what` of `p` (engine/plan/driver.ts run); an error unwinds the frames it pushed. */
  run(p: Instance, what: i32): IxErr | null {
    if (this.done(p, what)) {
      if (what == T_NODE) this.noteNeeded(p);
      return null;
    }
    const base = this.stInst.length;
    this.stInst.push(p);
    this.stWhat.push(what);
    while (this.stInst.length > base) {
      // the outermost driver, between steps: what is used below is the graph's (gc.ts)
      if (base == 0) driverSafePoint();
      const top = this.stInst[this.stInst.length - 1];
      const tw = this.stWhat[this.stWhat.length - 1];
      if (this.done(top, tw)) {
        this.stInst.pop();
        this.stWhat.pop();
        top.expanded &= ~(1 << tw);
        if (tw == T_NODE) this.noteNeeded(top);
        continue;
      }
      const nb = this.needInst.length;
      const err = this.step(top, tw);
      if (err !== null) {
        this.needInst.length = nb;
        this.needWhat.length = nb;
        this.unwind(base);
        return err;
      }
      const ne = this.needInst.length;
      if (ne == nb) {
        if (!this.done(top, tw)) {
          this.unwind(base);
          const e = new IxErr('plan: task stored nothing');
          e.internal = true;
          return e;
        }
        continue;
      }
      top.expanded |= 1 << tw;
      for (let i = ne - 1; i >= nb; i--) {
        const ni = this.needInst[i];
        const nw = this.needWhat[i];
        if ((ni.expanded & (1 << nw)) != 0) {
          const e = this.cycle(ni, nw);
          this.needInst.length = nb;
          this.needWhat.length = nb;
          this.unwind(base);
          return e;
        }
        this.stInst.push(ni);
        this.stWhat.push(nw);
      }
      this.needInst.length = nb;
      this.needWhat.length = nb;
    }
    return null;
  }

  /** Notes that the root in progress needed the node of `p`. */
  noteNeeded(p: Instance): void {
    const r = this.rec;
    if (r !== null) r.needed.push(p);
  }

  private unwind(base: i32): void {
    for (let i = base; i < this.stInst.length; i++) this.stInst[i].expanded &= ~(1 << this.stWhat[i]);
    this.stInst.length = base;
    this.stWhat.length = base;
  }

  /** The cycle error for a need already being computed lower on the stack. */
  private cycle(n: Instance, what: i32): IxErr {
    let from = 0;
    for (; from < this.stInst.length; from++) {
      const s = this.stInst[from];
      if (s === n && this.stWhat[from] == what && (s.expanded & (1 << what)) != 0) break;
    }
    const names = new Array<string>();
    for (let i = from; i < this.stInst.length; i++) {
      const s = this.stInst[i];
      if ((s.expanded & (1 << this.stWhat[i])) == 0) continue;
      if (names.length == 0 || names[names.length - 1] != s.name) names.push(s.name);
    }
    if (names.length == 1 || names.length == 0 || names[names.length - 1] != n.name) names.push(n.name);
    return new IxErr('dependency cycle: ' + names.join(' -> '));
  }

  /** "bin/a -> lib/b -> lib/c": the packages waiting on each other, ending at `p`; long chains elided. */
  chain(p: Instance): string {
    const names = new Array<string>();
    for (let i = 0; i < this.stInst.length; i++) {
      const s = this.stInst[i];
      if ((s.expanded & (1 << this.stWhat[i])) == 0) continue;
      if (names.length == 0 || names[names.length - 1] != s.name) names.push(s.name);
    }
    if (names.length == 0 || names[names.length - 1] != p.name) names.push(p.name);
    if (names.length > 6) {
      const n = names.length;
      return names[0] + ' -> ' + names[1] + ' -> ... -> ' + names[n - 3] + ' -> ' + names[n - 2] + ' -> ' + names[n - 1];
    }
    return names.join(' -> ');
  }

  // ---- instances ----

  /** Set by a failing load (steps read it after load returns). */
  loadErr: IxErr | null = null;

  /** Loads dependency selectors of `parent` with inherited `base` flags; errors name the chain. */
  load(parent: Instance, deps: Array<string>, base: Flags): Array<Instance> {
    const out = new Array<Instance>();
    this.loadErr = null;
    for (let i = 0; i < deps.length; i++) {
      const sel = this.selector(unchecked(deps[i]));
      let e: IxErr | null = sel.err;
      if (e === null) {
        const plain = sel.flags.size == 0 && sel.removed.length == 0;
        const inst = this.instance(sel.name, plain ? base : withSelectorFlags(base, sel));
        if (inst !== null) {
          out.push(inst);
          parent.addUse(inst);
          continue;
        }
        e = this.instErr;
      }
      this.loadErr = this.attach(e!, parent);
      return out;
    }
    return out;
  }

  /** Adds the chain that led to a failing dependency to its error ("bin/a -> lib/b"). */
  private attach(e: IxErr, parent: Instance): IxErr {
    const pkg = e.pkg;
    if (pkg !== null && pkg.indexOf(' -> ') >= 0) return e;
    const c = cloneErr(e);
    c.pkg = pkg === null ? this.chain(parent) : this.chain(parent) + ' -> ' + pkg;
    return c;
  }

  // The flag sets below are made once and shared: load() and instance() only read the flags
  // they are given, and an instance keeps a copy of its own.

  /**
   * Instances' flags and their target libs' flags by canonical JSON: flags are never changed
   * once an instance has them (every change is made to a copy first), so instances with equal
   * flags share one Flags (a whole tree's ~48,000 instances have a few thousand distinct sets;
   * as a Flags each, they were a sixth of the walk's live objects).
   */
  private flagSets: KeyTable<Flags> = new KeyTable<Flags>();
  private flagBuf: StrBuilder = new StrBuilder(256);

  /** The shared Flags equal to `f` (`f` itself when first seen). */
  private interned(f: Flags): Flags {
    const b = this.flagBuf;
    b.clear();
    f.writeJson(b);
    const at = this.flagSets.find(b);
    if (at >= 0) return this.flagSets.valueAt(at);
    this.flagSets.add(b.toString(), f);
    return f;
  }

  targetLibFlags(p: Instance): Flags {
    let f = p.libFlags;
    if (f === null) {
      f = this.interned(sanitize(p.libBase.copy().set('kind', 'lib')));
      p.libFlags = f;
    }
    return f;
  }

  binFlags(p: Instance, target: string): Flags {
    if (!p.buildable) return p.flags.copy().set('target', target).set('kind', 'bin');
    if (this.binByTarget.has(target)) return this.binByTarget.get(target);
    const f = new Flags().push2('kind', 'bin', 'target', target);
    this.binByTarget.set(target, f);
    return f;
  }

  dataFlags(): Flags {
    let f = this.dataF;
    if (f === null || f.vals[1] != this.hostName) {
      f = new Flags().push2('kind', 'aux', 'target', this.hostName);
      this.dataF = f;
    }
    return f;
  }

  hostLibFlags(): Flags {
    let f = this.hostLibF;
    if (f === null || f.vals[1] != this.hostName) {
      f = new Flags().push2('kind', 'lib', 'target', this.hostName);
      this.hostLibF = f;
    }
    return f;
  }

  private binByTarget: Map<string, Flags> = new Map<string, Flags>();
  private dataF: Flags | null = null;
  private hostLibF: Flags | null = null;
  /** Parsed dependency selectors by text (a Selector is never changed once parsed). */
  private selectors: KeyTable<Selector> = new KeyTable<Selector>();

  private selector(text: string): Selector {
    const at = this.selectors.findStr(text);
    if (at >= 0) return this.selectors.valueAt(at);
    const sel = parseSelector(text);
    this.selectors.add(text, sel);
    return sel;
  }

  /** Set when instance() returns null. */
  instErr: IxErr | null = null;

  /** The instance of `name` with `given` flags, or null with instErr set. */
  instance(name: string, given: Flags): Instance | null {
    if (name.endsWith('/ix.sh')) name = name.substring(0, name.length - 6);
    const gk = given.get('kind');
    if (name.indexOf('/') < 0 && gk === null) {
      // a name no recipe root holds is unknown, kind or not (engine/plan/graph.ts)
      if (this.files.get(name + '/ix.sh') === null) {
        this.instErr = this.unknown(name);
        return null;
      }
      const e = new IxErr("package '" + name + "' has no '/', so its kind cannot come from its path: give it one (" + name + '(kind=bin)), or depend on it from a package of that kind');
      e.pkg = name;
      this.instErr = e;
      return null;
    }
    const gt = given.get('target');
    const target = TARGETS.resolve(gt !== null ? gt : this.hostName);
    if (target === null) {
      this.instErr = TARGETS.err;
      return null;
    }
    const kind = gk !== null ? gk : defaultKind(name);
    const kb = this.keyBuf;
    kb.clear();
    kb.str(name);
    kb.ch(0);
    given.writeJsonKindTarget(kb, kind, target!);
    const rec = this.rec;
    const at = this.byKey.find(kb);
    if (at >= 0) {
      const x = this.byKey.valueAt(at);
      if (rec !== null) rec.touched.push(x);
      return x;
    }
    const key = kb.toString();
    const ks = this.keptSrc;
    if (ks !== null) {
      const x = ks.instanceOf(this, key);
      if (x !== null) {
        this.byKey.add(key, x);
        if (rec !== null) rec.touched.push(x);
        return x;
      }
    }
    if (this.failed.has(key)) {
      if (rec !== null) {
        const fs = this.failedFiles.get(key);
        for (let i = 0; i < fs.length; i++) rec.files.push(fs[i]);
        if (this.failedBad.has(key)) rec.bad = true;
        if (this.failedListed.has(key)) rec.listed = true;
      }
      this.instErr = this.failed.get(key);
      return null;
    }
    if (this.count >= MAX_INSTANCES) {
      const e = new IxErr('plan too large: more than ' + MAX_INSTANCES.toString() + ' distinct package instances');
      e.pkg = name;
      this.instErr = e;
      return null;
    }
    // the key after the name and \x00 is the flags' canonical JSON: equal flag sets are one object
    const fp = changetype<usize>(key) + ((<usize>name.length + 1) << 1);
    const fn = key.length - name.length - 1;
    const fat = this.flagSets.findUnits(fp, fn);
    let flags: Flags;
    if (fat >= 0) flags = this.flagSets.valueAt(fat);
    else {
      flags = given.copy().set('target', target!).set('kind', kind);
      this.flagSets.add(key.substring(name.length + 1), flags);
    }
    const listings = this.listings;
    const r = this.renderCached(name, flags, target!);
    if (r.err !== null) {
      if (this.listings != listings) this.failedListed.add(key);
      // its recipe's absence decides an unknown package: that path is read too
      const fs = r.files.concat(r.missing);
      fs.push(name + '/ix.sh');
      this.failedFiles.set(key, fs);
      const bad = r.renderFailed && r.missing.includes(host.MISS_FAULT);
      if (bad) this.failedBad.add(key);
      if (rec !== null) {
        for (let i = 0; i < fs.length; i++) rec.files.push(fs[i]);
        if (bad) rec.bad = true;
      }
      this.failed.set(key, r.err!);
      this.instErr = r.err;
      return null;
    }
    const inst = new Instance(key, name, flags, kind, target!, this.keepText ? r.text : '', r.desc!);
    inst.digest = r.digest;
    inst.files = r.files;
    const intros = r.intros;
    for (let i = 0; i < intros.length; i++) inst.addUse(intros[i]);
    inst.introduced = intros.length > 0;
    // a shared render: later instances need only its descriptor
    if (!this.keepText) r.text = '';
    const fb = flags.get('boot');
    const boot = fb !== null ? fb != '' : name.startsWith('bld/boot/');
    if (inst.buildable && boot) inst.libBase = flags.copy().set('boot', 'True');
    this.instances.set(key, inst);
    this.byKey.add(key, inst);
    this.count++;
    if (rec !== null) rec.touched.push(inst);
    return inst;
  }

  /** Why `name/ix.sh` was not found (files.get just gave null): a recipe mount's fault, else an unknown package with a suggestion. */
  private unknown(name: string): IxErr {
    const fault = this.files.fault;
    return fault !== null ? fault : new IxErr("unknown package '" + name + "'" + suggestPackage(name, this.packageNames()));
  }

  /** Every package name, listed once per graph (each unknown package's suggestion reads it). */
  private allPackages: Array<string> | null = null;

  packageNames(): Array<string> {
    const rec = this.rec;
    if (rec !== null) rec.listed = true;
    this.listings++;
    let all = this.allPackages;
    if (all === null) {
      all = listPackages();
      this.allPackages = all;
    }
    return all;
  }

  /** Renders through the descriptor cache; a missing ix.sh is "unknown package" with a suggestion. */
  renderCached(name: string, flags: Flags, target: string): Rendered2 {
    const pk = name + '\x00' + flags.get('kind')! + '\x00' + target;
    if (this.shareRenders) {
      const shared = this.share.find(pk, flags);
      if (shared !== null) {
        this.share.sharedCount++;
        return shared;
      }
    }
    const out = new Rendered2();
    let key = '';
    let setsKey = '';
    if (this.useCache) {
      const sk = this.renderKeyBuf;
      sk.clear();
      sk.str(ENGINE_VERSION);
      sk.ch(0);
      sk.str(name);
      sk.ch(0);
      sk.str(flags.get('kind')!);
      sk.ch(0);
      sk.str(this.hostId);
      sk.ch(0);
      sk.str(TARGETS.idOf(target));
      sk.ch(0);
      sk.str(this.bootJson);
      sk.str('\x00reads');
      setsKey = 'as-desc1-' + toHex(digestBuilder(sk, 0));
      if (this.shareRenders) {
        // the read sets earlier plans saw: each names one render entry to try
        const sets = this.share.readSets(pk);
        if (!this.setsLoaded.has(pk)) {
          this.setsLoaded.add(pk);
          const stored = readSetsLookup(setsKey);
          for (let i = 0; i < stored.length; i++) {
            const id = stored[i].join('\x00');
            let known = false;
            for (let j = 0; j < sets.length; j++) if (sets[j].join('\x00') == id) known = true;
            if (!known) sets.push(stored[i]);
          }
        }
        for (let i = 0; i < sets.length; i++) {
          const hit = descLookup(renderKeyOf(setsKey, sets[i], flags), this.files);
          if (hit === null) continue;
          const n = normalise(hit.text, name);
          if (n.d === null) continue;
          out.text = hit.text;
          out.digest = hit.digest;
          out.desc = n.d;
          out.files = hit.files;
          this.share.add(pk, sets[i], flags, out);
          return out;
        }
      }
      // a render whose names are unknown is stored per instance
      const kb = this.renderKeyBuf;
      kb.clear();
      kb.str(ENGINE_VERSION);
      kb.ch(0);
      kb.str(name);
      kb.ch(0);
      flags.writeJson(kb);
      kb.ch(0);
      kb.str(this.hostId);
      kb.ch(0);
      kb.str(TARGETS.idOf(target));
      kb.ch(0);
      kb.str(this.bootJson);
      key = 'as-desc1-' + toHex(digestBuilder(kb, 0));
      const hit = descLookup(key, this.files);
      if (hit !== null) {
        const n = normalise(hit.text, name);
        if (n.d !== null) {
          out.text = hit.text;
          out.digest = hit.digest;
          out.desc = n.d;
          out.files = hit.files;
          return out;
        }
      }
    }
    if (this.files.get(name + '/ix.sh') === null) {
      out.err = this.unknown(name);
      return out;
    }
    host.evaluating(name);
    this.introLists.push(new Array<Instance>());
    // the paths it probed and found missing: a failed render is kept with them (plan/kept.ts)
    const miss = new Array<string>();
    const outer = host.swapMissLog(miss);
    const r = this.renderer.render(this, name, flags, target);
    host.swapMissLog(outer);
    out.missing = miss;
    out.intros = this.introLists.pop();
    out.files = r.files;
    this.share.renderCount++;
    if (r.err !== null) {
      out.err = withinPkg(r.err!, name);
      out.renderFailed = true;
      return out;
    }
    const n = normalise(r.text, name);
    if (n.err !== null) {
      out.err = withinPkg(n.err!, name);
      return out;
    }
    out.text = r.text;
    out.desc = n.d;
    if (this.useCache) out.digest = hexOfText(r.text);
    // intro() read another package's node, which hashes every flag: such a render is not shared
    // nor cached
    if (r.introduced) return out;
    if (this.shareRenders && r.names !== null) {
      const reads = flagsBehind(r.names!);
      const fresh = this.share.add(pk, reads, flags, out);
      if (this.useCache) {
        if (fresh) readSetsStore(setsKey, this.share.readSets(pk));
        descStore(renderKeyOf(setsKey, reads, flags), r.text, out.digest, r.files, this.files);
      }
    } else if (this.useCache) descStore(key, r.text, out.digest, r.files, this.files);
    return out;
  }
}

/** The descriptor-cache key of one render: its package's read-sets key, a read set and its values. */
function renderKeyOf(setsKey: string, reads: Array<string>, flags: Flags): string {
  return 'as-desc1-' + hexOfText(setsKey + '\x00' + valuesKey(reads, flags));
}

export class Rendered2 {
  text: string = '';
  /** Hex BLAKE3 of `text` when the graph uses the cache (the node memo's key), else ''. */
  digest: string = '';
  desc: Descriptor | null = null;
  err: IxErr | null = null;
  /** The recipe files the render read (sorted). */
  files: Array<string> = [];
  /** Instances whose ids it read through intro() (such a render is never shared or cached). */
  intros: Array<Instance> = [];
  /** The template evaluator failed (not the descriptor check). */
  renderFailed: bool = false;
  /** Paths the render read and found missing (a failed one is kept with them). */
  missing: Array<string> = [];
}

/** Target names to canonical names and ids (engine/targets.ts through tpl), set by the planner. */
export abstract class Targets {
  err: IxErr | null = null;
  /** The canonical name, or null with `err` set. */
  abstract resolve(name: string): string | null;
  abstract idOf(canonical: string): string;
}

export let TARGETS: Targets = changetype<Targets>(0);
export function setTargets(t: Targets): void {
  TARGETS = t;
}

/**
 * Where a closure or direct list is put together before it is stored (closures.ts) or copied at
 * its exact size (direct): grown by doubling, a list of its own left up to half its capacity
 * unused and every smaller buffer as garbage.
 */
const closureBuf = new Array<Instance>();

/**
 * Every empty direct list direct() returns, and every empty list of items an instance keeps
 * (libItems, runPre, runPost): most are empty, and each live array is two objects every
 * collection marks. Their readers never change them.
 */
const NO_INSTANCES = new Array<Instance>();

/** `a`, or the shared empty list when it is empty (for a list kept and never changed). */
function orShared(a: Array<Instance>): Array<Instance> {
  return a.length == 0 ? NO_INSTANCES : a;
}

/** `a` at its exact size (empty: the shared one); `a` is emptied for reuse. */
function exactCopy(a: Array<Instance>): Array<Instance> {
  if (a.length == 0) return NO_INSTANCES;
  const c = a.slice(0);
  a.length = 0;
  return c;
}
