/**
 * `ix root add PATH`, `ix root remove PATH`, `ix root list [--json]`: explicit gc roots. PATH is a
 * store path, logical (/ix/store/...) or physical (<root>/store/...); a file inside one names it.
 * Exit 2 for a path that is not in the store, 1 when removing a path that was not a root.
 *
 * Must not depend on: the engine's code.
 */
import type { Invocation } from '../context';
import type { SubArgs } from './grammar';
import { addRoot, listRoots, removeRoot } from '../gc';
import { safeText, UsageError, Layout, resolveRoot } from '../../common';

export async function runRoot({ sub, words, options }: SubArgs, base: Invocation): Promise<number> {
  const json = options.has('json');
  const layout = new Layout(resolveRoot(base.env));
  if (sub === 'list') {
    if (words.length) throw new UsageError(`'ix root list' takes no arguments (got '${words[0]}')`);
    const roots = await listRoots(layout);
    base.stdout(json ? `${JSON.stringify({ format: 'ix-gc-roots/1', roots })}\n` : roots.map((r) => `${safeText(r)}\n`).join(''));
    return 0;
  }
  if (words.length !== 1) throw new UsageError(`'ix root ${sub}' takes one store path`);
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
