/**
 * The package list of the recipe roots (every directory holding ix.sh, outside die/), and
 * "did you mean" suggestions for unknown package names (Levenshtein distance over that list).
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

/** " (did you mean bin/zstd?)" for a near miss, else "". */
export function suggestPackage(io: HostIO, name: string): string {
  const all = listPackages(io);
  if (all.length === 0) return '';
  const best = closest(name, all);
  const d = distance(name, best);
  return d <= Math.max(2, Math.floor(name.length / 3)) ? ` (did you mean ${best}?)` : '';
}
