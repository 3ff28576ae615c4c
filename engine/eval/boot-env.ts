/**
 * The build host as IX's bootstrap recipes see it, made a request parameter. IX reads these from
 * the machine it runs on (its PATH, which compilers are on it, whether a file exists, where its
 * own interpreter lives); ix takes them from the request instead, with fixed defaults, so a plan
 * never depends on the machine that computes it. Templates see them as `ix_boot_path`,
 * `ix_boot_tool(name)`, `isfile(path)`, `ix_extract`, `ix_dir` and `ix_trash_dir`.
 *
 * Must not depend on: Node, host modules, the clock, anything of the machine the engine runs on.
 */
import { IxError } from '../errors';

/** What a request may say about the build host (every field optional; defaults below). */
export interface BootEnv {
  /** `ix_boot_path`: the PATH bootstrap scripts run with. */
  path?: string;
  /** `ix_boot_tool(name)`: absolute path of each tool found on that PATH (absent = not found). */
  tools?: Record<string, string>;
  /** `ix_extract`: the command line that unpacks an archive (the archive name follows). */
  extract?: string;
  /** `isfile(path)`: the host files that exist. */
  files?: string[];
  /** `ix_dir`: IX's root directory; `ix_trash_dir` is `<ix_dir>/trash`. */
  ix_dir?: string;
}

/** Every field filled. */
export type FullBootEnv = Required<BootEnv>;

/**
 * The defaults: a Debian-like host with GCC and binutils in /usr/bin, bsdtar in /bin, no extra
 * files, IX's root at /ix, and IX's fixed boot PATH.
 */
export const DEFAULT_BOOT_ENV: FullBootEnv = Object.freeze({
  path: '/ix/realm/boot/bin:/bin:/usr/bin:/usr/local/bin',
  tools: Object.freeze(Object.fromEntries(['ar', 'as', 'cpp', 'g++', 'gcc', 'ld', 'nm', 'ranlib'].map((t) => [t, `/usr/bin/${t}`]))),
  extract: '/bin/bsdtar --no-same-permissions --no-same-owner -x -f',
  files: Object.freeze([]) as unknown as string[],
  ix_dir: '/ix',
}) as FullBootEnv;

const isStr = (v: unknown): v is string => typeof v === 'string';

/** The request's boot environment over the defaults; a malformed one is an IxError. */
export function bootEnv(given: unknown): FullBootEnv {
  if (given === undefined || given === null) return DEFAULT_BOOT_ENV;
  const bad = (why: string): never => {
    throw new IxError(`request field boot: ${why}`);
  };
  if (typeof given !== 'object' || Array.isArray(given)) bad('must be an object');
  const g = given as Record<string, unknown>;
  for (const k of Object.keys(g)) if (!['path', 'tools', 'extract', 'files', 'ix_dir'].includes(k)) bad(`unknown field '${k}'`);
  const out: FullBootEnv = { ...DEFAULT_BOOT_ENV };
  for (const k of ['path', 'extract', 'ix_dir'] as const) {
    if (g[k] !== undefined) out[k] = isStr(g[k]) ? g[k] : bad(`${k} must be a string`);
  }
  if (g.tools !== undefined) {
    const t = g.tools;
    if (t === null || typeof t !== 'object' || Array.isArray(t) || !Object.values(t).every(isStr)) bad('tools must map names to paths');
    out.tools = Object.fromEntries(Object.entries(t as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  if (g.files !== undefined) {
    if (!Array.isArray(g.files) || !g.files.every(isStr)) bad('files must be a list of paths');
    out.files = [...new Set(g.files as string[])].sort();
  }
  return out;
}
