// The language server's pure parts (hosts/lsp/template.ts, errors.ts): the tolerant outline of a
// template (also mid-edit), template name resolution like the loader's, and reading the core's
// one-line errors back into file, line, chain and suggestions.
import { describe, expect, test } from 'vitest';
import { parseCoreMessage } from '../hosts/lsp/errors';
import { enclosingBlock, outline, resolveTemplate } from '../hosts/lsp/template';

describe('outline', () => {
  test('blocks, refs, dependency selectors, super() and self calls, at their positions', () => {
    const t = [
      "{% extends '//die/c/make.sh' %}",
      '{# {% block hidden %}{% endblock %} #}',
      '{% block lib_deps %}',
      '# lib/commented',
      'lib/z lib/bz2(kind=lib)',
      '{{ super() }}',
      '{% endblock %}',
      '{% block build %}',
      'make {{ self.make_flags() }}',
      "{% include 'extra.sh' %}",
      '{% endblock %}',
    ].join('\n');
    const o = outline(t);
    expect(o.blocks.map((b) => [b.name, b.startLine, b.endLine])).toEqual([['lib_deps', 2, 6], ['build', 7, 10]]);
    expect(o.blocks[0].nameSpan).toEqual({ line: 2, start: 9, end: 17 });
    expect(o.refs).toEqual([
      { kind: 'extends', name: '//die/c/make.sh', span: { line: 0, start: 12, end: 27 } },
      { kind: 'include', name: 'extra.sh', span: { line: 9, start: 12, end: 20 } },
    ]);
    expect(o.deps.map((d) => [d.name, d.selector, d.span.line, d.span.start])).toEqual([['lib/z', 'lib/z', 4, 0], ['lib/bz2', 'lib/bz2(kind=lib)', 4, 6]]);
    expect(o.calls).toEqual([
      { kind: 'super', name: 'lib_deps', span: { line: 5, start: 3, end: 8 } },
      { kind: 'self', name: 'make_flags', span: { line: 8, start: 13, end: 23 } },
    ]);
    expect(enclosingBlock(o.blocks, 8)?.name).toBe('build');
    expect(enclosingBlock(o.blocks, 0)).toBeUndefined();
  });

  test('never throws on text mid-edit; an unclosed block runs to the end', () => {
    for (const t of ['', '{%', '{% block', '{% block %}', "{% extends '", '{# open comment', '{% block a %}{% block b %}x', '{{ self.', '%}{%}{{}}']) {
      expect(() => outline(t)).not.toThrow();
    }
    const o = outline('{% block lib_deps %}\nlib/z\nlib/');
    expect(o.blocks[0].endLine).toBe(2);
    expect(o.deps.map((d) => d.name)).toEqual(['lib/z', 'lib/']);
  });
});

test('template names resolve like the loader: // from the root, others next to the template', () => {
  expect(resolveTemplate('bin/zstd/ix.sh', '//lib/zstd/ix.sh')).toBe('lib/zstd/ix.sh');
  expect(resolveTemplate('bin/b64/ix.sh', 'b64.c/base64')).toBe('bin/b64/b64.c');
  expect(resolveTemplate('die/c/make.sh', '../sh.sh')).toBe('die/sh.sh');
  expect(resolveTemplate('ix.sh', '../../x')).toBeUndefined();
});

describe('core messages', () => {
  test('file, line, detail and the package chain', () => {
    expect(parseCoreMessage("lib/q/ix.sh:3: call of undefined 'broken' (package bin/uses-q -> lib/q)")).toEqual({
      file: 'lib/q/ix.sh', line: 3, detail: "call of undefined 'broken'", chain: ['bin/uses-q', 'lib/q'], suggestions: [],
    });
  });
  test('no file: the detail keeps its parentheses, suggestions are read', () => {
    expect(parseCoreMessage("unknown package 'lib/zz' (did you mean lib/z?) (package bin/zz)")).toEqual({
      detail: "unknown package 'lib/zz' (did you mean lib/z?)", chain: ['bin/zz'], suggestions: ['lib/z'],
    });
  });
  test('a detail with a colon is not taken for a file', () => {
    const m = parseCoreMessage('template syntax error: unexpected end of file');
    expect(m.file).toBeUndefined();
    expect(m.detail).toBe('template syntax error: unexpected end of file');
  });
});
