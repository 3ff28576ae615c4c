/**
 * The realm store object: /ix/store/<id>-realm holding the symlink farm (farm.ts), `meta.json`
 * (format ix-realm/1: packages with flags, realm flags, each package's store paths, every linked
 * store path, decided conflicts) and `env` (sources each member's env, puts the realm's bin/ first
 * on PATH). Its id is content-addressed: BLAKE3 of the canonical JSON of the spec and the member
 * store paths, so the same packages built from the same recipes give the same realm path on every
 * machine. It is produced through the store's atomic commit (record, then rename), so it is never
 * half-written, and its links to /ix/store paths are declared references.
 *
 * Must not depend on: the engine's evaluator (engine/hash for the id only), the sandbox, the CLI.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { STORE_PREFIX } from '../../common';
import { storeIdOf } from '../../../engine/hash';
import type { Store } from '../store';
import { planFarm, writeFarm, type FarmMember, type Override } from './farm';
import { normaliseSpec, type RealmSpec } from './spec';

export const REALM_META_FORMAT = 'ix-realm/1';
export const REALM_ENV_FORMAT = 'ix-realm-env/1';
/** Store name of every realm object. */
export const REALM_STORE_NAME = 'realm';

/** What the planner and executor produced for a spec: per package, its outs and run closure. */
export interface RealmContent {
  spec: RealmSpec;
  /** Per package name: the store paths it stands for (its out, or a hub's members), sorted. */
  roots: Record<string, string[]>;
  /** Per store path of the realm: its run closure (store paths it needs at run time). */
  runtime: Record<string, string[]>;
}

/** meta.json of a realm object. */
export interface RealmMeta {
  format: typeof REALM_META_FORMAT;
  packages: RealmSpec['packages'];
  flags: RealmSpec['flags'];
  /** Platforms the realm was planned for, when not the defaults. */
  target?: string;
  host?: string;
  roots: Record<string, string[]>;
  /** Every store path linked into the realm (the packages' run closures), sorted. */
  members: string[];
  overrides: Override[];
}

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

/** Members of the realm: each package's roots and their run closures, with their owners. */
export function membersOf(c: RealmContent): Map<string, Set<string>> {
  const owners = new Map<string, Set<string>>();
  for (const [pkg, outs] of Object.entries(c.roots)) {
    for (const o of outs) {
      for (const p of [o, ...(c.runtime[o] ?? [])]) {
        if (!owners.has(p)) owners.set(p, new Set());
        owners.get(p)!.add(pkg);
      }
    }
  }
  return new Map([...owners].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The logical store path of the realm object for `c` (a pure function of spec and members). */
export function realmPath(c: RealmContent): string {
  const spec = normaliseSpec(c.spec);
  const roots = Object.fromEntries(Object.entries(c.roots).map(([k, v]) => [k, sorted(v)]).sort(([a], [b]) => (a < b ? -1 : 1)));
  const id = storeIdOf({ format: REALM_META_FORMAT, ...spec, roots, members: [...membersOf(c).keys()] });
  return `${STORE_PREFIX}${id}-${REALM_STORE_NAME}`;
}

function envText(self: string, envs: string[]): string {
  const lines = [
    `# ${REALM_ENV_FORMAT}: source this file to use the realm`,
    `IX_REALM=${self}`,
    'export IX_REALM',
    'PATH="$IX_REALM/bin${PATH:+:$PATH}"',
    'export PATH',
    ...envs.map((e) => `. ${e}/env`),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Make sure the realm object of `c` is in the store (build it if needed) and return its path and
 * meta. Throws IxError on file conflicts (nothing is stored then).
 */
export async function realiseRealm(store: Store, c: RealmContent, realmName: string): Promise<{ path: string; meta: RealmMeta; built: boolean }> {
  const out = realmPath(c);
  const spec = normaliseSpec(c.spec);
  const owners = membersOf(c);
  const preferred = new Set(spec.packages.filter((p) => p.flags.prefer !== undefined && p.flags.prefer !== '0').map((p) => p.name));
  const members: FarmMember[] = [...owners].map(([p, o]) => ({
    path: p, physical: store.physical(p), owners: [...o].sort(), preferred: [...o].some((x) => preferred.has(x)),
  }));
  const farm = await planFarm(members, realmName);
  const meta: RealmMeta = {
    format: REALM_META_FORMAT,
    ...spec, // packages, flags, and target/host when set
    roots: Object.fromEntries(Object.entries(c.roots).map(([k, v]) => [k, sorted(v)]).sort(([a], [b]) => (a < b ? -1 : 1))),
    members: [...owners.keys()],
    overrides: farm.overrides,
  };
  const node = { id: store.parse(out).id, out, name: `realm:${realmName}`, inputs: meta.members, runtime: meta.members };
  const how = await store.realise(node, async (o) => {
    await writeFarm(farm, o.tmpOut);
    await fs.writeFile(path.join(o.tmpOut, 'meta.json'), `${JSON.stringify(meta, null, 1)}\n`);
    await fs.writeFile(path.join(o.tmpOut, 'env'), envText(out, farm.envs));
  });
  return { path: out, meta, built: how === 'built' };
}

/** Read meta.json of a realm object (physical directory), or undefined if unreadable. */
export async function readRealmMeta(physical: string): Promise<RealmMeta | undefined> {
  try {
    const m = JSON.parse(await fs.readFile(path.join(physical, 'meta.json'), 'utf8')) as RealmMeta;
    return m.format === REALM_META_FORMAT ? m : undefined;
  } catch {
    return undefined;
  }
}
