/**
 * Writes a kept graph's nodes entry (kept.ts, NODES_FORMAT): each planned node by its node memo
 * key (a fetch by its id), its out, its script's digest and its references by index.
 *
 * Must not depend on: abi/, the reader (kept-load.ts) or the planner: it writes what it is given.
 */
import { KeyTable, StrBuilder, writeStr } from '../hash/index';
import { PNode } from './instance';
import { NODES_FORMAT } from './kept';
import { writeInt } from './kept-write';

/**
 * The length of the nodes entry of `all` when no string needs an escape, each reference counted
 * at its longest (8 code units): the builder is made that large once, not doubled ~4 times on a
 * whole tree's ~9 M code units (each doubling a copy and fresh pages).
 */
function nodesLen(all: Array<PNode>): i32 {
  let n = NODES_FORMAT.length + 1;
  for (let i = 0; i < all.length; i++) {
    const x = all[i];
    n += x.out.length + 8;
    if (x.fetchUrls !== null) n += x.id.length + x.fetchFile.length + x.fetchSha.length + 3;
    else n += x.memoKey.length + x.script.length + (x.refs.length << 3);
  }
  return n;
}

/** The text of the nodes entry of `all` (`nodeIdx`: each node's index by its out). */
export function nodesText(all: Array<PNode>, nodeIdx: KeyTable<i32>): StrBuilder {
  const nb = new StrBuilder(max(1 << 10, nodesLen(all)));
  nb.str(NODES_FORMAT);
  nb.ch(10);
  for (let i = 0; i < all.length; i++) {
    const n = all[i];
    if (n.fetchUrls !== null) {
      nb.str('f\t');
      nb.str(n.id);
      nb.ch(9);
      writeStr(nb, n.out);
      nb.ch(9);
      writeStr(nb, n.fetchFile);
      nb.ch(9);
      nb.str(n.fetchSha);
    } else {
      nb.str('n\t');
      nb.str(n.memoKey);
      nb.ch(9);
      writeStr(nb, n.out);
      nb.ch(9);
      nb.str(n.script);
      nb.ch(9);
      let first = true;
      for (let j = 0; j < n.refs.length; j++) {
        const at = nodeIdx.findStr(unchecked(n.refs[j]));
        if (at < 0) continue;
        if (!first) nb.ch(44);
        first = false;
        writeInt(nb, nodeIdx.valueAt(at));
      }
    }
    nb.ch(10);
  }
  return nb;
}
