/**
 * The package list of the recipe roots (every directory holding ix.sh, outside die/) and "did
 * you mean" suggestions (engine/plan/packages.ts): a package whose last path component is the
 * name, else the Levenshtein distance over UTF-16 code units,
 * the first closest name winning, as fastest-levenshtein's `closest` and `distance` compute it.
 *
 * Must not depend on: anything else of the core but host.
 */
import * as host from '../host';

function cmp(a: string, b: string): i32 {
  return a < b ? -1 : a > b ? 1 : 0;
}

function walk(dir: string, out: Array<string>): void {
  const entries = host.listDir(dir);
  if (entries === null) return;
  const es = entries.slice(0);
  es.sort(cmp);
  for (let i = 0; i < es.length; i++) {
    const e = es[i];
    if (e == 'ix.sh' && dir != '') out.push(dir.substring(0, dir.length - 1));
    if (!e.endsWith('/') || e == '/' || e == './' || e == '../') continue;
    if (dir == '' && e == 'die/') continue;
    walk(dir + e, out);
  }
}

/** Every package name under the roots, sorted by code units. */
export function listPackages(): Array<string> {
  const out = new Array<string>();
  walk('', out);
  out.sort(cmp);
  return out;
}

let row: StaticArray<i32> = new StaticArray<i32>(64);

/** Levenshtein distance of two strings over UTF-16 code units. */
export function distance(a: string, b: string): i32 {
  if (a.length < b.length) {
    const t = a;
    a = b;
    b = t;
  }
  const n = a.length;
  const m = b.length;
  if (m == 0) return n;
  if (row.length < m + 1) row = new StaticArray<i32>(m + 1);
  const r = row;
  for (let j = 0; j <= m; j++) unchecked((r[j] = j));
  for (let i = 1; i <= n; i++) {
    let prev = unchecked(r[0]);
    unchecked((r[0] = i));
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= m; j++) {
      const cur = unchecked(r[j]);
      let v = prev + (ca == b.charCodeAt(j - 1) ? 0 : 1);
      const del = cur + 1;
      const ins = unchecked(r[j - 1]) + 1;
      if (del < v) v = del;
      if (ins < v) v = ins;
      unchecked((r[j] = v));
      prev = cur;
    }
  }
  return unchecked(r[m]);
}

/** " (did you mean bin/zstd?)" for a near miss among `all` (default: listed now), else ""; first a package whose last path component is `name`. */
export function suggestPackage(name: string, all: Array<string> | null = null): string {
  if (all === null) all = listPackages();
  if (all.length == 0) return '';
  for (let i = 0; i < all.length; i++) {
    const p = all[i];
    if (p.substring(p.lastIndexOf('/') + 1) == name) return ' (did you mean ' + p + '?)';
  }
  let best = 0;
  let bestD = i32.MAX_VALUE;
  for (let i = 0; i < all.length; i++) {
    const d = distance(name, all[i]);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  let limit = <i32>Math.floor(<f64>name.length / 3);
  if (limit < 2) limit = 2;
  return bestD <= limit ? ' (did you mean ' + all[best] + '?)' : '';
}
