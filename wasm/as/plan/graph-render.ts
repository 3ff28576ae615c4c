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
import { flagsBehind, valuesKeyInto } from './reads';
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
    setsKey = renderKey(g, name, flags, target, false);
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
    key = renderKey(g, name, flags, target, true);
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

/**
 * The one writer of a package's two descriptor-cache keys (same bytes as before): engine version,
 * name, then the kind (the key of its read sets, suffixed "reads") or, `perInstance`, every flag
 * (the key of a render whose read names are unknown), then host, target and boot environment.
 */
function renderKey(g: Graph, name: string, flags: Flags, target: string, perInstance: bool): string {
  const b = g.renderKeyBuf;
  b.clear();
  b.str(ENGINE_VERSION);
  b.ch(0);
  b.str(name);
  b.ch(0);
  if (perInstance) flags.writeJson(b);
  else b.str(flags.get('kind')!);
  b.ch(0);
  b.str(g.hostId);
  b.ch(0);
  b.str(TARGETS.idOf(target));
  b.ch(0);
  b.str(g.bootJson);
  if (!perInstance) b.str('\x00reads');
  return 'as-desc1-' + toHex(digestBuilder(b, 0));
}

/** The descriptor-cache key of one render: its package's read-sets key, a read set and its values. */
function renderKeyOf(setsKey: string, reads: Array<string>, flags: Flags): string {
  return 'as-desc1-' + toHex(digestBuilder(valuesKeyInto(setsKey, reads, flags), 0));
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
