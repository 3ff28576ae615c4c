/**
 * Writing a plan's result from what its walk left (Walked): the whole plan (ix-plan/4: nodes in
 * order, roots, scripts) straight as UTF-8, or for `output: "roots"` its roots only
 * (writeRoots: ix-plan-roots/1, engine/api.ts PlanRoots), both in canonical key order.
 *
 * Must not depend on: abi/, session.ts, planner.ts, and of graph.ts on anything but the PNode type.
 */
import { IxErr } from '../errors';
import { StrBuilder, cmpStr, writeStr } from '../hash/index';
import { ByteBuilder } from '../hash/bytes';
import { fetchJson } from './node-fetch';
import { orderNodes } from './order';
import { Nodes } from './node-task';
import { internal } from './request';
import { collectNow } from '../gc';
import { PNode } from './instance';

/** A plan at least this large (UTF-8 bytes) is written after a full garbage collection. */
const BIG_PLAN = 16 << 20;

/**
 * A plan's result: its UTF-8 bytes, or an error. Always planned: the core keeps no whole-plan
 * cache (a host that wants one keeps it in front of the core, validated by the files the call
 * read: hosts/node/plan-memo.ts); its caches are per render and per node.
 */
/**
 * What writePlan still uses across its collection (gc.ts: the runtime scans no stack, so a
 * collection frees whatever only a local holds); the caller keeps `out` reachable.
 */
class Writing {
  w: Walked | null = null;
  all: Array<PNode> | null = null;
  ordered: Array<PNode> | null = null;
  keys: Array<string> | null = null;
}
let WRITING: Writing | null = null;

export class PlanOut {
  text: string | null = null;
  bytes: Uint8Array | null = null;
  err: IxErr | null = null;
}

/** Writes the whole plan of a walk into `out` (its bytes, or a bug's error). */
export function writePlan(w: Walked, out: PlanOut): PlanOut {
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
  keys.sort(cmpStr);
  for (let i = 0; i < keys.length; i++) size += keys[i].length + nodes.scripts.get(keys[i]).length + 8;
  // written straight as UTF-8 (hash/bytes.ts): a whole tree's plan is ~200 MB. The walk's graph
  // is unreachable now: a full collection first, so the buffer reuses the memory it held
  // instead of growing the heap by its size
  if (size > BIG_PLAN) {
    const h = new Writing();
    h.w = w;
    h.all = all;
    h.ordered = ordered;
    h.keys = keys;
    WRITING = h;
    collectNow();
    WRITING = null;
  }
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
export function writeRoots(w: Walked): Uint8Array {
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
export class Walked {
  nodes: Nodes = new Nodes();
  roots: StrBuilder = new StrBuilder(1024);
  hostName: string = '';
  target: string = '';
  err: IxErr | null = null;
}
