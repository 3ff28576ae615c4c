/**
 * The node memo (engine/plan/node-memo.ts): a build node is a pure function of what buildNode
 * reads, so a node built by an earlier plan is reused through host.cacheGet/cachePut when all of
 * that is equal. The key hashes exactly those inputs:
 *   the memo format and engine version, the BLAKE3 of the instance's rendered descriptor text (the
 *   descriptor is normalise(text, name)), the package name, store name and flags, the out paths
 *   of its tool, data, target-lib and host-lib closures in order (the environment lists them; an
 *   out ends in its store name), its direct references as given (deps, libs, runDeps, libDeps)
 *   and its sources' outs.
 * An out path holds its node's id, which hashes that node's own references, so an edit anywhere
 * upstream changes some out in the key of every node downstream of it: a stale node is never
 * found, and an unchanged one is found without being rendered into JSON or hashed again.
 *
 * The code of buildNode is not in the key: the Node host namespaces its cache directory by the
 * built core's hash, so a changed core never reads another core's nodes; bump FORMAT all the same.
 *
 * Values, versioned: under "as-node1-<key>", "ix-as-node-memo/3\n" + id + "\n" + script hex +
 * "\n" + the node's canonical JSON with each repeated store path written once (node-memo-pack.ts;
 * its out is rebuilt from the id as buildNode makes it); under "as-script1-<script hex>",
 * "ix-as-script/1\n" + the script's text. Any other value is a miss. Keys of its own, so it never
 * meets the oracle's entries.
 *
 * Must not depend on: abi/.
 */
import * as host from '../host';
import { StrBuilder, writeStr, digestBuilder, toHex, utf8DecodeAt } from '../hash/index';
import { packNodeBody, unpackNodeBody } from './node-memo-pack';
import { PNode } from './instance';
import { NodeParts, nodeOut, nodeRefs } from './node';
import { ENGINE_VERSION } from './cache';

const FORMAT = 'ix-as-node-memo/3';
const HEADER = FORMAT + '\n';
const SCRIPT_HEADER = 'ix-as-script/1\n';
const kb = new StrBuilder(1 << 14);

function outsOf(b: StrBuilder, l: Array<PNode>): void {
  b.ch(44);
  b.ch(91);
  for (let i = 0; i < l.length; i++) {
    if (i > 0) b.ch(44);
    writeStr(b, unchecked(l[i]).out);
  }
  b.ch(93);
}

function strs(b: StrBuilder, l: Array<string>): void {
  b.ch(44);
  b.ch(91);
  for (let i = 0; i < l.length; i++) {
    if (i > 0) b.ch(44);
    writeStr(b, unchecked(l[i]));
  }
  b.ch(93);
}

/** The memo key of the node `p` makes, given the BLAKE3 (hex) of its instance's descriptor text. */
export function nodeMemoKey(p: NodeParts, descDigest: string): string {
  const b = kb;
  b.clear();
  b.ch(91);
  writeStr(b, FORMAT);
  b.ch(44);
  writeStr(b, ENGINE_VERSION);
  b.ch(44);
  writeStr(b, descDigest);
  b.ch(44);
  writeStr(b, p.inst.name);
  b.ch(44);
  writeStr(b, p.inst.storeName);
  b.ch(44);
  p.inst.flags.writeJson(b);
  outsOf(b, p.tools);
  outsOf(b, p.data);
  outsOf(b, p.targetLibs);
  outsOf(b, p.hostLibs);
  strs(b, p.deps);
  strs(b, p.libs);
  strs(b, p.runDeps);
  strs(b, p.libDeps);
  outsOf(b, p.sources);
  b.ch(93);
  return 'as-node1-' + toHex(digestBuilder(b, 0));
}

/** The memo entries' first line (kept-load.ts reads kept nodes from them). */
export const NODE_HEADER = HEADER;

/** Index of byte 10 at or after `from`, or -1. */
function nl(raw: Uint8Array, from: i32): i32 {
  for (let i = from; i < raw.length; i++) if (unchecked(raw[i]) == 10) return i;
  return -1;
}

/** The key of a script's entry: its hex BLAKE3 (content-addressed). */
const scriptKey = (hex: string): string => 'as-script1-' + hex;

/** The script text stored under its digest `hex`, or null (a miss or a value of another shape). */
export function scriptLookup(hex: string): string | null {
  const raw = host.cacheGet(scriptKey(hex));
  if (raw === null) return null;
  const h = SCRIPT_HEADER.length;
  if (raw.length < h) return null;
  for (let i = 0; i < h; i++) if (<i32>raw[i] != SCRIPT_HEADER.charCodeAt(i)) return null;
  return utf8DecodeAt(raw.dataStart + <usize>h, raw.length - h);
}

/**
 * The node stored under `key`, or null (a miss, a value of another shape, or a script the plan's
 * table `scripts` lacks and the cache no longer holds). Scripts are shared by many nodes (a
 * whole IX tree's 29,500 nodes have a few thousand), so a node's entry names its script and the
 * text is read only when the plan has not seen it yet. `json`: decode the node's JSON into `utf8`
 * (a plan that answers with its roots only writes no node: null then).
 */
export function nodeMemoLookup(key: string, p: NodeParts, scripts: Map<string, string>, json: bool): PNode | null {
  const raw = host.cacheGet(key);
  if (raw === null) return null;
  const h = HEADER.length;
  if (raw.length < h) return null;
  for (let i = 0; i < h; i++) if (<i32>raw[i] != HEADER.charCodeAt(i)) return null;
  const e1 = nl(raw, h);
  if (e1 < 0) return null;
  const e2 = nl(raw, e1 + 1);
  if (e2 < 0) return null;
  const n = new PNode();
  n.id = utf8DecodeAt(raw.dataStart + <usize>h, e1 - h);
  n.script = utf8DecodeAt(raw.dataStart + <usize>(e1 + 1), e2 - e1 - 1);
  if (!scripts.has(n.script)) {
    const text = scriptLookup(n.script);
    if (text === null) return null;
    n.scriptText = text;
  }
  n.storeName = p.inst.storeName;
  n.out = nodeOut(n.storeName, n.id);
  if (json) {
    n.utf8 = unpackNodeBody(raw, e2 + 1);
    if (n.utf8 === null) return null;
  }
  n.refs = nodeRefs(p);
  return n;
}

/**
 * Stores a freshly built node; `newScript`: the plan had not seen its script yet, so its text
 * (still on the node) is stored under its digest too.
 */
/** One builder for every entry written (the host copies an entry's text during its cachePut). */
const storeBuf = new StrBuilder(1 << 16);

export function nodeMemoStore(key: string, n: PNode, newScript: bool): void {
  const json = n.utf8!;
  const sb = storeBuf;
  sb.clear();
  sb.str(HEADER);
  sb.str(n.id);
  sb.ch(10);
  sb.str(n.script);
  sb.ch(10);
  packNodeBody(sb, json.dataStart, json.length);
  host.cachePutUtf16(key, sb.ptr, sb.len);
  if (!newScript) return;
  sb.clear();
  sb.str(SCRIPT_HEADER);
  sb.str(n.scriptText);
  host.cachePutUtf16(scriptKey(n.script), sb.ptr, sb.len);
}
