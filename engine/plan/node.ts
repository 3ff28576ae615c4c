/**
 * Build nodes: a buildable package instance becomes a PlanNode (pkgs/README.md §6).
 *
 *  - direct references only (ix-plan/4), each list sorted: `deps` (tools, build data, fetch nodes:
 *    read with their run closures), `libs` (target and host libs: read with their lib closures),
 *    `runDeps` and `libDeps` (what its own run and lib closures are made of). A hub in any list
 *    stands for its own direct references. Closures are the consumers' (expand.ts).
 *  - env: `out`, `tmp` (/ix/build/<id>), `uid` (the id), `src` (the fetch outputs, space-separated
 *    directories in descriptor order; each holds exactly one file, so with one source `$src` is the
 *    directory holding it, as in IX), `PATH` (each tool's /bin in closure order), one
 *    `<uniq_id>=<out>` per buildable build dependency, and `MIX_B_DIR`/`MIX_T_DIR`/`MIX_H_DIR`
 *    (tool / target lib / host lib outs, `:`-separated, last declared first) for IX-style templates.
 *    The runner adds `make_thrs` (not hashed); nothing else of the host reaches a node.
 *  - cmd: descriptor bld.script.args or ["sh", "-s"]; `script` is the hex BLAKE3 of the text run
 *    on stdin, which the plan keeps once in its `scripts` table. Only kind "sh" runs.
 *  - pool: task_pool "", "slot", "cpu" → "cpu"; "full" → "full"; "net" for fixed-output builds.
 *  - fixedFiles: descriptor `predict_outputs` (IX's declared output files) makes a fixed-output
 *    build node (fixed-files.ts): id from {storeName, fixedFiles} only, output checked at commit.
 *    Only such a node may say `net: true` (IX's network builds; pool "net"); `net: true` without
 *    predict_outputs is refused: only fetch nodes and fixed-output nodes may use the network.
 *  - seed: descriptor `"seed": true`, allowed only for bld/boot/* packages.
 *  - fixed: descriptor `"fixed": "blake3:<hex>"`, allowed only on seeds: the output's tree hash,
 *    which the store checks at commit. Such a node's id is storeIdOf({format, storeName, fixed})
 *    (like a fetch node's), so neither its script nor the host tools it runs reach its id.
 *  - id: BLAKE3 of {format, node without id} with the id written as PLACEHOLDER everywhere (the
 *    script by the digest of its placeholder text), then the real id substituted back everywhere,
 *    so the script can see its own $out. A reference's out holds its id, which covers its own
 *    references: the id covers the closures without listing them.
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import type { PlanNode, WireNode } from '../api';
import { IxError } from '../errors';
import { base32, canonicalJson, STORE_ID_CHARS, storeIdOf, textDigest, toHex } from '../hash';
import type { TextDigest } from '../hash';
import { fixedFiles, fixedFilesId } from './fixed-files';
import type { Instance } from './graph';
import type { ArchLike } from './types';

/** Stands for the node's own id while hashing; 32 chars, never a valid id (e, o, u, t are not base32). */
export const PLACEHOLDER = 'ixselfidplaceholder'.padEnd(STORE_ID_CHARS, '0');
const NODE_FORMAT = 'ix-node/2';
const FIXED_FORMAT = 'ix-fixed/1';
const TREE_HASH = /^blake3:[0-9a-f]{64}$/;

/** What a build node is made of, gathered by the planner. */
export interface NodeParts {
  inst: Instance<ArchLike>;
  /** Closures, for the environment (PATH, MIX_*_DIR, one variable per input). */
  tools: PlanNodeRef[];
  data: PlanNodeRef[];
  targetLibs: PlanNodeRef[];
  hostLibs: PlanNodeRef[];
  /** Direct references: out paths (any order, possibly repeated). */
  deps: string[];
  libs: string[];
  runDeps: string[];
  libDeps: string[];
  sources: Pick<PlanNode, 'out'>[];
}

/** A built node and the text of its script (the plan's `scripts` entry under `cmd.script`). */
export interface BuiltNode {
  node: WireNode;
  script: string;
}

const sortedUnique = (l: string[]): string[] => [...new Set(l)].sort();

/** A buildable dependency as the node sees it. */
export interface PlanNodeRef {
  out: string;
  storeName: string;
}

const POOLS: Record<string, string> = { '': 'cpu', slot: 'cpu', cpu: 'cpu', full: 'full' };

/** Builds the node of a buildable instance. */
export function buildNode(p: NodeParts, td: TextDigest = textDigest()): BuiltNode {
  const { inst } = p;
  const d = inst.descriptor;
  const site = { pkg: inst.name };
  const script = d.bld.script;
  if ((script.kind ?? 'sh') !== 'sh') throw new IxError(`script kind '${script.kind}' is not supported (only "sh")`, site);
  const files = d.predict_outputs?.length ? fixedFiles(d.predict_outputs, site) : undefined;
  if (d.net && files === undefined) {
    throw new IxError('asks for network access but is not fixed-output (only fetch sources and builds that declare their output files with predict_outputs may use the network)', site);
  }
  const net = d.net;
  const pool = net ? 'net' : POOLS[d.task_pool ?? ''];
  if (pool === undefined) throw new IxError(`unknown task_pool '${d.task_pool}' (expected slot, cpu or full)`, site);
  const seed = d.seed === true;
  if (files && (seed || d.fixed !== undefined)) throw new IxError('a build that declares its output files (predict_outputs) cannot also be a seed or pin "fixed"', site);
  if (seed && !inst.name.startsWith('bld/boot/')) throw new IxError('"seed": true is only allowed for bld/boot/* packages', site);
  const fixed = d.fixed;
  if (fixed !== undefined) {
    if (!seed) throw new IxError('"fixed" (a pinned output hash) is only allowed on seeds ("seed": true)', site);
    if (!TREE_HASH.test(fixed)) throw new IxError(`"fixed" must be blake3:<64 hex digits>, got '${fixed}'`, site);
  }
  const argv = script.args && script.args.length ? [...script.args] : ['sh', '-s'];

  const env: Record<string, string> = {};
  for (const group of [p.tools, p.data, p.targetLibs, p.hostLibs]) {
    for (const r of group) env[r.storeName.replace(/-/g, '_')] = r.out;
  }
  const rev = (l: PlanNodeRef[]): string => l.map((r) => r.out).reverse().join(':');
  env.MIX_B_DIR = rev(p.tools);
  env.MIX_T_DIR = rev(p.targetLibs);
  env.MIX_H_DIR = rev(p.hostLibs);
  env.PATH = p.tools.map((r) => r.out + '/bin').join(':');
  if (p.sources.length) env.src = p.sources.map((s) => s.out).join(' ');

  // The node with the placeholder as its id; `id` itself is added after hashing.
  const out = `/ix/store/${PLACEHOLDER}-${inst.storeName}`;
  env.out = out;
  env.tmp = `/ix/build/${PLACEHOLDER}`;
  env.uid = PLACEHOLDER;
  const text = script.data ?? '';
  const draft: Omit<WireNode, 'id'> = {
    out,
    name: inst.name,
    storeName: inst.storeName,
    flags: inst.flags,
    deps: sortedUnique([...p.deps, ...p.sources.map((s) => s.out)]),
    libs: sortedUnique(p.libs),
    runDeps: sortedUnique(p.runDeps),
    libDeps: sortedUnique(p.libDeps),
    cmd: { argv, script: toHex(td(text)), env },
    pool,
    net,
  };
  if (seed) draft.seed = true;
  if (fixed !== undefined) draft.fixed = fixed;
  if (files !== undefined) draft.fixedFiles = files;
  const id = fixed !== undefined
    ? storeIdOf({ format: FIXED_FORMAT, storeName: inst.storeName, fixed }, td)
    : files !== undefined
      ? fixedFilesId(inst.storeName, files, td)
      : base32(td(canonicalJson({ format: NODE_FORMAT, node: draft })), STORE_ID_CHARS);

  // Substitute the real id back everywhere a string may hold the placeholder.
  const sub = (v: string): string => (v.includes(PLACEHOLDER) ? v.split(PLACEHOLDER).join(id) : v);
  for (const k of Object.keys(env)) env[k] = sub(env[k]);
  let flags = draft.flags;
  if (Object.values(flags).some((v) => v.includes(PLACEHOLDER))) {
    flags = Object.fromEntries(Object.entries(draft.flags).map(([k, v]) => [k, sub(v)]));
  }
  const final = sub(text);
  const node: WireNode = {
    id,
    out: sub(out),
    name: draft.name,
    storeName: draft.storeName,
    flags,
    deps: draft.deps,
    libs: draft.libs,
    runDeps: draft.runDeps,
    libDeps: draft.libDeps,
    cmd: { argv: argv.map(sub), script: final === text ? draft.cmd!.script : toHex(td(final)), env },
    pool,
    net,
  };
  if (seed) node.seed = true;
  if (fixed !== undefined) node.fixed = fixed;
  if (files !== undefined) node.fixedFiles = files;
  return { node, script: final };
}
