/**
 * The CLI grammar of the package verbs (plan, build, graph, ...; pkgs/README.md §9):
 * tokens are classified by the verb's option table (options.ts); a package flag `--k=v`
 * attaches to the last package named, else it is global; any other word is a package selector,
 * parsed by the one selector grammar (engine/plan/selector.ts), whose name has a '/' or whose
 * parameters give its kind (`bld(kind=bin)`, as the engine's own messages suggest). --target/--host apply to the
 * whole request.
 *
 * Must not depend on: the filesystem, the environment, the engine's evaluator.
 */
import { UsageError } from '../common';
import { formatSelector, isSelectorValue, parseSelectorParams } from '../../engine/plan/selector';
import { optionsOf, tokenize } from './options';

export interface PackageArg {
  /** Package name without parameters ("bin/zstd"). */
  name: string;
  /** Its own flags: value, or null for "removed" (`--k=-`). */
  flags: Map<string, string | null>;
}

export interface ParsedArgs {
  verb: string;
  packages: PackageArg[];
  /** Global flags: value, or null for "removed". */
  flags: Map<string, string | null>;
  /** The verb's options that were given: name -> values ('' for a switch). */
  options: Map<string, string[]>;
  target?: string;
  host?: string;
  json: boolean;
  dryRun: boolean;
  help: boolean;
  format?: string;
  recipes: string[];
  // --- binary caches: execution options, never package flags. Raw values by option
  // name (substituters, push-to, secret-key; no-substitute is ''); hosts/node/subst reads them.
  cache: Map<string, string>;
}

/** What the recipe roots hold for a bare name (bare-name.ts looks). */
export interface BareNameHint {
  /** Packages whose last path component is the name (bin/zstd for `zstd`), sorted. */
  packages: string[];
  /** A package of that very name outside a kind folder (NAME/ix.sh): it takes `NAME(kind=bin)`. */
  kindless: boolean;
}

/** Why a word without '/' or kind is no package; with `hint`, the package it may mean. */
export function bareNameText(word: string, name: string, hint?: BareNameHint): string {
  const why = `'${word}' is not a package (package names contain '/'`;
  if (hint?.kindless) return `${why}, e.g. bin/zstd, or name their kind: ${name}(kind=bin))`;
  if (hint?.packages.length) return `${why}: did you mean ${hint.packages[0]}?)`;
  return `${why}, e.g. bin/zstd)`;
}

/**
 * A word without '/' whose selector names no kind. Refused here (this module reads no files);
 * the CLI's entry asks the recipe roots (`recipes` as given, relative to the working directory)
 * what it may mean and reports bareNameText with that hint.
 */
export class BareNameError extends UsageError {
  constructor(readonly word: string, readonly pkg: string, readonly recipes: readonly string[]) {
    super(bareNameText(word, pkg));
  }
}

/** Binary-cache options, also kept by name in `cache` for hosts/node/subst. */
export const CACHE_OPTIONS = ['substituters', 'push-to', 'secret-key', 'no-substitute'];

/** A package selector on the command line or in a realm: UsageError when malformed. */
export function selectorArg(token: string): PackageArg {
  const { name, params } = parseSelectorParams(token);
  return { name, flags: new Map(params) };
}

/** Parses the tokens after `verb` (a verb of options.ts VERB_OPTIONS). */
export function parseArgs(tokens: string[], verb: string): ParsedArgs {
  const toks = tokenize(verb, tokens);
  const options = optionsOf(toks);
  const one = (k: string) => options.get(k)?.at(-1);
  const r: ParsedArgs = {
    verb, packages: [], flags: new Map(), options,
    json: options.has('json'), dryRun: options.has('dry-run'), help: options.has('help'), recipes: options.get('recipes') ?? [],
    cache: new Map(),
  };
  if (options.has('format')) r.format = one('format');
  if (options.has('target')) r.target = one('target');
  if (options.has('host')) r.host = one('host');
  for (const k of CACHE_OPTIONS) if (options.has(k)) r.cache.set(k, one(k)!);
  for (const t of toks) {
    if (t.kind === 'option') continue;
    if (t.kind === 'flag') {
      const scope = r.packages.length ? r.packages[r.packages.length - 1].flags : r.flags;
      scope.set(t.key, t.value);
      continue;
    }
    const w = t.text;
    if (w.startsWith('-') && w !== '-') throw new UsageError(`unknown option '${w}'`);
    if (w.startsWith('+')) throw new UsageError(`'${w}': +/- package edits belong to realm verbs, not to this one`);
    // A store path (`ix log /ix/store/...`) is not a selector; the verb checks it.
    if (w.startsWith('/')) {
      r.packages.push({ name: w, flags: new Map() });
      continue;
    }
    if (!w.includes('/') && !w.includes('(')) throw new BareNameError(w, w, r.recipes);
    const p = selectorArg(w);
    // A name without '/' has no kind folder: the engine takes it when the selector names its kind.
    if (!p.name.includes('/') && !p.flags.get('kind')) throw new BareNameError(w, p.name, r.recipes);
    r.packages.push(p);
  }
  return r;
}

/** What a plan/render request needs from the arguments: selectors and global flags. */
export interface Selection {
  packages: string[];
  flags: Record<string, string>;
}

/** A package's flags as a selector the planner reads back exactly; UsageError when a value cannot be. */
export function selectorText(name: string, flags: Record<string, string>): string {
  for (const [k, v] of Object.entries(flags)) {
    if (!isSelectorValue(v)) throw new UsageError(`flag value '${k}=${v}' of ${name} cannot be written in a selector (unbalanced parentheses, a comma outside parentheses, or spaces at its ends)`);
  }
  return formatSelector(name, flags);
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
    return selectorText(p.name, Object.fromEntries(own));
  });
  // own keys through Object.fromEntries: a flag named `__proto__` is a flag, as in the engine
  const flags: Record<string, string> = removesGlobal ? {} : Object.fromEntries([...globals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { packages, flags };
}
