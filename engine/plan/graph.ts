/**
 * The package graph: package instances (name + flags incl. kind and target), each rendered once,
 * and their closures with IX's flag propagation (pkgs/README.md §5):
 *
 *   edge                  loaded as            flags the dependency gets
 *   lib.deps, bld.target_libs, ind.deps of tools (all three are build inputs)
 *                         target lib           parent's flags minus one-level flags, kind=lib
 *                                              (+ boot=True below a buildable bootstrap package)
 *   bld.host_libs         host lib             {target: host, kind: lib}
 *   bld.deps (tools)      host bin + run cl.   {target: host, kind: bin} (a hub passes its own flags too)
 *   run.deps              target bin           {target: parent's target, kind: bin} (hubs pass flags)
 *   bld.data, run.data    host aux             {target: host, kind: aux}
 *
 * Flags written in a dependency's own selector (`lib/z(k=v)`) override the inherited ones.
 * A closure lists each instance once: for every listed dependency, the dependency and then its own
 * closure, first occurrence wins (so declared order is kept: PATH lists the first tool first).
 * Closures hold hubs too; whoever emits store paths filters to buildable instances.
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import type { Flags, HostIO } from '../api';
import type { Descriptor } from '../descriptor';
import { IxError } from '../errors';
import { canonicalJson } from '../hash';
import { defaultKind, storeName } from '../eval/names';
import { cacheLookup, cacheStore, FileHashes, readSetsKey, readSetsLookup, readSetsStore, renderKey } from './cache';
import { flagsBehind, packageKey, RenderShare } from './reads';
import { parseSelector, sanitize, sortedFlags, withSelectorFlags } from './selector';
import { suggestPackage } from './packages';
import type { ArchLike, Evaluator, RenderedPackage } from './types';
import { TaskDriver } from './driver';
import { DEFAULT_BOOT_ENV } from '../eval/boot-env';
import type { FullBootEnv } from '../eval/boot-env';
import type { SourceCache } from '../eval/loader';
import type { Need } from './driver';

/** Upper bound on distinct package instances in one plan. */
export const MAX_INSTANCES = 200_000;

/** One package rendered with one set of flags. */
export interface Instance<A extends ArchLike = ArchLike> {
  key: string;
  name: string;
  /** Effective flags, sorted, including kind and target (the canonical target name). */
  flags: Flags;
  kind: string;
  storeName: string;
  target: A;
  text: string;
  descriptor: Descriptor;
  /** A hub (empty script) has no node; dependents get its run closure. */
  buildable: boolean;
  /** Memoised closures. */
  memo: Partial<Record<ClosureKind, Instance<A>[]>>;
  /**
   * The flags its libraries inherit: `flags`, plus `boot=True` when it is a buildable bootstrap
   * package (its template saw `boot` true), as IX marks them, so its libraries render as
   * bootstrap libraries too. The node itself keeps `flags`.
   */
  libBase: Flags;
}

/**
 * Closures (lib, run, bin, tlib, hlib, data: each item with its closure, hubs included) and direct
 * references (rdir, ldir: buildable instances only, a hub replaced by its own direct references).
 * rdir: what the run closure is made of (run.deps, run.data, a lib's lib.deps, run.data of the
 * target libs); ldir: lib.deps. Closing rdir (ldir) over itself gives the buildable part of the run
 * (lib) closure, which is how plan consumers get closures without the planner listing them.
 */
export type ClosureKind = 'lib' | 'run' | 'bin' | 'tlib' | 'hlib' | 'data' | 'rdir' | 'ldir';

/** Each item, then its closure; first occurrence wins. */
export function visit<T>(items: readonly T[], child: (x: T) => readonly T[]): T[] {
  const seen = new Set<T>();
  const out: T[] = [];
  for (const x of items) {
    if (seen.has(x)) continue;
    seen.add(x);
    out.push(x);
    for (const y of child(x)) {
      if (!seen.has(y)) {
        seen.add(y);
        out.push(y);
      }
    }
  }
  return out;
}

/** Resolves, renders (once per instance) and walks the package graph for one host. */
export class Graph<A extends ArchLike = ArchLike> extends TaskDriver<Instance<A>> {
  readonly host: A;
  private readonly instances = new Map<string, Instance<A>>();
  private readonly failed = new Map<string, IxError>();
  /** Template sources expanded once for all the renders of this graph. */
  private readonly sources: SourceCache = new Map();
  /** Set by the planner: the uid `intro(selector)` gives a template (plan/index.ts nodeTask). */
  introHook?: (p: Instance<A>) => string;
  private readonly archs = new Map<string, A>();
  private readonly files: FileHashes;
  /** Renders shared by read set; the number of chain evaluations and reuses (plan/reads.ts). */
  readonly share = new RenderShare<RenderedPackage>();
  /** Package keys whose stored read sets were loaded from the descriptor cache. */
  private readonly setsLoaded = new Set<string>();
  /**
   * False: every instance renders on its own and nothing is cached (equivalence tests compare
   * plans made both ways byte for byte).
   */
  shareRenders = true;

  constructor(
    private readonly io: HostIO,
    private readonly ev: Evaluator<A>,
    host: string,
    private readonly maxInstances = MAX_INSTANCES,
    readonly boot: FullBootEnv = DEFAULT_BOOT_ENV,
  ) {
    super();
    this.host = this.arch(host);
    this.files = new FileHashes(io);
    this.closureSteps();
  }

  /** Architecture record by name or alias, memoised. */
  arch(name: string): A {
    let a = this.archs.get(name);
    if (!a) {
      a = this.ev.arch(name);
      this.archs.set(name, a);
    }
    return a;
  }

  /** Number of distinct instances rendered so far. */
  get size(): number {
    return this.instances.size;
  }

  /** The instance of `name` with `flags`; a missing target means the host, a missing kind the name's. */
  instance(name: string, given: Flags): Instance<A> {
    // IX names a package also by its template path (`lib/x/ix.sh`): the same package
    if (name.endsWith('/ix.sh')) name = name.slice(0, -'/ix.sh'.length);
    // IX takes a package's kind from its first path component; a one-component name has none
    if (!name.includes('/') && given.kind === undefined) {
      // a name no recipe root holds is unknown, kind or not: name the package it may mean
      if (this.files.get(`${name}/ix.sh`) === null) throw new IxError(`unknown package '${name}'${suggestPackage(this.io, name)}`);
      throw new IxError(`package '${name}' has no '/', so its kind cannot come from its path: give it one (${name}(kind=bin)), or depend on it from a package of that kind`, { pkg: name });
    }
    const target = this.arch(given.target ?? this.host.name);
    const flags = sortedFlags({ ...given, target: target.name, kind: given.kind ?? defaultKind(name) });
    const key = name + '\0' + canonicalJson(flags);
    const seen = this.instances.get(key);
    if (seen) return seen;
    const failed = this.failed.get(key);
    if (failed) throw failed;
    if (this.instances.size >= this.maxInstances) {
      throw new IxError(`plan too large: more than ${this.maxInstances} distinct package instances`, { pkg: name });
    }
    let r;
    try {
      r = this.renderCached(name, flags, target);
    } catch (e) {
      // remembered, so a keep-going plan of many packages renders a broken one once
      if (e instanceof IxError) this.failed.set(key, e);
      throw e;
    }
    const script = r.descriptor.bld.script;
    const inst: Instance<A> = {
      key,
      name,
      flags,
      kind: flags.kind,
      storeName: storeName(name, flags.kind),
      target,
      text: r.text,
      descriptor: r.descriptor,
      buildable: !!script && typeof script.data === 'string' && script.data !== '',
      memo: {},
      libBase: flags,
    };
    const boot = flags.boot !== undefined ? flags.boot !== '' : name.startsWith('bld/boot/');
    if (inst.buildable && boot) inst.libBase = sortedFlags({ ...flags, boot: 'True' });
    this.instances.set(key, inst);
    return inst;
  }

  /**
   * Renders through the shared renders of this graph (plan/reads.ts), then the descriptor cache; a
   * missing ix.sh is "unknown package" with a suggestion.
   */
  renderCached(name: string, flags: Flags, target: A): RenderedPackage {
    const pk = packageKey(name, flags.kind, target.id);
    const shared = this.shareRenders ? this.share.find(pk, flags) : undefined;
    if (shared) {
      this.share.sharedCount++;
      return shared;
    }
    const setsKey = readSetsKey(this.io, name, flags.kind, this.host.id, target.id, this.boot);
    if (this.shareRenders && !this.setsLoaded.has(pk)) {
      // the read sets earlier plans saw: each names one render entry to try
      this.setsLoaded.add(pk);
      const known = this.share.readSets(pk);
      for (const reads of readSetsLookup(this.io, setsKey)) if (!known.some((k) => k.join('\0') === reads.join('\0'))) known.push(reads);
    }
    for (const reads of this.shareRenders ? this.share.readSets(pk) : []) {
      const hit = cacheLookup(this.io, renderKey(this.io, setsKey, reads, flags), this.files);
      if (hit) {
        this.share.add(pk, reads, flags, hit);
        return hit;
      }
    }
    if (this.files.get(`${name}/ix.sh`) === null) {
      throw new IxError(`unknown package '${name}'${suggestPackage(this.io, name)}`);
    }
    let r: RenderedPackage;
    let introduced = false;
    // IX's intro(selector): another package loaded with this package's flags, for its uid
    const intro = (selector: string) => {
      if (!this.introHook) throw new IxError('intro() is only available while planning');
      introduced = true;
      const sel = parseSelector(selector);
      return { uid: this.introHook(this.instance(sel.name, { ...flags, ...sel.flags })) };
    };
    try {
      r = this.ev.render(this.io, { name, flags, host: this.host, target, boot: this.boot, intro, sources: this.sources });
    } catch (e) {
      throw e instanceof IxError ? e.within({ pkg: name }) : e;
    }
    this.share.renderCount++;
    // a render that asked intro() depends on more than its files and names (the other package's
    // node hashes every flag), and one of an evaluator that does not report its names is unknown:
    // neither is shared nor cached
    if (introduced || r.names === undefined || !this.shareRenders) return r;
    const reads = flagsBehind(r.names);
    if (this.share.add(pk, reads, flags, r)) readSetsStore(this.io, setsKey, this.share.readSets(pk));
    cacheStore(this.io, renderKey(this.io, setsKey, reads, flags), r, reads, this.files);
    return r;
  }

  /** Loads dependency selectors of `parent` with inherited `base` flags; errors name the chain. */
  load(parent: Instance<A>, deps: readonly string[], base: Flags): Instance<A>[] {
    const out: Instance<A>[] = [];
    for (const d of deps) {
      try {
        const sel = parseSelector(d);
        out.push(this.instance(sel.name, withSelectorFlags(base, sel)));
      } catch (e) {
        throw e instanceof IxError ? this.attach(e, parent) : e;
      }
    }
    return out;
  }

  /** Lib closure: lib.deps as target libs, transitively. */
  libClosure(p: Instance<A>): Instance<A>[] {
    return this.closureOf(p, 'lib');
  }

  /** Run closure: run deps, run data, the lib closure for libs, run data of the target libs; transitively. */
  runClosure(p: Instance<A>): Instance<A>[] {
    return this.closureOf(p, 'run');
  }

  /** Build tools (host bins) with their run closures. */
  toolClosure(p: Instance<A>): Instance<A>[] {
    return this.closureOf(p, 'bin');
  }

  /**
   * Target libs: the package's own lib.deps (it links against them), bld.target_libs, and the
   * ind.deps every tool injects, with their lib closures.
   */
  targetLibClosure(p: Instance<A>): Instance<A>[] {
    return this.closureOf(p, 'tlib');
  }

  /** Host libs with their lib closures. */
  hostLibClosure(p: Instance<A>): Instance<A>[] {
    return this.closureOf(p, 'hlib');
  }

  /** Build data with their run closures (so a data hub yields its members). */
  dataClosure(p: Instance<A>): Instance<A>[] {
    return this.closureOf(p, 'data');
  }

  /** A closure, computed on demand (without deep JS recursion) and memoised. */
  closureOf(p: Instance<A>, kind: ClosureKind): Instance<A>[] {
    this.run(p, kind);
    return p.memo[kind]!;
  }

  /** The closure steps (see the table in the module comment). */
  private closureSteps(): void {
    const done = (k: ClosureKind) => (p: Instance<A>) => p.memo[k] !== undefined;
    const finish = (p: Instance<A>, k: ClosureKind, items: Instance<A>[], child: ClosureKind): Need<Instance<A>>[] | null => {
      const needs = items.filter((x) => x.memo[child] === undefined).map((x) => ({ inst: x, what: child }));
      if (needs.length) return needs;
      p.memo[k] = visit(items, (x) => x.memo[child]!);
      return null;
    };
    this.addTask('lib', (p) => finish(p, 'lib', this.libItems(p), 'lib'), done('lib'));
    this.addTask('bin', (p) => finish(p, 'bin', this.toolItems(p), 'run'), done('bin'));
    this.addTask('hlib', (p) => finish(p, 'hlib', this.hostLibItems(p), 'lib'), done('hlib'));
    this.addTask('data', (p) => finish(p, 'data', this.dataItems(p), 'run'), done('data'));
    this.addTask('tlib', (p) => {
      if (!p.memo.bin) return [{ inst: p, what: 'bin' }];
      return finish(p, 'tlib', this.targetLibItems(p), 'lib');
    }, done('tlib'));
    this.addTask('run', (p) => {
      const first: Need<Instance<A>>[] = [];
      if (p.kind === 'lib' && !p.memo.lib) first.push({ inst: p, what: 'lib' });
      if (!p.memo.tlib) first.push({ inst: p, what: 'tlib' });
      if (first.length) return first;
      return finish(p, 'run', this.runItems(p, p.kind === 'lib' ? p.memo.lib! : []), 'run');
    }, done('run'));
    this.addTask('rdir', (p) => {
      if (!p.memo.tlib) return [{ inst: p, what: 'tlib' }];
      const items = this.runItems(p, p.kind === 'lib' ? this.libItems(p) : []);
      const needs = this.directNeeds(items, 'rdir');
      if (needs.length) return needs;
      p.memo.rdir = this.direct(items, 'rdir');
      return null;
    }, done('rdir'));
    this.addTask('ldir', (p) => {
      const items = this.libItems(p);
      const needs = this.directNeeds(items, 'ldir');
      if (needs.length) return needs;
      p.memo.ldir = this.direct(items, 'ldir');
      return null;
    }, done('ldir'));
  }

  /** The tasks a direct-reference list of `items` waits for: `k` of each hub among them. */
  directNeeds(items: readonly Instance<A>[], k: 'rdir' | 'ldir'): Need<Instance<A>>[] {
    return items.filter((x) => !x.buildable && x.memo[k] === undefined).map((x) => ({ inst: x, what: k }));
  }

  /** Buildable `items` with each hub replaced by its direct references `k`, once each, in order. */
  direct(items: readonly Instance<A>[], k: 'rdir' | 'ldir'): Instance<A>[] {
    const seen = new Set<Instance<A>>();
    const out: Instance<A>[] = [];
    for (const x of items) {
      for (const y of x.buildable ? [x] : x.memo[k]!) {
        if (!seen.has(y)) {
          seen.add(y);
          out.push(y);
        }
      }
    }
    return out;
  }

  /** lib.deps, as target libs. */
  libItems(p: Instance<A>): Instance<A>[] {
    return this.load(p, p.descriptor.lib.deps, this.targetLibFlags(p));
  }

  /** bld.deps, as host bins. */
  toolItems(p: Instance<A>): Instance<A>[] {
    return this.load(p, p.descriptor.bld.deps, this.binFlags(p, this.host.name));
  }

  /** bld.host_libs. */
  hostLibItems(p: Instance<A>): Instance<A>[] {
    return this.load(p, p.descriptor.bld.host_libs, { target: this.host.name, kind: 'lib' });
  }

  /** bld.data. */
  dataItems(p: Instance<A>): Instance<A>[] {
    return this.load(p, p.descriptor.bld.data, this.dataFlags());
  }

  /** lib.deps, bld.target_libs and the ind.deps of every tool in the tool closure (needs `bin`). */
  targetLibItems(p: Instance<A>): Instance<A>[] {
    const names = [...p.descriptor.lib.deps, ...p.descriptor.bld.target_libs];
    for (const t of p.memo.bin!) names.push(...t.descriptor.ind.deps);
    return this.load(p, names, this.targetLibFlags(p));
  }

  /**
   * What the run closure is made of (needs `tlib`): run.deps, run.data, a lib's `libs`, the
   * run.data of every target lib. `libs` is the lib closure (for the closure) or lib.deps (for
   * direct references: the run closure of each lib.deps item holds its lib closure).
   */
  runItems(p: Instance<A>, libs: readonly Instance<A>[]): Instance<A>[] {
    const d = p.descriptor;
    const direct = [...this.load(p, d.run.deps, this.binFlags(p, p.target.name)), ...this.load(p, d.run.data, this.dataFlags()), ...libs];
    for (const l of p.memo.tlib!) direct.push(...this.load(l, l.descriptor.run.data, this.dataFlags()));
    return direct;
  }

  targetLibFlags(p: Instance<A>): Flags {
    return sanitize({ ...p.libBase, kind: 'lib' });
  }

  binFlags(p: Instance<A>, target: string): Flags {
    return { ...(p.buildable ? {} : p.flags), target, kind: 'bin' };
  }

  dataFlags(): Flags {
    return { target: this.host.name, kind: 'aux' };
  }

  /** Adds the chain that led to a failing dependency to its error ("bin/a -> lib/b"). */
  private attach(e: IxError, parent: Instance<A>): IxError {
    const pkg = e.site.pkg;
    if (pkg !== undefined && pkg.includes(' -> ')) return e;
    return new IxError(e.detail, { ...e.site, pkg: pkg === undefined ? this.chain(parent) : `${this.chain(parent)} -> ${pkg}` });
  }
}
