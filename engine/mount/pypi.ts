/**
 * The `pypi-template/1` recipe generator: the text a recipe mount of this kind (engine/mount/index.ts)
 * serves for a path, computed from the mount's two files alone. It reproduces what IX's Python
 * plugin of this kind (`pip/mount.py` beside `pip/pypi.json`) serves, byte for byte, without
 * running Python. A pure function of its three strings; other cores port it from this spec.
 *
 * Spec. Inputs: `mount` (the text of mount.py), `index` (the text of the index, pypi.json) and
 * `rel` (the requested path relative to the mount's directory, e.g. `Mako/ix.sh`).
 *  1. Template T: the characters strictly between the first occurrence of `TMPL = r'''` in `mount`
 *     and the next `'''` after it (a Python raw string: no escape is processed). None: error.
 *  2. Index: `index` parsed as JSON (RFC 8259); it must be an object (else error). Duplicate
 *     member names: the last wins.
 *  3. Key: `rel` with every occurrence of `/t/ix.sh` replaced by `/ix.sh`, scanning left to right
 *     without overlap (Python's str.replace). Not a member name of the index: not served.
 *  4. Record R = index[key]. R not an object, or without a `url` or a `sha` member: not served
 *     (IX's plugin reads a missing member as a missing file). `url`/`sha` not strings, or `run`
 *     present and not an array of strings: error naming the key.
 *  5. Text: T, then every `{url}` replaced by R.url, then (in that result) every `{sha}` by
 *     R.sha, then every `{run}` by the members of R.run (none when absent), each followed by
 *     `/ix.sh`, joined with "\n". Replacements are literal, left to right, without overlap.
 *  6. The served bytes are the text's UTF-8.
 * Listing: the paths served are, for each member name K of the index, K and, when K ends with
 * `/ix.sh`, K with that suffix replaced by `/t/ix.sh` — each only where step 3-4 serve it.
 *
 * Errors are returned as one-line messages, never thrown: the caller names the file.
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale; anything but plain JS.
 */

const OPEN = "TMPL = r'''";
const CLOSE = "'''";

/** A parsed `pypi-template/1` mount: serve(rel) gives the text, or undefined (not served). */
export interface PypiMount {
  serve(rel: string): string | undefined;
  /** Every path the mount serves, relative to its directory, sorted by code units. */
  paths(): string[];
}

/** What went wrong with a mount's files, as a message and the file it is about. */
export interface MountFault {
  file: 'mount' | 'index';
  message: string;
}

/** Python's str.replace(a, b): every non-overlapping occurrence, left to right, literally. */
const replaceAll = (s: string, a: string, b: string): string => s.split(a).join(b);

/** The template literal of a mount file (step 1), or undefined. */
export function templateOf(mount: string): string | undefined {
  const at = mount.indexOf(OPEN);
  if (at < 0) return undefined;
  const from = at + OPEN.length;
  const end = mount.indexOf(CLOSE, from);
  return end < 0 ? undefined : mount.slice(from, end);
}

/** Parses a mount's two files (steps 1-2); a fault when either is unusable. */
export function pypiMount(mount: string, index: string): PypiMount | MountFault {
  const tmpl = templateOf(mount);
  if (tmpl === undefined) return { file: 'mount', message: `no ${OPEN}...''' template` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(index);
  } catch {
    return { file: 'index', message: 'not valid JSON' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { file: 'index', message: 'not a JSON object' };
  }
  const records = new Map<string, unknown>(Object.entries(parsed as Record<string, unknown>));
  const serve = (rel: string): string | undefined => {
    const key = replaceAll(rel, '/t/ix.sh', '/ix.sh');
    const r = records.get(key);
    if (r === null || typeof r !== 'object' || Array.isArray(r)) return undefined;
    const rec = r as Record<string, unknown>;
    if (!Object.prototype.hasOwnProperty.call(rec, 'url') || !Object.prototype.hasOwnProperty.call(rec, 'sha')) return undefined;
    const { url, sha } = rec;
    const run = Object.prototype.hasOwnProperty.call(rec, 'run') ? rec.run : [];
    if (typeof url !== 'string' || typeof sha !== 'string') throw new MountError(`entry ${JSON.stringify(key)}: url and sha must be strings`);
    if (!Array.isArray(run) || !run.every((x) => typeof x === 'string')) {
      throw new MountError(`entry ${JSON.stringify(key)}: run must be a list of strings`);
    }
    let t = replaceAll(tmpl, '{url}', url);
    t = replaceAll(t, '{sha}', sha);
    return replaceAll(t, '{run}', (run as string[]).map((x) => x + '/ix.sh').join('\n'));
  };
  const paths = (): string[] => {
    const out = new Set<string>();
    for (const k of records.keys()) {
      const cands = k.endsWith('/ix.sh') ? [k, k.slice(0, -'/ix.sh'.length) + '/t/ix.sh'] : [k];
      for (const c of cands) {
        try {
          if (serve(c) !== undefined) out.add(c);
        } catch {
          out.add(c); // listed; planning it gives the record's error
        }
      }
    }
    return [...out].sort();
  };
  return { serve, paths };
}

/** A record of the index is unusable (step 4); the message names its key. */
export class MountError extends Error {}
