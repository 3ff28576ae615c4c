/**
 * `ix why-alive PATH`: which root keeps a store path, as the chain root -> ... -> PATH through
 * records' references (the first chain found breadth-first, i.e. a shortest one).
 *
 * Must not depend on: the engine's evaluator, the sandbox, the CLI.
 */
import type { Layout } from '../../common';
import { flockWait } from '../store';
import { GcLayout } from './layout';
import { allRoots } from './roots';
import { reachable } from './collect';

export const WHY_FORMAT = 'ix-why-alive/1';

export interface WhyAlive {
  format: typeof WHY_FORMAT;
  path: string;
  alive: boolean;
  /** The root's label ("realm demo generation 3", "explicit root", ...). */
  root?: string;
  /** Store paths from the root's path to `path`, both included. */
  chain: string[];
}

export async function whyAlive(layout: Layout, p: string): Promise<WhyAlive> {
  // Exclusive like a collection: reading the holds removes dead ones, which needs no registration running.
  const g = await flockWait(new GcLayout(layout).gcLock, 'exclusive');
  try {
    const live = await reachable(layout, await allRoots(layout));
    const hit = live.get(p);
    if (!hit) return { format: WHY_FORMAT, path: p, alive: false, chain: [] };
    const chain = [p];
    for (let at = hit; at.from !== undefined; at = live.get(at.from)!) chain.unshift(at.from);
    return { format: WHY_FORMAT, path: p, alive: true, root: hit.root.label, chain };
  } finally {
    await g.release();
  }
}
