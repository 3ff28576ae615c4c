// Names in templates that nunjucks' lexer accepts but its code generator cannot write: a name is
// read up to the next delimiter, so `endif"t"raw`, `a\b`, `1x` or `a\u200b` became one name that
// was pasted into the generated JS and made `new Function` throw a raw SyntaxError (exit 70).
// Such a name is now a template syntax error at its line, from the V8 oracle and the compiled core
// alike. A generator over token soup keeps looking for any template the oracle's parser accepts
// but whose generated JS is invalid, and checks that both evaluators give the same answer.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import type { HostIO } from '../engine/api';
import { compileToJs } from '../engine/eval/compile';
import { IxError } from '../engine/errors';
import { CoreError, loadCore, type Core } from '../hosts/node/core';
import { createCore, CoreFailure } from '../wasm/core';
import { treeIO } from './support/browser-host';
import { ensureCoreBuilt, outDir } from './support/cli';

const RUNS = Number(process.env.IX_FUZZ_RUNS ?? 800);

/** The compiled core: wasm/out when it is the default, else wasm/out/as beside the interpreted one. */
function asDir(): string {
  if (process.env.IX_AS_CORE_DIR) return process.env.IX_AS_CORE_DIR;
  return JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')).backend === 'as' ? outDir : join(outDir, 'as');
}

let as: Core;
beforeAll(async () => {
  ensureCoreBuilt();
  expect(existsSync(join(asDir(), 'manifest.json')), `the compiled core in ${asDir()}`).toBe(true);
  as = await loadCore(asDir());
}, 300_000);

/** A render's text or its one-line error, and whether that error is internal (a bug). */
function outcome(f: () => string): { out?: string; error?: string; internal?: boolean } {
  try {
    return { out: f() };
  } catch (e) {
    if (e instanceof CoreError) return { error: e.message, internal: e.internal };
    if (e instanceof CoreFailure) return { error: e.record.message, internal: e.record.internal };
    return { error: `${(e as Error).name}: ${(e as Error).message}`, internal: true };
  }
}

const render = {
  oracle: (io: HostIO) => outcome(() => createCore(io).render(JSON.stringify({ package: 'bin/x' }))),
  core: (io: HostIO) => outcome(() => as.render(io, { package: 'bin/x' })),
};

/** Template text → the one line both evaluators must give for bin/x/ix.sh. */
const pinned: [string, string][] = [
  ['endsetloop:=range~endset:true{{+\nendif"t"raw}}', `bin/x/ix.sh:2: template syntax error: unexpected character '"' in a name (package bin/x)`],
  ['{{is"}}#ix', `bin/x/ix.sh:1: template syntax error: unexpected character '"' in a name (package bin/x)`],
  ['for{{\\}}?;é', "bin/x/ix.sh:1: template syntax error: unexpected character '\\' in a name (package bin/x)"],
  ["{{ a'b }}", "bin/x/ix.sh:1: template syntax error: unexpected character ''' in a name (package bin/x)"],
  ['{{ x`y`z }}', "bin/x/ix.sh:1: template syntax error: unexpected character '`' in a name (package bin/x)"],
  ['\n\n{% set a;b = 1 %}', "bin/x/ix.sh:3: template syntax error: unexpected character ';' in a name (package bin/x)"],
  ['{{ 1x }}', 'bin/x/ix.sh:1: template syntax error: a name cannot start with a digit (package bin/x)'],
  ['{{ 1e5 }}', 'bin/x/ix.sh:1: template syntax error: a name cannot start with a digit (package bin/x)'],
  ['\n{% block a\u200b %}{% endblock %}', 'bin/x/ix.sh:2: template syntax error: unexpected character U+200B in a name (package bin/x)'],
  ['{% block a? %}{% endblock %}', "bin/x/ix.sh:1: template syntax error: unexpected character '?' in a name (package bin/x)"],
  ['{{ a\u000bb }}', 'bin/x/ix.sh:1: template syntax error: unexpected character U+000B in a name (package bin/x)'],
  ['{{ a\u001bb }}', 'bin/x/ix.sh:1: template syntax error: unexpected character U+001B in a name (package bin/x)'],
  ['{{ caf\u00e9 }}', 'bin/x/ix.sh:1: template syntax error: unexpected character U+00E9 in a name (package bin/x)'],
  ['{{ x\u{1f600} }}', 'bin/x/ix.sh:1: template syntax error: unexpected character U+1F600 in a name (package bin/x)'],
  ['{% for a$b in [1] %}{% endfor %}', "bin/x/ix.sh:1: template syntax error: unexpected character '$' in a name (package bin/x)"],
  ['{{ x|up@per }}', "bin/x/ix.sh:1: template syntax error: unexpected character '@' in a name (package bin/x)"],
  ['{% set a&b = 1 %}', "bin/x/ix.sh:1: template syntax error: unexpected character '&' in a name (package bin/x)"],
  ['{% if x is a^b %}{% endif %}', "bin/x/ix.sh:1: template syntax error: unexpected character '^' in a name (package bin/x)"],
  // strings nunjucks takes as names
  ['{% set "a\\"b" = 1 %}', "bin/x/ix.sh:1: template syntax error: unexpected character '\"' in a name (package bin/x)"],
  ['{% set x, "a b" = [1, 2] %}', 'bin/x/ix.sh:1: template syntax error: unexpected character U+0020 in a name (package bin/x)'],
  ['{% set "1" %}x{% endset %}', 'bin/x/ix.sh:1: template syntax error: a name cannot start with a digit (package bin/x)'],
  ['{% set ns.a, "b c" = 1 %}', 'bin/x/ix.sh:1: template syntax error: unexpected character U+0020 in a name (package bin/x)'],
  ['\n{{ x is "a\\"b" }}', "bin/x/ix.sh:2: template syntax error: unexpected character '\"' in a name (package bin/x)"],
  ["{{ x is 'a b'(1) }}", 'bin/x/ix.sh:1: template syntax error: unexpected character U+0020 in a name (package bin/x)'],
];

/** Statements neither evaluator implements (engine/eval/jinja-compat.ts): refused by both at the tag, whatever the names. */
const refused: [string, string][] = [
  ['{% macro "a\\"b"() %}{% endmacro %}', 'bin/x/ix.sh:1: template syntax error: {% macro %} is not supported (package bin/x)'],
  ['{% macro m("a\\"b"=1) %}{% endmacro %}', 'bin/x/ix.sh:1: template syntax error: {% macro %} is not supported (package bin/x)'],
  ['{% import "x" as "a\\"b" %}', 'bin/x/ix.sh:1: template syntax error: {% import %} is not supported (package bin/x)'],
  ['\n{% from "x" import "a b" %}', 'bin/x/ix.sh:2: template syntax error: {% from %} is not supported (package bin/x)'],
  ['{% from "x" import a as "b\\"c" %}', 'bin/x/ix.sh:1: template syntax error: {% from %} is not supported (package bin/x)'],
];

/** Pieces of template text, chosen to reach names with odd characters in every statement. */
const TOKENS = ['{{', '}}', '{%', '%}', '{#', '#}', '{%-', '-%}', 'set', 'endset', 'if', 'elif', 'else', 'endif', 'for', 'in', 'endfor',
  'block', 'endblock', 'macro', 'endmacro', 'call', 'endcall', 'filter', 'endfilter', 'raw', 'endraw', 'with', 'endwith', 'extends',
  'include', 'import', 'from', 'as', 'super', 'caller', 'loop', 'range', 'is', 'not', 'and', 'or', 'true', 'none', 'x', 'y_1', '_',
  '1', '0.5', '"t"', "'", '"', '`', '\\', '$', ';', '?', '@', '&', '^', '(', ')', '[', ']', '.', ',', '|', ':', '=', ':=', '~', '+',
  '-', '*', '**', '/', '//', '%', '==', '<', '>', '!', '{', '}', '#', ' ', '\n', '\t', '\r', '\u00a0', '\u000b', '\u001b', '\u200b',
  '\u2028', 'é', '€', '\u{1f600}', '"a b"', '"a\\"b"', "'x'", '"1"', 'ns.a'];
const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 16 }).map((a) => a.join(''));

describe('names nunjucks accepts but cannot compile', () => {
  test.each(pinned)('%j', (text, line) => {
    const io = treeIO({ 'bin/x/ix.sh': text });
    const want = { error: line, internal: false };
    expect(render.oracle(io)).toEqual(want);
    expect(render.core(io)).toEqual(want);
  });

  test.each(refused)('%j (a statement neither evaluator implements)', (text, line) => {
    const io = treeIO({ 'bin/x/ix.sh': text });
    const want = { error: line, internal: false };
    expect(render.oracle(io)).toEqual(want);
    expect(render.core(io)).toEqual(want);
  });

  test('what is not a name is left alone: strings, attribute names, template text', () => {
    const io = treeIO({ 'bin/x/ix.sh': '{% set x = {"y_1": "$;?"} %}{"a\\"b`$;?@é": "{{ x.y_1 }}{{ \'é€\' }}"}' });
    const o = render.oracle(io);
    expect(o).toEqual({ out: '{"a\\"b`$;?@é": "$;?é€"}' });
    expect(render.core(io)).toEqual(o);
  });

  test(`${RUNS} token-soup templates: the oracle's parser never hands invalid JS on, and the core agrees`, () => {
    fc.assert(fc.property(soup, (text) => {
      let js: string | undefined;
      try {
        js = compileToJs(text, 'bin/x/ix.sh', () => ({}));
      } catch (e) {
        expect(e).toBeInstanceOf(IxError);
      }
      if (js !== undefined) expect(() => new Function(js), js).not.toThrow();
      const io = treeIO({ 'bin/x/ix.sh': text });
      const o = render.oracle(io);
      expect(o.internal ?? false, o.error).toBe(false);
      expect(render.core(io), JSON.stringify(text)).toEqual(o);
    }), { numRuns: RUNS });
  }, 600_000);
});
