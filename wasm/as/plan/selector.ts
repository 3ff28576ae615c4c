/**
 * Package selectors and flag sets (engine/plan/selector.ts): `name(k=v,k2=v2)`, the one-level
 * flags that never propagate, and applying a selector's flags over inherited ones. Errors are
 * IxErr values with the oracle's words.
 *
 * Must not depend on: anything else of the core but errors, flags.
 */
import { IxErr, isJsSpace } from '../errors';
import { Flags } from './flags';

const ONE_LEVEL: Array<string> = ['setx', 'help', 'verbose', 'stage', 'rebuild', 'nostrip'];

/** A parsed selector: name, set flags (a later one wins) and the keys it removes (`k=-`). */
export class Selector {
  name: string = '';
  flags: Flags = new Flags();
  removed: Array<string> = new Array<string>();
  err: IxErr | null = null;
}

/** JS's String.prototype.trim (its whitespace and line terminators). */
export function jsTrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isJsSpace(s.charCodeAt(a))) a++;
  while (b > a && isJsSpace(s.charCodeAt(b - 1))) b--;
  return a == 0 && b == s.length ? s : s.substring(a, b);
}

/** /^[A-Za-z_][A-Za-z0-9_.-]*$/ */
function keyOk(k: string): bool {
  const n = k.length;
  if (n == 0) return false;
  for (let i = 0; i < n; i++) {
    const c = k.charCodeAt(i);
    const alpha = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95;
    if (i == 0 ? !alpha : !(alpha || (c >= 48 && c <= 57) || c == 46 || c == 45)) return false;
  }
  return true;
}

/** The package a selector's name part means (packageName), or null with `err` set on `sel`. */
export function packageName(name: string, sel: Selector): string | null {
  if (name.length == 0) {
    sel.err = new IxErr("malformed package name '" + name + "': empty");
    return null;
  }
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (isJsSpace(c) || c == 40 || c == 41 || c == 44 || c == 61) {
      sel.err = new IxErr("malformed package name '" + name + "': it may not contain spaces, parentheses, commas or =");
      return null;
    }
  }
  if (name.charCodeAt(0) == 47) {
    sel.err = new IxErr("malformed package name '" + name + "': a package path is relative to the recipe root: no leading \"/\"");
    return null;
  }
  // fast path: nothing to clean
  let clean = true;
  const n = name.length;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    if (c == 47 && (i == n - 1 || name.charCodeAt(i + 1) == 47)) clean = false;
    if (c == 46 && (i == 0 || name.charCodeAt(i - 1) == 47)) clean = false;
  }
  if (clean) return name;
  const parts = name.split('/');
  const kept = new Array<string>();
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p == '') continue;
    if (p == '.' || p == '..') {
      sel.err = new IxErr("malformed package name '" + name + "': \".\" and \"..\" path components are not allowed");
      return null;
    }
    kept.push(p);
  }
  return kept.join('/');
}

function bad(sel: Selector, text: string, why: string): Selector {
  sel.err = new IxErr("malformed package selector '" + text + "': " + why);
  return sel;
}

/** Parses a selector (engine/plan/selector.ts parseSelectorParams + parseSelector). */
export function parseSelector(text: string): Selector {
  const sel = new Selector();
  const open = text.indexOf('(');
  if (open < 0) {
    if (text.indexOf(')') >= 0) return bad(sel, text, 'unbalanced ")"');
    const nm = packageName(text, sel);
    if (nm !== null) sel.name = nm;
    return sel;
  }
  const nm = packageName(text.substring(0, open), sel);
  if (nm === null) return sel;
  sel.name = nm;
  const items = new Array<string>();
  let depth = 1;
  let from = open + 1;
  let i = open + 1;
  for (; i < text.length && depth > 0; i++) {
    const c = text.charCodeAt(i);
    if (c == 40) depth++;
    else if (c == 41) depth--;
    if ((c == 44 && depth == 1) || depth == 0) {
      items.push(text.substring(from, i));
      from = i + 1;
    }
  }
  if (depth > 0) return bad(sel, text, 'expected ")" at the end');
  if (i < text.length) return bad(sel, text, "text after the closing \")\": '" + text.substring(i) + "'");
  if (items.length == 1 && jsTrim(items[0]) == '') return sel;
  for (let k = 0; k < items.length; k++) {
    const item = items[k];
    if (jsTrim(item) == '') return bad(sel, text, 'empty parameter');
    const eq = item.indexOf('=');
    const key = jsTrim(eq < 0 ? item : item.substring(0, eq));
    const value = eq < 0 ? '1' : jsTrim(item.substring(eq + 1));
    if (!keyOk(key)) return bad(sel, text, "bad flag name '" + key + "'");
    if (value == '-') {
      sel.flags.delete(key);
      if (!sel.removed.includes(key)) sel.removed.push(key);
    } else {
      sel.flags.set(key, value);
      const at = sel.removed.indexOf(key);
      if (at >= 0) sel.removed.splice(at, 1);
    }
  }
  return sel;
}

/** `base` with the selector's flags on top; its removals delete (except `target`). */
export function withSelectorFlags(base: Flags, sel: Selector): Flags {
  const out = base.merged(sel.flags);
  for (let i = 0; i < sel.removed.length; i++) {
    const k = sel.removed[i];
    if (k != 'target') out.delete(k);
  }
  return out;
}

/** A copy of `flags` without the one-level flags. */
export function sanitize(flags: Flags): Flags {
  const out = new Flags();
  for (let i = 0; i < flags.size; i++) {
    const k = flags.keyAt(i);
    if (!ONE_LEVEL.includes(k)) out.push(k, flags.valAt(i));
  }
  return out;
}
