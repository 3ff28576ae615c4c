/**
 * Fixed-output build nodes: a command node whose recipe declares its whole output in advance
 * (IX's `predict_outputs`); only such a node may use the network (IX's `use_network`, as IX's
 * aux/git, aux/go and aux/cargo source builds do; IX's aux/ca/bundle declares without network).
 *
 * What the declaration means for ix (ARCHITECTURE.md, "Fixed-output build nodes"): IX's
 * `{"path", "sum"}` names a file under $out and the sha256 (hex) IX's tools check it with. ix reads
 * the list as the complete output: the output tree holds exactly these files (regular, not
 * executable, each with its sha256) and the directories leading to them, nothing else. That pins
 * the output's ix-tree/1 hash, so the store path can follow from the declaration alone:
 * id = storeIdOf({format: "ix-fixed-files/1", storeName, files}) — the script, tools and URLs
 * never reach it, and a host whose download or tools differ can only fail the build.
 * As in IX, the sums are not checked when planning (IX trees hold placeholder sums such as ''
 * or 'broken' in recipes that plan but cannot build); the executor refuses any output that does
 * not match, and the sandbox refuses to start a node whose sum is no sha256.
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import type { FixedFile } from '../api';
import { IxError } from '../errors';
import type { ErrorSite } from '../errors';
import { storeIdOf } from '../hash';
import type { TextDigest } from '../hash';

export const FIXED_FILES_FORMAT = 'ix-fixed-files/1';
const SHA256 = /^[0-9a-fA-F]{64}$/;

/** Checks a descriptor's predict_outputs and returns them as sorted, unique FixedFiles. */
export function fixedFiles(predict: { path: string; sum: string }[], site: ErrorSite): FixedFile[] {
  const byPath = new Map<string, string>();
  for (const { path, sum } of predict) {
    const p = cleanPath(path, site);
    // IX plans any sum and fails only when the build's file does not match it; so does ix (a sum
    // that is no sha256 can match no output: the sandbox refuses to run such a node).
    const s = SHA256.test(sum) ? sum.toLowerCase() : sum;
    const had = byPath.get(p);
    if (had !== undefined && had !== s) throw new IxError(`predict_outputs: '${p}' is declared twice with different sums`, site);
    byPath.set(p, s);
  }
  const paths = [...byPath.keys()].sort();
  for (let i = 1; i < paths.length; i++) {
    if (paths[i].startsWith(paths[i - 1] + '/')) throw new IxError(`predict_outputs: '${paths[i - 1]}' is a file, so '${paths[i]}' cannot be below it`, site);
  }
  return paths.map((path) => ({ path, sha256: byPath.get(path)! }));
}

/** `path` as a clean path relative to $out (IX's aux templates write `share/<file>`). */
function cleanPath(path: string, site: ErrorSite): string {
  const parts = path.split('/');
  if (path === '' || parts.some((x) => x === '' || x === '.' || x === '..') || path.includes('\0')) {
    throw new IxError(`predict_outputs: '${path}' is not a clean path relative to the output (no empty, ".", ".." parts, no leading "/")`, site);
  }
  return path;
}

/** The store id of a fixed-output build node: only its store name and declared files. */
export function fixedFilesId(storeName: string, files: FixedFile[], td: TextDigest): string {
  return storeIdOf({ format: FIXED_FILES_FORMAT, storeName, files }, td);
}
