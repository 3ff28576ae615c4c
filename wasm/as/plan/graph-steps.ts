/**
 * The graph driver's steps (graph.ts run): how each task of an instance is computed from its
 * descriptor's loads, the closures of its items and the kept graph's records. A step either
 * stores its result (closures.ts), appends the tasks it needs first (Graph.need) or returns an
 * error; it never runs another task itself, so it holds nothing across the driver's safe point.
 * Also the direct lists (a hub replaced by its direct references) the node task reads.
 *
 * Must not depend on: abi/, host.ts, the planner, the kept graph's text.
 */
import { IxErr } from '../errors';
import { Graph } from './graph';
import { renderCached } from './graph-render';
import { Instance, NO_INSTANCES, T_BIN, T_DATA, T_HLIB, T_LDIR, T_LIB, T_NODE, T_RDIR, T_RUN, T_TLIB } from './instance';

export function step(g: Graph, p: Instance, what: i32): IxErr | null {
  if (p.kept >= 0) {
    const r = keptStep(g, p, what);
    if (r != 1) return r == 0 ? null : g.loadErr;
    // its record lacks what is asked: rendered after all, then computed as any instance
    const e = unstub(g, p);
    if (e !== null) return e;
  }
  switch (what) {
    case T_LIB: {
      const items = g.load(p, p.desc.libDeps, g.targetLibFlags(p));
      if (g.loadErr === null && p.libItems === null) p.libItems = orShared(items);
      return finish(g, p, T_LIB, items, T_LIB);
    }
    case T_BIN: return finish(g, p, T_BIN, g.load(p, p.desc.deps, g.binFlags(p, g.hostName)), T_RUN);
    case T_HLIB: return finish(g, p, T_HLIB, g.load(p, p.desc.hostLibs, g.hostLibFlags()), T_LIB);
    case T_DATA: return finish(g, p, T_DATA, g.load(p, p.desc.data, g.dataFlags()), T_RUN);
    case T_TLIB: {
      const cl = g.cl;
      if (!cl.has(p, T_BIN)) {
        g.need(p, T_BIN);
        return null;
      }
      const items = itemsBuf;
      items.length = 0;
      targetLibItems(g, p, items);
      return finish(g, p, T_TLIB, items, T_LIB);
    }
    case T_RUN: {
      let wait = false;
      if (p.kind == 'lib' && !g.cl.has(p, T_LIB)) {
        g.need(p, T_LIB);
        wait = true;
      }
      if (!g.cl.has(p, T_TLIB)) {
        g.need(p, T_TLIB);
        wait = true;
      }
      if (wait) return null;
      const direct = runItems(g, p, NO_INSTANCES, p.kind == 'lib');
      if (g.loadErr !== null) return g.loadErr;
      return finish(g, p, T_RUN, direct, T_RUN);
    }
    case T_RDIR: {
      if (!g.cl.has(p, T_TLIB)) {
        g.need(p, T_TLIB);
        return null;
      }
      let libs = NO_INSTANCES;
      if (p.kind == 'lib') {
        libs = g.load(p, p.desc.libDeps, g.targetLibFlags(p));
        if (g.loadErr !== null) return g.loadErr;
      }
      const items = runItems(g, p, libs, false);
      if (g.loadErr !== null) return g.loadErr;
      if (directNeeds(g, items, T_RDIR)) return null;
      g.cl.set(p, T_RDIR, directBuf(g, items, T_RDIR));
      return null;
    }
    case T_LDIR: {
      const items = g.load(p, p.desc.libDeps, g.targetLibFlags(p));
      if (g.loadErr !== null) return g.loadErr;
      if (p.libItems === null) p.libItems = orShared(items);
      if (directNeeds(g, items, T_LDIR)) return null;
      g.cl.set(p, T_LDIR, directBuf(g, items, T_LDIR));
      return null;
    }
    default: {
      const t = g.nodeTask;
      if (t === null) {
        const e = new IxErr('plan: unknown task node');
        e.internal = true;
        return e;
      }
      return t.step(g, p);
    }
  }
}

/**
 * The target libs' items (T_TLIB, the node's libs): lib.deps, bld.target_libs and the ind.deps
 * of every tool (needs T_BIN), appended to `out`; loadErr set on failure.
 */
export function targetLibItems(g: Graph, p: Instance, out: Array<Instance>): void {
  const flags = g.targetLibFlags(p);
  g.loadInto(p, p.desc.libDeps, flags, out);
  if (g.loadErr !== null) return;
  g.loadInto(p, p.desc.targetLibs, flags, out);
  if (g.loadErr !== null) return;
  const cl = g.cl;
  const nt = cl.length(p, T_BIN);
  const at = cl.from(p, T_BIN);
  for (let i = 0; i < nt; i++) {
    g.loadInto(p, cl.item(at + i).desc.indDeps, flags, out);
    if (g.loadErr !== null) return;
  }
}

/**
 * What the run closure is made of (engine/plan/graph.ts runItems; needs T_TLIB): run.deps,
 * run.data, `libs` (with `libClosure`, the lib closure of `p` instead), the run.data of every
 * target lib. loadErr set on failure. The parts around the libs are kept on `p` (runPre,
 * runPost) for the kept graph. The list is the steps' reused buffer (valid until the next
 * runItems or keptStep).
 */
export function runItems(g: Graph, p: Instance, libs: Array<Instance>, libClosure: bool): Array<Instance> {
  const d = p.desc;
  const direct = itemsBuf;
  direct.length = 0;
  const rn = g.load(p, d.runDeps, g.binFlags(p, p.target));
  if (g.loadErr !== null) return direct;
  for (let i = 0; i < rn.length; i++) direct.push(unchecked(rn[i]));
  const rd = g.load(p, d.runData, g.dataFlags());
  if (g.loadErr !== null) return direct;
  for (let i = 0; i < rd.length; i++) direct.push(unchecked(rd[i]));
  const pre = direct.length;
  if (libClosure) g.cl.pushTo(direct, p, T_LIB);
  for (let i = 0; i < libs.length; i++) direct.push(unchecked(libs[i]));
  const post = direct.length;
  const nt = g.cl.length(p, T_TLIB);
  const at = g.cl.from(p, T_TLIB);
  for (let i = 0; i < nt; i++) {
    const l = g.cl.item(at + i);
    // most libs have no run.data: a load of nothing allocates an array (once per lib per closure)
    if (l.desc.runData.length == 0) continue;
    const x = g.load(l, l.desc.runData, g.dataFlags());
    if (g.loadErr !== null) return direct;
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
function keptStep(g: Graph, p: Instance, what: i32): i32 {
  const src = g.keptSrc!;
  const lib = p.kind == 'lib';
  g.loadErr = null;
  if (!p.keptRead) {
    p.keptRead = true;
    if (!src.items(g, p)) return 1;
  }
  switch (what) {
    case T_LIB: {
      if (p.libItems === null) return 1;
      return finish(g, p, T_LIB, p.libItems!, T_LIB) === null ? 0 : 2;
    }
    case T_LDIR: {
      if (p.libItems === null) return 1;
      if (directNeeds(g, p.libItems!, T_LDIR)) return 0;
      g.cl.set(p, T_LDIR, directBuf(g, p.libItems!, T_LDIR));
      return 0;
    }
    case T_RUN:
    case T_RDIR: {
      if (p.runPre === null || (lib && p.libItems === null)) return 1;
      if (lib && what == T_RUN && !g.cl.has(p, T_LIB)) {
        g.need(p, T_LIB);
        return 0;
      }
      const items = itemsBuf;
      items.length = 0;
      const pre = p.runPre!;
      for (let i = 0; i < pre.length; i++) items.push(unchecked(pre[i]));
      if (lib) {
        if (what == T_RUN) g.cl.pushTo(items, p, T_LIB);
        else {
          const li = p.libItems!;
          for (let i = 0; i < li.length; i++) items.push(unchecked(li[i]));
        }
      }
      const post = p.runPost!;
      for (let i = 0; i < post.length; i++) items.push(unchecked(post[i]));
      if (what == T_RUN) return finish(g, p, T_RUN, items, T_RUN) === null ? 0 : 2;
      if (directNeeds(g, items, T_RDIR)) return 0;
      g.cl.set(p, T_RDIR, directBuf(g, items, T_RDIR));
      return 0;
    }
    case T_NODE: {
      const n = src.node(g, p);
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
function unstub(g: Graph, p: Instance): IxErr | null {
  const r = renderCached(g, p.name, p.flags, p.target);
  if (r.err !== null) return r.err;
  p.desc = r.desc!;
  p.digest = r.digest;
  p.files = r.files;
  const intros = r.intros;
  p.uses = g.keptSrc!.uses(g, p);
  for (let i = 0; i < intros.length; i++) p.addUse(intros[i]);
  p.introduced = intros.length > 0;
  const data = p.desc.scriptData;
  p.buildable = data !== null && data.length > 0;
  const fb = p.flags.get('boot');
  const boot = fb !== null ? fb != '' : p.name.startsWith('bld/boot/');
  p.libBase = p.buildable && boot ? p.flags.copy().set('boot', 'True') : p.flags;
  p.libFlags = null;
  p.kept = -1;
  g.walked.push(p);
  g.unstubbed++;
  return null;
}

/** Appends task `k` of each hub among `items` that lacks it; true if any was appended. */
export function directNeeds(g: Graph, items: Array<Instance>, k: i32): bool {
  let waiting = false;
  for (let i = 0; i < items.length; i++) {
    const x = unchecked(items[i]);
    if (!x.buildable && !g.cl.has(x, k)) {
      g.need(x, k);
      waiting = true;
    }
  }
  return waiting;
}

/**
 * Buildable `items` with each hub replaced by its direct references `k`, once each, in order,
 * into `out` (emptied first; the caller's own buffer).
 */
export function directInto(g: Graph, items: Array<Instance>, k: i32, out: Array<Instance>): void {
  const stamp = ++g.stamp;
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
    pushUnmarked(g, out, x, k, stamp);
  }
}

/** directInto() in the graph's one reused buffer (valid until the next directBuf or finish). */
function directBuf(g: Graph, items: Array<Instance>, k: i32): Array<Instance> {
  directInto(g, items, k, closureBuf);
  return closureBuf;
}

/** Needs for items without their `child` closure, else the closure: each item, then its closure. */
function finish(g: Graph, p: Instance, k: i32, items: Array<Instance>, child: i32): IxErr | null {
  if (g.loadErr !== null) return g.loadErr;
  let waiting = false;
  for (let i = 0; i < items.length; i++) {
    const x = unchecked(items[i]);
    if (!g.cl.has(x, child)) {
      g.need(x, child);
      waiting = true;
    }
  }
  if (waiting) return null;
  const stamp = ++g.stamp;
  const out = closureBuf;
  out.length = 0;
  for (let i = 0; i < items.length; i++) {
    const x = unchecked(items[i]);
    if (x.mark == stamp) continue;
    x.mark = stamp;
    out.push(x);
    pushUnmarked(g, out, x, child, stamp);
  }
  g.cl.set(p, k, out);
  out.length = 0;
  return null;
}

/** Appends the members of the list `k` of `x` not marked with `stamp`, marking them. */
function pushUnmarked(g: Graph, out: Array<Instance>, x: Instance, k: i32, stamp: i32): void {
  const cl = g.cl;
  const n = cl.length(x, k);
  const at = cl.from(x, k);
  for (let j = 0; j < n; j++) {
    const y = cl.item(at + j);
    if (y.mark != stamp) {
      y.mark = stamp;
      out.push(y);
    }
  }
}


/**
 * Where a closure or direct list is put together before it is stored (closures.ts): grown by
 * doubling, a list of its own left up to half its capacity unused and every smaller buffer as
 * garbage.
 */
const closureBuf = new Array<Instance>();

/**
 * Where a step gathers the items it reads once (runItems, a kept instance's run items, the
 * target libs): a step runs no other step, so one buffer serves them all.
 */
const itemsBuf = new Array<Instance>();

/** `a`, or the shared empty list when it is empty (for a list kept and never changed). */
function orShared(a: Array<Instance>): Array<Instance> {
  return a.length == 0 ? NO_INSTANCES : a;
}

