/**
 * Completion and document symbols. Completion reads the text before the cursor: package paths in
 * dependency blocks, block names after `{% block `, block names after `self.`, template paths in
 * `{% extends %}` / `{% include %}`, and inside `{{ }}` / `{% %}` the names a template sees
 * (pkgs/README.md §3: `target`, `host` and their fields such as `target.gnu.three`, the per-kind,
 * per-os and per-arch booleans, and flags). Symbols are the blocks of a file.
 *
 * Must not depend on: the executor, the store, the sandbox.
 */
import { CompletionItemKind, SymbolKind, type CompletionItem, type DocumentSymbol, type Position } from 'vscode-languageserver';
import type { Checker } from './checker';
import type { Family } from './family';
import { DEP_BLOCKS, enclosingBlock } from './template';
import type { Workspace } from './workspace';

/** Fields of an architecture record (engine/targets.ts, ArchRecord). */
const ARCH_FIELDS = ['id', 'name', 'os', 'arch', 'gnu_arch', 'bits', 'family', 'vendor', 'obj_fmt', 'cmake_system_name', 'rust', 'go_arch',
  'linux_arch', 'llvm_target', 'gnu', 'uname_m', 'uname_s', 'exe_suffix', 'dl_suffix', 'clang_os', 'endian', 'ptrlen'];
/** Top-level names of the render context (pkgs/README.md §3). */
const CONTEXT = ['target', 'host', 'native', 'tool', 'boot', 'name', 'basename', 'uniq_id', 'kind', 'self', 'super',
  'bin', 'lib', 'aux', 'linux', 'freebsd', 'darwin', 'wasi', 'x86_64', 'aarch64', 'armv7', 'riscv64'];
/** Flags our recipes read (pkgs/README.md). */
const FLAGS = ['notest'];

const items = (names: Iterable<string>, kind: CompletionItemKind, detail?: string): CompletionItem[] =>
  [...new Set(names)].map((label) => ({ label, kind, ...(detail ? { detail } : {}) }));

export function complete(ws: Workspace, family: Family, checker: Checker, file: string, pos: Position): CompletionItem[] {
  const text = ws.text(file) ?? '';
  const lineText = text.split('\n')[pos.line] ?? '';
  const before = lineText.slice(0, pos.character);
  if (/\{%-?\s*block\s+\w*$/.test(before)) {
    const own = new Set(family.outline(file).blocks.map((b) => b.name));
    return items(family.inheritable(file).filter((n) => !own.has(n)), CompletionItemKind.Function, 'block of a parent template');
  }
  if (/\{%-?\s*(extends|include)\s+['"][^'"]*$/.test(before)) {
    return items(ws.templateFiles().filter((f) => f !== file).map((f) => `//${f}`), CompletionItemKind.File);
  }
  if (/\bself\.\w*$/.test(before)) {
    const names = family.chain(file).flatMap((f) => family.blocks(f).map((b) => b.block.name));
    return items(names, CompletionItemKind.Method, 'block');
  }
  // fields of `target` / `host`, with their value for the current target as the detail
  const field = /\b(target|host)((?:\.\w+)*)\.\w*$/.exec(before);
  if (field) {
    let rec: unknown = checker.archRecords()?.[field[1] as 'target' | 'host'];
    for (const k of field[2].split('.').filter(Boolean)) rec = (rec as Record<string, unknown> | undefined)?.[k];
    const names = rec && typeof rec === 'object' ? Object.keys(rec) : field[2] === '.gnu' ? ['three', 'four'] : field[2] ? [] : ARCH_FIELDS;
    return names.map((label) => {
      const v = (rec as Record<string, unknown> | undefined)?.[label];
      return { label, kind: CompletionItemKind.Field, detail: v === undefined ? 'architecture record' : JSON.stringify(v) };
    });
  }
  const open = Math.max(before.lastIndexOf('{{'), before.lastIndexOf('{%'));
  const close = Math.max(before.lastIndexOf('}}'), before.lastIndexOf('%}'));
  if (open > close) {
    return [...items(CONTEXT, CompletionItemKind.Variable, 'render context'), ...items(FLAGS, CompletionItemKind.Constant, 'flag')];
  }
  const block = enclosingBlock(family.outline(file).blocks, pos.line);
  if (block && DEP_BLOCKS.has(block.name) && !/^\s*#/.test(before)) {
    return items(checker.packages(), CompletionItemKind.Module, 'package');
  }
  return [];
}

export function symbols(family: Family, file: string): DocumentSymbol[] {
  const o = family.outline(file);
  const out: DocumentSymbol[] = o.refs
    .filter((r) => r.kind === 'extends')
    .map((r) => {
      const range = { start: { line: r.span.line, character: r.span.start }, end: { line: r.span.line, character: r.span.end } };
      return { name: `extends ${r.name}`, kind: SymbolKind.Namespace, range, selectionRange: range };
    });
  for (const b of o.blocks) {
    const sel = { start: { line: b.nameSpan.line, character: b.nameSpan.start }, end: { line: b.nameSpan.line, character: b.nameSpan.end } };
    out.push({ name: b.name, kind: SymbolKind.Function, range: { start: { line: b.startLine, character: 0 }, end: { line: b.endLine, character: 0 } }, selectionRange: sel });
  }
  return out;
}
