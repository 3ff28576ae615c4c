/**
 * Package selectors and flag sets (ix-format.md §5, §9): parsing `name(k=v,k2=v2)`, the
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

/** Throws IxError unless `name` is a clean relative package path such as "bin/zstd" or "lib/c++". */
export function checkPackageName(name: string, site: ErrorSite = {}): void {
  const bad = (why: string): never => {
    throw new IxError(`malformed package name '${name}': ${why}`, site);
  };
  if (name === '') bad('empty');
  if (NAME_BAD.test(name)) bad('it may not contain spaces, parentheses, commas or =');
  if (!name.includes('/')) bad('expected <namespace>/<path>, e.g. bin/zstd');
  for (const part of name.split('/')) {
    if (part === '' || part === '.' || part === '..') bad('empty, "." and ".." path components are not allowed');
  }
}

/**
 * Parses "name" or "name(k=v,k2=v2)". A key without "=" means k=1 (as `--k` on the command line).
 * Anything else (unbalanced parentheses, empty keys, text after ")") is an IxError.
 */
export function parseSelector(text: string, site: ErrorSite = {}): Selector {
  const bad = (why: string): never => {
    throw new IxError(`malformed package selector '${text}': ${why}`, site);
  };
  const open = text.indexOf('(');
  if (open < 0) {
    if (text.includes(')')) bad('unbalanced ")"');
    checkPackageName(text, site);
    return { name: text, flags: {} };
  }
  if (!text.endsWith(')')) bad('expected ")" at the end');
  const name = text.slice(0, open);
  const body = text.slice(open + 1, -1);
  if (body.includes('(') || body.includes(')')) bad('nested parentheses');
  checkPackageName(name, site);
  const flags: Flags = {};
  if (body.trim() === '') return { name, flags };
  for (const item of body.split(',')) {
    const eq = item.indexOf('=');
    const key = (eq < 0 ? item : item.slice(0, eq)).trim();
    const value = eq < 0 ? '1' : item.slice(eq + 1).trim();
    if (!KEY_OK.test(key)) bad(`bad flag name '${key}'`);
    flags[key] = value;
  }
  return { name, flags };
}

/** A copy of `flags` without the one-level flags (what a library dependency inherits). */
export function sanitize(flags: Flags): Flags {
  const out: Flags = {};
  for (const k of Object.keys(flags)) if (!ONE_LEVEL_FLAGS.includes(k)) out[k] = flags[k];
  return out;
}

/** The same flags with keys in code-unit order: equal sets give equal objects and equal keys. */
export function sortedFlags(flags: Flags): Flags {
  const out: Flags = {};
  for (const k of Object.keys(flags).sort()) out[k] = flags[k];
  return out;
}

/** Human form "bin/x(k=v,...)" used in messages; flags sorted, target and kind left out. */
export function showSelector(name: string, flags: Flags): string {
  const parts = Object.keys(flags)
    .filter((k) => k !== 'target' && k !== 'kind')
    .sort()
    .map((k) => `${k}=${flags[k]}`);
  return parts.length ? `${name}(${parts.join(',')})` : name;
}
