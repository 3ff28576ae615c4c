/**
 * `ix diff NAME N M [--json]`: what changed in realm NAME from generation N to generation M:
 * packages added/removed/re-flagged, and the closure difference (store paths linked in M and not
 * in N, and the other way), read from the realm objects' meta.json. Exit 2 for unknown
 * realms or generations.
 *
 * Must not depend on: the engine's code.
 */
import type { Invocation } from '../context';
import { noEdits } from './mut';
import { RealmLayout, getGeneration, readRealmMeta, specChanges, checkRealmName, type GenerationRecord } from '../realm';
import type { RealmArgs } from './realm-grammar';
import { safeText, UsageError, Layout, parseStorePath, resolveRoot } from '../../common';

export async function runDiff(a: RealmArgs, base: Invocation): Promise<number> {
  noEdits('diff', a);
  if (a.realms.length !== 1 || a.words.length !== 2) throw new UsageError("'ix diff' takes a realm and two generation numbers, e.g. ix diff demo 1 2");
  const name = a.realms[0];
  const layout = new Layout(resolveRoot(base.env));
  const rl = new RealmLayout(layout);
  checkRealmName(name);
  const from = await getGeneration(rl, name, Number(a.words[0]));
  const to = await getGeneration(rl, name, Number(a.words[1]));
  const members = async (g: GenerationRecord) => {
    const m = await readRealmMeta(layout.physical(parseStorePath(g.path)!));
    if (!m) throw new UsageError(`realm ${name} generation ${g.generation}: ${g.path} has no readable meta.json`);
    return new Set(m.members);
  };
  const [mf, mt] = [await members(from), await members(to)];
  const added = [...mt].filter((p) => !mf.has(p)).sort();
  const removed = [...mf].filter((p) => !mt.has(p)).sort();
  const packages = specChanges({ packages: from.packages, flags: from.flags }, { packages: to.packages, flags: to.flags });
  if (a.options.has('json')) {
    base.stdout(`${JSON.stringify({ format: 'ix-realm-diff/1', realm: name, from: from.generation, to: to.generation, packages, closure: { added, removed } })}\n`);
    return 0;
  }
  for (const p of packages.added) base.stdout(`package +${safeText(p)}\n`);
  for (const p of packages.removed) base.stdout(`package -${safeText(p)}\n`);
  for (const p of packages.changed) base.stdout(`package ~${safeText(p)}\n`);
  for (const p of added) base.stdout(`+ ${p}\n`);
  for (const p of removed) base.stdout(`- ${p}\n`);
  return 0;
}
