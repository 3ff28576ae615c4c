/**
 * The reverse index of template users, read from the text: for each recipe or template file, the
 * templates (recipes and die/ files) that reach it through `{% extends %}` and `{% include %}`
 * (every C recipe reaches die/c/ix.sh). It knows users before any plan ran, which on a real IX
 * tree is an hour of planning; the checker joins it with what plans actually read (dependencies'
 * recipes). Built once, in slices between other work (a few thousand outlines take seconds);
 * until it is complete, users come from what is built so far and from plans. Updated per change:
 * only a file whose references moved re-reads the templates that reached it.
 *
 * Must not depend on: the executor, the store, the sandbox, the LSP library.
 */
import type { Family } from './family';
import { packageOfFile } from './workspace';

/** Files followed from one template at most (a bound for runaway include loops). */
const MAX_FILES = 256;
/** How long one slice of the first build may hold the thread (ms). */
const SLICE_MS = 8;

export class TemplateUsers {
  /** file → templates that reach it (itself excluded). */
  private readonly reachedBy = new Map<string, Set<string>>();
  /** template → files it reaches. */
  private readonly reaches = new Map<string, string[]>();
  /** file → its resolved references, as indexed (a change that keeps them moves nobody). */
  private readonly refsOf = new Map<string, string>();
  private building: Promise<void> | undefined;
  /** True once every template file was indexed; time the build took (ms): ix/status. */
  complete = false;
  buildMs = 0;

  constructor(private readonly family: Family, private readonly templateFiles: () => string[]) {}

  /** Starts the first build (idempotent); resolves when it is complete. */
  build(): Promise<void> {
    this.building ??= this.buildSlices();
    return this.building;
  }

  /** Packages whose recipe reaches `file` (not counting the file's own package). */
  usersOf(file: string): string[] {
    return [...(this.reachedBy.get(file) ?? [])].filter((f) => packageOfFile(f) !== undefined).map((f) => packageOfFile(f)!);
  }

  /** Templates whose extends/include closure reaches `file`. */
  reachersOf(file: string): string[] {
    return [...(this.reachedBy.get(file) ?? [])];
  }

  /** Re-indexes what a change of `files` can have moved (call after Family forgot them). */
  changed(files: string[]): void {
    const again = new Set<string>();
    for (const f of files) {
      if (this.refsOf.get(f) === this.refs(f)) continue;
      for (const t of this.reachedBy.get(f) ?? []) again.add(t);
      again.add(f);
    }
    for (const t of again) if (this.reaches.has(t) || packageOfFile(t) !== undefined || t.startsWith('die/')) this.index(t);
  }

  private async buildSlices(): Promise<void> {
    const t0 = performance.now();
    const files = this.templateFiles();
    let i = 0;
    while (i < files.length) {
      const s = performance.now();
      while (i < files.length && performance.now() - s < SLICE_MS) {
        if (!this.reaches.has(files[i])) this.index(files[i]);
        i++;
      }
      await new Promise((r) => setImmediate(r));
    }
    this.complete = true;
    this.buildMs = performance.now() - t0;
  }

  private refs(file: string): string {
    return this.family.refs(file).map((r) => r.path ?? '').join('\n');
  }

  private index(t: string): void {
    for (const f of this.reaches.get(t) ?? []) this.reachedBy.get(f)?.delete(t);
    const files = this.walk(t);
    this.reaches.set(t, files);
    for (const f of files) {
      let s = this.reachedBy.get(f);
      if (!s) this.reachedBy.set(f, (s = new Set()));
      s.add(t);
    }
  }

  /** Files a template reaches through extends and include (itself excluded); notes their refs. */
  private walk(start: string): string[] {
    const seen = new Set([start]);
    const todo = [start];
    while (todo.length && seen.size < MAX_FILES) {
      const f = todo.pop()!;
      const refs = this.refs(f);
      this.refsOf.set(f, refs);
      for (const t of refs.split('\n')) {
        if (!t || seen.has(t)) continue;
        seen.add(t);
        todo.push(t);
      }
    }
    seen.delete(start);
    return [...seen];
  }
}
