// IX compatibility of the evaluator beyond the Jinja2 corpus: the render context IX gives its
// templates (names, records, boot environment), IX's filters on their edge cases, and the
// differences from Jinja2 that remain, as listed in engine/eval/jinja-compat.ts (one test each:
// fixing one makes its test fail, and the list must then shrink).
import { describe, expect, test } from 'vitest';
import { renderText } from '../engine/eval/index';
import { bootEnv, DEFAULT_BOOT_ENV } from '../engine/eval/boot-env';
import { IxError } from '../engine/errors';
import { archRecord } from '../engine/targets';
import { memIO } from './support/memfs';

const x86 = archRecord('linux-x86_64');
const text = (src: string, opts: { name?: string; flags?: Record<string, string>; target?: string; boot?: unknown } = {}) => {
  const name = opts.name ?? 'p/a';
  return renderText(memIO({ [`${name}/ix.sh`]: src }), {
    name, flags: opts.flags ?? {}, host: x86, target: archRecord(opts.target ?? 'linux-x86_64'), boot: bootEnv(opts.boot),
  }).text;
};
const err = (src: string, opts: { name?: string; boot?: unknown } = {}): IxError => {
  try {
    text(src, opts);
  } catch (e) {
    if (e instanceof IxError) return e;
    throw e;
  }
  throw new Error('rendered without error');
};

describe('the render context is IX\'s', () => {
  test('names of the package: name is its template path, basename its last component', () => {
    expect(text('{{ name }}|{{ basename }}|{{ uniq_id }}|{{ kind }}|{{ bin }}', { name: 'bin/gtk+/3' })).toBe('bin/gtk+/3/ix.sh|3|bin_gtk_plus_3|bin|True');
    expect(text('{{ tool }} {{ boot }} [{{ setx }}]', { name: 'bld/x' })).toBe('True False []');
    expect(text('{{ tool }} {{ boot }} [{{ setx }}]', { name: 'bld/boot/x' })).toBe('True True [1]');
  });

  test('os and arch booleans come from the record: mingw is mingw32, darwin-arm64 is arm64', () => {
    expect(text('{{ mingw32 }} {{ x86_64 }} {{ target.exe_suffix }} [{{ target.dl_suffix }}]', { target: 'mingw64' })).toBe('True True .exe []');
    expect(text('{{ darwin }} [{{ aarch64 }}] {{ arm64 }} {{ target.gnu.three }}', { target: 'arm64' })).toBe('True [] True aarch64-apple-darwin');
    expect(text('{{ target.gnu.three }} {{ host.gnu.four }} {{ target.rust }}', { target: 'freebsd-x86_64' })).toBe('x86_64-unknown-freebsd x86_64-unknown-linux-elf x86_64-unknown-freebsd');
  });

  test('IX\'s constants and the flags over everything', () => {
    expect(text('{{ default_clang }} {{ default_allocator }}')).toBe('21 gperftools');
    expect(text('{{ default_clang }} {{ name }}', { flags: { default_clang: '17', name: 'n' } })).toBe('17 n');
  });

  test('host-dependent values are the request\'s boot environment, with fixed defaults', () => {
    const t = '{{ ix_boot_path }}|{{ ix_boot_tool("g++") }}|{{ ix_boot_tool("clang++") }}|{{ isfile("/bin/fetcher") }}|{{ ix_extract }}|{{ ix_dir }}|{{ ix_trash_dir }}';
    expect(text(t)).toBe(`${DEFAULT_BOOT_ENV.path}|/usr/bin/g++|None|False|${DEFAULT_BOOT_ENV.extract}|/ix|/ix/trash`);
    expect(text(t, { boot: { path: '/p', tools: { 'clang++': '/c/clang++' }, files: ['/bin/fetcher'], extract: 'tar -xf', ix_dir: '/r/' } }))
      .toBe('/p|None|/c/clang++|True|tar -xf|/r/|/r/trash');
    expect(() => bootEnv({ tools: { a: 1 } })).toThrow(/boot: tools must map names to paths/);
    expect(() => bootEnv({ nope: 1 })).toThrow(/unknown field 'nope'/);
    expect(() => bootEnv([])).toThrow(/must be an object/);
  });

  test('ix.load_file reads beside the package, includes expanded; ix.error fails', () => {
    const io = memIO({ 'p/a/ix.sh': '[{{ ix.load_file("f.txt") }}]', 'p/a/f.txt': 'x\n{% include "g.txt" %}\n', 'p/a/g.txt': ' y \n' });
    expect(renderText(io, { name: 'p/a', flags: {}, host: x86, target: x86 }).text).toBe('[x\ny\n]');
    expect(err('{{ ix.error("stop " + name) }}').message).toBe('p/a/ix.sh:1: stop p/a/ix.sh (package p/a)');
  });
});

describe('IX\'s filters', () => {
  test('parse_urls pairs as IX does: the checksum under md5, sha: dropped, a lone url dropped', () => {
    // the same input and output as IX's own parse_urls (core/j2.py), checked once by hand
    expect(text("{{ 'https://a/x.tgz sha:00ff\\n11\\nhttps://b/y.tgz\\n# c\\nhttps://c/z.tgz 22\\nhttps://d/lone' | parse_urls | jd }}"))
      .toBe('[{"url": "https://a/x.tgz", "md5": "00ff"}, {"md5": "11", "url": "https://b/y.tgz"}, {"url": "https://c/z.tgz", "md5": "22"}]');
  });

  test('list_to_json keeps lines, fix_list joins them, parse_list splits on spaces only', () => {
    expect(text("{{ ' a  b \\n\\n#x\\n\\tc\\td ' | list_to_json }}|{{ 'a  b\\n c' | fix_list }}|{{ 'a\\tb c' | parse_list | length }}"))
      .toBe('["a  b", "c\\td"]|a b c|2');
  });

  test('an undefined value fails in IX\'s filters (Python calls its methods), not in fjoin or builtins', () => {
    expect(err('{{ nothing | b64e }}').message).toBe('p/a/ix.sh:1: filter b64e: its value is undefined (package p/a)');
    expect(err('{{ nothing | strip }}').message).toMatch(/filter strip: its value is undefined/);
    expect(text('[{{ nothing | fjoin(",") }}][{{ nothing | upper }}][{{ nothing | length }}]')).toBe('[][][0]');
  });

  test('attributes of an undefined value fail; of None and missing keys they are undefined', () => {
    expect(err('{{ nothing.x }}').message).toBe("p/a/ix.sh:1: attribute 'x' of an undefined value (package p/a)");
    expect(err('{{ nothing[0] }}').message).toMatch(/item 0 of an undefined value/);
    expect(text('[{{ none.x }}][{{ target.nope }}][{{ target.gnu.nope }}]')).toBe('[][][]');
  });
});

describe('differences from Jinja2 that remain (engine/eval/jinja-compat.ts)', () => {
  test('1. strings are sliced by UTF-16 code units', () => {
    expect(text("{{ '\u{1F600}x'[1:] | length }}")).toBe('2'); // Jinja2: 1
  });
  test('2. only literals remember being floats', () => {
    expect(text('{{ 4 / 2 }} {% if 0.0 %}t{% endif %}')).toBe('2 t'); // Jinja2: "2.0 "
  });
  test('3. % keeps the dividend\'s sign', () => {
    expect(text('{{ -7 % 3 }}')).toBe('-1'); // Jinja2: 2
  });
  test('4. a namespace prints without its fields; only a namespace has assignable attributes', () => {
    expect(text('{% set ns = namespace(x=1) %}{{ ns }} {{ ns.x }}')).toBe('<Namespace> 1'); // Jinja2: <Namespace {'x': 1}> 1
    expect(err("{% set d = {'a': 1} %}{% set d.a = 2 %}").message).toMatch(/only a namespace\(\) has assignable attributes/);
    expect(err('{% set ns = namespace() %}{% set ns.constructor = 2 %}').message).toMatch(/cannot assign attribute 'constructor'/);
  });
  test('5. loop.changed() does not exist', () => {
    expect(err("{% for x in ['a', 'b'] %}{{ loop.changed(x) }}{% endfor %}").message).toMatch(/call of undefined/); // Jinja2: TrueTrue
  });
  test('6. dicts iterate integer-like keys first', () => {
    expect(text("{% for k in {'b': 1, '2': 2} %}{{ k }}{% endfor %}")).toBe('2b'); // Jinja2: b2
  });
  test('7. tests are nunjucks\' set', () => {
    expect(err('{% if 1 is boolean %}{% endif %}').message).toMatch(/unknown test 'boolean'/);
  });
});

describe('sources shared by the renders of one plan', () => {
  test('an include expanded once still counts as read by every package that uses it', () => {
    const io = memIO({
      'p/a/ix.sh': "{% extends '//t.sh' %}", 'p/b/ix.sh': "{% extends '//t.sh' %}",
      't.sh': "{% include 'inc.sh' %}\n{% include 'data/base64' %}", 'inc.sh': '[{{ name }}]', data: 'x',
    });
    let reads = 0;
    const counting = { ...io, readFile: (p: string) => { reads++; return io.readFile(p); } };
    const sources = new Map();
    const a = renderText(counting, { name: 'p/a', flags: {}, host: x86, target: x86, sources });
    const before = reads;
    const b = renderText(counting, { name: 'p/b', flags: {}, host: x86, target: x86, sources });
    expect([a.text, b.text]).toEqual(['[p/a/ix.sh]\neA==', '[p/b/ix.sh]\neA==']);
    expect(a.files).toEqual(['data', 'inc.sh', 'p/a/ix.sh', 't.sh']);
    expect(b.files).toEqual(['data', 'inc.sh', 'p/b/ix.sh', 't.sh']);
    expect(reads - before).toBe(1); // only p/b/ix.sh itself
  });
});
