import { UsageError } from '../common';
/**
 * The option tables of the `ix` verbs, one per verb (as Ninja keeps one per tool), and the one
 * tokenizer every verb's arguments go through (IX's grammar, pkgs/README.md §9).
 * A verb's own options are reserved: recognised in any position, never package flags. Any other
 * `--k=v` is a package flag (`--k` means k=1, `--k=-` removes k). An option that only other verbs
 * take is an error naming this verb's options, so `ix plan --jobs=4` can never plan another
 * package. Adding an option to a verb is one line in VERB_OPTIONS (plus OPTIONS if it is new).
 *
 * Execution options (`exec: true`) steer how a plan is run or shown and never reach a plan
 * request; test/options.test.ts checks that every documented one leaves store paths unchanged.
 *
 * Must not depend on: the filesystem, the environment, the engine's evaluator.
 */

export interface OptionSpec {
  /** switch: `--k`; value: `--k=V` or `--k V`; list: a value option that may repeat. */
  kind: 'switch' | 'value' | 'list';
  /** Controls execution or output only: can never change a plan. */
  exec: boolean;
  /** How the value is written in messages and help ("N", "DIR"). */
  meta?: string;
}

const sw = (exec: boolean): OptionSpec => ({ kind: 'switch', exec });
const val = (exec: boolean, meta: string): OptionSpec => ({ kind: 'value', exec, meta });

/** Every option of every verb. */
export const OPTIONS: Record<string, OptionSpec> = {
  help: sw(true),
  json: sw(true),
  expand: sw(true),
  format: val(true, 'F'),
  'dry-run': sw(true),
  'keep-going': sw(true),
  normalised: sw(true),
  check: sw(true),
  jobs: val(true, 'N'),
  timeout: val(true, 'S'),
  substituters: val(true, 'URLS'),
  'no-substitute': sw(true),
  'push-to': val(true, 'URL'),
  'secret-key': val(true, 'FILE'),
  builders: val(true, 'SPEC'),
  target: val(false, 'T'),
  host: val(false, 'T'),
  recipes: { kind: 'list', exec: false, meta: 'DIR' },
  boot: val(false, 'FILE'),
  rollback: sw(false),
  to: val(false, 'X'),
  from: val(false, 'X'),
  generations: sw(false),
  'keep-generations': val(false, 'N'),
  dir: val(false, 'DIR'),
  stdio: sw(false),
  'build-closure': sw(true),
  kernel: val(false, 'SEL'),
  memory: val(true, 'SIZE'),
  command: val(true, 'CMD'),
  append: val(true, 'ARGS'),
  'init-timeout': val(true, 'S'),
  accel: val(true, 'A'),
  'no-watch': sw(true),
  root: val(false, 'DIR'),
  'keep-tmp': sw(true),
  commit: sw(false),
};

const PLANNING = ['target', 'host', 'recipes'];
/** Verbs that plan from the command line take --boot too; realms (mut, let) keep no boot yet. */
const PLANNING_BOOT = [...PLANNING, 'boot'];
const BUILDING = ['keep-going', 'jobs', 'timeout'];
const SUBSTITUTION = ['substituters', 'no-substitute', 'push-to', 'secret-key', 'builders'];

/**
 * How a verb's words are read once its options are taken out (commands/grammar.ts reads each):
 *   packages: package selectors and package flags (args.ts), for the verbs that plan;
 *   realm:    IX's realm grammar: realm names, +/-package edits, realm flags (commands/realm-grammar.ts);
 *   program:  `ix run`: options up to the program name; every word after it is the program's;
 *   sub:      a sub-verb first (`ix store verify`), each with its own options;
 *   words:    plain words (a store path, a realm name), no package flags.
 */
export type Grammar = 'packages' | 'realm' | 'program' | 'sub' | 'words';

/** One verb's declaration: its grammar and its options (`help` is every verb's). */
export interface VerbSpec {
  grammar: Grammar;
  options: readonly string[];
  /** realm grammar: bare numbers are words (generation numbers), not realm names. */
  numbers?: boolean;
  /** sub grammar: each sub-verb's options. */
  subs?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Every verb of `ix`, with its grammar and options: the one table the dispatcher (main.ts), the
 * tokenizer, `ix help` and the tests read. Its handler sits in main.ts's table, which the compiler
 * holds to exactly these names; it is apart so that `ix --version` and the plan memo's fast path
 * load no command's code.
 */
export const VERBS = {
  plan: { grammar: 'packages', options: ['json', 'expand', 'keep-going', ...PLANNING_BOOT] },
  build: { grammar: 'packages', options: ['json', 'dry-run', 'check', ...BUILDING, ...SUBSTITUTION, ...PLANNING_BOOT] },
  graph: { grammar: 'packages', options: ['json', 'format', ...PLANNING_BOOT] },
  'why-depends': { grammar: 'packages', options: ['json', ...PLANNING_BOOT] },
  render: { grammar: 'packages', options: ['normalised', ...PLANNING_BOOT] },
  log: { grammar: 'packages', options: [...PLANNING_BOOT] },
  run: { grammar: 'program', options: [...BUILDING, ...SUBSTITUTION, ...PLANNING_BOOT] },
  mut: { grammar: 'realm', options: ['dry-run', 'rollback', 'to', ...BUILDING, ...SUBSTITUTION, ...PLANNING] },
  let: { grammar: 'realm', options: [...BUILDING, ...SUBSTITUTION, ...PLANNING] },
  image: { grammar: 'realm', options: ['kernel', ...BUILDING, ...SUBSTITUTION, 'recipes'] },
  boot: { grammar: 'realm', options: ['kernel', 'memory', 'command', 'append', 'init-timeout', 'accel', ...BUILDING, ...SUBSTITUTION, 'recipes'] },
  list: { grammar: 'realm', options: ['json', 'generations'] },
  diff: { grammar: 'realm', options: ['json'], numbers: true },
  purge: { grammar: 'realm', options: [] },
  gc: { grammar: 'realm', options: ['json', 'dry-run', 'keep-generations'] },
  root: { grammar: 'sub', options: [], subs: { add: [], remove: [], list: ['json'] } },
  'why-alive': { grammar: 'words', options: ['json'] },
  store: { grammar: 'sub', options: [], subs: { verify: ['json'], serve: ['stdio', 'secret-key'] } },
  copy: { grammar: 'packages', options: ['to', 'from', 'secret-key', 'build-closure', ...PLANNING_BOOT] },
  key: { grammar: 'sub', options: [], subs: { generate: ['dir'] } },
  lsp: { grammar: 'words', options: ['recipes', 'target', 'no-watch', 'stdio'] },
  help: { grammar: 'words', options: [] },
  version: { grammar: 'words', options: [] },
} as const satisfies Record<string, VerbSpec>;

export type VerbName = keyof typeof VERBS;

/**
 * The helper programs beside `ix` that read their options through the same tokenizer (words
 * grammar): `run-node`, the sandbox's command that reproduces one node. Not verbs of `ix`.
 */
export const TOOLS = {
  'run-node': { grammar: 'words', options: ['root', 'timeout', 'keep-tmp', 'commit'] },
} as const satisfies Record<string, VerbSpec>;

/** How a verb is named in messages: `ix plan`, `ix store verify`, or a tool's own name. */
function shown(verb: string): string {
  return Object.hasOwn(TOOLS, verb) ? verb : `ix ${verb}`;
}

/** True when `verb` is one of `ix`'s verbs. */
export function isVerb(verb: string): verb is VerbName {
  return Object.hasOwn(VERBS, verb);
}

/**
 * Each verb's options by name, sub-verbs written "store verify" (derived from VERBS). A sub-verb
 * grammar's own line holds the options it takes before its sub-verb is known (none).
 */
export const VERB_OPTIONS: Record<string, readonly string[]> = Object.fromEntries(
  Object.entries({ ...VERBS, ...TOOLS } as Record<string, VerbSpec>).flatMap(([v, s]) => [
    [v, s.options] as const,
    ...Object.entries(s.subs ?? {}).map(([sub, o]) => [`${v} ${sub}`, o] as const),
  ]),
);

/** True when `name` is one of `verb`'s options. */
export function takesOption(verb: string, name: string): boolean {
  return name === 'help' || (VERB_OPTIONS[verb] ?? []).includes(name);
}

/** "--json, --target=T, --recipes=DIR" for messages. */
export function describeOptions(verb: string): string {
  const names = (VERB_OPTIONS[verb] ?? []).filter((n) => !PENDING.has(n));
  if (!names.length) return 'none but --help';
  return names.map((n) => (OPTIONS[n].kind === 'switch' ? `--${n}` : `--${n}=${OPTIONS[n].meta}`)).join(', ');
}

/**
 * Options and verbs named in the tables whose code is not in this build yet (they arrive with
 * binary substitution, remote builders and signing keys): an error instead of being silently
 * ignored, and left out of `ix help`. Delete a name here when its code lands.
 */
export const PENDING = new Set<string>();

/** The options of `ix`'s verbs (not of the tools: `--root=` stays a package flag for `ix build`). */
const KNOWN = new Set(Object.entries(VERB_OPTIONS).filter(([v]) => isVerb(v.split(' ')[0])).flatMap(([, o]) => o));
/**
 * Keys of the config file that are no option: as `--key=value` they would become a package flag
 * and carry a key or a key file's name into the plan, so they are refused (without the value).
 */
const CONFIG_ONLY = new Set(['substituters', 'trusted-public-keys', 'push-to', 'secret-key-file', 'builders'].filter((k) => !KNOWN.has(k)));

/** One classified command-line token. */
export type Token =
  | { kind: 'option'; name: string; value: string }
  | { kind: 'flag'; key: string; value: string | null; text: string }
  | { kind: 'word'; text: string };

export const FLAG_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Classifies the tokens after `verb`: its options (value '' for switches), package flags, and
 * words (packages, realm names, numbers: the verb's own grammar reads them).
 */
export function tokenize(verb: string, tokens: readonly string[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t.startsWith('--')) {
      out.push({ kind: 'word', text: t });
      continue;
    }
    const eq = t.indexOf('=');
    const key = eq < 0 ? t.slice(2) : t.slice(2, eq);
    let value = eq < 0 ? undefined : t.slice(eq + 1);
    if (takesOption(verb, key)) {
      const spec = OPTIONS[key];
      if (PENDING.has(key) || PENDING.has(verb)) throw new UsageError(`option --${key} of '${shown(verb)}' is not available in this version of ix yet`);
      if (spec.kind === 'switch') {
        if (value !== undefined) throw new UsageError(`option --${key} takes no value`);
        out.push({ kind: 'option', name: key, value: '' });
        continue;
      }
      if (value === undefined) {
        // `--target --recipes DIR` lacks a value: the next option is not it
        if (i + 1 >= tokens.length || tokens[i + 1].startsWith('--')) throw new UsageError(`option --${key} needs a value (--${key}=${spec.meta})`);
        value = tokens[++i];
      }
      if (value === '') throw new UsageError(`option --${key} needs a value (--${key}=${spec.meta})`);
      out.push({ kind: 'option', name: key, value });
      continue;
    }
    if (KNOWN.has(key)) throw new UsageError(`'${shown(verb)}' does not take --${key} (its options: ${describeOptions(verb)})`);
    if (CONFIG_ONLY.has(key)) throw new UsageError(`--${key} is a key of the config file (ix/config.json under XDG_CONFIG_HOME), not an option; a package flag of that name is written as a selector: bin/x(${key}=...)`);
    if (!FLAG_KEY.test(key)) throw new UsageError(`bad flag '${t}'`);
    const near = nearOption(verb, key);
    if (near !== undefined) {
      throw new UsageError(`unknown option --${key}: did you mean --${near}? (a package flag of that name is written as a selector: bin/x(${key}=${value ?? '1'}))`);
    }
    out.push({ kind: 'flag', key, value: value === undefined ? '1' : value === '-' ? null : value, text: t });
  }
  return out;
}

/** Edit distance (insertions, deletions, substitutions, swaps of neighbours), capped at 3. */
function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return Math.min(d[a.length][b.length], 3);
}

/**
 * The verb's own option that `key` is most likely a slip of (`dryrun`, `dry_run`, `jbos`,
 * `--Json`): the same letters but for case, `-` and `_`, or within edit distance 1 (2 for names of
 * six letters or more). Such a `--key` is refused rather than taken as a package flag, so a typo
 * of --dry-run can never start a real build.
 */
export function nearOption(verb: string, key: string): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  const k = norm(key);
  let best: string | undefined;
  let bestD = 3;
  for (const o of ['help', ...(VERB_OPTIONS[verb] ?? [])]) {
    if (PENDING.has(o)) continue;
    const n = norm(o);
    const d = n === k ? 0 : distance(k, n);
    const allowed = n.length >= 6 ? 2 : n.length >= 4 ? 1 : 0;
    if (d <= allowed && d < bestD) {
      best = o;
      bestD = d;
    }
  }
  return best;
}

/** A number option's value: a finite number within [min, max] (a whole number if `integer`). */
export function numberOption(name: string, value: string, r: { min: number; max: number; integer?: boolean; minExclusive?: boolean }): number {
  const n = /^[+-]?(\d+\.?\d*|\.\d+)$/.test(value.trim()) ? Number(value) : NaN;
  const low = r.minExclusive ? n > r.min : n >= r.min;
  if (!(Number.isFinite(n) && low && n <= r.max && (!r.integer || Number.isInteger(n)))) {
    const what = r.integer ? 'a whole number' : 'a number';
    const range = r.minExclusive ? `greater than ${r.min} and at most ${r.max}` : `from ${r.min} to ${r.max}`;
    throw new UsageError(`--${name} must be ${what} ${range}, got '${value}'`);
  }
  return n;
}

/** Plain words and the options of `verb` (grammar `words`; `verb` may be "verb sub" or a tool). */
export interface WordArgs {
  verb: string;
  options: Map<string, string[]>;
  words: string[];
}

/** Words and options, refusing package flags and unknown `-x` words: these verbs take neither. */
export function readWords(verb: string, tokens: readonly string[]): WordArgs {
  const toks = tokenize(verb, tokens);
  const words: string[] = [];
  for (const t of toks) {
    if (t.kind === 'option') continue;
    const bad = t.kind === 'flag' ? t.text : t.text.startsWith('-') && t.text !== '-' ? t.text : undefined;
    if (bad !== undefined) throw new UsageError(`'${shown(verb)}' does not take '${bad}' (its options: ${describeOptions(verb)})`);
    words.push(t.text);
  }
  return { verb, options: optionsOf(toks), words };
}

/** The options among `tokens`: name -> values in order (a switch has ['']). */
export function optionsOf(tokens: readonly Token[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    // A list option collects its values; for any other the last one wins.
    const prev = OPTIONS[t.name].kind === 'list' ? m.get(t.name) ?? [] : [];
    m.set(t.name, [...prev, t.value]);
  }
  return m;
}
