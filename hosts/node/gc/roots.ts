/**
 * GC roots: (1) every complete generation of every existing realm, (2) explicit roots added with
 * `ix root add`, (3) paths held by live processes (holds.ts), (4) inputs, outputs and run closure
 * of any node being built right now by a process that did not register a hold (its
 * <root>/build/<id>.out exists and its output lock is busy; the executor's <id>.node.json says
 * what it reads). Each root carries a label for `ix why-alive`.
 *
 * Must not depend on: the engine's evaluator, the sandbox, the CLI.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { BUILD_ENTRY, parseStorePath, STORE_PREFIX, type Layout } from '../../common';
import { IxError } from '../../../engine/errors';
import { writeFileAtomic, tryLock, readRecord } from '../store';
import { RealmLayout, listGenerations, listRealms } from '../realm';
import { liveHolds } from './holds';
import { GcLayout } from './layout';

export const ROOT_FORMAT = 'ix-gc-root/1';

/** One root: a store path and why it is one. */
export interface Root {
  path: string;
  label: string;
}

/** Store path from a logical (/ix/store/...) or physical (<root>/store/...) path, or a one-line error. */
export function toStorePath(layout: Layout, p: string): string {
  let logical = p.replace(/\/+$/, '');
  const physPrefix = `${layout.store}/`;
  if (logical.startsWith(physPrefix)) logical = STORE_PREFIX + logical.slice(physPrefix.length);
  if (logical.startsWith(STORE_PREFIX)) logical = STORE_PREFIX + logical.slice(STORE_PREFIX.length).split('/')[0];
  if (!parseStorePath(logical)) throw new IxError(`not a store path: ${p}`);
  return logical;
}

async function isBuilt(layout: Layout, p: string): Promise<boolean> {
  const sp = parseStorePath(p)!;
  const rec = await readRecord(layout, sp.id);
  return !!rec && rec.path === p && !!(await fs.lstat(layout.physical(sp)).catch(() => undefined));
}

function rootFile(gl: GcLayout, p: string): string {
  return path.join(gl.roots, `${parseStorePath(p)!.base}.json`);
}

/** `ix root add`: keep `p` (and what it refers to) from collection. Returns the store path. */
export async function addRoot(layout: Layout, p: string): Promise<string> {
  const sp = toStorePath(layout, p);
  if (!(await isBuilt(layout, sp))) throw new IxError(`${sp} is not in the store`);
  const gl = new GcLayout(layout);
  await fs.mkdir(gl.roots, { recursive: true });
  await writeFileAtomic(rootFile(gl, sp), `${JSON.stringify({ format: ROOT_FORMAT, path: sp })}\n`);
  return sp;
}

/** `ix root remove`: returns false when `p` was not an explicit root. */
export async function removeRoot(layout: Layout, p: string): Promise<boolean> {
  const sp = toStorePath(layout, p);
  const f = rootFile(new GcLayout(layout), sp);
  const had = !!(await fs.lstat(f).catch(() => undefined));
  await fs.rm(f, { force: true });
  return had;
}

/** `ix root list`: explicit roots, sorted. */
export async function listRoots(layout: Layout): Promise<string[]> {
  const gl = new GcLayout(layout);
  const out: string[] = [];
  for (const n of (await fs.readdir(gl.roots).catch(() => [] as string[])).sort()) {
    if (!n.endsWith('.json') || n.startsWith('.')) continue;
    try {
      const r = JSON.parse(await fs.readFile(path.join(gl.roots, n), 'utf8')) as { format?: string; path?: string };
      if (r.format === ROOT_FORMAT && typeof r.path === 'string' && parseStorePath(r.path)) out.push(r.path);
    } catch {
      // a torn write cannot happen (atomic), an unreadable file is not a root
    }
  }
  return out;
}

/** Inputs/outputs of nodes being built now (see the module comment, item 4). */
async function buildsInProgress(layout: Layout): Promise<Root[]> {
  const out: Root[] = [];
  for (const n of (await fs.readdir(layout.build).catch(() => [] as string[])).sort()) {
    const m = BUILD_ENTRY.exec(n);
    if (!m || !m[2]) continue;
    const probe = await tryLock(layout.lock(m[1]));
    if (probe) {
      await probe.release();
      continue;
    }
    try {
      const node = JSON.parse(await fs.readFile(path.join(layout.logs, `${m[1]}.node.json`), 'utf8')) as { name?: string; inputs?: string[]; runtime?: string[] };
      for (const p of [...(node.inputs ?? []), ...(node.runtime ?? [])]) out.push({ path: p, label: `build in progress of ${node.name ?? m[1]}` });
    } catch {
      // no node file: nothing known to protect beyond the output itself, which is not in store/ yet
    }
  }
  return out;
}

/**
 * Every root. `skipGenerations` (realm -> numbers) leaves out generations about to be dropped.
 * Call with the gc lock held exclusive (liveHolds removes dead holds).
 */
export async function allRoots(layout: Layout, skipGenerations: Map<string, Set<number>> = new Map()): Promise<Root[]> {
  const roots: Root[] = [];
  const rl = new RealmLayout(layout);
  for (const name of await listRealms(rl)) {
    for (const g of await listGenerations(rl, name)) {
      if (!skipGenerations.get(name)?.has(g.generation)) roots.push({ path: g.path, label: `realm ${name} generation ${g.generation}` });
    }
  }
  for (const p of await listRoots(layout)) roots.push({ path: p, label: 'explicit root' });
  for (const h of await liveHolds(layout)) {
    for (const p of h.paths) roots.push({ path: p, label: `held by process ${h.pid} (${h.purpose})` });
  }
  roots.push(...(await buildsInProgress(layout)));
  return roots.filter((r) => parseStorePath(r.path) !== undefined);
}
