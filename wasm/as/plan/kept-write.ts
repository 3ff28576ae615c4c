/**
 * The small writers of a kept graph's text (kept.ts): integers, key indices, an instance's index
 * lists and ext field (a walked one's, or a carried record's renumbered), and the digest of a
 * descriptor that early cutoff compares.
 *
 * Must not depend on: abi/, the reader (kept-load.ts) or the planner.
 */
import { StrBuilder, writeStr, digestBuilder, toHex } from '../hash/index';
import { Descriptor, writeDescriptor } from './descriptor';
import { Instance } from './instance';

/** Appends integer `v` in decimal (no string is made: a whole tree's graph writes ~1 M of them). */
export function writeInt(sb: StrBuilder, v: i32): void {
  if (v < 0) sb.ch(45);
  sb.uint(<u64>(v < 0 ? -(<i64>v) : <i64>v));
}

/** Appends the text of builder `b` (a section, copied once into the entry without a string of it). */
export function writeBuilder(sb: StrBuilder, b: StrBuilder): void {
  sb.reserve(b.len);
  memory.copy(sb.ptr + (<usize>sb.len << 1), b.ptr, <usize>b.len << 1);
  sb.len += b.len;
}

/** Writes key indices (kept.ts I line): name "," flags, or name alone. */
export function writeKey(sb: StrBuilder, n: i32, f: i32): void {
  writeInt(sb, n);
  if (f < 0) return;
  sb.ch(44);
  writeInt(sb, f);
}

/** Hex BLAKE3 of a normalised descriptor's canonical JSON (what early cutoff compares). */
export function descDigest(d: Descriptor): string {
  // once per descriptor: the ~30,000 instances of a whole tree share ~5,700 renders' descriptors
  if (d.canonHex != '') return d.canonHex;
  // one builder for every call
  const sb = descBuf;
  sb.clear();
  writeDescriptor(sb, d);
  const h = toHex(digestBuilder(sb, 0));
  d.canonHex = h;
  return h;
}
const descBuf = new StrBuilder(1 << 14);

/**
 * The new index of `x`: a walked instance's from its mark (-1 - index), one taken from the kept
 * graph from its record's (keptNew); -1 if it has none.
 */
export function idxOf(x: Instance, keptNew: Map<i32, i32>): i32 {
  if (x.kept >= 0) return keptNew.has(x.kept) ? keptNew.get(x.kept) : -1;
  return -1 - x.mark;
}

/** Indices of `l` (idxOf), comma separated, or "-" for null or when one has none. */
export function writeItems(sb: StrBuilder, l: Array<Instance> | null, keptNew: Map<i32, i32>): void {
  if (l === null) {
    sb.ch(45);
    return;
  }
  const at = sb.len;
  for (let j = 0; j < l.length; j++) {
    const u = idxOf(l[j], keptNew);
    if (u < 0) {
      sb.len = at;
      sb.ch(45);
      return;
    }
    if (j > 0) sb.ch(44);
    writeInt(sb, u);
  }
}

/** A walked instance's ext field (kept.ts KeptInst.ext). */
export function writeExt(sb: StrBuilder, x: Instance, keptNew: Map<i32, i32>): void {
  sb.ch(x.buildable ? 49 : 48);
  sb.ch(59);
  writeItems(sb, x.libItems, keptNew);
  sb.ch(59);
  writeItems(sb, x.runPre, keptNew);
  sb.ch(59);
  writeItems(sb, x.runPost, keptNew);
  sb.ch(59);
  const d = x.desc;
  sb.str('[[');
  for (let j = 0; j < d.indDeps.length; j++) {
    if (j > 0) sb.ch(44);
    writeStr(sb, d.indDeps[j]);
  }
  sb.str('],[');
  for (let j = 0; j < d.runData.length; j++) {
    if (j > 0) sb.ch(44);
    writeStr(sb, d.runData[j]);
  }
  sb.str(']]');
}

/** A carried kept record's ext with its indices renumbered (keptNew); "-" lists stay. */
export function writeKeptExt(sb: StrBuilder, ext: string, keptNew: Map<i32, i32>): void {
  let at = 0;
  for (let part = 0; part < 4; part++) {
    const e = ext.indexOf(';', at);
    if (e < 0) {
      // malformed: nothing is taken from it (every list unknown)
      sb.str('0;-;-;-;[[],[]]');
      return;
    }
    if (part > 0) sb.ch(59);
    const f = ext.substring(at, e);
    if (part == 0 || f == '-' || f == '') sb.str(f);
    else {
      const l = f.split(',');
      const m = sb.len;
      for (let j = 0; j < l.length; j++) {
        const v = I32.parseInt(l[j]);
        if (!keptNew.has(v)) {
          sb.len = m;
          sb.ch(45);
          break;
        }
        if (j > 0) sb.ch(44);
        writeInt(sb, keptNew.get(v));
      }
    }
    at = e + 1;
  }
  sb.ch(59);
  sb.sub(ext, at, ext.length);
}

/** The walk's indices (marks) of `l`, each once. */
export function writeMarks(sb: StrBuilder, l: Array<Instance>, keptNew: Map<i32, i32>): void {
  const seen = new Set<i32>();
  let first = true;
  for (let j = 0; j < l.length; j++) {
    const u = idxOf(l[j], keptNew);
    if (u < 0 || seen.has(u)) continue;
    seen.add(u);
    if (!first) sb.ch(44);
    first = false;
    writeInt(sb, u);
  }
}
