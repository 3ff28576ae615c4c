/**
 * What the graph is made of: the task ids of an instance's closures, a package instance (one
 * package rendered with one set of flags: its descriptor, closures and node) and a plan node as
 * the planner keeps it. The graph (graph.ts) creates and links them.
 *
 * Must not depend on: abi/, the graph's driver (graph.ts).
 */
import { KeyTable } from '../hash/index';
import { Descriptor } from './descriptor';
import { Flags } from './flags';
import { storeName } from './names';

export const T_LIB: i32 = 0;
export const T_RUN: i32 = 1;
export const T_BIN: i32 = 2;
export const T_TLIB: i32 = 3;
export const T_HLIB: i32 = 4;
export const T_DATA: i32 = 5;
export const T_NODE: i32 = 6;
/** Direct references (engine/plan/graph.ts rdir, ldir): buildable only, hubs replaced by theirs. */
export const T_RDIR: i32 = 7;
export const T_LDIR: i32 = 8;

/** Upper bound on distinct package instances in one plan. */
export const MAX_INSTANCES: i32 = 200000;

/**
 * The one empty list of instances shared by every empty list that is only read (an empty load,
 * a direct list, an instance's libItems, runPre, runPost): each live array is two objects every
 * collection marks. Nothing may add to it.
 */
export const NO_INSTANCES: Array<Instance> = new Array<Instance>(0);

/** A build node as the planner keeps it until the plan is written. */
export class PNode {
  id: string = '';
  out: string = '';
  storeName: string = '';
  /** storeName with '-' as '_', the env name its dependants give it ('' until node.ts first needs it). */
  envName: string = '';
  /**
   * The node's canonical JSON as UTF-8, kept until the plan is written; once the planner has it,
   * with known out paths as tokens (plan/outpack.ts: a whole tree's nodes are ~170 MB as UTF-8,
   * ~40 MB packed). Fetch nodes: null, written at the end (their URLs may still merge).
   */
  utf8: Uint8Array | null = null;
  /** The length of `utf8` unpacked. */
  size: i32 = 0;
  /** Every out path it references directly (deps, libs, runDeps, libDeps): its edges. */
  refs: Array<string> = [];
  /** Hex BLAKE3 of its script and the script's text (the plan's `scripts` table; '' once listed there). */
  script: string = '';
  scriptText: string = '';
  /** Fetch nodes only. */
  fetchUrls: Array<string> | null = null;
  fetchSha: string = '';
  fetchFile: string = '';
  /** The node memo's key it was found or stored under ('' without the cache): the kept graph names it. */
  memoKey: string = '';
  /** Written as is (a kept node's bytes, plan/kept.ts), not through the plan's out table. */
  raw: bool = false;
}

/**
 * The files and sources of an instance that has none of its own yet: most instances are given
 * their render's files at once, and hubs and packages without sources have no fetch nodes, so an
 * array of their own each was garbage or an empty live object. Never changed (addFetchSrc makes
 * an instance's own array).
 */
const NO_FILES = new Array<string>();
const NO_FETCHES = new Array<PNode>();
/** The uses of an instance that has loaded nothing yet (a leaf never does; addUse makes its own). */
const NO_USES = new Array<Instance>();

/** A package's store name for the kind it was first seen with. */
class PkgName {
  constructor(public kind: string, public storeName: string) {}
}
/**
 * Package names seen by this instance of the core, each with its store name: a whole tree has
 * ~12 instances per package, and their names and store names were a live string each.
 */
const pkgNames = new KeyTable<PkgName>(4096);

/** One package rendered with one set of flags. */
export class Instance {
  key: string;
  name: string;
  flags: Flags;
  kind: string;
  storeName: string;
  target: string;
  text: string;
  desc: Descriptor;
  buildable: bool;
  /** Its number in its graph's closure table (plan/closures.ts; -1: none yet). */
  num: i32 = -1;
  libBase: Flags;
  /** Bit t set: the frame (this, t) waits for frames above it on the driver's stack. */
  expanded: i32 = 0;
  node: PNode | null = null;
  /** Hex BLAKE3 of its rendered descriptor text, when the plan uses the cache (node-memo.ts), else ''. */
  digest: string = '';
  /** Visit stamp (closure walks). */
  mark: i32 = 0;
  /** The flags its target libs get (Graph.targetLibFlags), once asked for. */
  libFlags: Flags | null = null;
  /** A hub's bin flags for `binTarget` (Graph.binFlags), once asked for. */
  binF: Flags | null = null;
  binTarget: string = '';
  /** What the kept graph (plan/kept.ts) records: the recipe files its render read (sorted), */
  files: Array<string> = NO_FILES;
  /** every instance it loaded or whose id its render read through intro() (repeats allowed), */
  uses: Array<Instance> = NO_USES;
  /** and its own sources, as fetch nodes before any merge (their URLs as its descriptor gives them). */
  fetchSrc: Array<PNode> = NO_FETCHES;
  /** Its render read another package's id through intro() (its kept record is never cut off). */
  introduced: bool = false;
  /**
   * Its kept record's index when it was taken from the kept graph without a render (KeptSource):
   * its descriptor then holds only indDeps and runData, and its closures come from the items
   * below. -1: rendered.
   */
  kept: i32 = -1;
  /** Its kept record's items were read (KeptSource.items): asked once. */
  keptRead: bool = false;
  /**
   * The direct items of its closures, once computed (the kept graph keeps them): T_LIB's loads,
   * and the run closure's run.deps + run.data (runPre) and its target libs' run.data (runPost),
   * between which a lib's libs go (runItems).
   */
  libItems: Array<Instance> | null = null;
  runPre: Array<Instance> | null = null;
  runPost: Array<Instance> | null = null;

  /** Appends `x` to uses. */
  addUse(x: Instance): void {
    if (this.uses === NO_USES) this.uses = new Array<Instance>();
    this.uses.push(x);
  }

  /** Appends one of its own sources to fetchSrc. */
  addFetchSrc(n: PNode): void {
    if (this.fetchSrc === NO_FETCHES) this.fetchSrc = new Array<PNode>();
    this.fetchSrc.push(n);
  }

  constructor(key: string, name: string, flags: Flags, kind: string, target: string, text: string, desc: Descriptor) {
    this.key = key;
    this.flags = flags;
    this.kind = kind;
    // the package's name and store name as one string each for all its instances
    let at = pkgNames.findStr(name);
    if (at < 0) at = pkgNames.add(name, new PkgName(kind, storeName(name, kind)));
    const pn = pkgNames.valueAt(at);
    this.name = pkgNames.keyAt(at);
    this.storeName = pn.kind == kind ? pn.storeName : storeName(name, kind);
    this.target = target;
    this.text = text;
    this.desc = desc;
    const data = desc.scriptData;
    this.buildable = data !== null && data.length > 0;
    this.libBase = flags;
  }
}
