/**
 * Package selectors and flag sets (pkgs/README.md §7): parsing `name(k=v,k2=v2)`, the
 * one-level flags that never propagate, and the canonical key of a flag set.
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import type { Flags } from '../api';
import { IxError } from '../errors';
import type { ErrorSite } from '../errors';

/** A parsed selector: the package name and the flags written in its parentheses. */
export interface Selector {
  name: string;
  flags: Flags;
}

/** Flags that apply to the package they are given to and never reach its dependencies. */
export const ONE_LEVEL_FLAGS: readonly string[] = ['setx', 'help', 'verbose', 'stage', 'rebuild', 'nostrip'];

const NAME_BAD = /[\s(),=]/;
const KEY_OK = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * The package a selector's name part means, or an IxError. IX treats a name as a file path (it
 * opens `<name>/ix.sh` through the OS), so repeated and trailing slashes name the same directory:
 * `bld/python/` (from an empty `{{python_ver}}`) is `bld/python`, and `lib//trim` is `lib/trim`
 * (which may then not exist, as in IX). A one-component name (`etc`) is a package too; its kind
 * cannot come from its path, so the planner needs it given (engine/plan/graph.ts). Refused: an
 * empty name, a leading "/", "." or ".." components, spaces, parentheses, commas and "=".
 */
export function packageName(name: string, site: ErrorSite = {}): string {
  const bad = (why: string): never => {
    throw new IxError(`malformed package name '${name}': ${why}`, site);
  };
  if (name === '') bad('empty');
  if (NAME_BAD.test(name)) bad('it may not contain spaces, parentheses, commas or =');
  if (name.startsWith('/')) bad('a package path is relative to the recipe root: no leading "/"');
  const parts = name.split('/').filter((p) => p !== '');
  if (parts.some((p) => p === '.' || p === '..')) bad('"." and ".." path components are not allowed');
  return parts.join('/');
}

/**
 * The one selector grammar, shared by the planner, the CLI (hosts/node/args.ts) and realms
 * (hosts/node/commands/realm-grammar.ts). `name` or `name(k=v,k2=v2,...)`:
 * - the name is read as IX reads it, a path (packageName): `bld/python/` is `bld/python`;
 * - the parameters are split at commas outside nested parentheses, so a value may hold
 *   `f(a,b)`; parentheses must balance and the closing one must end the selector;
 * - a parameter is split at its first `=`: the value keeps later `=`, spaces and `;`
 *   (`etc/services/runit(srv_command=chown x /var/run/x; exec /bin/x)`);
 * - whitespace around keys and values is dropped; a key without `=` means k=1 (like `--k`),
 *   the value `-` removes the key (like `--k=-`); an empty parameter or key is an error.
 * Returns the parameters in written order (a later one wins).
 */
export function parseSelectorParams(text: string, site: ErrorSite = {}): { name: string; params: [string, string | null][] } {
  const bad = (why: string): never => {
    throw new IxError(`malformed package selector '${text}': ${why}`, site);
  };
  const open = text.indexOf('(');
  if (open < 0) {
    if (text.includes(')')) bad('unbalanced ")"');
    return { name: packageName(text, site), params: [] };
  }
  const name = packageName(text.slice(0, open), site);
  const items: string[] = [];
  let depth = 1;
  let from = open + 1;
  let i = open + 1;
  for (; i < text.length && depth > 0; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if ((c === ',' && depth === 1) || depth === 0) {
      items.push(text.slice(from, i));
      from = i + 1;
    }
  }
  if (depth > 0) bad('expected ")" at the end');
  if (i < text.length) bad(`text after the closing ")": '${text.slice(i)}'`);
  const params: [string, string | null][] = [];
  if (items.length === 1 && items[0].trim() === '') return { name, params };
  for (const item of items) {
    if (item.trim() === '') bad('empty parameter');
    const eq = item.indexOf('=');
    const key = (eq < 0 ? item : item.slice(0, eq)).trim();
    const value = eq < 0 ? '1' : item.slice(eq + 1).trim();
    if (!KEY_OK.test(key)) bad(`bad flag name '${key}'`);
    params.push([key, value === '-' ? null : value]);
  }
  return { name, params };
}

/** A parsed selector for the planner: set flags, and the keys it removes (`k=-`). */
export interface ParsedSelector extends Selector {
  removed: string[];
}

/** Parses a selector (grammar: parseSelectorParams) into flags and removals. */
export function parseSelector(text: string, site: ErrorSite = {}): ParsedSelector {
  const { name, params } = parseSelectorParams(text, site);
  // a Map, then own keys: a flag named `__proto__` is a flag like any other, not the prototype
  const set = new Map<string, string>();
  const removed: string[] = [];
  for (const [k, v] of params) {
    if (v === null) {
      set.delete(k);
      if (!removed.includes(k)) removed.push(k);
    } else {
      set.set(k, v);
      const at = removed.indexOf(k);
      if (at >= 0) removed.splice(at, 1);
    }
  }
  return { name, flags: Object.fromEntries(set), removed };
}

/**
 * `base` with a selector's own flags applied on top: its values win, its removals delete
 * (except `target`, which every instance has: it can be changed, not removed).
 */
export function withSelectorFlags(base: Flags, sel: ParsedSelector): Flags {
  const out: Flags = { ...base, ...sel.flags };
  for (const k of sel.removed) if (k !== 'target') delete out[k];
  return out;
}

/** True when `value` reads back unchanged as a selector value (see parseSelectorParams). */
export function isSelectorValue(value: string): boolean {
  if (value !== value.trim() || value === '-') return false;
  let depth = 0;
  for (const c of value) {
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
    else if (c === ',' && depth === 0) return false;
  }
  return depth === 0;
}

/** Writes a selector that parseSelectorParams reads back as `name` with these flags (sorted keys). */
export function formatSelector(name: string, flags: Flags): string {
  const keys = Object.keys(flags).sort();
  return keys.length ? `${name}(${keys.map((k) => `${k}=${flags[k]}`).join(',')})` : name;
}

/** A copy of `flags` without the one-level flags (what a library dependency inherits). */
export function sanitize(flags: Flags): Flags {
  return Object.fromEntries(Object.keys(flags).filter((k) => !ONE_LEVEL_FLAGS.includes(k)).map((k) => [k, flags[k]]));
}

/** The same flags with keys in code-unit order: equal sets give equal objects and equal keys. */
export function sortedFlags(flags: Flags): Flags {
  // Object.fromEntries makes own keys (an assignment to `__proto__` would drop that flag)
  return Object.fromEntries(Object.keys(flags).sort().map((k) => [k, flags[k]]));
}

/** Human form "bin/x(k=v,...)" used in messages; flags sorted, target and kind left out. */
export function showSelector(name: string, flags: Flags): string {
  const parts = Object.keys(flags)
    .filter((k) => k !== 'target' && k !== 'kind')
    .sort()
    .map((k) => `${k}=${flags[k]}`);
  return parts.length ? `${name}(${parts.join(',')})` : name;
}
