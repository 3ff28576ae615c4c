/**
 * Writes a kept graph read back again (its format: kept.ts) with only its file digests, and the
 * files of the instances early cutoff kept, brought up to date: for a plan that reused every kept
 * root and walked nothing. Every other section is copied as it was read, the node entry too
 * (the graph names the same one).
 *
 * Must not depend on: abi/, the reader (kept-load.ts) or the planner: it writes what it is given.
 */
import * as host from '../host';
import { StrBuilder, utf8AppendTo, writeStr } from '../hash/index';
import { FileHashes } from './cache';
import { FORMAT, Kept } from './kept';
import { chAt } from './kept-text';

/** Appends bytes [a, b) of the entry `k` was read from, as text. */
function copy(sb: StrBuilder, k: Kept, a: i32, b: i32): void {
  if (b > a) utf8AppendTo(sb, k.text.dataStart + <usize>a, b - a);
}

/**
 * Writes the kept graph `k` again as it was read, with the current digests of its files and the
 * new files of the instances its validation cut off (Kept.cut): for a plan whose roots are the
 * kept ones, in their order, every one reused, with nothing walked, whose nodes are the kept ones.
 */
export function keptRewrite(key: string, k: Kept, files: FileHashes): void {
  const paths = k.paths;
  const kept = k.nAt - 3;
  files.prefetch(paths);
  const sb = new StrBuilder(1 << 20);
  sb.str(FORMAT);
  sb.str('\nL ');
  sb.str(k.listing);
  sb.str('\nP ');
  sb.str(paths.length.toString());
  sb.ch(10);
  for (let i = 0; i < paths.length; i++) {
    if (i < kept) {
      // the path as read: up to the line's last tab (a digest has none)
      const a = k.starts[3 + i];
      let t = k.starts[4 + i] - 2;
      while (t > a && k.text[t] != 9) t--;
      copy(sb, k, a, t);
    } else writeStr(sb, paths[i]);
    sb.ch(9);
    const d = files.get(paths[i]);
    sb.str(d === null ? '-' : d!);
    sb.ch(10);
  }
  // the N line (the same node entry) and the S section as they were read, the F section with a
  // list for each instance cut off (its new files) after the lists read
  copy(sb, k, k.starts[k.nAt], k.starts[k.fAt]);
  const nf = k.fileLists.length;
  sb.str('F ');
  sb.str((nf + k.cut.length).toString());
  sb.ch(10);
  copy(sb, k, k.starts[k.fAt + 1], k.starts[k.iAt]);
  const cut = new Map<i32, i32>();
  for (let i = 0; i < k.cut.length; i++) {
    cut.set(k.cut[i], nf + i);
    const fs = k.insts[k.cut[i]].files;
    for (let j = 0; j < fs.length; j++) {
      if (j > 0) sb.ch(44);
      sb.str(fs[j].toString());
    }
    sb.ch(10);
  }
  copy(sb, k, k.starts[k.iAt], k.starts[k.iAt + 1]);
  for (let i = 0; i < k.insts.length; i++) {
    const a = k.starts[k.iAt + 1 + i];
    const b = k.starts[k.iAt + 2 + i];
    if (!cut.has(i)) {
      copy(sb, k, a, b);
      continue;
    }
    // node TAB files (its F index) TAB the rest (kept-load found both tabs)
    const t1 = chAt<Uint8Array>(k.text, 9, a);
    const t2 = chAt<Uint8Array>(k.text, 9, t1 + 1);
    copy(sb, k, a, t1 + 1);
    sb.str(cut.get(i).toString());
    copy(sb, k, t2, b);
  }
  copy(sb, k, k.starts[k.rAt], k.text.length);
  host.cachePut(key, sb.toString());
}
