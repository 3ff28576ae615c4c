/**
 * Template families: how recipe templates relate through `{% extends %}` and textual
 * `{% include %}` (pkgs/README.md §2), read from the outlines of their current text (buffers
 * included). Answers which template of a chain defines a block, which ones override it, and
 * which templates extend a given one. Outlines are kept until the server says their file changed
 * (forget: a buffer edit, a change on disk), so a keystroke re-scans one file and a question
 * about thousands of templates reads none.
 *
 * Must not depend on: the executor, the store, the sandbox, the LSP library.
 */
import { outline, resolveTemplate, type BlockInfo, type Outline } from './template';
import type { Workspace } from './workspace';

/** A block as defined in one file of a chain. */
export interface BlockSite {
  file: string;
  block: BlockInfo;
}

/** The evaluator's nesting bound (ARCHITECTURE.md, "Bounds"): longer chains are not followed. */
const MAX_DEPTH = 64;

export class Family {
  private readonly outlines = new Map<string, Outline>();
  /** Resolved reference targets per outline (an outline object lives until its file changes). */
  private readonly resolved = new WeakMap<Outline, { kind: 'extends' | 'include'; path: string | undefined }[]>();

  constructor(private readonly ws: Workspace) {}

  /** The outline of a logical path's current text (empty when it does not exist). */
  outline(path: string): Outline {
    const hit = this.outlines.get(path);
    if (hit) return hit;
    const o = outline(this.ws.text(path) ?? '');
    this.outlines.set(path, o);
    return o;
  }

  /** `files` changed (or came, or went): their outlines are read again when asked. */
  forget(files: string[]): void {
    for (const f of files) {
      this.outlines.delete(f);
      // a directory (a watcher reports renames by directory): everything under it
      const dir = `${f}/`;
      for (const k of this.outlines.keys()) if (k.startsWith(dir)) this.outlines.delete(k);
    }
  }

  /** Anything may have changed (a change on disk without a path). */
  forgetAll(): void {
    this.outlines.clear();
  }

  /** The `{% extends %}` and `{% include %}` targets of `path`, resolved (undefined: unresolvable). */
  refs(path: string): { kind: 'extends' | 'include'; path: string | undefined }[] {
    const o = this.outline(path);
    let r = this.resolved.get(o);
    if (!r) {
      r = o.refs.map((x) => ({ kind: x.kind, path: resolveTemplate(path, x.name) }));
      this.resolved.set(o, r);
    }
    return r;
  }

  /** The parent template `path` extends, resolved, if it names one. */
  parent(path: string): string | undefined {
    return this.refs(path).find((r) => r.kind === 'extends')?.path;
  }

  /** [path, its parent, the parent's parent, ...], stopping at a loop or the nesting bound. */
  chain(path: string): string[] {
    const out = [path];
    let cur = path;
    for (let i = 0; i < MAX_DEPTH; i++) {
      const p = this.parent(cur);
      if (p === undefined || out.includes(p)) break;
      out.push(p);
      cur = p;
    }
    return out;
  }

  /** Blocks a file defines itself or through files it includes textually (with their file). */
  blocks(path: string, depth = 0): BlockSite[] {
    const o = this.outline(path);
    const own = o.blocks.map((block) => ({ file: path, block }));
    if (depth > 8) return own;
    for (const r of o.refs) {
      if (r.kind !== 'include' || r.name.endsWith('/base64')) continue;
      const inc = resolveTemplate(path, r.name);
      if (inc !== undefined) own.push(...this.blocks(inc, depth + 1));
    }
    return own;
  }

  /** Definitions of block `name` along the chain of `path`, nearest first. */
  definitions(path: string, name: string): BlockSite[] {
    return this.chain(path).flatMap((f) => this.blocks(f).filter((b) => b.block.name === name));
  }

  /** Every block name the ancestors of `path` define (what `path` may override), sorted. */
  inheritable(path: string): string[] {
    const names = new Set<string>();
    for (const f of this.chain(path).slice(1)) for (const b of this.blocks(f)) names.add(b.block.name);
    return [...names].sort();
  }

  /** Templates among `files` whose chain passes through `path` (excluding `path` itself). */
  descendants(path: string, files: string[]): string[] {
    return files.filter((f) => f !== path && this.chain(f).includes(path));
  }
}
