/**
 * The reverse index of template users, read from the text: for each recipe or template file, the
 * packages whose recipe reaches it through `{% extends %}` and `{% include %}` (every C recipe
 * reaches die/c/base.sh). Built once from every template file's outline, then updated per change:
 * a changed file re-reads only the packages that reached it (and its own package), since only
 * their chains can have moved. It knows users before any plan ran, which on a real IX tree is an
 * hour of planning; the checker joins it with what plans actually read (dependencies' recipes).
 *
 * Must not depend on: the executor, the store, the sandbox, the LSP library.
 */
import type { Family } from './family';
import { resolveTemplate } from './template';
import { packageOfFile } from './workspace';

/** Files followed from one recipe at most (a bound for runaway include loops). */
const MAX_FILES = 256;

export class TemplateUsers {
  private readonly reachedBy = new Map<string, Set<string>>();
  private readonly reaches = new Map<string, string[]>();
  private built = false;
  /** Time the first build took (ms): ix/status. */
  buildMs = 0;

  constructor(private readonly family: Family, private readonly templateFiles: () => string[]) {}

  /** Packages whose recipe reaches `file` (not counting the file's own package). */
  usersOf(file: string): ReadonlySet<string> {
    this.build();
    return this.reachedBy.get(file) ?? new Set();
  }

  /** Re-reads the packages a change of `files` can have moved. */
  changed(files: string[]): void {
    if (!this.built) return; // the first use builds from the current text
    const pkgs = new Set<string>();
    for (const f of files) {
      for (const p of this.reachedBy.get(f) ?? []) pkgs.add(p);
      const own = packageOfFile(f);
      if (own !== undefined) pkgs.add(own);
    }
    for (const p of pkgs) this.index(p);
  }

  private build(): void {
    if (this.built) return;
    this.built = true;
    const t0 = performance.now();
    for (const f of this.templateFiles()) {
      const p = packageOfFile(f);
      if (p !== undefined) this.index(p);
    }
    this.buildMs = performance.now() - t0;
  }

  private index(pkg: string): void {
    for (const f of this.reaches.get(pkg) ?? []) this.reachedBy.get(f)?.delete(pkg);
    const files = this.walk(`${pkg}/ix.sh`);
    this.reaches.set(pkg, files);
    for (const f of files) {
      let s = this.reachedBy.get(f);
      if (!s) this.reachedBy.set(f, (s = new Set()));
      s.add(pkg);
    }
  }

  /** Files a recipe reaches through extends and include (itself excluded). */
  private walk(recipe: string): string[] {
    const seen = new Set([recipe]);
    const todo = [recipe];
    while (todo.length && seen.size < MAX_FILES) {
      const f = todo.pop()!;
      for (const r of this.family.outline(f).refs) {
        const t = resolveTemplate(f, r.name);
        if (t === undefined || seen.has(t)) continue;
        seen.add(t);
        todo.push(t);
      }
    }
    seen.delete(recipe);
    return [...seen];
  }
}
