/**
 * fast-check generators for the fuzzer (test/fuzz.test.ts, bench/fuzz.mjs): small recipe trees
 * whose templates mix valid Jinja, IX filters, loops around the evaluator's bounds and plain
 * garbage; selectors with nested parentheses, spaces and `=`; flags; and whole plan requests.
 * Only the structure is random: everything is printable text a user could write.
 */
import fc from 'fast-check';
import type { PlanRequest } from '../../engine/api';

/** Package names the trees use (some requests name others, which do not exist). */
export const NAMES = ['bin/a', 'bin/b', 'lib/c', 'lib/d', 'bld/t', 'set/s'];

/** The base template every generated recipe may extend: renders a descriptor from four blocks. */
export const BASE = `{% block descriptor %}{"bld": {"fetch": [], "script": {"kind": "sh", "data": {{ self.script() | jd }}},
 "deps": {{ self.tools() | parse_list | jd }}, "target_libs": {{ self.libs() | parse_list | jd }}, "host_libs": [], "data": []},
 "run": {"deps": {{ self.runs() | parse_list | jd }}, "data": []}, "lib": {"deps": {{ self.libs() | parse_list | jd }}},
 "ind": {"deps": []}, "fix": {"deps": []}, "net": false, "task_pool": "slot"}
{% endblock %}{% if false %}{% block script %}{% endblock %}{% block tools %}{% endblock %}{% block libs %}{% endblock %}{% block runs %}{% endblock %}{% endif %}
`;

const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
// the names JavaScript objects inherit are keys like any other
const key = fc.oneof(word, fc.constantFrom('kind', 'target', 'opt', 'setx', 'help', 'k', 'constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty'));
/** Values: plain words, spaces, `=`, `;`, commas, balanced and unbalanced parentheses, `-`. */
const value: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: word },
  { weight: 1, arbitrary: fc.constantFrom('-', '', 'a b', 'x=y', 'a;b', 'f(a,b)', '(1,(2))', 'a,b', 'a)', '(b', 'lib', 'bin', 'linux-aarch64', 'nope-x') },
);

/** Parameters `(k=v,...)` or none, with an occasional junk suffix (malformed selectors). */
const paramsOf = (name: string): fc.Arbitrary<string> => fc.tuple(
  fc.option(fc.array(fc.tuple(key, fc.option(value, { nil: undefined })), { maxLength: 3 }), { nil: undefined, freq: 2 }),
  fc.oneof({ weight: 12, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom(')', '(', ' ') }),
).map(([params, junk]) => {
  if (params === undefined) return name + junk;
  return `${name}(${params.map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join(',')})${junk}`;
});

/** A selector of one of `names` (usually), else of something that is not a package or not a name. */
const selectorFrom = (names: readonly string[]): fc.Arbitrary<string> => fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...names) },
  { weight: 1, arbitrary: fc.constantFrom('bin/zz', 'zstd', 'bin//x', 'bin/a b', '/bin/a') },
).chain(paramsOf);

/** A selector of any of NAMES. */
export const selector: fc.Arbitrary<string> = selectorFrom(NAMES);

/** Flags of a request (string values; the engine also sees odd keys). */
export const flags = fc.dictionary(key, value, { maxKeys: 3 });

/** Template fragments: valid Jinja of the kinds recipes use, bound-crossing loops, and garbage. */
const fragment: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: word },
  { weight: 6, arbitrary: fc.constantFrom('{{ name }}', '{{ target.arch }}', '{{ host.os }}', '{{ opt }}', '{{ undefined_thing }}', '{{ uniq_id }}', '{{ "a b c" | parse_list | list_to_json }}', '{{ name | b64e | b64d }}', '{{ "x" | pad(3) }}', '{{ 1 | add(2) }}', '{{ " s "|strip }}', '{{ name.split("/")[0] }}',
    '{{ name.constructor }}', '{{ target.__proto__ }}', '{{ toString }}', '{{ {"__proto__": [1]}|first }}', '{{ [""]|selectattr("constructor")|list }}', '{{ constructor }}') },
  { weight: 1, arbitrary: fc.constantFrom('{% if native %}n{% else %}c{% endif %}', '{% set v = "q" %}{{ v }}', '{{ super() }}', '{{ self.tools() }}', '{{ nope() }}', '{{ self.missing() }}', '{% include "nofile" %}', '{% raw %}{{{% endraw %}') },
  // Loops: small ones, and ones past the range() bound (rejected before any iteration, so the
  // component stays fast; the iteration bound itself is pinned by test/format's err/big-range).
  { weight: 1, arbitrary: fc.constantFrom(1, 10, 10 ** 7, 10 ** 9).map((n) => `{% for i in range(${n}) %}{% for j in range(3) %}.{% endfor %}{% endfor %}`) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z{}%#()|.' ]{1,12}$/) },
);

const text = fc.array(fragment, { maxLength: 5 }).map((a) => a.join(' '));

/** A list block naming some of `later` (so most trees have no cycle) and rarely anything else. */
const listOf = (later: readonly string[]): fc.Arbitrary<string> =>
  (later.length ? fc.array(selectorFrom(later), { maxLength: 2 }) : fc.constant([] as string[])).map((a) => a.join('\n'));

/** One recipe: usually extends the base template and fills its blocks; sometimes garbage. */
const recipeText = (later: readonly string[]): fc.Arbitrary<string> => fc.oneof(
  { weight: 8, arbitrary: fc.record({ script: text, tools: listOf(later.filter((n) => n.startsWith('bld/'))), libs: listOf(later.filter((n) => n.startsWith('lib/'))), runs: listOf(later) }).map((r) =>
    `{% extends '//die/fz.sh' %}\n{% block script %}${r.script}{% endblock %}\n{% block tools %}${r.tools}{% endblock %}\n{% block libs %}${r.libs}{% endblock %}\n{% block runs %}${r.runs}{% endblock %}\n`) },
  { weight: 1, arbitrary: listOf(NAMES).map((runs) => `{% extends '//die/fz.sh' %}{% block runs %}${runs}{% endblock %}`) },
  { weight: 1, arbitrary: text },
);

/** A small recipe tree (BASE plus recipes for some of NAMES) and a plan request against it. */
export const world: fc.Arbitrary<{ files: Record<string, string>; req: PlanRequest }> =
  fc.shuffledSubarray(NAMES, { minLength: 1 }).chain((names) => fc.tuple(
    fc.tuple(...names.map((_, i) => recipeText(names.slice(i + 1)))),
    fc.array(selectorFrom(names), { minLength: 1, maxLength: 3 }),
    fc.option(flags, { nil: undefined, freq: 2 }),
    fc.option(fc.oneof({ weight: 6, arbitrary: fc.constantFrom('linux-x86_64', 'linux-aarch64', 'freebsd-x86_64') }, { weight: 1, arbitrary: fc.constantFrom('darwin-arm64', 'plan9-mips') }), { nil: undefined }),
  ).map(([texts, packages, fl, target]) => {
    const files: Record<string, string> = { 'die/fz.sh': BASE };
    names.forEach((n, i) => { files[`${n}/ix.sh`] = texts[i]; });
    const req: PlanRequest = { packages };
    if (fl && Object.keys(fl).length) req.flags = fl;
    if (target) req.target = target;
    return { files, req };
  }));

/** Command-line tokens after `ix plan`: selectors, flags, options of this and other verbs, junk. */
export const cliTokens: fc.Arbitrary<string[]> = fc.array(fc.oneof(
  { weight: 3, arbitrary: selector },
  { weight: 2, arbitrary: fc.tuple(key, fc.option(value, { nil: undefined })).map(([k, v]) => (v === undefined ? `--${k}` : `--${k}=${v}`)) },
  { weight: 1, arbitrary: fc.constantFrom('--json', '--target=linux-aarch64', '--jobs=4', '--check', '--dry-run', '-x', '+bin/a', '--', '--=v', '--json=1', 'word') },
), { minLength: 1, maxLength: 5 });
