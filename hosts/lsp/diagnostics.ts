/**
 * Diagnostics and quick fixes. Core errors of every package that currently fails are placed at
 * their file and line (or at the dependency selector an "unknown package" names), merged when many
 * packages hit the same spot, and carry the package chain. The server adds one check of its own:
 * a block that no parent template defines or calls renders nothing, which is almost always a
 * typo. Quick fixes: the core's "did you mean" names, and the parent's closest block names.
 *
 * Must not depend on: the executor, the store, the sandbox.
 */
import { distance } from 'fastest-levenshtein';
import { CodeAction, CodeActionKind, DiagnosticSeverity, type Diagnostic, type Range } from 'vscode-languageserver';
import type { Checker } from './checker';
import { locate, quotedPackage, type CoreMessage } from './errors';
import type { Family } from './family';
import { safeText } from '../common';

/** What a quick fix needs, carried in Diagnostic.data. */
interface FixData {
  kind: 'unknown-package' | 'unknown-block';
  choices: string[];
}

/** A core error placed in a file. */
interface Site {
  file: string;
  range: Range;
}

const lineRange = (text: string | undefined, line: number): Range => {
  const l = text?.split('\n')[line] ?? '';
  const start = l.length - l.trimStart().length;
  return { start: { line, character: start }, end: { line, character: Math.max(start, l.trimEnd().length) } };
};

/** Where a package's error belongs. */
export function siteOf(pkg: string, msg: CoreMessage, family: Family, text: (f: string) => string | undefined): Site {
  if (msg.file !== undefined && text(msg.file) !== undefined) {
    return { file: msg.file, range: lineRange(text(msg.file), Math.max(0, (msg.line ?? 1) - 1)) };
  }
  // no file: the package that wrote the bad selector is the last of the chain
  const owner = msg.chain[msg.chain.length - 1] ?? pkg;
  const recipe = `${owner}/ix.sh`;
  for (const f of family.chain(recipe)) {
    const s = locate(msg, family.outline(f));
    if (s) return { file: f, range: { start: { line: s.line, character: s.start }, end: { line: s.line, character: s.end } } };
  }
  return { file: recipe, range: lineRange(text(recipe), 0) };
}

/** Diagnostics of one file from every failing package, plus the server's own block check. */
export function diagnosticsOf(file: string, checker: Checker, family: Family, text: (f: string) => string | undefined): Diagnostic[] {
  const merged = new Map<string, { d: Diagnostic; pkgs: string[]; msg: CoreMessage }>();
  for (const pkg of checker.failing().sort()) {
    const msg = checker.errorOf(pkg)!;
    const site = siteOf(pkg, msg, family, text);
    if (site.file !== file) continue;
    const key = `${site.range.start.line}:${site.range.start.character}:${msg.detail}`;
    const hit = merged.get(key);
    if (hit) {
      hit.pkgs.push(pkg);
      continue;
    }
    const d: Diagnostic = { range: site.range, severity: DiagnosticSeverity.Error, source: 'ix', message: msg.detail };
    if (msg.suggestions.length && quotedPackage(msg.detail)) d.data = { kind: 'unknown-package', choices: msg.suggestions } satisfies FixData;
    merged.set(key, { d, pkgs: [pkg], msg });
  }
  const out: Diagnostic[] = [];
  for (const { d, pkgs, msg } of merged.values()) {
    const chain = msg.chain.length ? msg.chain : [pkgs[0]];
    const more = pkgs.length > 1 ? `; ${pkgs.length - 1} more package${pkgs.length > 2 ? 's' : ''}: ${pkgs.slice(1, 6).join(', ')}${pkgs.length > 6 ? ', …' : ''}` : '';
    d.message = safeText(`${msg.detail} (package ${chain.join(' -> ')}${more})`);
    out.push(d);
  }
  return [...out, ...unknownBlocks(file, family, text)];
}

/** Blocks that neither a parent template defines nor any template of the chain calls. */
function unknownBlocks(file: string, family: Family, text: (f: string) => string | undefined): Diagnostic[] {
  if (!file.endsWith('/ix.sh') && !file.startsWith('die/')) return [];
  const parent = family.parent(file);
  if (parent === undefined || text(parent) === undefined) return [];
  const inherited = family.inheritable(file);
  const called = new Set(family.chain(file).flatMap((f) => family.outline(f).calls.filter((c) => c.kind === 'self').map((c) => c.name)));
  const out: Diagnostic[] = [];
  for (const b of family.outline(file).blocks) {
    if (inherited.includes(b.name) || called.has(b.name)) continue;
    const choices = inherited
      .map((n) => ({ n, d: distance(b.name, n) }))
      .sort((x, y) => x.d - y.d || (x.n < y.n ? -1 : 1))
      .slice(0, 5)
      .map((x) => x.n);
    const hint = choices.length ? ` (did you mean ${choices[0]}?)` : '';
    out.push({
      range: { start: { line: b.nameSpan.line, character: b.nameSpan.start }, end: { line: b.nameSpan.line, character: b.nameSpan.end } },
      severity: DiagnosticSeverity.Warning,
      source: 'ix',
      message: safeText(`block '${b.name}' is not defined by ${parent} or its parents, and nothing calls it: it renders nothing${hint}`),
      data: { kind: 'unknown-block', choices } satisfies FixData,
    });
  }
  return out;
}

/** Quick fixes for the diagnostics a client sends back in a code action request. */
export function quickFixes(uri: string, diagnostics: Diagnostic[]): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    const data = d.data as FixData | undefined;
    if (!data || !Array.isArray(data.choices)) continue;
    for (const [i, choice] of data.choices.entries()) {
      const title = data.kind === 'unknown-package' ? `Replace with package ${choice}` : `Rename block to ${choice}`;
      const a = CodeAction.create(title, { changes: { [uri]: [{ range: d.range, newText: choice }] } }, CodeActionKind.QuickFix);
      a.diagnostics = [d];
      if (i === 0) a.isPreferred = true;
      out.push(a);
    }
  }
  return out;
}
