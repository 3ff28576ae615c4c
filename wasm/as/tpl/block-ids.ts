/**
 * Block names as small integers: the compiler gives every block name it meets (a `{% block %}`,
 * the NAME of `self.NAME()`) one id for the life of the instance, so a template keeps its blocks
 * in an array indexed by id and a call site carries the id, and finding a block along a chain
 * is a few array reads instead of hashing its name once per template (scope.ts Ctx#block).
 *
 * Must not depend on: rt, host, anything of the evaluator.
 */

const ids = new Map<string, i32>();
const names = new Array<string>();

/** The id of block name `name`, given one when it has none. */
export function blockId(name: string): i32 {
  if (ids.has(name)) return ids.get(name);
  const id = names.length;
  names.push(name);
  ids.set(name, id);
  return id;
}

/** The id of `name` if it has one, else -1 (no template compiled so far names such a block). */
export function knownBlockId(name: string): i32 {
  return ids.has(name) ? ids.get(name) : -1;
}

/** The name of id `id`. */
export function blockName(id: i32): string {
  return names[id];
}
