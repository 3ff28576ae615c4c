/**
 * What a realm is made of, as data: its package list with each package's flags, and the realm's
 * own flags (applied to every package). Edits (`+pkg`, `-pkg`, flags) from `ix mut` are applied
 * here, and the spec is turned into the planner's request. Flags the realm itself consumes
 * (REALM_ONLY_FLAGS, e.g. `prefer`) never reach the planner, so they never change a package's id.
 *
 * Must not depend on: the filesystem, the environment, the planner, the CLI.
 */
import { IxError } from '../../../engine/errors';
import type { Flags, PlanRequest } from '../../../engine/api';
import { formatSelector, isSelectorValue } from '../../../engine/plan/selector';

/** One package of a realm. */
export interface RealmPackage {
  name: string;
  flags: Flags;
}

/**
 * A realm's content request: packages sorted by name (unique), realm-wide flags, and the
 * platforms it was planned for when not the defaults (remembered, so `ix mut NAME` re-plans an
 * aarch64 realm for aarch64 again).
 */
export interface RealmSpec {
  packages: RealmPackage[];
  flags: Flags;
  target?: string;
  host?: string;
}

/**
 * Flags read by the realm and not by recipes:
 *   prefer=1 (on a package): its files win when another package provides the same file.
 */
export const REALM_ONLY_FLAGS = ['prefer'];

/** One edit from the command line. Flag value null means "remove this flag" (`--k=-`). */
export type RealmEdit =
  | { op: 'add'; name: string; flags: Map<string, string | null> }
  | { op: 'remove'; name: string }
  | { op: 'realm-flags'; flags: Map<string, string | null> };

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function sortFlags(f: Flags): Flags {
  return Object.fromEntries(Object.entries(f).sort(([a], [b]) => cmp(a, b)));
}

// Flags are built as Maps and become objects through Object.fromEntries (own keys): an assignment
// to a flag named `__proto__` would set the prototype and drop the flag, which the engine keeps.
function applyFlags(base: Flags, edit: Map<string, string | null>): Flags {
  const r = new Map(Object.entries(base));
  for (const [k, v] of edit) {
    if (v === null) r.delete(k);
    else r.set(k, v);
  }
  return sortFlags(Object.fromEntries(r));
}

/** The empty realm. */
export const EMPTY_SPEC: RealmSpec = { packages: [], flags: {} };

/** Canonical form: packages sorted and unique, flags sorted, platforms only when set. */
export function normaliseSpec(s: RealmSpec): RealmSpec {
  const byName = new Map<string, RealmPackage>();
  for (const p of s.packages) byName.set(p.name, { name: p.name, flags: sortFlags(p.flags) });
  return withPlatforms({ packages: [...byName.values()].sort((a, b) => cmp(a.name, b.name)), flags: sortFlags(s.flags) }, s);
}

/** The spec with `p`'s target and host where given (command-line options win over remembered ones). */
export function withPlatforms(s: RealmSpec, p: { target?: string; host?: string }): RealmSpec {
  const r: RealmSpec = { packages: s.packages, flags: s.flags };
  const target = p.target ?? s.target;
  const host = p.host ?? s.host;
  if (target !== undefined) r.target = target;
  if (host !== undefined) r.host = host;
  return r;
}

/**
 * Apply edits in order. Adding a package already present merges the new flags into its own;
 * removing a package that is not there is an error naming it (a typo would otherwise pass).
 */
export function applyEdits(spec: RealmSpec, edits: RealmEdit[], realm: string): RealmSpec {
  const pkgs = new Map(spec.packages.map((p) => [p.name, p]));
  let flags = spec.flags;
  for (const e of edits) {
    if (e.op === 'realm-flags') flags = applyFlags(flags, e.flags);
    else if (e.op === 'add') pkgs.set(e.name, { name: e.name, flags: applyFlags(pkgs.get(e.name)?.flags ?? {}, e.flags) });
    else if (!pkgs.delete(e.name)) throw new IxError(`realm ${realm} has no package ${e.name} to remove`);
  }
  return normaliseSpec(withPlatforms({ packages: [...pkgs.values()], flags }, spec));
}

function plannerFlags(f: Flags): Flags {
  return Object.fromEntries(Object.entries(f).filter(([k]) => !REALM_ONLY_FLAGS.includes(k)));
}

/** Package selector text "name(k=v,...)" for the planner (realm-only flags left out). */
export function selectorOf(p: RealmPackage): string {
  const f = plannerFlags(p.flags);
  for (const [k, v] of Object.entries(f)) {
    if (!isSelectorValue(v)) throw new IxError(`flag value '${k}=${v}' cannot be written in a selector (unbalanced parentheses, a comma outside parentheses, or spaces at its ends)`, { pkg: p.name });
  }
  return formatSelector(p.name, f);
}

/** The plan request that builds every package of the realm, for its platforms. */
export function planRequestOf(spec: RealmSpec): PlanRequest {
  const req: PlanRequest = { packages: spec.packages.map(selectorOf) };
  const f = plannerFlags(spec.flags);
  if (Object.keys(f).length) req.flags = f;
  if (spec.target !== undefined) req.target = spec.target;
  if (spec.host !== undefined) req.host = spec.host;
  return req;
}

/** Human form of one package: "bin/zstd" or "bin/zstd --k=v". */
export function describePackage(p: RealmPackage): string {
  return [p.name, ...Object.entries(p.flags).map(([k, v]) => `--${k}=${v}`)].join(' ');
}

/** What changed between two specs, for generation records: package names added/removed/re-flagged. */
export function specChanges(before: RealmSpec, after: RealmSpec): { added: string[]; removed: string[]; changed: string[] } {
  const a = new Map(before.packages.map((p) => [p.name, JSON.stringify(p.flags)]));
  const b = new Map(after.packages.map((p) => [p.name, JSON.stringify(p.flags)]));
  const added = [...b.keys()].filter((n) => !a.has(n));
  const removed = [...a.keys()].filter((n) => !b.has(n));
  const changed = [...b.keys()].filter((n) => a.has(n) && a.get(n) !== b.get(n));
  if (JSON.stringify(before.flags) !== JSON.stringify(after.flags)) changed.push('(realm flags)');
  return { added, removed, changed };
}
