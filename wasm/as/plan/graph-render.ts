/**
 * Renders a package instance for the graph through render sharing (plan/reads.ts: instances whose
 * renders read the same flags share one) and the descriptor cache (cache.ts, keyed per read set
 * or, when the names a render read are unknown, per instance). A missing ix.sh is "unknown
 * package" with a suggestion. A render that called intro() is neither shared nor cached.
 *
 * Must not depend on: abi/, the driver and its steps (graph-steps.ts), the planner.
 */
import { IxErr } from '../errors';
import { digestBuilder, hexOfText, toHex } from '../hash/index';
import * as host from '../host';
import { Descriptor, normalise } from './descriptor';
import { Flags } from './flags';
import { descLookup, descStore, ENGINE_VERSION, readSetsLookup, readSetsStore } from './cache';
import { flagsBehind, valuesKey } from './reads';
import { Graph } from './graph';
import { TARGETS, withinPkg } from './graph-hooks';
import { Instance } from './instance';

/** Renders through the descriptor cache; a missing ix.sh is "unknown package" with a suggestion. */
export function renderCached(g: Graph, name: string, flags: Flags, target: string): Rendered2 {
  const pk = name + '\x00' + flags.get('kind')! + '\x00' + target;
  if (g.shareRenders) {
    const shared = g.share.find(pk, flags);
    if (shared !== null) {
      g.share.sharedCount++;
      return shared;
    }
  }
  const out = new Rendered2();
  let key = '';
  let setsKey = '';
  if (g.useCache) {
    const sk = g.renderKeyBuf;
    sk.clear();
    sk.str(ENGINE_VERSION);
    sk.ch(0);
    sk.str(name);
    sk.ch(0);
    sk.str(flags.get('kind')!);
    sk.ch(0);
    sk.str(g.hostId);
    sk.ch(0);
    sk.str(TARGETS.idOf(target));
    sk.ch(0);
    sk.str(g.bootJson);
    sk.str('\x00reads');
    setsKey = 'as-desc1-' + toHex(digestBuilder(sk, 0));
    if (g.shareRenders) {
      // the read sets earlier plans saw: each names one render entry to try
      const sets = g.share.readSets(pk);
      if (!g.setsLoaded.has(pk)) {
        g.setsLoaded.add(pk);
        const stored = readSetsLookup(setsKey);
        for (let i = 0; i < stored.length; i++) {
          const id = stored[i].join('\x00');
          let known = false;
          for (let j = 0; j < sets.length; j++) if (sets[j].join('\x00') == id) known = true;
          if (!known) sets.push(stored[i]);
        }
      }
      for (let i = 0; i < sets.length; i++) {
        const hit = descLookup(renderKeyOf(setsKey, sets[i], flags), g.files);
        if (hit === null) continue;
        const n = normalise(hit.text, name);
        if (n.d === null) continue;
        out.text = hit.text;
        out.digest = hit.digest;
        out.desc = n.d;
        out.files = hit.files;
        g.share.add(pk, sets[i], flags, out);
        return out;
      }
    }
    // a render whose names are unknown is stored per instance
    const kb = g.renderKeyBuf;
    kb.clear();
    kb.str(ENGINE_VERSION);
    kb.ch(0);
    kb.str(name);
    kb.ch(0);
    flags.writeJson(kb);
    kb.ch(0);
    kb.str(g.hostId);
    kb.ch(0);
    kb.str(TARGETS.idOf(target));
    kb.ch(0);
    kb.str(g.bootJson);
    key = 'as-desc1-' + toHex(digestBuilder(kb, 0));
    const hit = descLookup(key, g.files);
    if (hit !== null) {
      const n = normalise(hit.text, name);
      if (n.d !== null) {
        out.text = hit.text;
        out.digest = hit.digest;
        out.desc = n.d;
        out.files = hit.files;
        return out;
      }
    }
  }
  if (g.files.get(name + '/ix.sh') === null) {
    out.err = g.unknown(name);
    return out;
  }
  host.evaluating(name);
  g.introLists.push(new Array<Instance>());
  // the paths it probed and found missing: a failed render is kept with them (plan/kept.ts)
  const miss = new Array<string>();
  const outer = host.swapMissLog(miss);
  const r = g.renderer.render(g, name, flags, target);
  host.swapMissLog(outer);
  out.missing = miss;
  out.intros = g.introLists.pop();
  out.files = r.files;
  g.share.renderCount++;
  if (r.err !== null) {
    out.err = withinPkg(r.err!, name);
    out.renderFailed = true;
    return out;
  }
  const n = normalise(r.text, name);
  if (n.err !== null) {
    out.err = withinPkg(n.err!, name);
    return out;
  }
  out.text = r.text;
  out.desc = n.d;
  if (g.useCache) out.digest = hexOfText(r.text);
  // intro() read another package's node, which hashes every flag: such a render is not shared
  // nor cached
  if (r.introduced) return out;
  if (g.shareRenders && r.names !== null) {
    const reads = flagsBehind(r.names!);
    const fresh = g.share.add(pk, reads, flags, out);
    if (g.useCache) {
      if (fresh) readSetsStore(setsKey, g.share.readSets(pk));
      descStore(renderKeyOf(setsKey, reads, flags), r.text, out.digest, r.files, g.files);
    }
  } else if (g.useCache) descStore(key, r.text, out.digest, r.files, g.files);
  return out;
}

/** The descriptor-cache key of one render: its package's read-sets key, a read set and its values. */
function renderKeyOf(setsKey: string, reads: Array<string>, flags: Flags): string {
  return 'as-desc1-' + hexOfText(setsKey + '\x00' + valuesKey(reads, flags));
}

export class Rendered2 {
  text: string = '';
  /** Hex BLAKE3 of `text` when the graph uses the cache (the node memo's key), else ''. */
  digest: string = '';
  desc: Descriptor | null = null;
  err: IxErr | null = null;
  /** The recipe files the render read (sorted). */
  files: Array<string> = [];
  /** Instances whose ids it read through intro() (such a render is never shared or cached). */
  intros: Array<Instance> = [];
  /** The template evaluator failed (not the descriptor check). */
  renderFailed: bool = false;
  /** Paths the render read and found missing (a failed one is kept with them). */
  missing: Array<string> = [];
}
