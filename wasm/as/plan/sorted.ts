/**
 * Sorted string lists as the oracle makes them: code-unit order (JS's default sort of strings),
 * repeats dropped.
 *
 * Must not depend on: anything else of plan/ (a leaf).
 */
import { cmpStr } from '../hash/index';

/** Sorts `a` in place in code-unit order and returns a copy of it without repeats. */
export function sortedUnique(a: Array<string>): Array<string> {
  a.sort(cmpStr);
  const uniq = new Array<string>();
  for (let i = 0; i < a.length; i++) if (i == 0 || a[i] != a[i - 1]) uniq.push(a[i]);
  return uniq;
}
