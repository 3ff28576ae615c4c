/**
 * `ix why-alive PATH [--json]`: the root that keeps a store path and the chain of references from
 * it (root -> ... -> PATH). Exit 0 when alive, 1 when nothing keeps it (the next gc deletes it),
 * 2 when PATH is not a store path.
 *
 * Must not depend on: the engine's code.
 */
import { IxError } from '../../../engine/errors';
import { UsageError } from '../args';
import type { Context } from '../context';
import { toStorePath, whyAlive } from '../gc';
import { Layout, resolveRoot } from '../store';

export async function runWhyAlive(argv: string[], base: Omit<Context, 'args'>): Promise<number> {
  const json = argv.includes('--json');
  const words = argv.filter((w) => w !== '--json');
  const bad = words.find((w) => w.startsWith('-'));
  if (bad) throw new UsageError(`'ix why-alive' does not take '${bad}'`);
  if (words.length !== 1) throw new UsageError("'ix why-alive' takes one store path");
  const layout = new Layout(resolveRoot(base.env));
  let p: string;
  try {
    p = toStorePath(layout, words[0]);
  } catch (e) {
    if (e instanceof IxError) throw new UsageError(e.message);
    throw e;
  }
  const w = await whyAlive(layout, p);
  if (json) base.stdout(`${JSON.stringify(w)}\n`);
  else if (!w.alive) base.stdout(`${p} is not kept by any root (the next 'ix gc' deletes it if it is in the store)\n`);
  else base.stdout(`${w.root}\n${w.chain.map((c, i) => `${'  '.repeat(i + 1)}-> ${c}\n`).join('')}`);
  return w.alive ? 0 : 1;
}
