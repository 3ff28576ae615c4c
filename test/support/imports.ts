/**
 * The one import checker of the layer tests (test/imports.test.ts: which folder may import which;
 * test/engine-purity.test.ts: engine/ imports nothing of Node or the hosts): the product's source
 * files, the specifiers a source imports (static, dynamic, require; type-only imports count too:
 * an arrow is an arrow for a reader), the file a relative specifier names, and eslint's errors
 * over some paths.
 *
 * Must not depend on: the product's code (it reads sources as text).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ESLint, type Linter } from 'eslint';

export const repoRoot = join(import.meta.dirname, '..', '..');

/** Every specifier `src` imports or re-exports from, in order (relative or not). */
export function importSpecifiers(src: string): string[] {
  return [...src.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]|\brequire\s*\(\s*['"]([^'"]+)['"]/g)]
    .map((m) => m[1] ?? m[2] ?? m[3]);
}

/** The repository path a relative specifier of `from` names (with .ts, /index.ts or as written). */
export function resolveImport(from: string, spec: string): string {
  const base = relative(repoRoot, join(repoRoot, dirname(from), spec));
  for (const c of [`${base}.ts`, join(base, 'index.ts'), base]) {
    if (existsSync(join(repoRoot, c)) && statSync(join(repoRoot, c)).isFile()) return c;
  }
  return base;
}

/** Build outputs and dependencies below a source folder, never walked. */
const SKIP = ['out', 'build', 'as', 'node_modules', 'dist'];

/** The sources under `dir` (repository paths, sorted) whose name matches `ext`, tests and .d.ts left out. */
export function sourceFiles(dir: string, ext = /\.(ts|mjs|cjs)$/): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(repoRoot, dir), { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) {
      if (!SKIP.includes(e.name)) out.push(...sourceFiles(p, ext));
    } else if (ext.test(e.name) && !/\.(test|d)\.ts$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

/** eslint's messages over `paths` that `keep` selects, as "file:line: message". */
export async function lintMessages(paths: string[], keep: (m: Linter.LintMessage) => boolean): Promise<string[]> {
  const results = await new ESLint({ cwd: repoRoot }).lintFiles(paths);
  return results.flatMap((r) => r.messages.filter(keep).map((m) => `${relative(repoRoot, r.filePath)}:${m.line}: ${m.message}`));
}

/** The rule ids eslint reports for `text` as if it were the file `path` (proof that a rule can fail). */
export async function lintRulesOf(text: string, path: string): Promise<string[]> {
  const [r] = await new ESLint({ cwd: repoRoot }).lintText(text, { filePath: join(repoRoot, path) });
  return r.messages.map((m) => m.ruleId ?? '');
}

/**
 * The import cycles of a graph (file -> the files it imports), each as "a -> b -> a", found by
 * one depth-first walk (every cycle shows at least once as a back edge).
 */
export function importCycles(graph: Map<string, string[]>): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const found: string[] = [];
  const visit = (f: string, stack: string[]): void => {
    state.set(f, 'open');
    for (const t of graph.get(f) ?? []) {
      if (state.get(t) === 'open') found.push([...stack.slice(stack.indexOf(t)), t].join(' -> '));
      else if (!state.has(t)) visit(t, [...stack, t]);
    }
    state.set(f, 'done');
  };
  for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f, [f]);
  return found;
}
