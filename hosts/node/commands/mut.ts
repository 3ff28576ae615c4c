/**
 * `ix mut [NAME] [--k=v] [+]PKG [--k=v] -PKG ...`: edit realm NAME's package list (default realm:
 * the user's name), build it, make its realm object and switch /ix/realm/NAME to a new generation.
 * With no packages it re-plans the same list against the current recipes (how updates happen);
 * `ix mut system` starts from the hub set/system. `--rollback` switches back to the generation
 * before the active one, `--to=N` to generation N (no build, no new generation). `--dry-run`
 * prints the new package list only. Everything the command builds or links is held against a
 * concurrent `ix gc` until the switch is done.
 * Exit: 0 switched (or up to date), 1 a build failed, 2 bad input (incl. file conflicts).
 *
 * Must not depend on: the engine's code (types, and engine/hash via the realm module only).
 */
import { userInfo } from 'node:os';
import type { Plan } from '../../../engine/api';
import type { ParsedArgs } from '../args';
import { planOf, type Context } from '../context';
import { execArgs, realisePlan, reporterFor, storeFor, type ExecArgs } from './build';
import type { Store } from '../store';
import {
  RealmLayout, addGeneration, applyEdits, checkRealmName, currentGeneration, describePackage, getGeneration, listGenerations,
  lockRealm, planRequestOf, realiseRealm, realmPath, specChanges, normaliseSpec, switchTo, withPlatforms, EMPTY_SPEC, type RealmContent, type RealmSpec,
} from '../realm';
import type { RealmArgs } from './realm-grammar';
import { holdPaths } from '../gc';
import { rootOuts } from '../plan-view';
import { safeText, UsageError } from '../../common';

type Base = Omit<Context, 'args'>;

/** Arguments with no packages and no options: for verbs that only need the store. */
export function noArgs(verb: string): ParsedArgs {
  return { verb, packages: [], flags: new Map(), options: new Map(), json: false, dryRun: false, help: false, recipes: [], cache: new Map() };
}

/** For verbs that take neither packages nor flags: a one-line error naming the first one given. */
export function noEdits(verb: string, a: RealmArgs): void {
  const e = a.edits[0];
  if (!e) return;
  if (e.op === 'realm-flags') throw new UsageError(`'ix ${verb}' does not take --${[...e.flags.keys()][0]}`);
  throw new UsageError(`'ix ${verb}' takes no packages (got ${e.op === 'remove' ? '-' : ''}${e.name})`);
}

/** The realm a verb works on: the one named, else the user's name. */
export function realmName(verb: string, a: RealmArgs, env: Record<string, string | undefined>): string {
  if (a.realms.length > 1) throw new UsageError(`'ix ${verb}' works on one realm at a time (got ${a.realms.join(', ')})`);
  return checkRealmName(a.realms[0] ?? env.USER ?? userInfo().username);
}

/** --target / --host given to a realm verb (they override, and are then remembered by, the realm). */
export function platformOptions(a: RealmArgs): { target?: string; host?: string } {
  const r: { target?: string; host?: string } = {};
  if (a.options.has('target')) r.target = String(a.options.get('target'));
  if (a.options.has('host')) r.host = String(a.options.get('host'));
  return r;
}

/** A Context for planning: the recipe roots and platforms of the realm arguments. */
function planContext(base: Base, a: RealmArgs, verb: string): Context {
  const args = noArgs(verb);
  args.recipes = a.recipes;
  args.target = a.options.get('target');
  args.host = a.options.get('host');
  return { ...base, args };
}

/** What a build of the realm gives: per package its outs, per out its run closure. */
function contentOf(spec: RealmSpec, plan: Plan): RealmContent {
  const byOut = new Map(plan.nodes.map((n) => [n.out, n]));
  const closure = (p: string): string[] => {
    const seen = new Set<string>();
    const todo = [...(byOut.get(p)?.runtime ?? [])];
    while (todo.length) {
      const q = todo.pop()!;
      if (seen.has(q)) continue;
      seen.add(q);
      todo.push(...(byOut.get(q)?.runtime ?? []));
    }
    return [...seen].sort();
  };
  const roots: Record<string, string[]> = {};
  const runtime: Record<string, string[]> = {};
  spec.packages.forEach((p, i) => {
    const r = plan.roots[i];
    const outs = rootOuts(r);
    roots[p.name] = outs.sort();
    for (const o of outs) runtime[o] = closure(o);
  });
  return { spec, roots, runtime };
}

export interface Assembled {
  path: string;
  /** Still held against gc: release after recording a generation (or when done). */
  release(): Promise<void>;
}

/**
 * Plan, build and link `spec` into a realm object. Returns undefined when a build failed
 * (the failure was reported). The result stays held against gc until release().
 */
export async function assembleRealm(base: Base, a: RealmArgs, name: string, spec: RealmSpec, store: Store, verb: string): Promise<Assembled | undefined> {
  if (!spec.packages.length) throw new UsageError(`realm ${name} would have no packages; use 'ix purge ${name}' to remove it`);
  const ctx = planContext(base, a, verb);
  const x: ExecArgs = execArgs(a.options);
  const { plan } = await planOf(ctx, planRequestOf(spec));
  const paths = plan.nodes.flatMap((n) => [n.out, ...n.inputs, ...n.runtime]);
  const hold = await holdPaths(store.layout, [...new Set(paths)], `ix ${verb} ${name}`, (m) => base.stderr(`ix: ${m}\n`));
  try {
    const r = await realisePlan(ctx, plan, x, reporterFor(ctx, false));
    if (!r.ok) {
      base.stderr(`ix: ${verb} ${name}: build failed: ${safeText(r.failures.join('; ')) || 'nodes were skipped'}\n`);
      await hold.release();
      return undefined;
    }
    const content = contentOf(spec, plan);
    await hold.add([realmPath(content)]);
    const made = await realiseRealm(store, content, name);
    for (const o of made.meta.overrides) base.stderr(safeText(`ix: ${name}: ${o.file} from ${o.winner} (preferred over ${o.loser})`) + '\n');
    return { path: made.path, release: () => hold.release() };
  } catch (e) {
    await hold.release();
    throw e;
  }
}

function changeText(c: { added: string[]; removed: string[]; changed: string[] }): string {
  const parts = [...c.added.map((p) => `+${p}`), ...c.removed.map((p) => `-${p}`), ...c.changed.map((p) => `~${p}`)];
  return parts.length ? parts.join(' ') : 'rebuilt from current recipes';
}

async function switchBack(base: Base, store: Store, name: string, a: RealmArgs): Promise<number> {
  const rl = new RealmLayout(store.layout);
  const cur = await currentGeneration(rl, name);
  if (cur === undefined) throw new UsageError(`realm ${name} does not exist`);
  let to: number;
  if (a.options.has('to')) {
    to = Number(a.options.get('to'));
    if (!Number.isInteger(to) || to < 1) throw new UsageError(`--to needs a generation number, got '${a.options.get('to')}'`);
  } else {
    const before = (await listGenerations(rl, name)).map((g) => g.generation).filter((g) => g < cur);
    if (!before.length) throw new UsageError(`realm ${name} has no generation before ${cur}`);
    to = before[before.length - 1];
  }
  const g = await getGeneration(rl, name, to);
  await switchTo(rl, name, to);
  base.stdout(`realm ${name}: generation ${cur} -> ${to} (${g.path})\n`);
  return 0;
}

export async function runMut(a: RealmArgs, base: Base): Promise<number> {
  const name = realmName('mut', a, base.env);
  const back = a.options.has('rollback') || a.options.has('to');
  if (back && a.edits.length) throw new UsageError("'ix mut --rollback/--to' takes no packages or flags");
  const store = await storeFor(base);
  const rl = new RealmLayout(store.layout);
  const rlock = await lockRealm(rl, name, (m) => base.stderr(`ix: ${m}\n`));
  try {
    if (back) return await switchBack(base, store, name, a);
    const cur = await currentGeneration(rl, name);
    const old = cur !== undefined ? await getGeneration(rl, name, cur) : undefined;
    let spec: RealmSpec = old ? normaliseSpec(old) : EMPTY_SPEC;
    if (!old && name === 'system' && !a.edits.some((e) => e.op === 'add')) spec = { packages: [{ name: 'set/system', flags: {} }], flags: {} };
    spec = withPlatforms(applyEdits(spec, a.edits, name), platformOptions(a));
    if (!old && !spec.packages.length) throw new UsageError(`realm ${name} does not exist; name packages to put in it, e.g. ix mut ${name} bin/zstd`);
    if (a.options.has('dry-run')) {
      base.stdout(spec.packages.map((p) => `${safeText(describePackage(p))}\n`).join(''));
      return 0;
    }
    const made = await assembleRealm(base, a, name, spec, store, 'mut');
    if (!made) return 1;
    try {
      const changes = specChanges(old ?? EMPTY_SPEC, spec);
      if (old && old.path === made.path) {
        base.stdout(`realm ${name}: up to date (generation ${old.generation}, ${made.path})\n`);
        return 0;
      }
      const g = await addGeneration(rl, name, made.path, { ...spec, from: cur ?? 0, ...changes }, new Date());
      await switchTo(rl, name, g.generation);
      base.stdout(`realm ${name}: generation ${g.generation} (${safeText(changeText(changes))}) -> ${made.path}\n`);
      return 0;
    } finally {
      await made.release();
    }
  } finally {
    await rlock.release();
  }
}
