/**
 * Early cutoff's recheck (kept.ts Recheck) through the graph's renderer: an instance of the kept
 * graph one of whose files changed is rendered again (through the graph's descriptor cache and
 * render sharing, so a walk that meets it later does not render it twice) and compared with its
 * kept descriptor digest. Also the flags of a kept instance key (keyFlags), which the walk's
 * KeptInstances (reuse.ts) reads too.
 *
 * Must not depend on: abi/, the kept graph's text (kept-load.ts, kept-store.ts) or the planner.
 */
import { parseJson, J_OBJ, J_STR } from '../hash/index';
import { safePoint } from '../gc';
import { Graph } from './graph';
import { renderCached } from './graph-render';
import { Flags } from './flags';
import { Kept, KeptInst } from './kept';
import { Recheck } from './kept-validate';
import { descDigest } from './kept-store';

/** kept.ts's Recheck through the graph's renderer: the instance's key gives its name and flags. */
export class RenderCheck extends Recheck {
  g: Graph;
  /** Whether pause() may collect (the caller holds the Kept from a global: reuse.ts keepKept). */
  collect: bool;
  /** Descriptor digests by package and text digest: instances sharing a render share its digest. */
  digests: Map<string, string> = new Map<string, string>();
  constructor(g: Graph, collect: bool) {
    super();
    this.g = g;
    this.collect = collect;
  }

  pause(): void {
    if (this.collect) safePoint();
  }

  same(k: Kept, x: KeptInst): bool {
    const z = x.key.indexOf('\x00');
    if (z <= 0) return false;
    const name = x.key.substring(0, z);
    const f = keyFlags(x.key, z);
    if (f === null) return false;
    const flags = f!;
    const target = flags.get('target');
    if (target === null || flags.get('kind') === null) return false;
    const r = renderCached(this.g, name, flags, target!);
    // a shared render: as in the walk (graph.ts), later instances need only its descriptor, and
    // the ~19,000 texts a template edit renders again would otherwise stay until the plan ends
    if (!this.g.keepText) r.text = '';
    if (r.err !== null || r.desc === null || r.intros.length > 0) return false;
    const tk = name + '\x00' + r.digest;
    let d: string;
    if (r.digest != '' && this.digests.has(tk)) d = this.digests.get(tk);
    else {
      d = descDigest(r.desc!);
      if (r.digest != '') this.digests.set(tk, d);
    }
    if (d != x.desc) return false;
    const fs = new Array<i32>();
    for (let i = 0; i < r.files.length; i++) fs.push(k.pathIndex(r.files[i]));
    x.files = fs;
    x.fi = -1;
    return true;
  }
}

/** The flags of an instance key (name NUL JSON object of string flags; `z` is the NUL's index), or null when malformed. */
export function keyFlags(key: string, z: i32): Flags | null {
  const v = parseJson(key.substring(z + 1)).value;
  if (v === null || v.kind != J_OBJ) return null;
  const flags = new Flags();
  const ks = v.keys!;
  const vs = v.items!;
  for (let i = 0; i < ks.length; i++) {
    if (vs[i].kind != J_STR) return null;
    flags.set(ks[i], vs[i].s);
  }
  return flags;
}
