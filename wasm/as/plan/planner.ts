/**
 * The planner (engine/plan/index.ts makePlan/renderOne, engine/index.ts planOut/render and
 * wasm/core.ts's request checks): request JSON in, the Plan's canonical JSON out. Resolves the
 * requested packages into instances through a session (session.ts: the graph, graph.ts, with its
 * node task, node-task.ts), walks every root, reusing a kept graph's roots where it can
 * (reuse.ts), and writes the plan with one builder, or for `output: "roots"` only its roots
 * (plan-write.ts). Hubs have no node: a hub root lists its members. Errors are IxErr values;
 * `internal` (request.ts) marks bugs and malformed requests (the oracle's plain Errors).
 *
 * Must not depend on: abi/.
 */
import { JValue, StrBuilder, writeStr, arrayIndex, J_ARR, J_BOOL, J_OBJ, J_STR } from '../hash/index';
import { RootRec } from './graph';
import { Renderer, RenderOut, cloneErr } from './graph-hooks';
import { writeDescriptor } from './descriptor';
import { KeptRootOut } from './kept-store';
import { KeepPlan, keepKept, mergeKept, takeReach } from './reuse';
import { keptKey } from './kept';
import { IxErr } from '../errors';
import { internal, missing, parseRequest, truthy } from './request';
import { Session } from './session';
import { PlanOut, Walked, writePlan, writeRoots } from './plan-write';
import { allowDriverCollections, safePoint } from '../gc';

/** The session of the call in progress (a template's intro() reaches the planner through it). */
export let CURRENT: Session | null = null;

/**
 * What the frames of a plan still use after a safe point (gc.ts: the runtime scans no stack, so a
 * collection frees whatever only a local holds): set before a safe point, cleared at the end.
 * plan-write.ts holds what writing the plan uses in its own global.
 */
class Held {
  out: PlanOut | null = null;
  /** The request: a walk that finds the node memo lost a kept node walks again from it. */
  req: JValue | null = null;
  renderer: Renderer | null = null;
  items: Array<JValue> | null = null;
  w: Walked | null = null;
  k: KeepPlan | null = null;
  ro: KeptRootOut | null = null;
  rec: RootRec | null = null;
  request: string | null = null;
}
let HELD: Held | null = null;

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
  const held = new Held();
  held.out = out;
  held.req = req;
  held.renderer = renderer;
  HELD = held;
  const w = walk(req, pk.items!, renderer, useCache, rootsOnly);
  HELD = null;
  if (w.err !== null) {
    out.err = w.err;
    return out;
  }
  if (rootsOnly) {
    out.bytes = writeRoots(w);
    return out;
  }
  // writePlan may collect (a big plan): `out` stays reachable through HELD meanwhile
  held.w = w;
  HELD = held;
  const r = writePlan(w, out);
  HELD = null;
  return r;
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
  const k = new KeepPlan();
  // held before keepKept: its early cutoff's rechecks are safe points too (reuse.ts)
  const held = HELD;
  if (held !== null) {
    held.items = items;
    held.w = w;
    held.k = k;
  }
  if (keep && fresh) k.key = keptKey(settings);
  else if (keep) keepKept(k, s.graph, s.nodes, settings, items, rootsOnly, held !== null);
  const kept = k.kept;
  // clean instances are taken from the kept graph without a render (kept-instances.ts KeptInstances)
  s.graph.keptSrc = k.src;
  for (let i = 0; i < items.length; i++) {
    // between roots only what `held` and CURRENT (the session) reach is used again
    if (held !== null) safePoint();
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
    if (held !== null) {
      held.ro = ro;
      held.rec = rec;
      held.request = request;
    }
    const ok = plan1(s, request, roots, held !== null);
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
function plan1(s: Session, request: string, roots: StrBuilder, safe: bool): bool {
  const inst = s.root(request);
  if (inst === null) return false;
  s.lastRoot = inst;
  if (inst.buildable) {
    // the frames above hold only what `HELD`, CURRENT and the graph (inst) reach
    allowDriverCollections(safe);
    const n = s.nodeOf(inst);
    allowDriverCollections(false);
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
