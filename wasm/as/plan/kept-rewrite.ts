/**
 * Writes a kept graph read back again (its format: kept.ts) with only its file digests, and the
 * files of the instances early cutoff kept, brought up to date: for a plan that reused every kept
 * root and walked nothing. Every other section is copied as it was read, the node entry too
 * (the graph names the same one).
 *
 * Must not depend on: abi/, the reader (kept-load.ts) or the planner: it writes what it is given.
 */
import * as host from '../host';
import { StrBuilder, writeStr } from '../hash/index';
import { FileHashes } from './cache';
import { FORMAT, Kept } from './kept';

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
      const l = k.line(3 + i);
      sb.sub(l, 0, l.lastIndexOf('\t'));
    } else writeStr(sb, paths[i]);
    sb.ch(9);
    const d = files.get(paths[i]);
    sb.str(d === null ? '-' : d!);
    sb.ch(10);
  }
  // the N line (the same node entry) and the S section as they were read, the F section with a
  // list for each instance cut off (its new files) after the lists read
  sb.sub(k.text, k.starts[k.nAt], k.starts[k.fAt]);
  const nf = k.fileLists.length;
  sb.str('F ');
  sb.str((nf + k.cut.length).toString());
  sb.ch(10);
  sb.sub(k.text, k.starts[k.fAt + 1], k.starts[k.iAt]);
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
  sb.sub(k.text, k.starts[k.iAt], k.starts[k.iAt + 1]);
  for (let i = 0; i < k.insts.length; i++) {
    const l = k.line(k.iAt + 1 + i);
    if (!cut.has(i)) {
      sb.str(l);
      sb.ch(10);
      continue;
    }
    // node TAB files (its F index) TAB the rest
    const t1 = l.indexOf('\t');
    const t2 = l.indexOf('\t', t1 + 1);
    sb.sub(l, 0, t1 + 1);
    sb.str(cut.get(i).toString());
    sb.sub(l, t2, l.length);
    sb.ch(10);
  }
  sb.sub(k.text, k.starts[k.rAt], k.text.length);
  host.cachePut(key, sb.toString());
}
