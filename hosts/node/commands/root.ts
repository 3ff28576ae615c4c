/**
 * `ix root add PATH`, `ix root remove PATH`, `ix root list [--json]`: explicit gc roots. PATH is a
 * store path, logical (/ix/store/...) or physical (<root>/store/...); a file inside one names it.
 * Exit 2 for a path that is not in the store, 1 when removing a path that was not a root.
 *
 * Must not depend on: the engine's code.
 */
import { UsageError } from '../args';
import { describeOptions, tokenize } from '../options';
import type { Context } from '../context';
import { addRoot, listRoots, removeRoot } from '../gc';
import { Layout, resolveRoot } from '../store';
import { safeText } from '../../common';

export async function runRoot(argv: string[], base: Omit<Context, 'args'>): Promise<number> {
  const [sub, ...rest] = argv;
  const toks = tokenize('root', rest);
  const json = toks.some((t) => t.kind === 'option' && t.name === 'json');
  const flag = toks.find((t) => t.kind === 'flag');
  if (flag?.kind === 'flag') throw new UsageError(`'ix root' does not take ${flag.text} (its options: ${describeOptions('root')})`);
  const words = toks.flatMap((t) => (t.kind === 'word' ? [t.text] : []));
  const layout = new Layout(resolveRoot(base.env));
  if (sub === 'list') {
    if (words.length) throw new UsageError(`'ix root list' takes no arguments (got '${words[0]}')`);
    const roots = await listRoots(layout);
    base.stdout(json ? `${JSON.stringify({ format: 'ix-gc-roots/1', roots })}\n` : roots.map((r) => `${safeText(r)}\n`).join(''));
    return 0;
  }
  if (sub !== 'add' && sub !== 'remove') throw new UsageError(`'ix root' knows add, remove and list (got ${sub === undefined ? 'nothing' : `'${sub}'`})`);
  if (words.length !== 1 || json) throw new UsageError(`'ix root ${sub}' takes one store path`);
  if (sub === 'add') {
    base.stdout(`added root ${safeText(await addRoot(layout, words[0]))}\n`);
    return 0;
  }
  if (!(await removeRoot(layout, words[0]))) {
    base.stderr(`ix: ${safeText(words[0])} was not a root\n`);
    return 1;
  }
  base.stdout(`removed root ${safeText(words[0])}\n`);
  return 0;
}
