/**
 * The node memo: buildNode (node.ts) is a pure function of its NodeParts, so a node an earlier plan
 * built is reused through HostIO.cacheGet/cachePut when all of them are equal, and a re-plan after
 * an edit builds and hashes again only the nodes whose inputs changed. The key hashes exactly what
 * buildNode reads:
 *   the memo format and engine version, the BLAKE3 of the instance's descriptor (canonical JSON),
 *   the package name, store name and flags, the out paths of its tool, data, target-lib and
 *   host-lib closures in order (the environment lists them; an out ends in its store name), its
 *   direct references as given (deps, libs, runDeps, libDeps) and its sources' outs.
 * Why a stale node cannot be reused: an out path holds its node's id, and an id hashes the node's
 * own references, so an edit anywhere upstream changes an out in the key of every node downstream
 * of it; an edit of the package itself changes its descriptor, name or flags.
 *
 * The code of buildNode is not in the key: bump FORMAT (or ENGINE_VERSION) when it changes; the
 * Node host also namespaces its cache directory by the built core's hash.
 *
 * Key "node1-" + hex BLAKE3 of the canonical JSON of that list. Value, versioned:
 * "ix-node-memo/1\n" + canonical JSON {node, script}; any other value is a miss.
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import type { HostIO } from '../api';
import type { Descriptor } from '../descriptor';
import { canonicalJson, toHex, utf8Decode } from '../hash';
import type { TextDigest } from '../hash';
import { ENGINE_VERSION } from './cache';
import type { BuiltNode, NodeParts } from './node';

const FORMAT = 'ix-node-memo/1';
const HEADER = FORMAT + '\n';

/** Descriptor digests, once per descriptor object (instances sharing a render share it). */
const digests = new WeakMap<Descriptor, string>();

function descriptorDigest(d: Descriptor, td: TextDigest): string {
  let h = digests.get(d);
  if (h === undefined) {
    h = toHex(td(canonicalJson(d)));
    digests.set(d, h);
  }
  return h;
}

/** The memo key of the node `p` makes. */
export function nodeMemoKey(p: NodeParts, td: TextDigest): string {
  const { inst } = p;
  const outs = (l: readonly { out: string }[]): string[] => l.map((r) => r.out);
  const id = canonicalJson([
    FORMAT, ENGINE_VERSION, descriptorDigest(inst.descriptor, td), inst.name, inst.storeName, inst.flags,
    outs(p.tools), outs(p.data), outs(p.targetLibs), outs(p.hostLibs), p.deps, p.libs, p.runDeps, p.libDeps, outs(p.sources),
  ]);
  return 'node1-' + toHex(td(id));
}

/** The node stored under `key`, or undefined (a miss or a value of another shape). */
export function nodeMemoLookup(io: HostIO, key: string): BuiltNode | undefined {
  const raw = io.cacheGet?.(key);
  if (raw === undefined) return undefined;
  const text = utf8Decode(raw);
  if (!text.startsWith(HEADER)) return undefined;
  let v: { node?: unknown; script?: unknown };
  try {
    v = JSON.parse(text.slice(HEADER.length));
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== 'object' || typeof v.script !== 'string' || v.node === null || typeof v.node !== 'object') return undefined;
  return { node: v.node as BuiltNode['node'], script: v.script };
}

/** Stores a freshly built node. */
export function nodeMemoStore(io: HostIO, key: string, built: BuiltNode): void {
  io.cachePut?.(key, HEADER + canonicalJson({ node: built.node, script: built.script }));
}
