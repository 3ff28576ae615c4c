/**
 * `ix build --check`: rebuild an already-built node into a scratch directory (under its output
 * lock), normalise it exactly as the store does, and compare its content hash with the store's
 * record. On a difference, name the files that differ. The store path itself is never touched.
 *
 * Must not depend on: the CLI, the terminal.
 */
import { lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanNode } from '../../../engine/api';
import { type Store, processTree } from '../store';
import type { Runner, RunOptions } from '../../common';
import { removeTreeSync, declaredRefs } from '../../common';
import { openLog } from './logs';

export interface CheckResult {
  identical: boolean;
  expected?: string;
  actual?: string;
  /** Relative paths whose type, mode or bytes differ (at most 20). */
  differ: string[];
  /** Why no comparison was possible (not built, rebuild failed, fetch node). */
  reason?: string;
}

/** Files that differ between two trees (type, exec bit, bytes, link target), sorted, capped. */
export function diffTrees(a: string, b: string, cap = 20): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    if (out.length >= cap) return;
    const pa = join(a, rel);
    const pb = join(b, rel);
    let sa, sb;
    try { sa = lstatSync(pa); } catch { sa = undefined; }
    try { sb = lstatSync(pb); } catch { sb = undefined; }
    const name = rel || '.';
    if (!sa || !sb) { out.push(name); return; }
    if (sa.isDirectory() && sb.isDirectory()) {
      const names = [...new Set([...readdirSync(pa), ...readdirSync(pb)])].sort();
      for (const n of names) walk(rel ? `${rel}/${n}` : n);
      return;
    }
    if (sa.isSymbolicLink() && sb.isSymbolicLink()) { if (readlinkSync(pa) !== readlinkSync(pb)) out.push(name); return; }
    if (sa.isFile() && sb.isFile()) {
      if ((sa.mode & 0o111) !== (sb.mode & 0o111) || sa.size !== sb.size || !readFileSync(pa).equals(readFileSync(pb))) out.push(name);
      return;
    }
    out.push(name);
  };
  walk('');
  return out;
}

/** Rebuild `node` with `run` (the host's Runner) and compare; `opts` are passed on to the runner. */
export async function checkNode(node: PlanNode, store: Store, run: Runner, opts: Partial<RunOptions> = {}): Promise<CheckResult> {
  if (node.fetch) return { identical: true, differ: [], reason: 'fetch nodes are checked by their sha256, not rebuilt' };
  const rec = await store.record(node.out);
  if (!rec) return { identical: false, differ: [], reason: 'not built yet' };
  const l = store.layout;
  return store.withOutputLock(node.out, async () => {
    const outDir = join(l.build, `${node.id}.check`);
    const tmpDir = join(l.build, `${node.id}.check-tmp`);
    removeTreeSync(outDir);
    mkdirSync(outDir, { recursive: true });
    const log = openLog(l.logs, node, '.check');
    try {
      const r = await run(node, { ...opts, layout: l, outDir, tmpDir, output: (c) => log.write(c) });
      if (!r.ok) return { identical: false, expected: rec.hash, differ: [], reason: `rebuild failed: ${r.reason} (log: ${log.path})` };
      const declared = declaredRefs(node);
      let tree;
      try {
        tree = await processTree(outDir, { normalise: true, refs: { self: node.out, selfId: node.id, declared } });
      } catch (e) {
        return { identical: false, expected: rec.hash, differ: [], reason: `rebuilt output breaks a store rule: ${(e as Error).message}` };
      }
      const identical = tree.hash === rec.hash;
      return { identical, expected: rec.hash, actual: tree.hash, differ: identical ? [] : diffTrees(store.physical(node.out), outDir) };
    } finally {
      log.close();
      removeTreeSync(outDir);
      removeTreeSync(tmpDir);
    }
  });
}
