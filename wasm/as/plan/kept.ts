/**
 * The kept graph: what a plan leaves in the cache so the next plan of the same request settings
 * walks only the roots an edit reaches. Per package instance of the plan it keeps the recipe
 * files its render read (with their BLAKE3), the instances it loaded or whose ids its render read
 * through intro(), its node (by the node memo's key, out, script and references) and its own
 * sources (fetch nodes with the URLs its descriptor gives); per requested root, its instance and
 * its entry in the plan's `roots`, or, for a root that failed, its error entry and what its walk
 * read (Graph.rec): the files it consulted, the instances it looked up, the nodes it needed.
 *
 * Per instance (kept-instances.ts KeptInstances): a walked root's walk takes every clean instance (in
 * scope, not stale) from its record without rendering it. What a dependant reads of a
 * dependency is its key, whether it is buildable, its ind.deps and run.data selectors, its
 * closures (T_LIB, T_RUN, T_RDIR, T_LDIR) and its node (graph.ts, planner.ts Nodes); the record
 * keeps the first three, the direct items of those closures (each closure is a function of its
 * direct items and their closures, graph.ts finish and direct) and the node. Sound because a
 * clean instance's descriptor is the kept one (no file it read changed, or early cutoff found
 * the same descriptor), so its loads give the same instances, and none of them is stale (a stale
 * one makes every instance that uses it stale): their closures and nodes are the kept ones by
 * induction, so are its own. An item list the earlier walk never computed is "-": a walk that
 * asks for it renders the instance after all (graph.ts unstub), with its kept uses.
 *
 * Value, versioned, under "as-kept5-" + BLAKE3(engine version, request settings): text lines
 *   ix-as-kept-graph/5
 *   L <hex BLAKE3 of the package list, or empty when no kept error read it>
 *   P <n>, then n lines: JSON path TAB hex BLAKE3 or "-" (no such file)
 *   N <n> SPACE <hex BLAKE3 of the node entry below>
 *   S <n>, then n lines: JSON string (the names and flag objects of the instance keys)
 *   F <n>, then n lines: a list of files (P indices, comma separated), each list once
 *   I <n>, then n lines: node index, -1 (none) or -2 (not in that plan) TAB files (an F index)
 *                        TAB uses (indices, comma separated) TAB JSON [[fetch node, [urls]], ...] TAB its
 *                        instance key as S indices: name "," flags (the key is name NUL flags),
 *                        or name alone (the key has no NUL)
 *                        TAB hex BLAKE3 of its normalised descriptor, or empty (never cut off)
 *                        TAB what its dependants read (KeptInst.ext): 1 or 0 (buildable) ";" its
 *                        T_LIB items ";" run.deps + run.data ";" its target libs' run.data (each
 *                        indices, comma separated, or "-" when not computed) ";" JSON
 *                        [ind.deps, run.data] (the selectors dependants load)
 *   R <n>, then n lines: JSON request TAB instance index TAB the root's JSON entry
 *                     or JSON request TAB "e" TAB files TAB instances looked up TAB nodes needed
 *                        TAB 1 if its error read the package list, else 0 TAB its JSON error entry
 * The nodes are a second entry, under "as-kept5n-" + the graph's own key hash, written before the
 * graph and replaced with it (so the cache keeps one per settings); a graph uses it only if it has
 * the digest the graph names (a rewrite of the graph keeps both): text lines
 *   ix-as-kept-nodes/5
 *   n lines: "n" TAB memo key TAB JSON out TAB script hex TAB refs (node indices, comma separated)
 *         or "f" TAB id TAB JSON out TAB JSON file name TAB sha256
 * It is read only when a node is first asked for: a re-plan that reuses every root and answers
 * with the roots only (the CLI's `ix plan`) never reads it, nor a third of the graph's bytes.
 * Interning the keys' names and flags keeps another third out of every read: a whole IX tree
 * has ~48,000 instances over ~3,800 names and ~3,100 flag sets, and ~3,800 distinct file lists.
 * Anything else is a miss (so is "none", written for a plan whose graph cannot be kept): the
 * plan then walks every root.
 *
 * This module holds the records read back and the questions asked of them (reusable, clean,
 * sameDesc); kept-validate.ts holds what makes them stale (validate, reach) and the argument why
 * a reused root equals a fresh walk, with early cutoff; kept-node.ts parses a kept node;
 * kept-load.ts reads an entry, kept-store.ts writes one (kept-rewrite.ts one read back), kept-fetch.ts holds an instance's
 * sources in both directions, and reuse.ts is the planner's side (what a plan reuses and keeps;
 * kept-recheck.ts renders an instance again for early cutoff, kept-instances.ts gives the walk the
 * clean instances).
 *
 * Must not depend on: abi/, host.ts (files are hashed only through FileHashes), the walk
 * (graph.ts) or the planner: it is the model the reader and the writer share.
 */
import { hexOfText } from '../hash/index';
import { ENGINE_VERSION } from './cache';
import { KeptNode, parseNode } from './kept-node';
import { textIn } from './kept-text';
import { Recheck } from './kept-validate';

/** The first line of a kept graph entry; anything else there is a miss. */
export const FORMAT = 'ix-as-kept-graph/5';
/** The first line of a kept graph's node entry. */
export const NODES_FORMAT = 'ix-as-kept-nodes/5';

/** The bytes of a graph not read (a new Kept's, a new KeptInst's). */
const EMPTY = new Uint8Array(0);

export function keptKey(settings: string): string {
  return 'as-kept5-' + hexOfText(ENGINE_VERSION + '\x00' + settings);
}

/** The key of the node entry of the kept graph under `key` (keptKey). */
export function keptNodesKey(key: string): string {
  return 'as-kept5n-' + key.substring(9);
}

export class KeptInst {
  node: i32 = -1;
  files: Array<i32> = [];
  /** The F index `files` was read from, or -1 once it was replaced (early cutoff's new files). */
  fi: i32 = -1;
  uses: Array<i32> = [];
  /**
   * Its fields read as text, as spans of the entry's UTF-8 bytes `src`, decoded on use: a re-plan
   * that walks nothing reads a few of ~48,000 (a whole IX tree's).
   */
  src: Uint8Array = EMPTY;
  fa: i32 = 0;
  fb: i32 = 0;
  da: i32 = 0;
  db: i32 = 0;
  ea: i32 = 0;
  eb: i32 = 0;

  /** [fetch node, URLs] of its own sources, as JSON (parsed only for reused instances). */
  get fetchJson(): string {
    return textIn<Uint8Array>(this.src, this.fa, this.fb);
  }
  /**
   * Its instance key as indices into the graph's strings (Kept.strs): name, and flags or -1 when
   * the key has no NUL. A plan lists one node per instance, so two instances with the same node
   * are two entries, and an instance both walked and reused is one.
   */
  kn: i32 = 0;
  kf: i32 = -1;
  strs: Array<string> = [];
  private k: string | null = null;
  /**
   * Hex BLAKE3 of its normalised descriptor (descriptor.ts writeDescriptor), or '' when its render
   * read another package's id through intro(): such a record is never cut off.
   */
  get desc(): string {
    return textIn<Uint8Array>(this.src, this.da, this.db);
  }

  /** Whether it has a descriptor digest (desc is not ''). */
  hasDesc(): bool {
    return this.db > this.da;
  }

  /** What its dependants read from it, as text (the I line's last field), parsed on use (KeptSource). */
  get ext(): string {
    return textIn<Uint8Array>(this.src, this.ea, this.eb);
  }

  /** Its instance key (name NUL flags), made on first use: most re-plans ask for a few. */
  get key(): string {
    const c = this.k;
    if (c !== null) return c!;
    const s = this.kf < 0 ? this.strs[this.kn] : this.strs[this.kn] + '\x00' + this.strs[this.kf];
    this.k = s;
    return s;
  }

  /** Its key as one number: equal for two records of a graph exactly when their keys are. */
  keyId(): i64 {
    return (<i64>this.kn << 32) | <i64>(this.kf + 1);
  }
}

/** Reads a kept graph's node entry (kept-load.ts, through the host): its text, or null when it is missing or has another digest. */
export abstract class NodeEntry {
  abstract text(key: string, digest: string): string | null;
}

/** A kept graph read back, with what the current files make stale. */
export class Kept {
  paths: Array<string> = [];
  digests: Array<string> = [];
  /** The names and flag objects of the instance keys (KeptInst.key). */
  strs: Array<string> = [];
  /** The distinct file lists (the F section): instances share them, so none is changed in place. */
  fileLists: Array<Array<i32>> = [];
  /**
   * The node entry (its key and node count from the N line) is read and its lines indexed when
   * a node is first asked for (node()): a plan that reuses every root and writes no node never
   * reads it. Its lines are parsed one by one on use; their start offsets in `nodeText`.
   */
  nodeKey: string = '';
  nodeDigest: string = '';
  nodeN: i32 = 0;
  nodeSrc: NodeEntry | null = null;
  private nodesRead: bool = false;
  private nodeText: string = '';
  private nodeAt: Array<i32> = [];
  private nodeCache: Array<KeptNode | null> = [];
  /** Some instance's node is -2 (not in that plan): reuse.ts then finds what roots reach at once. */
  unknownNode: bool = false;
  /** A node line read so far was malformed (kept-store.ts then keeps no graph from this one). */
  broken: bool = false;
  insts: Array<KeptInst> = [];
  rootReq: Map<string, i32> = new Map<string, i32>();
  /** Per kept root: its instance, or -1 for a root that failed, */
  rootInst: Array<i32> = [];
  rootJson: Array<string> = [];
  /** and for a failed one what its walk read (RootRec): files, instances looked up, nodes needed, */
  rootFiles: Array<Array<i32>> = [];
  rootUses: Array<Array<i32>> = [];
  rootNeeded: Array<Array<i32>> = [];
  /** and whether its error read the package list (kept under `listing`, its BLAKE3, or ''). */
  rootListed: Array<bool> = [];
  listing: string = '';
  /** Set by the planner: the package list still has the kept digest. */
  listingOk: bool = false;
  /** The kept roots' requests in their order (kept-rewrite.ts). */
  rootReqs: Array<string> = [];
  /**
   * The entry's UTF-8 bytes as read (never decoded whole: a whole tree's is ~9 MB, an 18 MB
   * string), the byte offset where each of its lines starts (one past the last: its length + 1),
   * and the lines where its N, F, I and R sections start (keptRewrite copies them).
   */
  text: Uint8Array = EMPTY;
  starts: Array<i32> = [];
  nAt: i32 = 0;
  fAt: i32 = 0;
  iAt: i32 = 0;
  rAt: i32 = 0;
  stale: Array<bool> = [];
  changed: Array<bool> = [];
  /** Per kept instance: validate hashed its files (it is in scope), and whether it was cut off. */
  checked: Array<bool> = [];
  wasCut: Array<bool> = [];
  /**
   * While validate rechecks (Recheck.pause may collect, and the runtime scans no stack), what its
   * frame still uses after a recheck besides the fields above, stale, changed, scope and cut:
   * the recheck itself, per shared file list whether a file of it changed (0: not looked at yet,
   * 1: unchanged, 2: changed), and the stale instances whose users are still to be marked.
   * Emptied when validate returns.
   */
  recheck: Recheck | null = null;
  listState: Array<i32> = [];
  todo: Array<i32> = [];
  /** What validate reached (reach) from the roots it was given: the planner reuses it. */
  scopeOf: Array<i32> = [];
  scope: Array<i32> = [];
  /** The instances validate cut off (their files changed, their descriptors did not). */
  cut: Array<i32> = [];
  private pathIdx: Map<string, i32> | null = null;

  /** Line `i` of the entry, without its newline, as text. */
  line(i: i32): string {
    return textIn<Uint8Array>(this.text, this.starts[i], this.starts[i + 1] - 1);
  }

  nodeCount(): i32 {
    return this.nodeN;
  }

  /** Reads the node entry and finds its lines; a missing or malformed one leaves none (all bad). */
  private readNodes(): void {
    this.nodesRead = true;
    const src = this.nodeSrc;
    if (src === null) return;
    const t = src.text(this.nodeKey, this.nodeDigest);
    if (t === null) return;
    const text = t!;
    const at = new Array<i32>();
    let p = NODES_FORMAT.length + 1;
    if (!text.startsWith(NODES_FORMAT + '\n')) return;
    while (p < text.length) {
      const c = text.charCodeAt(p);
      if ((c != 110 && c != 102) || text.charCodeAt(p + 1) != 9) return;
      at.push(p);
      const e = text.indexOf('\n', p);
      if (e < 0) return;
      p = e + 1;
    }
    if (at.length != this.nodeN) return;
    this.nodeText = text;
    this.nodeAt = at;
  }

  /** Kept node `i` (below nodeCount), parsed on first use; `bad` (and `broken` set) if malformed or missing. */
  node(i: i32): KeptNode {
    if (!this.nodesRead) this.readNodes();
    if (this.nodeCache.length == 0) this.nodeCache = new Array<KeptNode | null>(this.nodeN);
    const c = this.nodeCache[i];
    if (c !== null) return c!;
    let n: KeptNode | null = null;
    if (this.nodeAt.length == this.nodeN) {
      const a = this.nodeAt[i];
      n = parseNode(this.nodeText.substring(a, this.nodeText.indexOf('\n', a)), this.nodeN);
    }
    if (n === null) {
      n = new KeptNode();
      n.bad = true;
      this.broken = true;
    }
    this.nodeCache[i] = n;
    return n!;
  }

  /** Kept node `i` as an instance's node: `bad` (and `broken` set) if it is a fetch node. */
  instNode(i: i32): KeptNode {
    const n = this.node(i);
    if (n.bad || !n.fetch) return n;
    this.broken = true;
    const b = new KeptNode();
    b.bad = true;
    return b;
  }

  /** The index of path `p`, added (with digest '?', so never unchanged) when the graph lacks it. */
  pathIndex(p: string): i32 {
    let m = this.pathIdx;
    if (m === null) {
      m = new Map<string, i32>();
      for (let i = 0; i < this.paths.length; i++) m.set(this.paths[i], i);
      this.pathIdx = m;
    }
    if (m.has(p)) return m.get(p);
    const i = this.paths.length;
    m.set(p, i);
    this.paths.push(p);
    this.digests.push('?');
    return i;
  }

  /** Whether a failed kept root among `roots` depends on the package list. */
  needsListing(roots: Array<i32>): bool {
    for (let i = 0; i < roots.length; i++) if (this.rootInst[roots[i]] < 0 && this.rootListed[roots[i]]) return true;
    return false;
  }

  /**
   * The kept descriptor digest of instance `i` when validate found none of its own files changed
   * (or cut it off): a render of its key now gives that descriptor (the header's argument), so
   * the next graph's writer takes it instead of hashing the descriptor again. Else ''.
   */
  sameDesc(i: i32): string {
    if (i >= this.checked.length || !this.checked[i]) return '';
    const x = this.insts[i];
    if (this.wasCut[i]) return x.desc;
    for (let j = 0; j < x.files.length; j++) if (this.changed[x.files[j]]) return '';
    return x.desc;
  }

  /** Whether instance `i` was in validate's scope and is not stale: its record may stand for it. */
  clean(i: i32): bool {
    return i < this.checked.length && this.checked[i] && !this.stale[i];
  }

  /** The kept instances of the requested roots the graph holds, whatever their state. */
  rootsOf(requests: Array<string>): Array<i32> {
    const out = new Array<i32>();
    for (let i = 0; i < requests.length; i++) if (this.rootReq.has(requests[i])) out.push(this.rootReq.get(requests[i]));
    return out;
  }

  /**
   * The kept root of `request` that may be reused, or -1. A failed root is reused when none of
   * the files its walk read changed, none of the instances it looked up or needed is stale and,
   * if its error listed the packages, the list is the same: its walk would fail the same way.
   */
  reusable(request: string): i32 {
    if (!this.rootReq.has(request)) return -1;
    const r = this.rootReq.get(request);
    const ri = this.rootInst[r];
    if (ri >= 0) return this.stale[ri] ? -1 : r;
    if (this.rootListed[r] && !this.listingOk) return -1;
    const fs = this.rootFiles[r];
    for (let j = 0; j < fs.length; j++) if (this.changed[fs[j]]) return -1;
    const us = this.rootUses[r];
    for (let j = 0; j < us.length; j++) if (this.stale[us[j]]) return -1;
    const ns = this.rootNeeded[r];
    for (let j = 0; j < ns.length; j++) if (this.stale[ns[j]]) return -1;
    return r;
  }
}
