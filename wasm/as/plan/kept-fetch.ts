/**
 * A kept instance's own sources (the I section's JSON [[fetch node, [urls]], ...]): read back for
 * a reused instance and written for the next kept graph, by the new plan's fetch nodes. A fetch
 * node's URLs are the union over the packages that name it, so each instance keeps only its own.
 *
 * Must not depend on: abi/, the host (no I/O) or the planner.
 */
import { StrBuilder, writeStr, parseJson, J_ARR, J_STR, JValue } from '../hash/index';
import { PNode } from './instance';
import { Kept, KeptInst } from './kept';

/** A fetch contribution of a kept instance: its fetch node and the URLs it gives. */
export class KeptFetch {
  node: i32 = 0;
  urls: Array<string> = [];
}

/** The [fetch node, URLs] pairs of a kept instance, or null if malformed. */
export function keptFetches(k: Kept, x: KeptInst): Array<KeptFetch> | null {
  const out = new Array<KeptFetch>();
  if (x.fetchJson.length == 0) return out;
  const v = parseJson(x.fetchJson).value;
  if (v === null || v.kind != J_ARR) return null;
  const it = v.items!;
  for (let i = 0; i < it.length; i++) {
    const p = it[i];
    if (p.kind != J_ARR || p.items!.length != 2) return null;
    const f = new KeptFetch();
    const idx = p.items![0];
    const us = p.items![1];
    f.node = <i32>idx.n;
    if (f.node < 0 || f.node >= k.nodeCount() || !k.node(f.node).fetch || us.kind != J_ARR) return null;
    for (let j = 0; j < us.items!.length; j++) {
      const u: JValue = us.items![j];
      if (u.kind != J_STR) return null;
      f.urls.push(u.s);
    }
    out.push(f);
  }
  return out;
}

/** A kept instance's sources, by the new plan's fetch nodes; false when one is not in the plan. */
export function writeKeptFetches(ib: StrBuilder, k: Kept, x: KeptInst, fetchIdx: Map<string, i32>): bool {
  const fs = keptFetches(k, x);
  if (fs === null) return false;
  if (fs.length == 0) return true;
  ib.ch(91);
  for (let j = 0; j < fs.length; j++) {
    if (j > 0) ib.ch(44);
    const id = k.node(fs[j].node).id;
    if (!fetchIdx.has(id)) return false;
    ib.ch(91);
    ib.str(fetchIdx.get(id).toString());
    ib.str(',');
    writeUrls(ib, fs[j].urls);
    ib.ch(93);
  }
  ib.ch(93);
  return true;
}

function writeUrls(sb: StrBuilder, urls: Array<string>): void {
  sb.ch(91);
  for (let i = 0; i < urls.length; i++) {
    if (i > 0) sb.ch(44);
    writeStr(sb, urls[i]);
  }
  sb.ch(93);
}

/** A walked instance's own sources, by the new plan's fetch nodes (-1: not in the plan). */
export function writeFetches(sb: StrBuilder, src: Array<PNode>, fetchIdx: Map<string, i32>): void {
  if (src.length == 0) return;
  sb.ch(91);
  for (let i = 0; i < src.length; i++) {
    if (i > 0) sb.ch(44);
    sb.ch(91);
    sb.str((fetchIdx.has(src[i].id) ? fetchIdx.get(src[i].id) : -1).toString());
    sb.ch(44);
    writeUrls(sb, src[i].fetchUrls!);
    sb.ch(93);
  }
  sb.ch(93);
}
