/**
 * The package list of the recipe roots (every directory holding ix.sh, outside die/), and
 * "did you mean" suggestions for unknown package names (a package whose last path component
 * is the name, else the Levenshtein distance over that list).
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import { closest, distance } from 'fastest-levenshtein';
import type { HostIO } from '../api';

/** Every package name under the roots, sorted by code units. Walks HostIO.listDir from the root. */
export function listPackages(io: HostIO): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    const entries = io.listDir(dir);
    if (!entries) return;
    for (const e of [...entries].sort()) {
      if (e === 'ix.sh' && dir !== '') out.push(dir.slice(0, -1));
      if (!e.endsWith('/') || e === '/' || e === './' || e === '../') continue;
      if (dir === '' && e === 'die/') continue;
      walk(dir + e);
    }
  };
  walk('');
  return out.sort();
}

/**
 * " (did you mean bin/zstd?)" for a near miss, else "". A name that is a package's last path
 * component (`zstd` for bin/zstd) names that package (the first in order), however far the
 * whole names are apart.
 */
export function suggestPackage(io: HostIO, name: string): string {
  const all = listPackages(io);
  if (all.length === 0) return '';
  const tail = all.find((p) => p.slice(p.lastIndexOf('/') + 1) === name);
  if (tail !== undefined) return ` (did you mean ${tail}?)`;
  const best = closest(name, all);
  const d = distance(name, best);
  return d <= Math.max(2, Math.floor(name.length / 3)) ? ` (did you mean ${best}?)` : '';
}
