/**
 * `ix why-alive PATH [--json]`: the root that keeps a store path and the chain of references from
 * it (root -> ... -> PATH). Exit 0 when alive, 1 when nothing keeps it (the next gc deletes it),
 * 2 when PATH is not a store path.
 *
 * Must not depend on: the engine's code.
 */
import { UsageError } from '../args';
import { describeOptions, tokenize } from '../options';
import type { Context } from '../context';
import { toStorePath, whyAlive } from '../gc';
import { Layout, resolveRoot } from '../store';

export async function runWhyAlive(argv: string[], base: Omit<Context, 'args'>): Promise<number> {
  const toks = tokenize('why-alive', argv);
  const json = toks.some((t) => t.kind === 'option' && t.name === 'json');
  const words = toks.flatMap((t) => (t.kind === 'word' ? [t.text] : []));
  const bad = toks.find((t) => t.kind === 'flag')?.text ?? words.find((w) => w.startsWith('-'));
  if (bad) throw new UsageError(`'ix why-alive' does not take '${bad}' (its options: ${describeOptions('why-alive')})`);
  if (words.length !== 1) throw new UsageError("'ix why-alive' takes one store path");
  const layout = new Layout(resolveRoot(base.env));
  const p = toStorePath(layout, words[0]);
  const w = await whyAlive(layout, p);
  if (json) base.stdout(`${JSON.stringify(w)}\n`);
  else if (!w.alive) base.stdout(`${p} is not kept by any root (the next 'ix gc' deletes it if it is in the store)\n`);
  else base.stdout(`${w.root}\n${w.chain.map((c, i) => `${'  '.repeat(i + 1)}-> ${c}\n`).join('')}`);
  return w.alive ? 0 : 1;
}
