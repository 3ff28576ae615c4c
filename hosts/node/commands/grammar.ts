/**
 * Reads a verb's arguments by the grammar its declaration names (options.ts VERBS), so that no
 * command sees raw argv: main.ts calls `readArgs` once and hands the result to the verb's handler.
 * Every grammar goes through the one tokenizer (options.ts), so an option is recognised, refused
 * or suggested the same way for every verb.
 *
 * Must not depend on: the filesystem, the environment, the engine's evaluator, any command.
 */
import { UsageError } from '../../common';
import { parseArgs, type ParsedArgs } from '../args';
import { OPTIONS, readWords as words, VERBS, type VerbName, type VerbSpec, type WordArgs } from '../options';
import { parseRealmArgs, type RealmArgs } from './realm-grammar';

export type { WordArgs } from '../options';

/** A sub-verb and its words (`ix store verify`, `ix root add PATH`). */
export interface SubArgs extends WordArgs {
  sub: string;
}

/** `ix run [options] PROG [ARGS...]`: the plan arguments for bin/PROG and the program's own. */
export interface ProgramArgs {
  args: ParsedArgs;
  prog: string;
  progArgs: string[];
}

/** What each grammar gives its handler. */
export interface GrammarArgs {
  packages: ParsedArgs;
  realm: RealmArgs;
  program: ProgramArgs;
  sub: SubArgs;
  words: WordArgs;
}

/** The arguments of `verb` read by its grammar, or 'help' when they ask for the help text. */
export type VerbArgs<V extends VerbName> = GrammarArgs[(typeof VERBS)[V]['grammar']];

const list = (xs: readonly string[]) => (xs.length > 1 ? `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}` : xs[0]);


/** `ix run`: options up to the first word (PROG); everything after PROG is the program's, even --help. */
function program(tokens: readonly string[]): ProgramArgs | 'help' {
  let at = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const opt = Object.hasOwn(OPTIONS, t.slice(2)) ? OPTIONS[t.slice(2)] : undefined;
    if (t.startsWith('--') && !t.includes('=') && opt && opt.kind !== 'switch') { i++; continue; } // `--recipes DIR`
    if (!t.startsWith('-')) { at = i; break; }
  }
  if (at < 0) {
    if (tokens.includes('--help')) return 'help';
    throw new UsageError("'ix run' needs a program name, e.g. ix run zstd --help");
  }
  const prog = tokens[at];
  if (prog.includes('/')) throw new UsageError(`'ix run' takes a program name, not a path or package: '${prog}'`);
  const args = parseArgs([...tokens.slice(0, at), `bin/${prog}`], 'run');
  if (args.help) return 'help';
  return { args, prog, progArgs: tokens.slice(at + 1) };
}

/** Reads the tokens after `verb` by its grammar; 'help' when they ask for the verb's help. */
export function readArgs<V extends VerbName>(verb: V, tokens: readonly string[]): VerbArgs<V> | 'help' {
  const spec: VerbSpec = VERBS[verb];
  switch (spec.grammar) {
    case 'packages': {
      const a = parseArgs([...tokens], verb);
      return a.help ? 'help' : (a as VerbArgs<V>);
    }
    case 'realm': {
      const a = parseRealmArgs([...tokens], { verb, numbers: spec.numbers === true });
      return a.options.has('help') ? 'help' : (a as VerbArgs<V>);
    }
    case 'program':
      return program(tokens) as VerbArgs<V> | 'help';
    case 'words': {
      const a = words(verb, tokens);
      return a.options.has('help') ? 'help' : (a as VerbArgs<V>);
    }
    case 'sub': {
      const [sub, ...rest] = tokens;
      if (sub === '--help') return 'help';
      const subs = Object.keys(spec.subs ?? {});
      if (sub === undefined || !subs.includes(sub)) {
        throw new UsageError(`'ix ${verb}' knows the sub-commands ${list(subs)} (got ${sub === undefined ? 'nothing' : `'${sub}'`})`);
      }
      const a = words(`${verb} ${sub}`, rest);
      return a.options.has('help') ? 'help' : ({ ...a, sub } as VerbArgs<V>);
    }
  }
}
