/**
 * `ix let [NAME] [+]PKG -PKG ...`: like `ix mut`, but only builds the realm object and prints
 * its store path; /ix/realm/NAME and its generations are left alone. The object is not a gc root
 * (add one with `ix root add PATH` to keep it).
 * Exit: 0 built, 1 a build failed, 2 bad input (incl. file conflicts).
 *
 * Must not depend on: the engine's code.
 */
import type { Invocation } from '../context';
import { storeFor } from './build';
import { assembleRealm, platformOptions, realmName } from './mut';
import { RealmLayout, applyEdits, currentGeneration, getGeneration, normaliseSpec, withPlatforms, EMPTY_SPEC, type RealmSpec } from '../realm';
import type { RealmArgs } from './realm-grammar';

export async function runLet(a: RealmArgs, base: Invocation): Promise<number> {
  const name = realmName('let', a, base.env);
  const store = await storeFor(base);
  const rl = new RealmLayout(store.layout);
  const cur = await currentGeneration(rl, name);
  const old = cur !== undefined ? await getGeneration(rl, name, cur) : undefined;
  let spec: RealmSpec = old ? normaliseSpec(old) : EMPTY_SPEC;
  spec = withPlatforms(applyEdits(spec, a.edits, name), platformOptions(a));
  const made = await assembleRealm(base, a, name, spec, store, 'let');
  if (!made) return 1;
  await made.release();
  base.stdout(`${made.path}\n`);
  return 0;
}
