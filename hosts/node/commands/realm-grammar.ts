/**
 * IX's argument grammar for the realm verbs (pkgs/README.md §9), part of the command line (the
 * realm folder below it takes the edits as data): the verb's options
 * come from its table (hosts/node/options.ts); `--k=v` is a flag (`--k` means k=1, `--k=-`
 * removes k) attached to the last package named, else to the realm; a token with '/' is a
 * package (`+pkg` or `pkg` adds, `-pkg` removes; `pkg(k=v,...)` carries flags, read by the one
 * selector grammar of engine/plan/selector.ts); any other token names the realm.
 *
 * Must not depend on: the filesystem, the environment, the engine's evaluator.
 */
import { IxError } from '../../../engine/errors';
import { parseSelectorParams } from '../../../engine/plan/selector';
import { optionsOf, tokenize } from '../options';
import type { RealmEdit } from '../realm';

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

/**
 * Parse the tokens after realm verb `verb` (default mut). `numbers`: bare numeric words are
 * words, not realm names. Option mistakes are the CLI's UsageErrors, the rest IxErrors.
 */
export function parseRealmArgs(tokens: string[], opts: { numbers?: boolean; verb?: string } = {}): RealmArgs {
  const toks = tokenize(opts.verb ?? 'mut', tokens);
  const r: RealmArgs = { realms: [], edits: [], options: new Map(), recipes: [], words: [] };
  for (const [k, v] of optionsOf(toks)) {
    if (k === 'recipes') r.recipes.push(...v);
    else r.options.set(k, v[v.length - 1]);
  }
  let last: RealmEdit | undefined;
  let realmFlags: Map<string, string | null> | undefined;
  for (const tok of toks) {
    if (tok.kind === 'option') continue;
    if (tok.kind === 'flag') {
      if (last?.op === 'remove') throw new IxError(`flag ${tok.text} follows the removed package ${last.name}`);
      if (last?.op === 'add') last.flags.set(tok.key, tok.value);
      else {
        if (!realmFlags) { realmFlags = new Map(); r.edits.push({ op: 'realm-flags', flags: realmFlags }); }
        realmFlags.set(tok.key, tok.value);
      }
      continue;
    }
    const t = tok.text;
    if (t.includes('/')) {
      const op = t.startsWith('-') ? 'remove' : 'add';
      const body = t.startsWith('-') || t.startsWith('+') ? t.slice(1) : t;
      const p = parseSelectorParams(body);
      if (op === 'remove') {
        if (p.params.length) throw new IxError(`'${t}': a removed package takes no flags`);
        last = { op, name: p.name };
      } else {
        last = { op, name: p.name, flags: new Map(p.params) };
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
