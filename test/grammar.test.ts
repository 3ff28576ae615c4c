// One grammar: the selector parser shared by the planner, the CLI and realms (IX's rules), and
// the per-verb option tables (hosts/node/options.ts): own options anywhere, other verbs'
// options an error naming this verb's, everything else a package flag.
import { describe, expect, test } from 'vitest';
import { UsageError } from '../hosts/common';
import { parseSelector, parseSelectorParams, formatSelector, isSelectorValue, sanitize, sortedFlags } from '../engine/plan/selector';
import { IxError } from '../engine/errors';
import { parseArgs, selection } from '../hosts/node/args';
import { OPTIONS, PENDING, VERB_OPTIONS, tokenize } from '../hosts/node/options';
import { parseRealmArgs } from '../hosts/node/commands/realm-grammar';
import { applyEdits, planRequestOf, EMPTY_SPEC } from '../hosts/node/realm';

const RUNIT = 'etc/services/runit(srv_dir=x,srv_command=chown x /var/run/x; exec /bin/x)';

describe('the selector grammar', () => {
  test('values keep spaces, `;` and later `=`; keys and values are trimmed', () => {
    expect(parseSelectorParams(RUNIT)).toEqual({
      name: 'etc/services/runit',
      params: [['srv_dir', 'x'], ['srv_command', 'chown x /var/run/x; exec /bin/x']],
    });
    expect(parseSelector('bin/x(a=b=c, k = v )').flags).toEqual({ a: 'b=c', k: 'v' });
  });

  test("names are paths, as IX reads them: repeated and trailing slashes name the same package", () => {
    // real selectors of an IX tree: an empty {{python_ver}}, {{allocator}}, {{gtk_ver}}
    expect(parseSelector('bld/python/').name).toBe('bld/python');
    expect(parseSelector('lib//trim(delay=10,bytes=10000000)')).toEqual({ name: 'lib/trim', flags: { delay: '10', bytes: '10000000' }, removed: [] });
    expect(parseSelector('lib/gtk//gir').name).toBe('lib/gtk/gir');
    expect(parseSelector('bin//runit/').name).toBe('bin/runit');
    // a one-component name is a package (IX's top-level `etc`); the planner needs its kind given
    expect(parseSelector('etc').name).toBe('etc');
    expect(parseSelector('etc(kind=bin)').flags).toEqual({ kind: 'bin' });
    expect(parseArgs(['lib//trim(delay=1)'], 'plan').packages[0].name).toBe('lib/trim');
    for (const bad of ['', '/bin/x', '//', 'bin/../x', 'bin/./x']) expect(() => parseSelector(bad), bad).toThrow(IxError);
  });

  test('commas inside nested parentheses stay in the value', () => {
    expect(parseSelector('bin/x(f=g(a,b),h=(1,(2,3)),z)').flags).toEqual({ f: 'g(a,b)', h: '(1,(2,3))', z: '1' });
  });

  test('`k=-` removes, a bare key is 1, empty parentheses are no flags', () => {
    expect(parseSelector('bin/x(a=1,a=-,b)')).toEqual({ name: 'bin/x', flags: { b: '1' }, removed: ['a'] });
    expect(parseSelector('bin/x()')).toEqual({ name: 'bin/x', flags: {}, removed: [] });
  });

  test('flags named like the members JS objects inherit are flags like any other', () => {
    const sel = parseSelector('bin/x(__proto__=a,constructor,toString=-)');
    expect(Object.keys(sel.flags)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(sel.flags)).toBe(Object.prototype);
    expect(Object.entries(sortedFlags({ ...sel.flags, kind: 'bin' }))).toEqual([['__proto__', 'a'], ['constructor', '1'], ['kind', 'bin']]);
    expect(Object.entries(sanitize(sel.flags))).toEqual([['__proto__', 'a'], ['constructor', '1']]);
    expect(formatSelector('bin/x', sel.flags)).toBe('bin/x(__proto__=a,constructor=1)');
  });

  for (const bad of ['bin/x(a=(1)', 'bin/x(a=1))', 'bin/x(a=1)b', 'bin/x(a=1,,b=2)', 'bin/x(=1)', 'bin/x(a b=1)', 'bin/x y(a=1)']) {
    test(`'${bad}' is malformed`, () => {
      expect(() => parseSelector(bad)).toThrow(IxError);
      // the engine's own error, which the CLI's error map prints as one line with exit 2
      expect(() => parseArgs([bad], 'plan')).toThrow(IxError);
      expect(() => parseRealmArgs([bad])).toThrow(IxError);
    });
  }

  test('the CLI and realms read a selector exactly as the planner does', () => {
    for (const s of [RUNIT, 'bin/x(f=g(a,b), k= v w )', 'lib/z(kind=lib,x=-)']) {
      const engine = parseSelectorParams(s).params;
      expect([...parseArgs([s], 'plan').packages[0].flags]).toEqual(engine);
      const edit = parseRealmArgs([s]).edits[0];
      expect(edit.op === 'add' ? [...edit.flags] : []).toEqual(engine);
    }
  });

  test('what the CLI and realms write, the planner reads back', () => {
    const cli = selection(parseArgs([RUNIT, '--extra=a (b, c)'], 'plan')).packages[0];
    const realm = planRequestOf(applyEdits(EMPTY_SPEC, parseRealmArgs([RUNIT, '--extra=a (b, c)']).edits, 'r')).packages[0];
    expect(cli).toBe(realm);
    expect(parseSelector(cli).flags).toEqual({ srv_dir: 'x', srv_command: 'chown x /var/run/x; exec /bin/x', extra: 'a (b, c)' });
    expect(formatSelector('bin/x', { b: '2', a: '1' })).toBe('bin/x(a=1,b=2)');
    expect(isSelectorValue('-')).toBe(false); // it would read back as a removal
    for (const v of ['a,b', 'a)', '(a', ' a']) {
      expect(isSelectorValue(v), v).toBe(false);
      expect(() => selection(parseArgs(['bin/x', `--k=${v}`], 'plan')), v).toThrow(UsageError);
    }
  });
});

describe('per-verb option tables', () => {
  test("a verb's options are recognised in any position and never become flags", () => {
    for (const order of [['--jobs=4', 'bin/a', '--k=1'], ['bin/a', '--jobs=4', '--k=1'], ['bin/a', '--k=1', '--jobs', '4']]) {
      const a = parseArgs(order, 'build');
      expect(a.options.get('jobs'), order.join(' ')).toEqual(['4']);
      expect(Object.fromEntries(a.packages[0].flags)).toEqual({ k: '1' });
      expect(a.flags.size).toBe(0);
    }
  });

  test("another verb's option is an error naming this verb's options", () => {
    expect(() => parseArgs(['--jobs=4', 'bin/a'], 'plan')).toThrow(/'ix plan' does not take --jobs \(its options: --json, --expand, --keep-going, --target=T, --host=T, --recipes=DIR, --boot=FILE\)/);
    expect(() => parseArgs(['bin/a', '--check'], 'plan')).toThrow(/'ix plan' does not take --check/);
    expect(() => parseRealmArgs(['demo', '--generations'], { verb: 'mut' })).toThrow(/'ix mut' does not take --generations/);
    expect(() => tokenize('gc', ['--to=3'])).toThrow(/'ix gc' does not take --to \(its options: --json, --dry-run, --keep-generations=N\)/);
  });

  test('any other --k=v is a package flag, attached to the last package named, else global', () => {
    const a = parseArgs(['--opt=1', 'lib/z', '--opt2', 'bin/b', '--x=-'], 'build');
    expect(Object.fromEntries(a.flags)).toEqual({ opt: '1' });
    expect(Object.fromEntries(a.packages[0].flags)).toEqual({ opt2: '1' });
    expect(Object.fromEntries(a.packages[1].flags)).toEqual({ x: null });
  });

  test('every option of every verb is taken as an option by that verb, before and after a package', () => {
    for (const [verb, names] of Object.entries(VERB_OPTIONS)) {
      if (PENDING.has(verb)) continue;
      for (const name of [...names, 'help'].filter((n) => !PENDING.has(n))) {
        const spec = OPTIONS[name];
        expect(spec, `${verb} --${name}`).toBeDefined();
        const tok = spec.kind === 'switch' ? `--${name}` : `--${name}=v`;
        for (const toks of [[tok, 'bin/a'], ['bin/a', tok]]) {
          const t = tokenize(verb, toks).find((x) => x.kind !== 'word');
          expect(t, `${verb} ${toks.join(' ')}`).toMatchObject({ kind: 'option', name });
        }
      }
    }
  });
});
