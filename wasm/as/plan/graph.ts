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
import { Flags } from './flags';
import { defaultKind } from './names';
import { parseSelector, sanitize, Selector, withSelectorFlags } from './selector';
import { listPackages, suggestPackage } from './packages';
import { FileHashes } from './cache';
import { RenderShare } from './reads';
import * as host from '../host';
import { driverSafePoint } from '../gc';
import { Closures } from './closures';
import { cloneErr, KeptSource, LastTarget, NodeTask, Renderer, TARGETS } from './graph-hooks';
import { Rendered2, renderCached } from './graph-render';
import { step } from './graph-steps';
import { Instance, MAX_INSTANCES, NO_INSTANCES, T_NODE } from './instance';
import { InstanceKeys } from './instance-keys';

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
  /** The instances rendered (by instance(), or a kept one after all: unstub), in that order. */
  walked: Array<Instance> = new Array<Instance>();
  /** Every instance (taken from the kept graph too), found by key without making its string. */
  private keys: InstanceKeys = new InstanceKeys();
  private failed: Map<string, IxErr> = new Map<string, IxErr>();
  count: i32 = 0;
  /** The driver's stack of tasks (outermost first). */
  private stInst: Array<Instance> = [];
  private stWhat: Array<i32> = [];
  /** Needs appended by the step being run (a region per step, see run). */
  needInst: Array<Instance> = [];
  needWhat: Array<i32> = [];
  /** The mark of the closure being put together (graph-steps.ts). */
  stamp: i32 = 0;
  /** The descriptor cache's keys are put together and hashed here (before the render they key). */
  renderKeyBuf: StrBuilder = new StrBuilder(256);
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
    this.keys.add(x);
  }

  /** The instance of `key` (rendered or taken from the kept graph), or null. */
  instanceOfKey(key: string): Instance | null {
    return this.keys.get(key);
  }

  /** Package keys whose stored read sets were loaded from the descriptor cache. */
  setsLoaded: Set<string> = new Set<string>();

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
      const err = step(this, top, tw);
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

  /**
   * Loads that succeeded, by their list's and flags' addresses: a descriptor's lists never change, and a
   * list is loaded with the same shared flags again and again (a closure step and the node
   * step each load it; a lib's run.data once per closure that holds it). loadsHeld holds each
   * entry's list and flags, so neither is freed and their addresses name them while the graph
   * lives (two arrays of references, not an object per entry each collection marks).
   */
  private loads: Map<u64, Array<Instance>> = new Map<u64, Array<Instance>>();
  private loadsHeldDeps: Array<Array<string>> = new Array<Array<string>>();
  private loadsHeldBase: Array<Flags> = new Array<Flags>();

  /**
   * Loads dependency selectors of `parent` with inherited `base` flags; errors name the chain.
   * `deps` is a descriptor's own list (never changed), and a load of it that succeeds is
   * remembered. A remembered load does what the load did (the uses and the root's record get
   * each instance again) and gives the remembered list itself: callers only read it (a list to
   * add to is made with loadInto).
   */
  load(parent: Instance, deps: Array<string>, base: Flags): Array<Instance> {
    this.loadErr = null;
    if (deps.length == 0) return NO_INSTANCES;
    const at = (<u64>changetype<usize>(deps) << 32) | <u64>changetype<usize>(base);
    if (this.loads.has(at)) {
      const items = this.loads.get(at);
      const rec = this.rec;
      for (let i = 0; i < items.length; i++) {
        const x = unchecked(items[i]);
        if (rec !== null) rec.touched.push(x);
        parent.addUse(x);
      }
      return items;
    }
    // gathered in a reused buffer, kept at its exact size (a nested load, if any, makes its own)
    let buf = this.loadBuf;
    this.loadBuf = null;
    if (buf === null) buf = new Array<Instance>();
    buf.length = 0;
    this.loadInto(parent, deps, base, buf);
    const out = buf.slice(0);
    buf.length = 0;
    this.loadBuf = buf;
    if (this.loadErr === null) {
      this.loads.set(at, out);
      this.loadsHeldDeps.push(deps);
      this.loadsHeldBase.push(base);
    }
    return out;
  }

  private loadBuf: Array<Instance> | null = new Array<Instance>();

  /**
   * load() of a list made for the call (not remembered), its instances appended to `out`;
   * loadErr set on failure (`out` then holds the items before the failing one).
   */
  loadInto(parent: Instance, deps: Array<string>, base: Flags, out: Array<Instance>): void {
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
      return;
    }
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
      // instances share their flags (interned), so most bases were seen before
      const base = p.libBase;
      const at = changetype<usize>(base);
      if (this.libOf.has(at)) f = this.libOf.get(at);
      else {
        f = this.interned(sanitize(base.copy().set('kind', 'lib')));
        this.libOf.set(at, f);
        this.libOfHeld.push(base);
      }
      p.libFlags = f;
    }
    return f;
  }

  /** targetLibFlags by its base's address (libOfHeld holds the bases, so each address stays its). */
  private libOf: Map<usize, Flags> = new Map<usize, Flags>();
  private libOfHeld: Array<Flags> = new Array<Flags>();

  binFlags(p: Instance, target: string): Flags {
    if (!p.buildable) {
      // a hub's flags pass on: one set per hub and target, made once (lookups only read it)
      let f = p.binF;
      if (f === null || p.binTarget != target) {
        f = p.flags.copy().set('target', target).set('kind', 'bin');
        p.binF = f;
        p.binTarget = target;
      }
      return f;
    }
    if (this.binByTarget.has(target)) return this.binByTarget.get(target);
    const f = new Flags().push2('kind', 'bin', 'target', target);
    this.binByTarget.set(target, f);
    return f;
  }

  dataFlags(): Flags {
    let f = this.dataF;
    if (f === null || f.valAt(1) != this.hostName) {
      f = new Flags().push2('kind', 'aux', 'target', this.hostName);
      this.dataF = f;
    }
    return f;
  }

  hostLibFlags(): Flags {
    let f = this.hostLibF;
    if (f === null || f.valAt(1) != this.hostName) {
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

  private lastTarget: LastTarget = new LastTarget();

  /** Set when instance() returns null. */
  instErr: IxErr | null = null;

  /** The instance of `name` with `given` flags, or null with instErr set. */
  instance(name: string, given: Flags): Instance | null {
    if (name.endsWith('/ix.sh')) name = name.substring(0, name.length - 6);
    const gk = given.kind();
    if (gk === null && name.indexOf('/') < 0) {
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
    const gt = given.target();
    const target = this.lastTarget.resolve(gt !== null ? gt : this.hostName);
    if (target === null) {
      this.instErr = TARGETS.err;
      return null;
    }
    const kind = gk !== null ? gk : defaultKind(name);
    const rec = this.rec;
    const found = this.keys.find(name, given, kind, target!);
    if (found !== null) {
      if (rec !== null) rec.touched.push(found);
      return found;
    }
    const key = this.keys.lastKey();
    const ks = this.keptSrc;
    if (ks !== null) {
      const x = ks.instanceOf(this, key);
      if (x !== null) {
        this.keys.add(x);
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
    const r = renderCached(this, name, flags, target!);
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
    this.walked.push(inst);
    this.keys.add(inst);
    this.count++;
    if (rec !== null) rec.touched.push(inst);
    return inst;
  }

  /** Why `name/ix.sh` was not found (files.get just gave null): a recipe mount's fault, else an unknown package with a suggestion. */
  unknown(name: string): IxErr {
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
}
