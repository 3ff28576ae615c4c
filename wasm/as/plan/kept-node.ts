/**
 * One node of a kept graph's node entry (kept.ts, the "n" and "f" lines of ix-as-kept-nodes),
 * parsed from its line when it is first asked for (Kept.node).
 *
 * Must not depend on: abi/, host.ts, the walk (graph.ts) or the planner.
 */
import { ints, jstr } from './kept-text';

export class KeptNode {
  /** Its line was malformed (Kept.node): nothing kept may be written from it. */
  bad: bool = false;
  fetch: bool = false;
  memoKey: string = '';
  id: string = '';
  out: string = '';
  script: string = '';
  refs: Array<i32> = [];
  file: string = '';
  sha: string = '';
}

/** A node line of the N section (`n` nodes in all), or null when malformed. */
export function parseNode(line: string, n: i32): KeptNode | null {
  const f = line.split('\t');
  const kn = new KeptNode();
  if (f.length != 5) return null;
  const o = jstr(f[2]);
  if (o === null) return null;
  kn.out = o!;
  if (f[0] == 'n') {
    const r = ints(f[4], n);
    if (r === null) return null;
    kn.memoKey = f[1];
    kn.script = f[3];
    kn.refs = r!;
  } else if (f[0] == 'f') {
    const fl = jstr(f[3]);
    if (fl === null) return null;
    kn.fetch = true;
    kn.id = f[1];
    kn.file = fl!;
    kn.sha = f[4];
  } else return null;
  return kn;
}
