/**
 * IX's argument grammar for the realm verbs (ix-format.md §9): `--k=v` is a flag (`--k` means
 * k=1, `--k=-` removes k) attached to the last package named, else to the realm; a token with '/'
 * is a package (`+pkg` or `pkg` adds, `-pkg` removes; `pkg(k=v,...)` carries flags); any other
 * token names the realm. A few options belong to ix itself and are never flags (VERB_OPTIONS).
 *
 * Must not depend on: the filesystem, the environment, the engine's evaluator.
 */
import { IxError } from '../../../engine/errors';
import type { RealmEdit } from './spec';

/** ix's own options on realm verbs: name -> takes a value. */
const VERB_OPTIONS: Record<string, boolean> = {
  json: false, 'dry-run': false, rollback: false, generations: false, 'keep-going': false,
  to: true, recipes: true, target: true, host: true, jobs: true, timeout: true, 'keep-generations': true,
  // binary caches (issue 7)
  substituters: true, 'push-to': true, 'secret-key': true, 'no-substitute': false,
};
const FLAG_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export interface RealmArgs {
  /** Realm names, in order (most verbs take one). */
  realms: string[];
  edits: RealmEdit[];
  /** ix options: name -> value ('' for switches). `recipes` may repeat: see `recipes`. */
  options: Map<string, string>;
  recipes: string[];
  /** Other words after the realm (numbers for `ix diff NAME N M`). */
  words: string[];
}

function parsePackage(token: string): { name: string; flags: Map<string, string | null> } {
  const m = /^([^()]+?)(?:\((.*)\))?$/.exec(token);
  if (!m) throw new IxError(`bad package selector '${token}' (expected name or name(k=v,...))`);
  const flags = new Map<string, string | null>();
  if (m[2]) {
    for (const part of m[2].split(',')) {
      const eq = part.indexOf('=');
      const k = eq < 0 ? part : part.slice(0, eq);
      if (!FLAG_KEY.test(k)) throw new IxError(`bad flag '${part}' in '${token}'`);
      flags.set(k, eq < 0 ? '1' : part.slice(eq + 1) === '-' ? null : part.slice(eq + 1));
    }
  }
  return { name: m[1], flags };
}

/** Parse the tokens after a realm verb. `numbers`: bare numeric words are words, not realm names. */
export function parseRealmArgs(tokens: string[], opts: { numbers?: boolean } = {}): RealmArgs {
  const r: RealmArgs = { realms: [], edits: [], options: new Map(), recipes: [], words: [] };
  let last: RealmEdit | undefined;
  let realmFlags: Map<string, string | null> | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.startsWith('--')) {
      const eq = t.indexOf('=');
      const key = eq < 0 ? t.slice(2) : t.slice(2, eq);
      let value = eq < 0 ? undefined : t.slice(eq + 1);
      if (key in VERB_OPTIONS) {
        if (!VERB_OPTIONS[key]) {
          if (value !== undefined) throw new IxError(`option --${key} takes no value`);
          r.options.set(key, '');
          continue;
        }
        if (value === undefined) {
          if (i + 1 >= tokens.length) throw new IxError(`option --${key} needs a value (--${key}=...)`);
          value = tokens[++i];
        }
        if (key === 'recipes') r.recipes.push(value);
        else r.options.set(key, value);
        continue;
      }
      if (!FLAG_KEY.test(key)) throw new IxError(`bad flag '${t}'`);
      const v = value === undefined ? '1' : value === '-' ? null : value;
      if (last?.op === 'remove') throw new IxError(`flag ${t} follows the removed package ${last.name}`);
      if (last?.op === 'add') last.flags.set(key, v);
      else {
        if (!realmFlags) { realmFlags = new Map(); r.edits.push({ op: 'realm-flags', flags: realmFlags }); }
        realmFlags.set(key, v);
      }
      continue;
    }
    if (t.includes('/')) {
      const op = t.startsWith('-') ? 'remove' : 'add';
      const body = t.startsWith('-') || t.startsWith('+') ? t.slice(1) : t;
      const p = parsePackage(body);
      if (op === 'remove') {
        if (p.flags.size) throw new IxError(`'${t}': a removed package takes no flags`);
        last = { op, name: p.name };
      } else {
        last = { op, name: p.name, flags: p.flags };
      }
      r.edits.push(last);
      continue;
    }
    if (t.startsWith('-')) throw new IxError(`unknown option '${t}'`);
    if (opts.numbers && /^[0-9]+$/.test(t)) r.words.push(t);
    else r.realms.push(t);
  }
  return r;
}
