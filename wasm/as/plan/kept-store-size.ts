/**
 * The lengths a kept graph's builders are made with (kept.ts): each section's text when no string
 * needs an escape, integers counted at their longest. A builder made that large once is not
 * doubled (~4 times for a whole tree's I section of ~4 M code units), each doubling a copy and
 * fresh pages; a longer text (escapes) still grows it, so the bytes never depend on these.
 *
 * Must not depend on: abi/, the reader (kept-load.ts) or the planner.
 */
import { FileHashes } from './cache';
import { Instance } from './instance';
import { Kept } from './kept';

/** The longest decimal i32 with its separator. */
const INT = 12;

/** The length of the I section (`inst`) or the R section of kept graph `k` as read, or 0. */
export function sectionLen(k: Kept | null, inst: bool): i32 {
  if (k === null || k.rAt < k.iAt || k.rAt >= k.starts.length) return 0;
  const st = k.starts;
  return inst ? st[k.rAt] - st[k.iAt] : st[st.length - 1] - st[k.rAt];
}

function itemsLen(l: Array<Instance> | null): i32 {
  return l === null ? 1 : l.length * INT + 1;
}

function strsLen(l: Array<string>): i32 {
  let n = 0;
  for (let i = 0; i < l.length; i++) n += l[i].length + 3;
  return n;
}

/** The length of walked instance `x`'s I line (kept-store.ts writes it). */
export function instLen(x: Instance): i32 {
  // node, list, key (two ints), digest, tabs, ext's flag and brackets
  let n = 5 * INT + 64 + 24;
  n += x.uses.length * INT;
  for (let i = 0; i < x.fetchSrc.length; i++) n += INT + 6 + strsLen(x.fetchSrc[i].fetchUrls!);
  n += itemsLen(x.libItems) + itemsLen(x.runPre) + itemsLen(x.runPost);
  return n + strsLen(x.desc.indDeps) + strsLen(x.desc.runData);
}

/** The length of the graph's head: format, listing, the P and S sections and the N and F lines. */
export function headLen(format: string, listing: string, paths: Array<string>, files: FileHashes, strs: Array<string>): i32 {
  let n = format.length + listing.length + 4 * (INT + 4) + 64;
  for (let i = 0; i < paths.length; i++) {
    const d = files.get(paths[i]);
    n += paths[i].length + 4 + (d === null ? 1 : d.length);
  }
  return n + strsLen(strs);
}
