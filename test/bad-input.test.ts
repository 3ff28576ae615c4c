// Bad input through the real CLI and WASM core: every user mistake is one line
// on stderr naming the file and line or the package, exit code 2, no stack trace. The messages
// are pinned by golden files (UPDATE_GOLDEN=1 regenerates), with the temp dir replaced by <tmp>.
import { beforeAll, describe, expect, test } from 'vitest';
import { ensureCoreBuilt, ix, recipe, writeTree } from './support/cli';
import { expectGolden } from './support/golden';

const ok = recipe({ script: 'true' });
const base = `{% extends '//die/base.json' %}\n`;
const die = `{"bld": {"script": {% block script %}{}{% endblock %}, "deps": [{% block deps %}{% endblock %}]}}\n`;

// One recipe tree holding every mistake, each in its own package.
const tree: Record<string, string> = {
  'die/base.json': die,
  'bin/fine/ix.sh': ok,
  'bin/syntax/ix.sh': `${base}{% block script %}\n{% if %}\n{% endblock %}\n`,
  'bin/noparent/ix.sh': `{% extends '//die/missing.sh' %}\n`,
  'bin/noinclude/ix.sh': `${base}{% include 'nothere.sh' %}\n`,
  'bin/filter/ix.sh': `${base}{% block script %}\n{{ "x" | frobnicate }}\n{% endblock %}\n`,
  'bin/call/ix.sh': `${base}{% block script %}\n{{ not_defined_anywhere() }}\n{% endblock %}\n`,
  'bin/cycle-a/ix.sh': recipe({ script: 'true', deps: ['bin/cycle-b'] }),
  'bin/cycle-b/ix.sh': recipe({ script: 'true', deps: ['bin/cycle-a'] }),
  'bin/baddep/ix.sh': recipe({ script: 'true', deps: ['bin/fine(k=v'] }),
  'bin/recurse/ix.sh': `${base}{% block script %}{{ self.script() }}{% endblock %}\n`,
  'bin/loop/ix.sh': `${base}{% block script %}{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}x{% endfor %}{% endfor %}{% endfor %}{% endblock %}\n`,
  'bin/big/ix.sh': `${base}{% set s = 'xxxxxxxxxxxxxxxx' %}{% block script %}{% for i in range(20) %}{% set s = s ~ s %}{% endfor %}{{ s }}{% endblock %}\n`,
  'bin/selfinclude/ix.sh': `${base}{% include 'ix.sh' %}\n`,
  'bin/notjson/ix.sh': `{"bld": \n`,
  // a recipe mount (IX's pip/ kind) whose mount.py ix does not know
  'pip/mount.py': 'print("served by a program ix does not know")\n',
  'pip/pypi.json': '{"x/ix.sh": {"url": "https://x.invalid/x.whl", "sha": "00"}}\n',
  'bin/usespip/ix.sh': recipe({ script: 'true', deps: ['pip/x'] }),
};

let root = '';
beforeAll(() => {
  ensureCoreBuilt();
  root = writeTree(tree);
});

// [what, argv, what the message must name: the file:line, the package or the bad argument]
const cases: [string, string[], RegExp][] = [
  ['template syntax error', ['plan', 'bin/syntax'], /bin\/syntax\/ix\.sh:3: /],
  ['missing extends target', ['plan', 'bin/noparent'], /bin\/noparent\/ix\.sh:1: .*die\/missing\.sh/],
  ['missing include', ['plan', 'bin/noinclude'], /bin\/noinclude\/ix\.sh:2: .*nothere\.sh/],
  ['unknown filter', ['plan', 'bin/filter'], /bin\/filter\/ix\.sh:3: .*frobnicate/],
  ['calling an undefined name', ['plan', 'bin/call'], /bin\/call\/ix\.sh:3: .*not_defined_anywhere/],
  ['dependency cycle', ['plan', 'bin/cycle-a'], /bin\/cycle-a -> bin\/cycle-b -> bin\/cycle-a/],
  ['unknown package', ['plan', 'bin/fin'], /'bin\/fin'.*bin\/fine/],
  ['malformed selector on the command line', ['plan', 'bin/fine(k=v'], /'bin\/fine\(k=v'/],
  ['malformed selector in a recipe', ['plan', 'bin/baddep'], /'bin\/fine\(k=v'.*package bin\/baddep/],
  ['malformed flag', ['plan', 'bin/fine', '--=v'], /'--=v'/],
  ['unknown target', ['plan', 'bin/fine', '--target=plan9-mips'], /'plan9-mips'/],
  ['runaway recursion', ['plan', 'bin/recurse'], /bin\/recurse\/ix\.sh:\d+: .*package bin\/recurse/],
  ['runaway loop', ['plan', 'bin/loop'], /bin\/loop\/ix\.sh:\d+: .*loop iterations/],
  ['runaway output', ['plan', 'bin/big'], /bin\/big\/ix\.sh:\d+: .*bytes of output/],
  ['include of itself', ['plan', 'bin/selfinclude'], /bin\/selfinclude\/ix\.sh:\d+: include cycle/],
  ['descriptor is not JSON', ['plan', 'bin/notjson'], /not valid JSON.*package bin\/notjson/],
  ['unknown recipe mount', ['plan', 'pip/x'], /pip\/mount\.py: unknown recipe mount \(BLAKE3 [0-9a-f]{64}\)/],
  ['unknown recipe mount under a dependency', ['plan', 'bin/usespip'], /pip\/mount\.py: unknown recipe mount .*bin\/usespip/],
];

describe('bad input: one line, exit 2, no stack, file:line or package named', () => {
  for (const [what, args, names] of cases) {
    test(what, () => {
      const r = ix([...args, '--recipes', root]);
      const err = r.err.split(root).join('<tmp>');
      expect(r.out).toBe('');
      expect(err).toMatch(/^ix: error: /);
      expect(err).not.toMatch(/\n\s+at |internal error|Error:/);
      expect(err.trimEnd().split('\n')).toHaveLength(1);
      expect(err).toMatch(names);
      expect(r.code).toBe(2);
      expectGolden(`golden/errors/${what.replace(/\s+/g, '-')}.txt`, err);
    });
  }
});
