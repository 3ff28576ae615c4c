/**
 * The symlink farm of a realm: every file of every member store path, at the same relative path,
 * as a symlink to /ix/store/<member>/<file>. Directories are merged (real directories in the
 * realm); files and symlinks of members are leaves. Two members providing the same leaf (or a leaf
 * where another has a directory) conflict: the conflict names both packages, unless exactly one
 * side belongs to a package flagged `prefer`, which then wins. A member's top-level `env` and
 * `meta.json` are not linked: the realm has its own (the realm's env sources each member's env).
 *
 * Must not depend on: the store's internals (members come with their physical directories), the
 * engine's evaluator, the CLI.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { IxError } from '../../../engine/errors';

/** One store path linked into the realm. */
export interface FarmMember {
  /** Logical store path, /ix/store/<id>-<name>. */
  path: string;
  /** Where its files are on this machine. */
  physical: string;
  /** Realm packages whose run closure holds it (for messages and `prefer`). */
  owners: string[];
  /** One of its owners is flagged prefer=1. */
  preferred: boolean;
}

/** One conflict decided by `prefer`. */
export interface Override {
  file: string;
  winner: string;
  loser: string;
}

export interface Farm {
  /** Relative file path -> symlink target (an absolute /ix/store path), sorted by file path. */
  links: [string, string][];
  /** Relative directory paths to create, parents first. */
  dirs: string[];
  /** Members that have a top-level `env` file, in member order. */
  envs: string[];
  overrides: Override[];
}

const RESERVED = new Set(['env', 'meta.json']);

type Entry = { kind: 'dir'; by: FarmMember } | { kind: 'leaf'; by: FarmMember };

function who(m: FarmMember): string {
  return `${m.owners.join(', ') || '?'} (${m.path})`;
}

/** Collect every entry of `members` (in the order given) and decide conflicts. Throws IxError. */
export async function planFarm(members: FarmMember[], realm: string): Promise<Farm> {
  const entries = new Map<string, Entry>();
  const envs: string[] = [];
  const overrides: Override[] = [];
  const conflicts: string[] = [];

  /** Drop `rel` and everything below it (a losing directory). */
  const dropTree = (rel: string) => {
    for (const k of [...entries.keys()]) if (k === rel || k.startsWith(`${rel}/`)) entries.delete(k);
  };

  const walk = async (m: FarmMember, dir: string, rel: string): Promise<void> => {
    const names = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of names) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (!rel && RESERVED.has(d.name)) {
        if (d.name === 'env' && d.isFile()) envs.push(m.path);
        continue;
      }
      const kind = d.isDirectory() ? 'dir' : 'leaf';
      const had = entries.get(r);
      if (had && !(had.kind === 'dir' && kind === 'dir')) {
        if (had.by.preferred === m.preferred) {
          conflicts.push(`${r} is provided by both ${who(had.by)} and ${who(m)}`);
          continue;
        }
        if (had.by.preferred) {
          overrides.push({ file: r, winner: had.by.path, loser: m.path });
          continue;
        }
        overrides.push({ file: r, winner: m.path, loser: had.by.path });
        dropTree(r);
      }
      if (kind === 'dir') {
        if (!entries.has(r)) entries.set(r, { kind, by: m });
        await walk(m, path.join(dir, d.name), r);
      } else {
        entries.set(r, { kind, by: m });
      }
    }
  };

  for (const m of members) await walk(m, m.physical, '');
  if (conflicts.length) {
    const more = conflicts.length > 3 ? ` (and ${conflicts.length - 3} more)` : '';
    throw new IxError(`realm ${realm}: file conflict: ${conflicts.slice(0, 3).join('; ')}${more}; flag the package that should win with --prefer`);
  }
  const keys = [...entries.keys()].sort();
  return {
    dirs: keys.filter((k) => entries.get(k)!.kind === 'dir'),
    links: keys.filter((k) => entries.get(k)!.kind === 'leaf').map((k) => [k, `${entries.get(k)!.by.path}/${k}`]),
    envs,
    overrides,
  };
}

/** Create the farm under `dir` (which must exist and be empty). */
export async function writeFarm(farm: Farm, dir: string): Promise<void> {
  for (const d of farm.dirs) await fs.mkdir(path.join(dir, d));
  for (const [rel, target] of farm.links) await fs.symlink(target, path.join(dir, rel));
}
