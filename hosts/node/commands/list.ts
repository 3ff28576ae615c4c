/**
 * `ix list [--json]`: the realms and their active generations. `ix list NAME`: its packages (with
 * flags). `ix list NAME --generations`: every generation with its date and what changed, the
 * active one marked. --json prints one object (formats ix-realm-list/1, ix-realm-packages/1,
 * ix-realm-generations/1). Exit 2 for a realm that does not exist.
 *
 * Must not depend on: the engine's code.
 */
import type { Invocation } from '../context';
import { noEdits } from './mut';
import { RealmLayout, currentGeneration, describePackage, getGeneration, listGenerations, listRealms, checkRealmName } from '../realm';
import type { RealmArgs } from './realm-grammar';
import { safeText, UsageError, Layout, resolveRoot } from '../../common';

export async function runList(a: RealmArgs, base: Invocation): Promise<number> {
  noEdits('list', a);
  if (a.realms.length > 1) throw new UsageError("'ix list' shows one realm at a time");
  const json = a.options.has('json');
  const rl = new RealmLayout(new Layout(resolveRoot(base.env)));
  const name = a.realms[0];
  if (name === undefined) {
    if (a.options.has('generations')) throw new UsageError("'ix list --generations' needs a realm name");
    const rows = [];
    for (const n of await listRealms(rl)) {
      const cur = await currentGeneration(rl, n).catch(() => undefined);
      const g = cur !== undefined ? await getGeneration(rl, n, cur).catch(() => undefined) : undefined;
      rows.push({ realm: n, generation: cur ?? null, path: g?.path ?? null, packages: g?.packages.length ?? 0 });
    }
    if (json) base.stdout(`${JSON.stringify({ format: 'ix-realm-list/1', realms: rows })}\n`);
    else for (const r of rows) base.stdout(`${safeText(r.realm)}\tgeneration ${r.generation ?? '?'}\t${r.packages} packages\t${r.path ?? '(broken)'}\n`);
    return 0;
  }
  checkRealmName(name);
  const cur = await currentGeneration(rl, name);
  if (cur === undefined) throw new UsageError(`realm ${name} does not exist (ix list shows the realms)`);
  if (a.options.has('generations')) {
    const gens = await listGenerations(rl, name);
    if (json) {
      base.stdout(`${JSON.stringify({ format: 'ix-realm-generations/1', realm: name, current: cur, generations: gens })}\n`);
      return 0;
    }
    for (const g of gens) {
      const what = [...g.added.map((p) => `+${p}`), ...g.removed.map((p) => `-${p}`), ...g.changed.map((p) => `~${p}`)].join(' ') || '(rebuilt)';
      base.stdout(`${g.generation === cur ? '*' : ' '} ${g.generation}\t${g.date.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}\t${safeText(what)}\t${g.path}\n`);
    }
    return 0;
  }
  const g = await getGeneration(rl, name, cur);
  if (json) base.stdout(`${JSON.stringify({ format: 'ix-realm-packages/1', realm: name, generation: cur, path: g.path, packages: g.packages, flags: g.flags })}\n`);
  else {
    const rf = Object.entries(g.flags).map(([k, v]) => `--${k}=${v}`).join(' ');
    if (rf) base.stdout(`(realm flags) ${safeText(rf)}\n`);
    base.stdout(g.packages.map((p) => `${safeText(describePackage(p))}\n`).join(''));
  }
  return 0;
}
