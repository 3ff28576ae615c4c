/**
 * The planner (engine/plan/index.ts makePlan/renderOne, engine/index.ts planOut/render and
 * wasm/core.ts's request checks): request JSON in, the Plan's canonical JSON out. Resolves the
 * requested packages into instances (graph.ts), turns every buildable instance reachable from them
 * into a node (node.ts), orders the nodes (order.ts) and writes the plan with one builder, or
 * for `output: "roots"` only its roots (writeRoots: ix-plan-roots/1, engine/api.ts PlanRoots).
 * Hubs have no node: a hub root lists its members. Errors are IxErr values; `internal` marks bugs
 * and malformed requests (the oracle's plain Errors).
 *
 * Must not depend on: abi/.
 */
import { IxErr } from '../errors';
import { JValue, parseJson, canonicalJson, StrBuilder, writeStr, arrayIndex, J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ, jsString } from '../hash/index';
import { Flags } from './flags';
import { Graph, Instance, RootRec, PNode, Renderer, RenderOut, T_BIN, T_DATA, T_HLIB, T_LDIR, T_NODE, T_RDIR, T_RUN, T_TLIB, TARGETS, cloneErr } from './graph';
import { buildNode, fetchJson, fetchNode, hubUid, mergeFetch, NodeParts } from './node';
import { orderNodes } from './order';
import { nodeMemoKey, nodeMemoLookup, nodeMemoStore } from './node-memo';
import { parseSelector, withSelectorFlags } from './selector';
import { writeDescriptor } from './descriptor';
import { ByteBuilder } from '../hash/bytes';
import { utf8Decode } from '../hash/encode';
import { KeptRootOut } from './kept-store';
import { KeepPlan, keepKept, mergeKept, takeReach } from './reuse';
import { keptKey } from './kept';
import { NodeSet } from './node-set';

/** A plan at least this large (UTF-8 bytes) is written after a full garbage collection. */
const BIG_PLAN = 16 << 20;
import { BootEnv } from '../tpl/index';

export const DEFAULT_PLATFORM = 'linux-x86_64';

function internal(detail: string): IxErr {
  const e = new IxErr(detail);
  e.internal = true;
  return e;
}

/** JS truthiness of a request field. */
function truthy(v: JValue | null): bool {
  if (v === null) return false;
  switch (v.kind) {
    case J_NULL: return false;
    case J_BOOL: return v.b;
    case J_NUM: return v.n != 0 && !isNaN(v.n);
    case J_STR: return v.s.length > 0;
    default: return true;
  }
}

/** A request field that is absent or null (`??`). */
function missing(v: JValue | null): bool {
  return v === null || v.kind == J_NULL;
}

/** Parsed request flags, or null with `err` set (plan/index.ts checkFlags). */
class Checked {
  flags: Flags = new Flags();
  err: IxErr | null = null;
}

function checkFlags(v: JValue | null): Checked {
  const c = new Checked();
  if (v === null) return c;
  if (v.kind != J_OBJ) {
    c.err = new IxErr('flags must be an object of strings');
    return c;
  }
  const ks = v.jsKeys();
  for (let i = 0; i < ks.length; i++) {
    const x = v.get(ks[i])!;
    if (x.kind != J_STR) {
      c.err = new IxErr("flag '" + ks[i] + "' must be a string");
      return c;
    }
    c.flags.set(ks[i], x.s);
  }
  return c;
}

function cmp(a: string, b: string): i32 {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The boot environment of a request (eval/boot-env.ts bootEnv) and its JSON for cache keys. */
class Boot {
  env: BootEnv = new BootEnv();
  json: string = '';
  err: IxErr | null = null;
}

function bootEnv(g: JValue | null): Boot {
  const b = new Boot();
  if (g !== null && g.kind != J_NULL) {
    const bad = (why: string): IxErr => new IxErr('request field boot: ' + why);
    if (g.kind != J_OBJ) {
      b.err = bad('must be an object');
      return b;
    }
    const ks = g.jsKeys();
    for (let i = 0; i < ks.length; i++) {
      const k = ks[i];
      if (k != 'path' && k != 'tools' && k != 'extract' && k != 'files' && k != 'ix_dir') {
        b.err = bad("unknown field '" + k + "'");
        return b;
      }
    }
    const strs: Array<string> = ['path', 'extract', 'ix_dir'];
    for (let i = 0; i < 3; i++) {
      const v = g.get(strs[i]);
      if (v === null) continue;
      if (v.kind != J_STR) {
        b.err = bad(strs[i] + ' must be a string');
        return b;
      }
      if (i == 0) b.env.path = v.s;
      else if (i == 1) b.env.extract = v.s;
      else b.env.ix_dir = v.s;
    }
    const t = g.get('tools');
    if (t !== null) {
      let ok = t.kind == J_OBJ;
      if (ok) for (let i = 0; i < t.items!.length; i++) if (t.items![i].kind != J_STR) ok = false;
      if (!ok) {
        b.err = bad('tools must map names to paths');
        return b;
      }
      const names = t.keys!.slice(0);
      names.sort(cmp);
      const tools = new Array<string>();
      for (let i = 0; i < names.length; i++) {
        tools.push(names[i]);
        tools.push(t.get(names[i])!.s);
      }
      b.env.tools = tools;
    }
    const f = g.get('files');
    if (f !== null) {
      let ok = f.kind == J_ARR;
      if (ok) for (let i = 0; i < f.items!.length; i++) if (f.items![i].kind != J_STR) ok = false;
      if (!ok) {
        b.err = bad('files must be a list of paths');
        return b;
      }
      const fs = new Array<string>();
      for (let i = 0; i < f.items!.length; i++) fs.push(f.items![i].s);
      fs.sort(cmp);
      const uniq = new Array<string>();
      for (let i = 0; i < fs.length; i++) if (i == 0 || fs[i] != fs[i - 1]) uniq.push(fs[i]);
      b.env.files = uniq;
    }
  }
  const sb = new StrBuilder(256);
  sb.str('{"extract":');
  writeStr(sb, b.env.extract);
  sb.str(',"files":[');
  for (let i = 0; i < b.env.files.length; i++) {
    if (i > 0) sb.ch(44);
    writeStr(sb, b.env.files[i]);
  }
  sb.str('],"ix_dir":');
  writeStr(sb, b.env.ix_dir);
  sb.str(',"path":');
  writeStr(sb, b.env.path);
  sb.str(',"tools":{');
  for (let i = 0; i < b.env.tools.length; i += 2) {
    if (i > 0) sb.ch(44);
    writeStr(sb, b.env.tools[i]);
    sb.ch(58);
    writeStr(sb, b.env.tools[i + 1]);
  }
  sb.str('}}');
  b.json = sb.toString();
  return b;
}

/** The node task (plan/index.ts nodeTask): closures first, then buildable deps' nodes, then this node. */
class Nodes extends NodeSet {
  /** The plan answers with its roots only (writeRoots): nodes are not readied for writing. */
  rootsOnly: bool = false;

  step(g: Graph, p: Instance): IxErr | null {
    // closures (the environment lists them) and direct references (the node lists them)
    const kinds: StaticArray<i32> = [T_BIN, T_DATA, T_TLIB, T_HLIB, T_RDIR, T_LDIR];
    let wait = false;
    for (let i = 0; i < 6; i++) {
      if (unchecked(p.memo[kinds[i]]) === null) {
        g.need(p, kinds[i]);
        wait = true;
      }
    }
    if (wait) return null;
    const d = p.desc;
    const runItems = g.load(p, d.deps, g.binFlags(p, g.hostName));
    if (g.loadErr !== null) return g.loadErr;
    const di = g.load(p, d.data, g.dataFlags());
    if (g.loadErr !== null) return g.loadErr;
    for (let i = 0; i < di.length; i++) runItems.push(di[i]);
    const names = d.libDeps.concat(d.targetLibs);
    const tools = unchecked(p.memo[T_BIN])!;
    for (let i = 0; i < tools.length; i++) {
      const ind = unchecked(tools[i]).desc.indDeps;
      for (let j = 0; j < ind.length; j++) names.push(unchecked(ind[j]));
    }
    const libItems = g.load(p, names, g.targetLibFlags(p));
    if (g.loadErr !== null) return g.loadErr;
    const hl = g.load(p, d.hostLibs, g.hostLibFlags());
    if (g.loadErr !== null) return g.loadErr;
    for (let i = 0; i < hl.length; i++) libItems.push(hl[i]);
    const w1 = g.directNeeds(runItems, T_RDIR);
    const w2 = g.directNeeds(libItems, T_LDIR);
    if (w1 || w2) return null;
    const deps = g.direct(runItems, T_RDIR);
    const libs = g.direct(libItems, T_LDIR);
    // one missing node at a time (as the oracle): the first member's node brings its own
    // references' nodes, so a chain does not put every member on the stack again at each level
    for (let i = 0; i < 8; i++) {
      const l = i < 6 ? unchecked(p.memo[kinds[i]])! : i == 6 ? deps : libs;
      for (let j = 0; j < l.length; j++) {
        const x = l[j];
        if (x.buildable && x.node === null) {
          g.need(x, T_NODE);
          return null;
        }
        if (x.buildable) g.noteNeeded(x);
      }
    }
    const parts = new NodeParts();
    parts.inst = p;
    refs(unchecked(p.memo[T_BIN])!, parts.tools);
    refs(unchecked(p.memo[T_DATA])!, parts.data);
    refs(unchecked(p.memo[T_TLIB])!, parts.targetLibs);
    refs(unchecked(p.memo[T_HLIB])!, parts.hostLibs);
    outs(deps, parts.deps);
    outs(libs, parts.libs);
    outs(unchecked(p.memo[T_RDIR])!, parts.runDeps);
    outs(unchecked(p.memo[T_LDIR])!, parts.libDeps);
    const fetch = p.desc.fetch;
    this.errs.length = 0;
    for (let i = 0; i < fetch.length; i++) {
      const f = fetchNode(fetch[i], p.name, this.errs);
      if (f === null) return this.errs[0];
      // the kept graph keeps each package's own URLs: merged ones would outlive an edit
      const own = new PNode();
      own.id = f.id;
      own.fetchUrls = f.fetchUrls!.slice(0);
      p.fetchSrc.push(own);
      if (this.fetchIds.has(f.id)) {
        const old = this.fetchIds.get(f.id);
        mergeFetch(old, f);
        parts.sources.push(old);
      } else {
        this.fetchIds.set(f.id, f);
        this.fetches.push(f);
        this.outs.add(f.out);
        parts.sources.push(f);
      }
    }
    // the node memo (node-memo.ts): a node whose inputs an earlier plan saw is not built again
    const key = g.useCache && p.digest != '' ? nodeMemoKey(parts, p.digest) : '';
    let n = key != '' ? nodeMemoLookup(key, parts, this.scripts) : null;
    if (n === null) {
      n = buildNode(parts, this.errs);
      if (n === null) return this.errs[0];
      if (key != '') nodeMemoStore(key, n, !this.scripts.has(n.script));
    }
    n.memoKey = key;
    p.node = n;
    this.built.push(n);
    const u = n.utf8;
    // an answer of roots only writes no node: its JSON is not kept (the node memo has it)
    if (this.rootsOnly) n.utf8 = null;
    else if (u !== null && !n.raw) {
      this.outs.add(n.out);
      n.size = u.length;
      n.utf8 = this.outs.pack(u);
    }
    if (!this.scripts.has(n.script)) {
      this.scripts.set(n.script, n.scriptText);
      this.scriptKeys.push(n.script);
    }
    // the table holds the text now (a node's own copy, with its id filled in, is garbage)
    n.scriptText = '';
    return null;
  }
}

function outs(l: Array<Instance>, out: Array<string>): void {
  for (let i = 0; i < l.length; i++) out.push(unchecked(l[i]).node!.out);
}

function refs(l: Array<Instance>, out: Array<PNode>): void {
  for (let i = 0; i < l.length; i++) {
    const x = unchecked(l[i]);
    if (x.buildable) out.push(x.node!);
  }
}

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
    const run = unchecked(p.memo[T_RUN])!;
    const outs = new Array<string>();
    for (let i = 0; i < run.length; i++) {
      if (!run[i].buildable) continue;
      const n = this.nodeOf(run[i]);
      if (n === null) return null;
      outs.push(n.out);
    }
    outs.sort(cmp);
    const uniq = new Array<string>();
    for (let i = 0; i < outs.length; i++) if (i == 0 || outs[i] != outs[i - 1]) uniq.push(outs[i]);
    return uniq;
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

/** The session of the call in progress (a template's intro() reaches the planner through it). */
export let CURRENT: Session | null = null;

/**
 * A plan's result: its UTF-8 bytes, or an error. Always planned: the core keeps no whole-plan
 * cache (a host that wants one keeps it in front of the core, validated by the files the call
 * read: hosts/node/plan-memo.ts); its caches are per render and per node.
 */
export class PlanOut {
  text: string | null = null;
  bytes: Uint8Array | null = null;
  err: IxErr | null = null;
}

function parseRequest(text: string, what: string): JValue | null {
  const p = parseJson(text);
  return p.value;
}

/** plan(): the Plan's canonical JSON for a PlanRequest (engine/index.ts planOut). */
export function planRequest(requestJson: string, renderer: Renderer, useCache: bool): PlanOut {
  const out = new PlanOut();
  const req = parseRequest(requestJson, 'plan');
  if (req === null) {
    out.err = internal('plan request is not JSON');
    return out;
  }
  if (req.kind != J_OBJ) {
    out.err = internal('plan request is not an object');
    return out;
  }
  const pk = req.get('packages');
  if (pk === null || pk.kind != J_ARR) {
    out.err = internal('plan request has no packages list');
    return out;
  }
  const o = req.get('output');
  const rootsOnly = !missing(o) && o!.kind == J_STR && o!.s == 'roots';
  if (!missing(o) && !rootsOnly && !(o!.kind == J_STR && o!.s == 'plan')) {
    out.err = internal("plan request field output must be 'plan' or 'roots'");
    return out;
  }
  const w = walk(req, pk.items!, renderer, useCache, rootsOnly);
  if (w.err !== null) {
    out.err = w.err;
    return out;
  }
  if (rootsOnly) {
    out.bytes = writeRoots(w);
    return out;
  }
  const nodes = w.nodes;
  const all = nodes.built.concat(nodes.fetches);
  const ordered = orderNodes(all);
  if (ordered === null) {
    out.err = internal('orderNodes: cycle among plan nodes (the graph walk should have caught it)');
    return out;
  }
  const roots = w.roots;
  let size = roots.len + 256;
  for (let i = 0; i < all.length; i++) {
    const n = all[i];
    size += (n.utf8 !== null ? n.size : 512) + 2;
  }
  const keys = nodes.scriptKeys.slice(0);
  keys.sort(cmp);
  for (let i = 0; i < keys.length; i++) size += keys[i].length + nodes.scripts.get(keys[i]).length + 8;
  // written straight as UTF-8 (hash/bytes.ts): a whole tree's plan is ~200 MB. The walk's graph
  // is unreachable now: a full collection first, so the buffer reuses the memory it held
  // instead of growing the heap by its size
  if (size > BIG_PLAN) __collect();
  const bb = new ByteBuilder(size + (size >> 5) + 4096);
  const sb = new StrBuilder(4096);
  sb.str('{"format":"ix-plan/4","host":');
  writeStr(sb, w.hostName);
  sb.str(',"nodes":[');
  bb.text(sb);
  for (let i = 0; i < ordered.length; i++) {
    if (i > 0) bb.ch(44);
    const n = ordered[i];
    const u = n.utf8;
    if (n.fetchUrls !== null || u === null) bb.str(fetchJson(n));
    else if (n.raw) bb.raw(u);
    else nodes.outs.unpackInto(bb, u);
  }
  bb.str('],"roots":[');
  bb.text(roots);
  bb.str('],"scripts":{');
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) bb.ch(44);
    sb.clear();
    writeStr(sb, keys[i]);
    sb.ch(58);
    writeStr(sb, nodes.scripts.get(keys[i]));
    bb.text(sb);
  }
  sb.clear();
  sb.str('},"target":');
  writeStr(sb, w.target);
  sb.ch(125);
  bb.text(sb);
  out.bytes = bb.bytes();
  return out;
}

/**
 * The answer to `output: "roots"` (engine/api.ts PlanRoots, format ix-plan-roots/1): the walk's
 * roots as the whole plan writes them, without its nodes and scripts (canonical key order).
 */
function writeRoots(w: Walked): Uint8Array {
  const bb = new ByteBuilder(w.roots.len + w.hostName.length + w.target.length + 128);
  const sb = new StrBuilder(256);
  sb.str('{"format":"ix-plan-roots/1","host":');
  writeStr(sb, w.hostName);
  sb.str(',"roots":[');
  bb.text(sb);
  bb.text(w.roots);
  sb.clear();
  sb.str('],"target":');
  writeStr(sb, w.target);
  sb.ch(125);
  bb.text(sb);
  return bb.bytes();
}

/** What a plan's walk leaves for writing the plan: its nodes and roots, not the graph. */
class Walked {
  nodes: Nodes = new Nodes();
  roots: StrBuilder = new StrBuilder(1024);
  hostName: string = '';
  target: string = '';
  err: IxErr | null = null;
}

/**
 * Plans every requested root (keep-going: a failing root becomes an error entry). The session,
 * its graph and the renderer's sources die with this call: the plan is written from the result.
 */
function walk(req: JValue, items: Array<JValue>, renderer: Renderer, useCache: bool, rootsOnly: bool = false, fresh: bool = false): Walked {
  const w = new Walked();
  const s = new Session(req, renderer, useCache);
  if (s.err !== null) {
    w.err = s.err;
    return w;
  }
  s.graph.keepText = false;
  s.nodes.rootsOnly = rootsOnly;
  const prev = CURRENT;
  CURRENT = s;
  const keepGoing = truthy(req.get('keepGoing'));
  const roots = w.roots;
  // a plan of one root keeps a graph too: with early cutoff (plan/kept.ts) an edit that leaves
  // every descriptor as it was re-plans the root from its kept nodes; it is kept under its
  // request, so plans of single packages neither read nor replace each other's graphs or the
  // one of a plan of many roots. `keepGraph: false` keeps none (the LSP's plans)
  const kg = req.get('keepGraph');
  const keep = useCache && !(kg !== null && kg.kind == J_BOOL && !kg.b);
  let settings = settingsOf(s, keepGoing);
  if (items.length == 1 && items[0].kind == J_STR) settings += '\x00one\x00' + items[0].s;
  // an answer of roots only writes no node: reused nodes are not read back from the node memo
  let k = new KeepPlan();
  if (keep && fresh) k.key = keptKey(settings);
  else if (keep) k = keepKept(s.graph, s.nodes, settings, items, rootsOnly);
  const kept = k.kept;
  // clean instances are taken from the kept graph without a render (reuse.ts KeptInstances)
  s.graph.keptSrc = k.src;
  for (let i = 0; i < items.length; i++) {
    if (items[i].kind != J_STR) {
      CURRENT = prev;
      w.err = internal('TypeError: a package selector is not a string');
      return w;
    }
    const request = items[i].s;
    const mark = roots.len;
    if (i > 0) roots.ch(44);
    const ro = new KeptRootOut();
    ro.request = request;
    if (kept !== null) {
      const r = kept.reusable(request);
      if (r >= 0) {
        roots.str(kept.rootJson[r]);
        ro.kept = r;
        ro.json = kept.rootJson[r];
        k.out.push(ro);
        continue;
      }
    }
    const from = roots.len;
    const g = s.graph;
    const rec = keep ? new RootRec() : null;
    g.rec = rec;
    g.files.log = rec !== null ? rec.files : null;
    g.files.faulted = false;
    const ok = plan1(s, request, roots);
    g.rec = null;
    g.files.log = null;
    if (ok) {
      ro.inst = s.lastRoot;
      ro.json = roots.slice(from);
      k.out.push(ro);
      continue;
    }
    const e = s.err!;
    if (!keepGoing || e.internal) {
      CURRENT = prev;
      w.err = e;
      return w;
    }
    roots.len = mark;
    if (i > 0) roots.ch(44);
    roots.str('{"error":');
    writeStr(roots, e.format());
    roots.str(',"name":');
    writeStr(roots, request);
    roots.str(',"request":');
    writeStr(roots, request);
    roots.ch(125);
    s.err = null;
    // a failed root whose walk met no failed render and no mount fault is kept with what it read
    if (rec !== null && !rec.bad && !s.graph.files.faulted) {
      ro.rec = rec;
      ro.json = roots.slice(mark + (i > 0 ? 1 : 0));
      k.out.push(ro);
    }
  }
  CURRENT = prev;
  // the node memo lost a node below an instance taken from the kept graph: walked again whole
  if (keep && !takeReach(k)) return walk(req, items, renderer, useCache, rootsOnly, true);
  if (keep) mergeKept(s.graph, s.nodes, k);
  w.nodes = s.nodes;
  w.nodes.fetchIds.clear();
  w.hostName = s.graph.hostName;
  w.target = s.target;
  renderer.release();
  return w;
}

/** One root; false with s.err set on failure. */
function plan1(s: Session, request: string, roots: StrBuilder): bool {
  const inst = s.root(request);
  if (inst === null) return false;
  s.lastRoot = inst;
  if (inst.buildable) {
    const n = s.nodeOf(inst);
    if (n === null) return false;
    roots.str('{"name":');
    writeStr(roots, inst.name);
    roots.str(',"out":');
    writeStr(roots, n.out);
    roots.str(',"request":');
    writeStr(roots, request);
    roots.ch(125);
    return true;
  }
  const m = s.members(inst);
  if (m === null) return false;
  roots.str('{"members":[');
  for (let i = 0; i < m.length; i++) {
    if (i > 0) roots.ch(44);
    writeStr(roots, m[i]);
  }
  roots.str('],"name":');
  writeStr(roots, inst.name);
  roots.str(',"request":');
  writeStr(roots, request);
  roots.ch(125);
  return true;
}

/** A render's result. */
export class TextOut {
  text: string | null = null;
  err: IxErr | null = null;
}

/** render(): one package's descriptor text, or its normalised descriptor (engine/plan renderOne). */
export function renderRequest(requestJson: string, renderer: Renderer, useCache: bool): TextOut {
  const out = new TextOut();
  const req = parseRequest(requestJson, 'render');
  if (req === null) {
    out.err = internal('render request is not JSON');
    return out;
  }
  if (req.kind != J_OBJ) {
    out.err = internal('render request is not an object');
    return out;
  }
  const pkg = req.get('package');
  if (pkg === null || pkg.kind != J_STR) {
    out.err = internal('render request has no package');
    return out;
  }
  // a host without a persistent cache says `"cache": false`: no descriptor is then hashed for
  // storing (hashing re-read every file a render read, through the host)
  const cache = req.get('cache');
  const s = new Session(req, renderer, useCache && !(cache !== null && cache.kind == J_BOOL && !cache.b));
  if (s.err !== null) {
    out.err = s.err;
    return out;
  }
  const prev = CURRENT;
  CURRENT = s;
  const inst = s.root(pkg.s);
  CURRENT = prev;
  if (inst === null) {
    out.err = s.err;
    return out;
  }
  if (truthy(req.get('normalised'))) {
    const sb = new StrBuilder(inst.text.length + 256);
    writeDescriptor(sb, inst.desc);
    out.text = sb.toString();
  } else out.text = inst.text;
  return out;
}

/** The request settings a kept graph is keyed by: everything of the request but its packages. */
function settingsOf(s: Session, keepGoing: bool): string {
  const sb = new StrBuilder(256);
  writeStr(sb, s.graph.hostName);
  sb.ch(0);
  writeStr(sb, s.target);
  sb.ch(0);
  s.flags.writeJson(sb);
  sb.ch(0);
  sb.str(s.graph.bootJson);
  sb.ch(0);
  sb.str(keepGoing ? '1' : '0');
  return sb.toString();
}

// silence unused-import checks of helpers kept for callers
export { arrayIndex, cloneErr, RenderOut };

