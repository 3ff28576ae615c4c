/**
 * Realms (pkgs/README.md §8): named environments. spec.ts (package list, edits, plan request),
 * farm.ts (symlink farm and conflicts), object.ts (the content-addressed realm store object),
 * generations.ts (numbered generations, atomic switch, rollback), layout.ts (paths).
 *
 * Must not depend on: the CLI, the planner (callers plan and pass the results in).
 */
export { RealmLayout, checkRealmName } from './layout';
export {
  applyEdits, normaliseSpec, planRequestOf, withPlatforms, selectorOf, describePackage, specChanges, EMPTY_SPEC, REALM_ONLY_FLAGS,
  type RealmSpec, type RealmPackage, type RealmEdit,
} from './spec';
export { planFarm, writeFarm, type Farm, type FarmMember, type Override } from './farm';
export {
  realiseRealm, realmPath, readRealmMeta, membersOf, REALM_META_FORMAT, REALM_ENV_FORMAT, REALM_STORE_NAME,
  type RealmContent, type RealmMeta,
} from './object';
export {
  lockRealm, listRealms, currentGeneration, listGenerations, getGeneration, addGeneration, switchTo, dropGenerations, purgeRealm,
  GENERATION_FORMAT, type GenerationRecord, type FaultHook,
} from './generations';
