/**
 * The CLI grammar (IX's, ix-format.md §9): a verb, then tokens. `--k=v` is a package flag,
 * `--k` means k=1, `--k=-` removes k; a flag attaches to the last package named, else it is
 * global. A token with '/' is a package selector (`name` or `name(k=v,...)`). A few options are
 * the CLI's own and never flags: --json, --format=F, --target=T, --host=T, --recipes DIR
 * (repeatable), --dry-run, --help. --target/--host always apply to the whole request.
 *
 * Must not depend on: the filesystem, the environment, the engine.
 */

/** A mistake on the command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface PackageArg {
  /** Package name without parameters ("bin/zstd"). */
  name: string;
  /** Its own flags: value, or null for "removed" (`--k=-`). */
  flags: Map<string, string | null>;
}

export interface ParsedArgs {
  packages: PackageArg[];
  /** Global flags: value, or null for "removed". */
  flags: Map<string, string | null>;
  target?: string;
  host?: string;
  json: boolean;
  dryRun: boolean;
  help: boolean;
  format?: string;
  recipes: string[];
  // --- binary caches (issue 7): execution options, never package flags. Raw values by option
  // name (substituters, push-to, secret-key; no-substitute is ''); hosts/node/subst reads them.
  cache: Map<string, string>;
}

/** Binary-cache options: name -> takes a value. */
export const CACHE_OPTIONS: Record<string, boolean> = { substituters: true, 'push-to': true, 'secret-key': true, 'no-substitute': false };
// --- end of binary-cache options

const OPTION_WITH_VALUE = new Set(['format', 'target', 'host', 'recipes']);
const OPTION_BOOL = new Set(['json', 'dry-run', 'help']);
const FLAG_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const BAD_IN_SELECTOR = /[,()\s]/;

function parseSelector(token: string): PackageArg {
  const m = /^([^()]+?)(?:\((.*)\))?$/.exec(token);
  if (!m) throw new UsageError(`bad package selector '${token}' (expected name or name(k=v,...))`);
  const flags = new Map<string, string | null>();
  if (m[2] !== undefined && m[2] !== '') {
    for (const part of m[2].split(',')) {
      const eq = part.indexOf('=');
      const k = eq < 0 ? part : part.slice(0, eq);
      if (!FLAG_KEY.test(k)) throw new UsageError(`bad flag '${part}' in '${token}'`);
      flags.set(k, eq < 0 ? '1' : part.slice(eq + 1));
    }
  }
  return { name: m[1], flags };
}

/** Parses the tokens after the verb. */
export function parseArgs(tokens: string[]): ParsedArgs {
  const r: ParsedArgs = { packages: [], flags: new Map(), json: false, dryRun: false, help: false, recipes: [], cache: new Map() };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.startsWith('--')) {
      const eq = t.indexOf('=');
      const key = eq < 0 ? t.slice(2) : t.slice(2, eq);
      let value = eq < 0 ? undefined : t.slice(eq + 1);
      if (Object.hasOwn(CACHE_OPTIONS, key)) { // binary caches (issue 7)
        if (!CACHE_OPTIONS[key] && value !== undefined) throw new UsageError(`option --${key} takes no value`);
        if (CACHE_OPTIONS[key] && !value) throw new UsageError(`option --${key} needs a value (--${key}=...)`);
        r.cache.set(key, value ?? '');
        continue;
      }
      if (OPTION_BOOL.has(key)) {
        if (value !== undefined) throw new UsageError(`option --${key} takes no value`);
        if (key === 'json') r.json = true;
        else if (key === 'dry-run') r.dryRun = true;
        else r.help = true;
        continue;
      }
      if (OPTION_WITH_VALUE.has(key)) {
        if (value === undefined) {
          if (key !== 'recipes' || i + 1 >= tokens.length) throw new UsageError(`option --${key} needs a value (--${key}=...)`);
          value = tokens[++i];
        }
        if (value === '') throw new UsageError(`option --${key} needs a value`);
        if (key === 'recipes') r.recipes.push(value);
        else if (key === 'format') r.format = value;
        else if (key === 'target') r.target = value;
        else r.host = value;
        continue;
      }
      if (!FLAG_KEY.test(key)) throw new UsageError(`bad flag '${t}'`);
      const v = value === undefined ? '1' : value === '-' ? null : value;
      const scope = r.packages.length ? r.packages[r.packages.length - 1].flags : r.flags;
      scope.set(key, v);
      continue;
    }
    if (t.startsWith('-') && t !== '-') throw new UsageError(`unknown option '${t}'`);
    if (!t.includes('/')) throw new UsageError(`'${t}' is not a package (package names contain '/', e.g. bin/zstd)`);
    if (t.startsWith('+')) throw new UsageError(`'${t}': +/- package edits belong to realm verbs, not to this one`);
    r.packages.push(parseSelector(t));
  }
  return r;
}

/** What a plan/render request needs from the arguments: selectors and global flags. */
export interface Selection {
  packages: string[];
  flags: Record<string, string>;
}

function sorted(m: Map<string, string>): [string, string][] {
  return [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Folds global and per-package flags into engine selectors `name(k=v,...)` plus global flags.
 * When a package removes a global flag, the globals are folded into every selector instead,
 * so that removal can be expressed.
 */
export function selection(a: ParsedArgs): Selection {
  const globals = new Map<string, string>();
  for (const [k, v] of a.flags) if (v !== null) globals.set(k, v);
  const removesGlobal = a.packages.some((p) => [...p.flags].some(([k, v]) => v === null && globals.has(k)));
  const packages = a.packages.map((p) => {
    const own = new Map<string, string>(removesGlobal ? globals : []);
    for (const [k, v] of p.flags) {
      if (v === null) own.delete(k);
      else own.set(k, v);
    }
    for (const [k, v] of own) {
      if (BAD_IN_SELECTOR.test(v)) throw new UsageError(`flag value '${k}=${v}' of ${p.name} may not contain ',', '(', ')' or spaces`);
    }
    const params = sorted(own).map(([k, v]) => `${k}=${v}`);
    return params.length ? `${p.name}(${params.join(',')})` : p.name;
  });
  return { packages, flags: removesGlobal ? {} : Object.fromEntries(sorted(globals)) };
}
