// The evaluator's behaviour beyond the corpus: loader rules, self/Python methods, safety of member
// access, bounds, the compiled-template cache, descriptor normalisation, purity.
import { describe, expect, test } from 'vitest';
import { clearCompiled, collapseNewlines, compileStats, renderPackage, renderText } from '../engine/eval/index';
import { IxError } from '../engine/errors';
import { archRecord } from '../engine/targets';
import { memIO } from './support/memfs';

const x86 = archRecord('linux-x86_64');
const arm = archRecord('linux-aarch64');
const text = (files: Record<string, string>, flags: Record<string, string> = {}, limits = {}) =>
  renderText(memIO(files), { name: 'p/a', flags, host: x86, target: x86 }, limits).text;
const err = (files: Record<string, string>, limits = {}): IxError => {
  try {
    renderText(memIO(files), { name: 'p/a', flags: {}, host: x86, target: x86 }, limits);
  } catch (e) {
    expect(e).toBeInstanceOf(IxError);
    return e as IxError;
  }
  throw new Error('expected an IxError');
};
const EMPTY = '{}';

describe('loader', () => {
  test('// names from the root, others from the naming template, .. allowed inside the root', () => {
    expect(text({
      'p/a/ix.sh': "{% extends 'sub/t.sh' %}",
      'p/a/sub/t.sh': "{% extends '../../../x/y.sh' %}",
      'x/y.sh': "{% extends '//z.sh' %}",
      'z.sh': 'Z',
    })).toBe('Z');
    expect(err({ 'p/a/ix.sh': "{% extends '../../../../x.sh' %}" }).message).toBe("p/a/ix.sh:1: template name '../../../../x.sh' escapes the recipe root (package p/a)");
  });

  test('unknown package', () => {
    expect(() => renderPackage(memIO({}), { name: 'bin/nope', flags: {}, host: x86, target: x86 }))
      .toThrow("unknown package 'bin/nope': no bin/nope/ix.sh in any recipe root (package bin/nope)");
  });

  test('include is textual and line-wise: the included text may open a block the includer closes', () => {
    expect(text({
      'p/a/ix.sh': "{% extends '//b.sh' %}\n{% include 'open.sh' %}\nbody\n{% endblock %}",
      'p/a/open.sh': '\n  {% block x %}\n\n',
      'b.sh': '[{% block x %}{% endblock %}]',
    })).toBe('[body\n]');
  });

  test('/base64 inlines base64 of the expanded file; nested includes resolve from their own file', () => {
    const out = text({
      'p/a/ix.sh': "{% include 'd/one.sh/base64' %}\n{% include 'd/one.sh' %}",
      'p/a/d/one.sh': "1\n{% include 'two.sh' %}",
      'p/a/d/two.sh': '2 {{ name }}',
    });
    expect(out).toBe(`${btoa('1\n2 {{ name }}')}\n1\n2 p/a/ix.sh`);
  });

  test('an include not at the start of a line is a run-time include (same loader rules)', () => {
    expect(text({ 'p/a/ix.sh': "x={% include 'v.txt' %};", 'p/a/v.txt': '{{ basename }}' })).toBe('x=a;');
  });

  test('ix.load_file reads a file beside the recipe, raw', () => {
    expect(text({ 'p/a/ix.sh': "[{{ ix.load_file('data/x.txt').strip() }}]", 'p/a/data/x.txt': ' {{ raw }} \n' })).toBe('[{{ raw }}]');
    expect(err({ 'p/a/ix.sh': "{{ ix.load_file('nope') }}" }).message).toBe("p/a/ix.sh:1: load_file: 'p/a/nope' not found (package p/a)");
  });

  test('include depth is bounded', () => {
    const files: Record<string, string> = { 'p/a/ix.sh': "{% include '//i0' %}" };
    for (let i = 0; i < 10; i++) files[`i${i}`] = `{% include '//i${i + 1}' %}`;
    files.i10 = 'end';
    expect(text(files)).toBe('end');
    expect(err(files, { maxDepth: 5 }).message).toMatch(/includes nested deeper than 5/);
  });

  test('files read are reported sorted and deduplicated', () => {
    const r = renderText(memIO({ 'p/a/ix.sh': "{% extends '//b.sh' %}\n{% include '//c.sh' %}\n{% include '//c.sh' %}", 'b.sh': '{{ 1 }}', 'c.sh': '' }), { name: 'p/a', flags: {}, host: x86, target: x86 });
    expect(r.files).toEqual(['b.sh', 'c.sh', 'p/a/ix.sh']);
  });
});

describe('context and Python semantics', () => {
  test('context variables, flags merged last (but target/host stay records)', () => {
    const t = '{{ name }}|{{ basename }}|{{ uniq_id }}|{{ native }}|{{ linux }}|{{ x86_64 }}|{{ p }}|{{ target.arch }}|{{ zz }}';
    expect(text({ 'p/a/ix.sh': t })).toBe('p/a/ix.sh|a|p_a|True|True|True|True|x86_64|');
    expect(text({ 'p/a/ix.sh': t }, { native: 'no', zz: '1', target: 'linux-x86_64', kind: 'bin' })).toBe('p/a/ix.sh|a|bin_a|no|True|True||x86_64|1');
    const cross = renderText(memIO({ 'p/a/ix.sh': '{{ native }} {{ aarch64 }} {{ x86_64 }} {{ host.arch }}' }), { name: 'p/a', flags: {}, host: x86, target: arm }).text;
    expect(cross).toBe('False True  x86_64');
  });

  test('self.NAME() renders the most-derived block; results support str methods', () => {
    expect(text({
      'p/a/ix.sh': "{% extends '//b.sh' %}{% block v %} 1.2.3 \n{% endblock %}",
      'b.sh': "[{{ self.v().strip() }}][{{ self.v().strip().split('.') | fjoin('-') }}][{{ self.v().strip().replace('.', '_') }}]{% block v %}{% endblock %}",
    })).toBe('[1.2.3][1-2-3][1_2_3] 1.2.3 \n');
  });

  test('str methods on context strings and literals', () => {
    expect(text({ 'p/a/ix.sh': "{{ name.upper() }} {{ target.os.startswith('lin') }} {{ '  a  '.lstrip() }}| {{ 'a b'.rstrip('b') }}|{{ '-'.join(['x', 'y']) }} {{ 'abc'[-1] }} {{ 'v1.2'.removeprefix('v') }} {{ 'x{}y'.format(3) }}" }))
      .toBe('P/A/IX.SH True a  | a |x-y c 1.2 x3y');
  });

  test('undefined renders as empty; calling it is an IxError with file:line', () => {
    expect(text({ 'p/a/ix.sh': '[{{ nope }}]{% for x in nope %}x{% endfor %}' })).toBe('[]');
    expect(err({ 'p/a/ix.sh': '\n\n{{ nope() }}' }).message).toBe("p/a/ix.sh:3: call of undefined 'nope' (package p/a)");
  });

  test('error lines point into included files', () => {
    const e = err({ 'p/a/ix.sh': "a\n{% include 'i.sh' %}\nb", 'p/a/i.sh': '\n\nfine\n{{ boom() }}\n\n' });
    expect(e.message).toBe("p/a/i.sh:4: call of undefined 'boom' (package p/a)");
    expect(e.site).toEqual({ file: 'p/a/i.sh', line: 4, pkg: 'p/a' });
  });

  test('syntax errors point into included files too', () => {
    const e = err({ 'p/a/ix.sh': "line1\n{% include 'i.sh' %}", 'p/a/i.sh': 'ok\n{% if x %}\n{{ x }' });
    expect(e.message).toBe('p/a/i.sh:3: template syntax error: expected variable end (package p/a)');
  });

  test('member access cannot reach constructors, prototypes or the host', () => {
    expect(text({ 'p/a/ix.sh': "[{{ ''.constructor }}][{{ ix.__proto__ }}][{{ target.constructor }}][{{ range.constructor }}][{{ [].constructor }}]" })).toBe('[][][][][]');
    expect(err({ 'p/a/ix.sh': "{{ ''.constructor.constructor('return 1')() }}" }).message).toMatch(/attribute 'constructor' of an undefined value/);
    expect(err({ 'p/a/ix.sh': "{{ range.constructor('return globalThis')() }}" }).message).toMatch(/call of undefined/);
    expect(err({ 'p/a/ix.sh': "{{ cycler.call(1) }}" }).message).toMatch(/call of undefined/);
  });

  test('unknown filter is an IxError; nunjucks filters that are not pure/bounded are absent', () => {
    expect(err({ 'p/a/ix.sh': '{{ 1 | nope }}' }).message).toBe("p/a/ix.sh:1: unknown filter 'nope' (package p/a)");
    expect(err({ 'p/a/ix.sh': '{{ [1, 2] | random }}' }).message).toMatch(/unknown filter 'random'/);
    expect(err({ 'p/a/ix.sh': "{{ 'x' | center(100000000) }}" }).message).toMatch(/unknown filter 'center'/);
  });
});

describe('bounds', () => {
  test('loops count every iteration, also nested and over dicts', () => {
    expect(text({ 'p/a/ix.sh': '{% for i in range(10) %}{% for k in {"a": 1} %}{{ k }}{% endfor %}{% endfor %}' }, {}, { maxLoop: 20 })).toBe('a'.repeat(10));
    expect(err({ 'p/a/ix.sh': '{% for i in range(10) %}{% for k in {"a": 1, "b": 2} %}{% endfor %}{% endfor %}' }, { maxLoop: 20 }).message)
      .toBe('p/a/ix.sh:1: evaluation of p/a exceeded 20 loop iterations (package p/a)');
  });

  test('range() larger than the loop bound fails before allocating', () => {
    expect(err({ 'p/a/ix.sh': '{{ range(1, 1000000000000) | length }}' }).message).toMatch(/exceeded 1000000 loop iterations \(range\(\) of 999999999999 items\)/);
  });

  test('strings cannot grow past the output bound (~, +, replace, pad, join)', () => {
    const lim = { maxOutput: 1000 };
    expect(err({ 'p/a/ix.sh': "{% set x = 'ab' %}{% for i in range(20) %}{% set x = x ~ x %}{% endfor %}" }, lim).message).toMatch(/exceeded 1000 bytes/);
    expect(err({ 'p/a/ix.sh': "{% set x = 'ab' %}{% for i in range(20) %}{% set x = x + x %}{% endfor %}" }, lim).message).toMatch(/exceeded 1000 bytes/);
    expect(err({ 'p/a/ix.sh': "{{ ('x' | pad(600)).replace('0', 'yy') }}" }, lim).message).toMatch(/larger than 1000 bytes/);
    expect(err({ 'p/a/ix.sh': "{{ 'x' | pad(5000) }}" }, lim).message).toMatch(/exceeded 1000 bytes/);
    expect(err({ 'p/a/ix.sh': "{% set c %}{% for i in range(600) %}ab{% endfor %}{% endset %}{{ c }}{{ c }}{{ c }}{{ c }}" }, lim).message).toMatch(/exceeded 1000 bytes/);
  });

  test('extends chains are bounded and cycles named', () => {
    const files: Record<string, string> = { 'p/a/ix.sh': "{% extends '//t0' %}" };
    for (let i = 0; i < 8; i++) files[`t${i}`] = `{% extends '//t${i + 1}' %}`;
    files.t8 = 'top';
    expect(text(files)).toBe('top');
    expect(err(files, { maxDepth: 4 }).message).toMatch(/exceeded nesting depth 4 \(extends chain\)/);
  });

  test('self-call recursion is bounded', () => {
    expect(err({ 'p/a/ix.sh': "{% block a %}{{ self.b() }}{% endblock %}{% block b %}{{ self.a() }}{% endblock %}" }).message)
      .toMatch(/exceeded nesting depth 64/);
  });
});

describe('compiled-template cache', () => {
  const files = { 'p/a/ix.sh': "{% extends '//base.sh' %}{% block b %}B{{ name }}{% endblock %}", 'base.sh': '<{% block b %}{% endblock %}>' };

  test('compiles each template once across evaluations; host cache keyed tpl1-<hex>', () => {
    clearCompiled();
    const io = memIO(files);
    const before = compileStats.compiled;
    for (let i = 0; i < 5; i++) expect(renderText(io, { name: 'p/a', flags: {}, host: x86, target: x86 }).text).toBe('<Bp/a/ix.sh>');
    expect(compileStats.compiled - before).toBe(2);
    const keys = [...io.cache.keys()].sort();
    expect(keys).toHaveLength(2);
    for (const k of keys) expect(k).toMatch(/^tpl1-[0-9a-f]{64}$/);
    const entry = new TextDecoder().decode(io.cache.get(keys[0]));
    expect(entry.startsWith('// ix compiled template v1\n')).toBe(true);

    // A fresh engine (memory cleared) with the same host cache compiles nothing.
    clearCompiled();
    const c0 = compileStats.compiled;
    const h0 = compileStats.hostHits;
    expect(renderText(io, { name: 'p/a', flags: {}, host: x86, target: x86 }).text).toBe('<Bp/a/ix.sh>');
    expect(compileStats.compiled).toBe(c0);
    expect(compileStats.hostHits - h0).toBe(2);
  });

  test('a changed source gets a new key; a corrupt entry is recompiled', () => {
    clearCompiled();
    const io = memIO(files);
    renderText(io, { name: 'p/a', flags: {}, host: x86, target: x86 });
    const io2 = memIO({ ...files, 'base.sh': '({% block b %}{% endblock %})' });
    for (const [k, v] of io.cache) io2.cache.set(k, v);
    clearCompiled();
    expect(renderText(io2, { name: 'p/a', flags: {}, host: x86, target: x86 }).text).toBe('(Bp/a/ix.sh)');
    expect(io2.cache.size).toBe(3);
    clearCompiled();
    for (const k of io.cache.keys()) io.cache.set(k, new TextEncoder().encode('// ix compiled template v1\n}{ not js'));
    expect(renderText(io, { name: 'p/a', flags: {}, host: x86, target: x86 }).text).toBe('<Bp/a/ix.sh>');
  });
});

describe('descriptor', () => {
  test('defaults filled for every missing field', () => {
    const r = renderPackage(memIO({ 'p/a/ix.sh': EMPTY }), { name: 'p/a', flags: {}, host: x86, target: x86 });
    expect(r.descriptor).toEqual({
      bld: { fetch: [], script: {}, deps: [], host_libs: [], target_libs: [], data: [] },
      run: { deps: [], data: [] }, lib: { deps: [] }, ind: { deps: [] }, fix: { deps: [] },
      net: false, task_pool: 'cpu',
    });
  });

  test("IX's md5-keyed fetch items with sha: prefixes normalise to sha256 hex", () => {
    const sum = 'AB'.repeat(32);
    const r = renderPackage(memIO({ 'p/a/ix.sh': `{"bld": {"fetch": [{"url": "https://x/y.tgz", "md5": "sha:${sum}", "name": "y.tgz"}]}, "net": true, "repo": {"name": "y", "version": "1"}}` }),
      { name: 'p/a', flags: {}, host: x86, target: x86 });
    expect(r.descriptor.bld.fetch).toEqual([{ url: 'https://x/y.tgz', sha256: sum.toLowerCase(), name: 'y.tgz' }]);
    expect(r.descriptor.net).toBe(true);
    expect(r.descriptor.repo).toEqual({ name: 'y', version: '1' });
  });

  test('invalid JSON names package and position; wrong types name the field', () => {
    const bad = (t: string) => () => renderPackage(memIO({ 'p/a/ix.sh': t }), { name: 'p/a', flags: {}, host: x86, target: x86 });
    expect(bad('{\n  "a": 1,\n}')).toThrow(/^rendered descriptor is not valid JSON at line 3 column 1 of the rendered text: .* \(package p\/a\)$/);
    expect(bad('{"bld": {"deps": "bld/x"}}')).toThrow('descriptor field bld.deps must be a list of strings (package p/a)');
    expect(bad('{"bld": {"fetch": [{"url": "u", "sha256": "md5:00"}]}}')).toThrow(/md5/);
  });
});

test('the three-newline post-pass', () => {
  expect(collapseNewlines('a\n\n\nb\n\n\n\n\nc\n\n')).toBe('a\n\nb\n\nc\n\n');
});

test('pure: no clock, randomness, performance, Intl or WebAssembly needed', () => {
  const g = globalThis as Record<string, unknown>;
  const saved = { now: Date.now, random: Math.random, perf: g.performance, intl: g.Intl, wasm: g.WebAssembly };
  const boom = () => {
    throw new Error('impure call');
  };
  clearCompiled();
  try {
    Date.now = boom;
    Math.random = boom;
    g.performance = { now: boom };
    delete g.Intl;
    delete g.WebAssembly;
    const out = text({ 'p/a/ix.sh': "{% extends '//b.sh' %}{% block x %}{{ [3, 1, 2] | sort | join(',') }} {{ 'A' | lower }} {{ 1.5 | round }}{% endblock %}", 'b.sh': '{% block x %}{% endblock %}' });
    expect(out).toBe('1,2,3 a 2');
  } finally {
    Date.now = saved.now;
    Math.random = saved.random;
    g.performance = saved.perf;
    g.Intl = saved.intl;
    g.WebAssembly = saved.wasm;
  }
});
