/**
 * `ix why-alive PATH [--json]`: the root that keeps a store path and the chain of references from
 * it (root -> ... -> PATH). Exit 0 when alive, 1 when nothing keeps it (the next gc deletes it),
 * 2 when PATH is not a store path.
 *
 * Must not depend on: the engine's code.
 */
import { UsageError, Layout, resolveRoot } from '../../common';
import type { Invocation } from '../context';
import type { WordArgs } from './grammar';
import { toStorePath, whyAlive } from '../gc';

export async function runWhyAlive({ words, options }: WordArgs, base: Invocation): Promise<number> {
  const json = options.has('json');
  if (words.length !== 1) throw new UsageError("'ix why-alive' takes one store path");
  const layout = new Layout(resolveRoot(base.env));
  const p = toStorePath(layout, words[0]);
  const w = await whyAlive(layout, p);
  if (json) base.stdout(`${JSON.stringify(w)}\n`);
  else if (!w.alive) base.stdout(`${p} is not kept by any root (the next 'ix gc' deletes it if it is in the store)\n`);
  else base.stdout(`${w.root}\n${w.chain.map((c, i) => `${'  '.repeat(i + 1)}-> ${c}\n`).join('')}`);
  return w.alive ? 0 : 1;
}
