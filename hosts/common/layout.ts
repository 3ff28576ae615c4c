/**
 * Where things live on disk: the ix root, its sub-directories, and the mapping between the
 * logical store path a plan names (/ix/store/<id>-<name>) and the physical directory holding it.
 *
 * Layout (every persistent format carries a version in its directory or file name):
 *   <root>/store/<id>-<name>        finished, checked, read-only outputs
 *   <root>/build/<id>               a node's $tmp while it builds
 *   <root>/build/<id>.out           a node's $out while it builds (renamed into store/ on success)
 *   <root>/var/db/v1/<id>.json      the record of a finished path (written before the rename)
 *   <root>/var/lock/v1/<id>.lock    per-output lock files (kernel flock, see lock.ts)
 *   <root>/var/log/v1/<id>.log      build logs (written by the executor)
 *   <root>/cache/sources/           the source cache (see fetch/)
 *
 * Must not depend on: any host folder (hosts/node and hosts/linux-sandbox both build on it).
 */
import path from 'node:path';
import os from 'node:os';

/** The logical prefix of every store path, inside and outside the sandbox. */
export const STORE_PREFIX = '/ix/store/';

/** Nix base32 alphabet used by store ids (engine/hash). */
export const ID_CHARS = '0123456789abcdfghijklmnpqrsvwxyz';
const ID_RE = `[${ID_CHARS}]{32}`;

/** A logical store path: /ix/store/<32-char id>-<name>; name has no "/" and does not start with ".". */
const STORE_PATH = new RegExp(`^${STORE_PREFIX}(${ID_RE})-([A-Za-z0-9+_=:][A-Za-z0-9+._=:-]*)$`);

/** Build-dir entries the store owns: "<id>" ($tmp) and "<id>.out" ($out in progress). */
export const BUILD_ENTRY = new RegExp(`^(${ID_RE})(\\.out)?$`);

/** A store directory entry: "<id>-<name>". */
export const STORE_ENTRY = new RegExp(`^(${ID_RE})-(.+)$`);

export interface ParsedStorePath {
  id: string;
  name: string;
  /** "<id>-<name>", the directory name under <root>/store. */
  base: string;
}

/** Parse a logical store path, or undefined if it is not one. */
export function parseStorePath(p: string): ParsedStorePath | undefined {
  const m = STORE_PATH.exec(p);
  if (!m) return undefined;
  return { id: m[1], name: m[2], base: `${m[1]}-${m[2]}` };
}

/** The id of logical store path `p` (parseStorePath(p)?.id without the rest), or undefined. */
export function storePathId(p: string): string | undefined {
  return STORE_PATH.test(p) ? p.slice(STORE_PREFIX.length, STORE_PREFIX.length + 32) : undefined;
}

/** "<id>-<name>", the directory under <root>/store of logical store path `p`; throws for anything else. */
export function storeBase(p: string): string {
  const sp = parseStorePath(p);
  if (!sp) throw new Error(`not a store path: ${p}`);
  return sp.base;
}

/**
 * The ix root: $IX_ROOT if set, else /ix for root, else $XDG_DATA_HOME/ix (~/.local/share/ix).
 * `uid` and `home` are parameters so tests can check every branch.
 */
export function resolveRoot(
  env: Record<string, string | undefined>,
  uid: number = process.getuid ? process.getuid() : -1,
  home: string = os.homedir(),
): string {
  if (env.IX_ROOT) return path.resolve(env.IX_ROOT);
  if (uid === 0) return '/ix';
  const data = env.XDG_DATA_HOME ? env.XDG_DATA_HOME : path.join(home, '.local', 'share');
  return path.join(data, 'ix');
}

/** Physical directories of one ix root. */
export class Layout {
  readonly root: string;
  readonly store: string;
  readonly build: string;
  readonly db: string;
  readonly locks: string;
  readonly logs: string;
  readonly sources: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.store = path.join(this.root, 'store');
    this.build = path.join(this.root, 'build');
    this.db = path.join(this.root, 'var', 'db', 'v1');
    this.locks = path.join(this.root, 'var', 'lock', 'v1');
    this.logs = path.join(this.root, 'var', 'log', 'v1');
    this.sources = path.join(this.root, 'cache', 'sources');
  }

  /** Physical directory of a logical store path (same string when the root is /ix). */
  physical(p: ParsedStorePath): string {
    return path.join(this.store, p.base);
  }
  record(id: string): string {
    return path.join(this.db, `${id}.json`);
  }
  lock(id: string): string {
    return path.join(this.locks, `${id}.lock`);
  }
  tmpOut(id: string): string {
    return path.join(this.build, `${id}.out`);
  }
  tmpBuild(id: string): string {
    return path.join(this.build, id);
  }
}

/** Store id -> path of the store paths a node declares (inputs and runtime): what its output may name. */
export function declaredRefs(node: { inputs: readonly string[]; runtime: readonly string[] }): Map<string, string> {
  const declared = new Map<string, string>();
  for (const p of [...node.inputs, ...node.runtime]) {
    const d = parseStorePath(p);
    if (d) declared.set(d.id, p);
  }
  return declared;
}
