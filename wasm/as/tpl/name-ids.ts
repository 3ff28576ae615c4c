/**
 * Names a template looks up in the context, as small integers: the compiler gives every name
 * site that is not a loop slot the id of its name (one per distinct name for the life of the
 * instance), so a render can tell a name it already recorded by an array read instead of hashing
 * the name at every site (expr.ts lookupName).
 *
 * Must not depend on: rt, host, anything of the evaluator.
 */

const ids = new Map<string, i32>();
let count = 0;

/** The id of context name `name`, given one when it has none. */
export function nameId(name: string): i32 {
  if (ids.has(name)) return ids.get(name);
  const id = count++;
  ids.set(name, id);
  return id;
}
