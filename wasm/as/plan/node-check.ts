/**
 * The checks a plan node's fields must pass, shared by build and fetch nodes (engine/plan/node.ts,
 * fixed-files.ts): errors naming the package, hex digests, predict_outputs' files as sorted unique
 * (path, sha256) pairs.
 *
 * Must not depend on: abi/, the node builders (node.ts, node-fetch.ts).
 */
import { IxErr } from '../errors';

export function err(detail: string, pkg: string): IxErr {
  const e = new IxErr(detail);
  e.pkg = pkg;
  return e;
}

export function isHexN(s: string, n: i32, upperOk: bool): bool {
  if (s.length != n) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (upperOk && c >= 65 && c <= 70))) return false;
  }
  return true;
}

/** Is `c` a JS line terminator (what `.` never matches)? */
export function isLT(c: i32): bool {
  return c == 10 || c == 13 || c == 0x2028 || c == 0x2029;
}

/** predict_outputs checked, as sorted unique path, sha256 pairs (fixed-files.ts fixedFiles). */
export function fixedFiles(po: Array<string>, pkg: string, errOut: Array<IxErr>): Array<string> | null {
  const paths = new Array<string>();
  const sums = new Array<string>();
  for (let i = 0; i < po.length; i += 2) {
    const path = po[i];
    const sum = po[i + 1];
    // cleanPath
    let bad = path == '' || path.indexOf('\0') >= 0;
    if (!bad) {
      const parts = path.split('/');
      for (let k = 0; k < parts.length; k++) {
        const x = parts[k];
        if (x == '' || x == '.' || x == '..') bad = true;
      }
    }
    if (bad) {
      errOut.push(err("predict_outputs: '" + path + "' is not a clean path relative to the output (no empty, \".\", \"..\" parts, no leading \"/\")", pkg));
      return null;
    }
    const s = isHexN(sum, 64, true) ? sum.toLowerCase() : sum;
    const at = paths.indexOf(path);
    if (at >= 0) {
      if (sums[at] != s) {
        errOut.push(err("predict_outputs: '" + path + "' is declared twice with different sums", pkg));
        return null;
      }
      continue;
    }
    paths.push(path);
    sums.push(s);
  }
  const order = new Array<i32>(paths.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  // insertion sort by path (lists are short)
  for (let i = 1; i < order.length; i++) {
    const x = order[i];
    let j = i - 1;
    while (j >= 0 && paths[order[j]] > paths[x]) {
      order[j + 1] = order[j];
      j--;
    }
    order[j + 1] = x;
  }
  const out = new Array<string>();
  for (let i = 0; i < order.length; i++) {
    const p = paths[order[i]];
    if (i > 0) {
      const prev = out[out.length - 2];
      if (p.startsWith(prev + '/')) {
        errOut.push(err("predict_outputs: '" + prev + "' is a file, so '" + p + "' cannot be below it", pkg));
        return null;
      }
    }
    out.push(p);
    out.push(sums[order[i]]);
  }
  return out;
}
