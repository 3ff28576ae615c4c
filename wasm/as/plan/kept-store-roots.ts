/**
 * Writes the R section of a kept graph (kept.ts): the planned roots, each by its instance's new
 * index, a failed one with what its walk read (a walked root's by its instances' marks, a reused
 * one's carried over with its indices renumbered).
 *
 * Must not depend on: abi/, the reader (kept-load.ts) or the planner: it writes what it is given.
 */
import { StrBuilder, writeStr } from '../hash/index';
import { RootRec } from './graph';
import { Instance } from './instance';
import { Kept } from './kept';
import { PathTable } from './kept-tables';
import { idxOf, writeInt, writeMarks } from './kept-write';

/** One root of the new kept graph: a walked instance or a reused kept one, and its entry. */
export class KeptRootOut {
  request: string = '';
  inst: Instance | null = null;
  kept: i32 = -1;
  json: string = '';
  /** A failed walked root: what its walk read (null: none, or not keepable). */
  rec: RootRec | null = null;
}

/** Writes the lines of `roots` to `rb` (`keptNew`: carried kept instances' new indices); their count. */
export function writeRoots(rb: StrBuilder, roots: Array<KeptRootOut>, k: Kept | null, pt: PathTable, keptNew: Map<i32, i32>): i32 {
  let nr = 0;
  for (let i = 0; i < roots.length; i++) {
    const r = roots[i];
    const rec = r.rec;
    if (rec !== null) {
      // a failed walked root: what it read, its instances by their walk's marks
      writeStr(rb, r.request);
      rb.str('\te\t');
      const fset = new Set<i32>();
      let first = true;
      for (let j = 0; j < rec.files.length; j++) {
        const f = pt.of(rec.files[j]);
        if (fset.has(f)) continue;
        fset.add(f);
        if (!first) rb.ch(44);
        first = false;
        writeInt(rb, f);
      }
      rb.ch(9);
      writeMarks(rb, rec.touched, keptNew);
      rb.ch(9);
      writeMarks(rb, rec.needed, keptNew);
      rb.ch(9);
      rb.str(rec.listed ? '1' : '0');
      rb.ch(9);
      rb.str(r.json);
      rb.ch(10);
      nr++;
      continue;
    }
    if (r.kept >= 0 && k !== null && k.rootInst[r.kept] < 0) {
      // a failed root reused: its record carried over
      const kr = r.kept;
      writeStr(rb, r.request);
      rb.str('\te\t');
      const fs = k.rootFiles[kr];
      for (let j = 0; j < fs.length; j++) {
        if (j > 0) rb.ch(44);
        writeInt(rb, pt.of(k.paths[fs[j]]));
      }
      for (let w = 0; w < 2; w++) {
        rb.ch(9);
        const l = w == 0 ? k.rootUses[kr] : k.rootNeeded[kr];
        for (let j = 0; j < l.length; j++) {
          if (j > 0) rb.ch(44);
          writeInt(rb, keptNew.get(l[j]));
        }
      }
      rb.ch(9);
      rb.str(k.rootListed[kr] ? '1' : '0');
      rb.ch(9);
      rb.str(r.json);
      rb.ch(10);
      nr++;
      continue;
    }
    let idx = -1;
    if (r.inst !== null) idx = idxOf(r.inst!, keptNew);
    else if (r.kept >= 0 && k !== null && keptNew.has(k.rootInst[r.kept])) idx = keptNew.get(k.rootInst[r.kept]);
    if (idx < 0) continue;
    writeStr(rb, r.request);
    rb.ch(9);
    writeInt(rb, idx);
    rb.ch(9);
    rb.str(r.json);
    rb.ch(10);
    nr++;
  }
  return nr;
}
