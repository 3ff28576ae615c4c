/**
 * `ix let [NAME] [+]PKG -PKG ...`: like `ix mut`, but only builds the realm object and prints
 * its store path; /ix/realm/NAME and its generations are left alone. The object is not a gc root
 * (add one with `ix root add PATH` to keep it).
 * Exit: 0 built, 1 a build failed, 2 bad input (incl. file conflicts).
 *
 * Must not depend on: the engine's code.
 */
import { UsageError, parseArgs } from '../args';
import type { Context } from '../context';
import { storeFor } from './build';
import { allowOptions, assembleRealm, platformOptions, realmArgs, realmName } from './mut';
import { RealmLayout, applyEdits, currentGeneration, getGeneration, normaliseSpec, withPlatforms, EMPTY_SPEC, type RealmSpec } from '../realm';

export async function runLet(argv: string[], base: Omit<Context, 'args'>): Promise<number> {
  const a = realmArgs(argv);
  allowOptions('let', a, ['recipes', 'target', 'host', 'jobs', 'timeout', 'keep-going', 'substituters', 'no-substitute', 'push-to', 'secret-key']);
  const name = realmName('let', a, base.env);
  const store = await storeFor({ ...base, args: parseArgs([]) });
  const rl = new RealmLayout(store.layout);
  const cur = await currentGeneration(rl, name);
  const old = cur !== undefined ? await getGeneration(rl, name, cur) : undefined;
  let spec: RealmSpec = old ? normaliseSpec(old) : EMPTY_SPEC;
  try {
    spec = withPlatforms(applyEdits(spec, a.edits, name), platformOptions(a));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const made = await assembleRealm(base, a, name, spec, store, 'let');
  if (!made) return 1;
  await made.release();
  base.stdout(`${made.path}\n`);
  return 0;
}
