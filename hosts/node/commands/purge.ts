/**
 * `ix purge NAME`: remove realm NAME (its /ix/realm link at once, then its generations). Its store
 * paths stay until `ix gc` finds them unreferenced. Exit 2 when the realm does not exist.
 *
 * Must not depend on: the engine's code.
 */
import { UsageError, Layout, resolveRoot } from '../../common';
import type { Invocation } from '../context';
import { noEdits } from './mut';
import { RealmLayout, checkRealmName, lockRealm, purgeRealm } from '../realm';
import type { RealmArgs } from './realm-grammar';

export async function runPurge(a: RealmArgs, base: Invocation): Promise<number> {
  noEdits('purge', a);
  if (a.realms.length !== 1) throw new UsageError("'ix purge' takes exactly one realm name, e.g. ix purge demo");
  const name = a.realms[0];
  checkRealmName(name);
  const rl = new RealmLayout(new Layout(resolveRoot(base.env)));
  const l = await lockRealm(rl, name, (m) => base.stderr(`ix: ${m}\n`));
  try {
    if (!(await purgeRealm(rl, name))) throw new UsageError(`realm ${name} does not exist`);
  } finally {
    await l.release();
  }
  base.stdout(`removed realm ${name} (run 'ix gc' to free its store paths)\n`);
  return 0;
}
