// `ix lsp` driven by a scripted JSON-RPC client: diagnostics at file and
// line with the package chain, cleared when fixed; buffers over the roots (--recipes layering);
// errors of a shared template; hover store paths equal to `ix plan` (also after a target switch);
// definition, references, completion, symbols, code lens, the descriptor command; quick fixes;
// files changed on disk; half-typed and runaway templates.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CodeAction, CompletionItem, DocumentSymbol, Hover, Location } from 'vscode-languageserver-types';
import { ensureCoreBuilt, ix, repoRoot, tempDir, writeTree } from './support/cli';
import { startLsp, uriOf, type LspClient } from './support/lsp-client';

const cache = tempDir('ix-lsp-cache-');
const env = { IX_CACHE_DIR: cache, NODE_EXTRA_CA_CERTS: '' };
const pkgs = join(repoRoot, 'pkgs');
const ZSTD = join(pkgs, 'bin/zstd/ix.sh');
const BASE = join(pkgs, 'die/base.json');

const tree = writeTree({
  'lib/q/ix.sh': "{% extends '//die/c/make.sh' %}\n{% block build %}\nmake\n{% endblock %}\n",
  'bin/uses-q/ix.sh': "{% extends '//die/c/make.sh' %}\n{% block lib_deps %}\nlib/q\n{% endblock %}\n",
  'bin/typo/ix.sh': "{% extends '//die/c/make.sh' %}\n{% block lib_deps %}\nlib/z\nlib/lz5\n{% endblock %}\n",
});
const Q = join(tree, 'lib/q/ix.sh');
const TYPO = join(tree, 'bin/typo/ix.sh');

let c: LspClient;

/** The position of the `nth` occurrence of `needle` in `text`, plus `delta` characters. */
function posOf(text: string, needle: string, delta = 0, nth = 0): { line: number; character: number } {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
  if (i < 0) throw new Error(`'${needle}' not in text`);
  const before = text.slice(0, i);
  const line = before.split('\n').length - 1;
  return { line, character: i - (before.lastIndexOf('\n') + 1) + delta };
}

const doc = (path: string) => ({ textDocument: { uri: uriOf(path) } });
const hoverText = async (path: string, position: object) =>
  ((await c.request<Hover | null>('textDocument/hover', { ...doc(path), position }))?.contents as { value: string } | undefined)?.value ?? '';
const storePathIn = (md: string) => /store path: `([^`]+)`/.exec(md)?.[1];
const plan = (...args: string[]) => {
  const r = ix(['plan', ...args], { env: { IX_CACHE_DIR: cache } });
  expect(r.err).toBe('');
  return r.out.trim();
};

beforeAll(async () => {
  ensureCoreBuilt();
  c = await startLsp(repoRoot, ['--recipes', tree, '--no-watch'], { env });
}, 120_000);

afterAll(async () => {
  await c?.stop();
});

describe('ix lsp over JSON-RPC', () => {
  test('serves the same core as the CLI', async () => {
    const status = await c.request<{ core: string }>('ix/status', {});
    expect(ix(['--version']).out).toContain(`blake3:${status.core}`);
  });

  test('an error of a dependency shows in its file, at its line, with the package chain; fixing it clears it', async () => {
    const text = readFileSync(Q, 'utf8');
    c.open(uriOf(Q), text);
    const broken = text.replace('make\n', 'make\n{{ nothing_here() }}\n');
    c.change(uriOf(Q), 2, broken);
    const [d] = await c.waitDiagnostics(uriOf(Q), (ds) => ds.some((x) => x.message.includes('nothing_here')));
    expect(d.range.start.line).toBe(posOf(broken, 'nothing_here').line);
    expect(d.message).toMatch(/bin\/uses-q -> lib\/q|package lib\/q/);
    // the buffer was never saved: the disk still has the good text
    expect(readFileSync(Q, 'utf8')).toBe(text);
    c.change(uriOf(Q), 3, text);
    await c.waitDiagnostics(uriOf(Q), (ds) => ds.length === 0);
  }, 60_000);

  test('a user of a broken library names the chain', async () => {
    const broken = "{% extends '//die/c/make.sh' %}\n{% block build %}\n{{ undefined_call() }}\n{% endblock %}\n";
    c.change(uriOf(Q), 4, broken);
    const ds = await c.waitDiagnostics(uriOf(Q), (x) => x.some((d) => d.message.includes('bin/uses-q -> lib/q')));
    expect(ds[0].range.start.line).toBe(2);
    c.change(uriOf(Q), 5, readFileSync(Q, 'utf8'));
    await c.waitDiagnostics(uriOf(Q), (x) => x.length === 0);
  }, 60_000);

  test('an unknown package sits on its selector, and the quick fix offers the near name', async () => {
    const text = readFileSync(TYPO, 'utf8');
    c.open(uriOf(TYPO), text);
    const [d] = await c.waitDiagnostics(uriOf(TYPO), (x) => x.some((d) => d.message.includes('lib/lz5')));
    expect(d.range.start).toEqual(posOf(text, 'lib/lz5'));
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', { ...doc(TYPO), range: d.range, context: { diagnostics: [d] } });
    const edit = actions[0].edit!.changes![uriOf(TYPO)][0];
    expect(edit.newText).toBe('lib/lz4');
    c.change(uriOf(TYPO), 2, text.replace('lib/lz5', edit.newText));
    await c.waitDiagnostics(uriOf(TYPO), (x) => x.length === 0);
  }, 60_000);

  test('hover on a dependency and the code lens give the store paths `ix plan` prints, per target', async () => {
    const text = readFileSync(ZSTD, 'utf8');
    c.open(uriOf(ZSTD), text);
    const md = await hoverText(ZSTD, posOf(text, 'lib/lz4', 2));
    expect(storePathIn(md)).toBe(plan('lib/lz4'));
    expect(md).toMatch(/version: 1\.\d/);
    expect(md).toMatch(/depends on: .*lib\/c/);
    const lenses = await c.request<{ command: { title: string; arguments: string[] } }[]>('textDocument/codeLens', doc(ZSTD));
    expect(lenses[0].command.title.split(' ')[0]).toBe(plan('bin/zstd'));
    const shown = await c.request<{ storePath: string; text: string }>('workspace/executeCommand', { command: 'ix.renderDescriptor', arguments: ['bin/zstd'] });
    expect(shown.storePath).toBe(plan('bin/zstd'));
    expect(shown.text).toBe(ix(['render', 'bin/zstd'], { env: { IX_CACHE_DIR: cache } }).out);

    await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: { ix: { target: 'linux-aarch64' } } });
    const cross = await hoverText(ZSTD, posOf(text, 'lib/lz4', 2));
    expect(storePathIn(cross)).toBe(plan('lib/lz4', '--target=linux-aarch64'));
    expect(storePathIn(cross)).not.toBe(storePathIn(md));
    await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: { ix: { target: 'linux-x86_64' } } });
    expect(storePathIn(await hoverText(ZSTD, posOf(text, 'lib/lz4', 2)))).toBe(storePathIn(md));
  }, 120_000);

  test('hover and completion of `target.…` give the values templates see, per target (as `ix render` shows them)', async () => {
    const probe = writeTree({ 'bin/probe/ix.sh': '{"t": {{ target | jd }}}\n' });
    const rendered = (t: string) => JSON.parse(ix(['render', 'bin/probe', '--recipes', probe, `--target=${t}`], { env: { IX_CACHE_DIR: cache } }).out).t;
    const text = readFileSync(Q, 'utf8').replace('make\n', 'make CC={{ target.gnu.three }}-gcc\n');
    c.open(uriOf(Q), text);
    const at = posOf(text, 'gnu.three', 4);
    expect(await hoverText(Q, at)).toContain(`\`"${rendered('linux-x86_64').gnu.three}"\``);
    await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: { ix: { target: 'linux-aarch64' } } });
    try {
      expect(await hoverText(Q, at)).toContain(`\`"${rendered('linux-aarch64').gnu.three}"\``);
      const items = await c.request<CompletionItem[]>('textDocument/completion', { ...doc(Q), position: posOf(text, 'target.', 7) });
      expect(items.find((i) => i.label === 'arch')?.detail).toBe('"aarch64"');
    } finally {
      await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: { ix: { target: 'linux-x86_64' } } });
      c.change(uriOf(Q), 1000, readFileSync(Q, 'utf8'));
    }
  });

  test('hover on a block names the template that defines it and those that override it', async () => {
    const text = readFileSync(ZSTD, 'utf8');
    const md = await hoverText(ZSTD, posOf(text, 'block build', 7));
    expect(md).toContain('defined by: die/sh.sh');
    expect(md).toContain('overrides: lib/zstd/ix.sh');
    const base = readFileSync(BASE, 'utf8');
    const onBase = await hoverText(BASE, posOf(base, 'block fetch', 7));
    expect(Number(/overridden by (\d+): /.exec(onBase)?.[1])).toBeGreaterThan(10);
  });

  test('definition: extends target, block to its parent, super() and self.NAME(), package names', async () => {
    const text = readFileSync(ZSTD, 'utf8');
    const def = (path: string, position: object) => c.request<Location[]>('textDocument/definition', { ...doc(path), position });
    expect((await def(ZSTD, posOf(text, '//lib/zstd', 3)))[0].uri).toBe(uriOf(join(pkgs, 'lib/zstd/ix.sh')));
    const build = await def(ZSTD, posOf(text, 'block build', 7));
    expect(build[0].uri).toBe(uriOf(join(pkgs, 'lib/zstd/ix.sh')));
    expect(build[0].range.start.line).toBe(posOf(readFileSync(join(pkgs, 'lib/zstd/ix.sh'), 'utf8'), 'block build').line);
    const self = await def(ZSTD, posOf(text, 'self.make_flags', 6));
    expect(self[0].uri).toBe(uriOf(ZSTD));
    expect((await def(ZSTD, posOf(text, 'lib/lzma', 1)))[0].uri).toBe(uriOf(join(pkgs, 'lib/lzma/ix.sh')));
    // super() in a template goes to the parent's block
    const make = join(pkgs, 'die/c/make.sh');
    const mk = readFileSync(make, 'utf8');
    if (mk.includes('super()')) {
      const sup = await def(make, posOf(mk, 'super()', 1));
      expect(sup[0].uri).not.toBe(uriOf(make));
    }
  });

  test('references of a block and of a package', async () => {
    const text = readFileSync(ZSTD, 'utf8');
    const refs = await c.request<Location[]>('textDocument/references', { ...doc(ZSTD), position: posOf(text, 'lib/z\n', 1), context: { includeDeclaration: true } });
    const uris = refs.map((r) => r.uri);
    expect(uris).toContain(uriOf(ZSTD));
    expect(uris.length).toBeGreaterThan(1);
    const blocks = await c.request<Location[]>('textDocument/references', { ...doc(ZSTD), position: posOf(text, 'block make_flags', 7), context: { includeDeclaration: true } });
    expect(blocks.filter((r) => r.uri === uriOf(ZSTD)).length).toBe(3); // the block and two self.make_flags()
  });

  test('completion: packages in a dependency block, block names, context names', async () => {
    const text = readFileSync(ZSTD, 'utf8');
    let version = 10;
    const complete = async (t: string, position: object) => {
      c.change(uriOf(ZSTD), ++version, t);
      return (await c.request<CompletionItem[]>('textDocument/completion', { ...doc(ZSTD), position })).map((i) => i.label);
    };
    expect(await complete(text, posOf(text, 'lib/lz4', 0))).toContain('lib/bz2');
    const withBlock = text.replace('{% block test %}', '{% block te');
    expect(await complete(withBlock, posOf(withBlock, '{% block te', 11))).toEqual(expect.arrayContaining(['test', 'configure']));
    const withExpr = text.replace('make -j "$make_thrs" -C tests', '{{ target.gnu.');
    expect(await complete(withExpr, posOf(withExpr, 'target.gnu.', 11))).toEqual(['three', 'four']);
    const withCtx = text.replace('make -j "$make_thrs" -C tests', '{{ tar');
    expect(await complete(withCtx, posOf(withCtx, '{{ tar', 6))).toContain('target');
    c.change(uriOf(ZSTD), ++version, text);
  });

  test('document symbols are the blocks', async () => {
    const syms = await c.request<DocumentSymbol[]>('textDocument/documentSymbol', doc(ZSTD));
    expect(syms.map((s) => s.name)).toEqual(['extends //lib/zstd/ix.sh', 'lib_deps', 'make_flags', 'build', 'test', 'install']);
  });

  test('a block no parent defines gets a warning and a rename to the parent\'s blocks', async () => {
    const text = readFileSync(TYPO, 'utf8').replace('lib/lz5', 'lib/lz4') + '{% block instal %}\ntrue\n{% endblock %}\n';
    c.change(uriOf(TYPO), 50, text);
    const [d] = await c.waitDiagnostics(uriOf(TYPO), (x) => x.some((d) => d.message.includes("'instal'")));
    expect(d.range.start).toEqual(posOf(text, 'instal'));
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', { ...doc(TYPO), range: d.range, context: { diagnostics: [d] } });
    expect(actions[0].title).toBe('Rename block to install');
    c.change(uriOf(TYPO), 51, text.replace('instal ', 'install '));
    await c.waitDiagnostics(uriOf(TYPO), (x) => x.length === 0);
  }, 60_000);

  test('a template every package uses: a broken buffer marks it, with the count of packages; fixing clears', async () => {
    const text = readFileSync(BASE, 'utf8');
    c.open(uriOf(BASE), text);
    const broken = text.replace('"net": false,', '"net": {{ broken_call() }},');
    c.change(uriOf(BASE), 2, broken);
    try {
      const [d] = await c.waitDiagnostics(uriOf(BASE), (x) => x.some((d) => d.message.includes('broken_call')));
      expect(d.range.start.line).toBe(posOf(broken, 'broken_call').line);
      // the first user's error shows first; the others join as they are re-checked
      const [all] = await c.waitDiagnostics(uriOf(BASE), (x) => x.some((d) => /; 2\d more packages: /.test(d.message)));
      expect(all.range).toEqual(d.range);
    } finally {
      c.change(uriOf(BASE), 3, text);
    }
    await c.waitDiagnostics(uriOf(BASE), (x) => x.length === 0);
    await c.waitDiagnostics(uriOf(ZSTD), (x) => x.length === 0);
  }, 120_000);

  test('half-typed tags and a runaway loop give diagnostics, never a crash', async () => {
    const text = readFileSync(Q, 'utf8');
    c.open(uriOf(Q), text);
    for (const [i, t] of ['{% extends', "{% extends '//die/c/ma", '{% block build %}\n{% if %}', '{{ }}', '{% for x in range(100000000) %}x{% endfor %}'].entries()) {
      c.change(uriOf(Q), 100 + i, t);
    }
    try {
      // the last text wins: the evaluator's loop bound, at its line
      const ds = await c.waitDiagnostics(uriOf(Q), (x) => x.some((d) => /exceeded 1000000 loop iterations/.test(d.message)));
      expect(ds, JSON.stringify(ds)).toHaveLength(1);
      expect(ds[0].range.start.line).toBe(0);
      const hover = await c.request('textDocument/hover', { ...doc(Q), position: { line: 0, character: 3 } });
      expect(hover).toBeNull();
    } finally {
      c.change(uriOf(Q), 200, text);
    }
    await c.waitDiagnostics(uriOf(Q), (x) => x.length === 0);
  }, 60_000);

  test('recipe text with terminal escapes reaches the editor escaped', async () => {
    const text = readFileSync(Q, 'utf8');
    c.open(uriOf(Q), text);
    c.change(uriOf(Q), 300, text.replace('make\n', 'make\n{{ ix.error("bad \x1b]0;pwned\x07 \u202e text") }}\n'));
    try {
      const ds = await c.waitDiagnostics(uriOf(Q), (x) => x.some((d) => d.message.includes('pwned')));
      const d = ds.find((x) => x.message.includes('pwned'))!;
      expect(d.message).toContain('bad \\x1b]0;pwned\\x07 \\u202e text');
      // eslint-disable-next-line no-control-regex
      expect(d.message).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202e]/);
    } finally {
      c.change(uriOf(Q), 301, text);
    }
    await c.waitDiagnostics(uriOf(Q), (x) => x.length === 0);
  }, 60_000);

  test('a file changed on disk is noticed (workspace/didChangeWatchedFiles)', async () => {
    const users = join(tree, 'bin/uses-q/ix.sh');
    const good = readFileSync(users, 'utf8');
    writeFileSync(users, good.replace('lib/q', 'lib/q\nlib/absent'));
    await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(users), type: 2 }] });
    await c.waitDiagnostics(uriOf(users), (x) => x.some((d) => d.message.includes('lib/absent')));
    writeFileSync(users, good);
    await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(users), type: 2 }] });
    await c.waitDiagnostics(uriOf(users), (x) => x.length === 0);
  }, 60_000);
});

describe('ix lsp without a client\'s help', () => {
  test('watches the roots: a change on disk by another program reaches the diagnostics', async () => {
    const dir = writeTree({ 'bin/w/ix.sh': "{% extends '//die/c/make.sh' %}\n" });
    const w = await startLsp(repoRoot, ['--recipes', dir], { env });
    try {
      const f = join(dir, 'bin/w/ix.sh');
      await w.request('ix/status', {});
      writeFileSync(f, "{% extends '//die/c/make.sh' %}\n{% block build %}\n{{ gone() }}\n{% endblock %}\n");
      const [d] = await w.waitDiagnostics(uriOf(f), (x) => x.length > 0);
      expect(d.range.start.line).toBe(2);
    } finally {
      await w.stop();
    }
  }, 120_000);

  test('a restarted server recovers from the client\'s documents alone, and never writes buffers to the disk cache', async () => {
    const own = tempDir('ix-lsp-own-cache-');
    const dir = writeTree({ 'bin/r/ix.sh': "{% extends '//die/c/make.sh' %}\n" });
    const f = join(dir, 'bin/r/ix.sh');
    const buffer = "{% extends '//die/c/make.sh' %}\n{% block build %}\n{{ unsaved_typo() }}\n{% endblock %}\n";
    for (let round = 0; round < 2; round++) {
      const s = await startLsp(repoRoot, ['--recipes', dir, '--no-watch'], { env: { ...env, IX_CACHE_DIR: own } });
      try {
        s.open(uriOf(f), buffer);
        const [d] = await s.waitDiagnostics(uriOf(f), (x) => x.length > 0);
        expect(d.range.start.line).toBe(2);
      } finally {
        await s.stop();
      }
    }
    expect(readdirSync(own)).toEqual([]);
  }, 120_000);

  test('a client that dies without `exit` (stdin closed) ends the server, watchers and all', async () => {
    const w = await startLsp(repoRoot, [], { env });
    w.proc.stdin!.end();
    const code = await new Promise((r) => (w.proc.exitCode !== null ? r(w.proc.exitCode) : w.proc.once('exit', (c) => r(c))));
    expect(code).toBe(0);
  }, 60_000);

  test('bad arguments: one line, exit code 2', () => {
    const r = ix(['lsp', '--target=vax-vms']);
    expect(r.code).toBe(2);
    expect(r.err).toBe("ix: error: ix lsp: unknown target 'vax-vms' (linux-x86_64, linux-aarch64, freebsd-x86_64)\n");
    const bad = ix(['lsp', '--frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.err.trim().split('\n')).toHaveLength(1);
  });
});
