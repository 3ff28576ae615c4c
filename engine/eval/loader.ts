/**
 * Template loading over HostIO (pkgs/README.md §2): name resolution (`//x` from the recipe root,
 * other names from the directory of the naming template), and the textual include pass that
 * runs before parsing: a line whose first token is `{% include '<f>' %}` is replaced by the
 * whitespace-stripped, itself expanded, text of <f>; `<f>/base64` inlines base64 of that text.
 * Every output line remembers the file and line it came from, for error messages.
 *
 * Must not depend on: Node, host modules, nunjucks.
 */
import type { HostIO } from '../api';
import { IxError } from '../errors';
import { base64Encode, decodeUtf8, encodeUtf8, Utf8Error } from './textio';

/** Preprocessed text and, per output line (0-based), the logical file and 1-based line. */
export interface Source {
  path: string;
  text: string;
  files: string[];
  lines: number[];
  /** Every logical file read to produce it (itself and what it includes, transitively). */
  deps: string[];
}

/**
 * Expanded sources shared by the evaluations of one plan (a template included by every package
 * is expanded once, not once per package). Whoever creates it decides its lifetime: one plan
 * call sees one snapshot of the recipe tree.
 */
export type SourceCache = Map<string, Source>;

/** Resolve `name` as written in template `from` to a clean logical path (no leading `//`). */
export function resolveName(name: string, from: string | undefined): string {
  let joined: string;
  if (name.startsWith('//')) joined = name.slice(2);
  else {
    const slash = from === undefined ? -1 : from.lastIndexOf('/');
    joined = slash < 0 ? name : `${from!.slice(0, slash)}/${name}`;
  }
  const out: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) throw new IxError(`template name '${name}' escapes the recipe root`);
      out.pop();
    } else out.push(part);
  }
  if (out.length === 0) throw new IxError(`empty template name '${name}'`);
  return out.join('/');
}

/** Target of an include line, or undefined when the line is not one (first quoted word). */
export function includeTarget(line: string): string | undefined {
  const t = line.trim();
  if (!t.startsWith('{% include') && !t.startsWith('{%- include')) return undefined;
  const m = /['"]([^'"]*)['"]/.exec(t);
  return m ? m[1] : undefined;
}

/** Per-evaluation loader state: read cache, files read, bounds. */
export class SourceLoader {
  private readonly cache = new Map<string, Source>();
  private readonly texts = new Map<string, string | undefined>();
  readonly filesRead = new Set<string>();

  constructor(
    private readonly io: HostIO,
    private readonly maxDepth: number,
    private readonly maxBytes: number,
    private readonly shared?: SourceCache,
  ) {}

  /** Raw text of a logical file, or undefined when no root has it. */
  readText(path: string): string | undefined {
    if (this.texts.has(path)) return this.texts.get(path);
    const bytes = this.io.readFile(path);
    let text: string | undefined;
    if (bytes !== undefined) {
      this.filesRead.add(path);
      try {
        text = decodeUtf8(bytes);
      } catch (e) {
        throw new IxError(e instanceof Utf8Error ? e.message : 'file is not valid UTF-8', { file: path });
      }
    }
    this.texts.set(path, text);
    return text;
  }

  /** The preprocessed source of `path` (includes expanded), or an IxError if missing. */
  load(path: string): Source {
    return this.loadAt(path, []);
  }

  private loadAt(path: string, stack: string[]): Source {
    const hit = this.cache.get(path);
    if (hit !== undefined) return hit;
    const skey = `${this.maxDepth}\0${this.maxBytes}\0${path}`;
    const shared = this.shared?.get(skey);
    if (shared !== undefined) {
      for (const d of shared.deps) this.filesRead.add(d);
      this.cache.set(path, shared);
      return shared;
    }
    if (stack.includes(path)) throw new IxError(`include cycle: ${[...stack, path].join(' -> ')}`);
    if (stack.length >= this.maxDepth) throw new IxError(`includes nested deeper than ${this.maxDepth}`);
    let src: Source;
    if (path.endsWith('/base64')) {
      const inner = this.loadAt(path.slice(0, -7), [...stack, path]);
      src = { path, text: base64Encode(encodeUtf8(inner.text)), files: [path], lines: [1], deps: inner.deps };
    } else {
      const text = this.readText(path);
      if (text === undefined) throw new IxError(`template '${path}' not found`);
      src = this.expand(path, text, [...stack, path]);
    }
    if (src.text.length > this.maxBytes) throw new IxError(`template '${path}' expands to more than ${this.maxBytes} bytes`);
    this.cache.set(path, src);
    this.shared?.set(skey, src);
    return src;
  }

  private expand(path: string, text: string, stack: string[]): Source {
    const outText: string[] = [];
    const files: string[] = [];
    const lines: number[] = [];
    const deps = new Set<string>([path]);
    let size = 0;
    const raw = text.split('\n');
    for (let i = 0; i < raw.length; i++) {
      const target = includeTarget(raw[i]);
      if (target === undefined) {
        outText.push(raw[i]);
        files.push(path);
        lines.push(i + 1);
        size += raw[i].length + 1;
        continue;
      }
      let inc: Source;
      try {
        inc = this.loadAt(resolveName(target, path), stack);
      } catch (e) {
        if (e instanceof IxError && e.site.file === undefined) throw e.within({ file: path, line: i + 1 });
        throw e;
      }
      for (const d of inc.deps) deps.add(d);
      const stripped = stripWithMap(inc);
      if (stripped.text === '') {
        outText.push('');
        files.push(path);
        lines.push(i + 1);
      } else {
        outText.push(stripped.text);
        files.push(...stripped.files);
        lines.push(...stripped.lines);
      }
      size += stripped.text.length + 1;
      if (size > this.maxBytes) throw new IxError(`template '${path}' expands to more than ${this.maxBytes} bytes`);
    }
    return { path, text: outText.join('\n'), files, lines, deps: [...deps] };
  }
}

/** Python's str.strip() of a source, keeping the line map aligned. */
function stripWithMap(src: Source): { text: string; files: string[]; lines: number[] } {
  const lead = /^\s*/.exec(src.text)![0];
  const text = src.text.trim();
  const skip = countNewlines(lead);
  const n = text === '' ? 0 : countNewlines(text) + 1;
  return { text, files: src.files.slice(skip, skip + n), lines: src.lines.slice(skip, skip + n) };
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
