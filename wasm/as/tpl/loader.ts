/**
 * Template loading over the host (engine/eval/loader.ts): name resolution (`//x` from the recipe
 * root, other names from the directory of the naming template) and the textual include pass
 * that runs before parsing: a line whose first token is `{% include '<f>' %}` is replaced by
 * the whitespace-stripped, itself expanded, text of <f>; `<f>/base64` inlines base64 of that
 * text. Every output line remembers the file and line it came from, for error messages.
 *
 * Must not depend on: rt, plan, abi.
 */
import { IxErr, isJsSpace } from '../errors';
import * as host from '../host';
import { base64Encode, decodeUtf8, encodeUtf8 } from './textio';
import { Template } from './compile';
import { keepSource, keepText, keptSource, keptText, Text } from './kept';

/**
 * Preprocessed text and, per output line (0-based), the logical file and 1-based line. Files are
 * kept as indexes into `names` (a source lives for a whole plan: no per-line strings to trace).
 */
export class Source {
  path: string;
  text: string;
  names: Array<string>;
  fidx: Array<i32>;
  lines: Array<i32>;
  /** Every logical file read to produce it (itself and what it includes, transitively). */
  deps: Array<string>;
  /** Its compiled template, once compiled (a source shared by a plan's renders is compiled once). */
  compiled: Template | null = null;
  /** Files on its longest include chain, itself included (1: it includes nothing). */
  height: i32 = 1;
  constructor(path: string, text: string, names: Array<string>, fidx: Array<i32>, lines: Array<i32>, deps: Array<string>) {
    this.path = path; this.text = text; this.names = names; this.fidx = fidx; this.lines = lines; this.deps = deps;
  }
  @inline get count(): i32 { return this.lines.length; }
  @inline fileAt(k: i32): string { return this.names[this.fidx[k]]; }
}

/** The index of `name` in `names`, appended when absent (few distinct files per source). */
function nameIndex(names: Array<string>, name: string): i32 {
  for (let i = 0; i < names.length; i++) if (names[i] == name) return i;
  names.push(name);
  return names.length - 1;
}

/**
 * Expanded sources shared by the renders of one plan (one snapshot of the recipe tree), by path;
 * valid for the bounds of the loader that filled it first (another loader does not share it).
 */
export class SourceCache {
  map: Map<string, Source> = new Map<string, Source>();
  maxDepth: i32 = -1;
  maxBytes: i32 = -1;
}

/** A resolved name, or an error. */
export class Resolved {
  path: string = '';
  err: IxErr | null = null;
}

/**
 * Clean paths by the template they are written in and by name (resolution is text only): a
 * whole tree's renders resolve the same few hundred extends/include names tens of thousands of
 * times. Errors are not kept (their callers may fill in a place).
 */
const resolvedIn = new Map<string, Map<string, Resolved>>();

/** Resolve `name` as written in template `from` (null: none) to a clean logical path. */
export function resolveName(name: string, from: string | null): Resolved {
  const fk = from === null ? '\0' : from;
  let m: Map<string, Resolved>;
  if (resolvedIn.has(fk)) {
    m = resolvedIn.get(fk);
    if (m.has(name)) return m.get(name);
  } else {
    m = new Map<string, Resolved>();
    resolvedIn.set(fk, m);
  }
  const r = resolveUncached(name, from);
  if (r.err === null) m.set(name, r);
  return r;
}

function resolveUncached(name: string, from: string | null): Resolved {
  const r = new Resolved();
  let joined: string;
  if (name.startsWith('//')) joined = name.substring(2);
  else {
    const slash = from === null ? -1 : from.lastIndexOf('/');
    joined = slash < 0 ? name : from!.substring(0, slash) + '/' + name;
  }
  const out = new Array<string>();
  const parts = joined.split('/');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part == '' || part == '.') continue;
    if (part == '..') {
      if (out.length == 0) { r.err = new IxErr("template name '" + name + "' escapes the recipe root"); return r; }
      out.pop();
    } else out.push(part);
  }
  if (out.length == 0) { r.err = new IxErr("empty template name '" + name + "'"); return r; }
  r.path = out.join('/');
  return r;
}

function jsTrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isJsSpace(s.charCodeAt(a))) a++;
  while (b > a && isJsSpace(s.charCodeAt(b - 1))) b--;
  return a == 0 && b == s.length ? s : s.substring(a, b);
}

/** Target of an include line, or null when the line is not one (first quoted word). */
export function includeTarget(line: string): string | null {
  // cheap pre-check: an include line has `{%` as its first non-space characters
  let i = 0;
  while (i < line.length && isJsSpace(line.charCodeAt(i))) i++;
  if (i + 1 >= line.length || line.charCodeAt(i) != 123 || line.charCodeAt(i + 1) != 37) return null;
  const t = jsTrim(line);
  if (!t.startsWith('{% include') && !t.startsWith('{%- include')) return null;
  let q = -1;
  for (let k = 0; k < t.length; k++) { const c = t.charCodeAt(k); if (c == 39 || c == 34) { q = k; break; } }
  if (q < 0) return null;
  for (let k = q + 1; k < t.length; k++) { const c = t.charCodeAt(k); if (c == 39 || c == 34) return t.substring(q + 1, k); }
  return null;
}

/** A source, or an error. */
export class Loaded {
  src: Source | null = null;
  err: IxErr | null = null;
}

/** Per-evaluation loader state: read cache, files read, bounds. */
export class SourceLoader {
  cache: Map<string, Source> = new Map<string, Source>();
  texts: Map<string, Text> = new Map<string, Text>();
  filesRead: Set<string> = new Set<string>();
  maxDepth: i32;
  maxBytes: i32;
  shared: SourceCache | null;

  constructor(maxDepth: i32, maxBytes: i32, shared: SourceCache | null) {
    this.maxDepth = maxDepth; this.maxBytes = maxBytes;
    if (shared !== null && shared.maxDepth < 0) { shared.maxDepth = maxDepth; shared.maxBytes = maxBytes; }
    this.shared = shared !== null && shared.maxDepth == maxDepth && shared.maxBytes == maxBytes ? shared : null;
  }

  /** Whether a file exists (reads and remembers it, counted as read); an error for invalid UTF-8. */
  readText(path: string): Text {
    const t = this.peekText(path);
    if (!t.missing) this.filesRead.add(path);
    return t;
  }

  /** readText without counting the file as read (checking a kept source reads ahead). */
  private peekText(path: string): Text {
    if (this.texts.has(path)) return this.texts.get(path);
    let t = new Text();
    const bytes = host.readFile(path);
    if (bytes === null) {
      // a recipe mount decides this path but cannot serve it: its error, not a missing file
      const fault = host.readFault();
      if (fault !== null) t.err = fault;
      else t.missing = true;
    } else {
      const k = keptText(path, bytes);
      if (k !== null) t = k;
      else {
        const d = decodeUtf8(bytes);
        if (d.bad >= 0) {
          const e = new IxErr('invalid UTF-8 at byte ' + d.bad.toString());
          e.file = path;
          t.err = e;
        } else {
          t.text = d.text;
          keepText(path, bytes, t);
        }
      }
    }
    this.texts.set(path, t);
    return t;
  }

  /**
   * The source kept from an earlier request when a fresh expansion at this stack would give it:
   * every file it was made from reads as the same text, none is on the stack (no cycle), and its
   * include height fits the nesting bound. Counts its files as read.
   */
  private reuse(path: string, stack: Array<string>): Source | null {
    const k = keptSource(path, this.maxDepth, this.maxBytes);
    if (k === null) return null;
    const s = k.src;
    if (stack.length + s.height > this.maxDepth) return null;
    for (let i = 0; i < s.deps.length; i++) {
      if (stack.includes(s.deps[i])) return null;
      if (this.peekText(s.deps[i]) !== k.texts[i]) return null;
    }
    for (let i = 0; i < s.deps.length; i++) this.filesRead.add(s.deps[i]);
    return s;
  }

  /** Keep a fresh expansion for later requests when this loader read every file it was made from. */
  private keep(path: string, src: Source): void {
    const deps = new Array<Text>(src.deps.length);
    for (let i = 0; i < src.deps.length; i++) {
      const d = src.deps[i];
      if (!this.texts.has(d)) return; // expanded from a source another render of the plan read
      deps[i] = this.texts.get(d);
    }
    keepSource(path, src, deps, this.maxDepth, this.maxBytes);
  }

  /** Whether `path` exists; its UTF-8 error if it cannot be read. */
  exists(path: string): Loaded {
    const r = new Loaded();
    // a source this plan already expanded from the file itself (not a base64 view of another):
    // the file was read and valid in this snapshot; no second read and decode of it per render
    const sh = this.shared;
    if (sh !== null && sh.map.has(path) && !path.endsWith('/base64')) {
      this.filesRead.add(path);
      r.src = sh.map.get(path);
      return r;
    }
    const t = this.readText(path);
    if (t.err !== null) r.err = t.err;
    else if (!t.missing) r.src = new Source(path, t.text, [], [], [], []);
    return r;
  }

  /** The preprocessed source of `path` (includes expanded), or an error. */
  load(path: string): Loaded {
    return this.loadAt(path, []);
  }

  private loadAt(path: string, stack: Array<string>): Loaded {
    const r = new Loaded();
    if (this.cache.has(path)) { r.src = this.cache.get(path); return r; }
    const sh = this.shared;
    if (sh !== null && sh.map.has(path)) {
      const s = sh.map.get(path);
      for (let i = 0; i < s.deps.length; i++) this.filesRead.add(s.deps[i]);
      this.cache.set(path, s);
      r.src = s;
      return r;
    }
    const kept = this.reuse(path, stack);
    if (kept !== null) {
      this.cache.set(path, kept);
      if (sh !== null) sh.map.set(path, kept);
      r.src = kept;
      return r;
    }
    if (stack.includes(path)) {
      r.err = new IxErr('include cycle: ' + stack.join(' -> ') + ' -> ' + path);
      return r;
    }
    if (stack.length >= this.maxDepth) { r.err = new IxErr('includes nested deeper than ' + this.maxDepth.toString()); return r; }
    const st2 = stack.slice(0);
    st2.push(path);
    let src: Source;
    if (path.endsWith('/base64')) {
      const inner = this.loadAt(path.substring(0, path.length - 7), st2);
      if (inner.err !== null) return inner;
      const i = inner.src!;
      src = new Source(path, base64Encode(encodeUtf8(i.text)), [path], [0], [1], i.deps);
      src.height = 1 + i.height;
    } else {
      const t = this.readText(path);
      if (t.err !== null) { r.err = t.err; return r; }
      if (t.missing) { r.err = new IxErr("template '" + path + "' not found"); return r; }
      const e = this.expand(path, t.text, st2);
      if (e.err !== null) return e;
      src = e.src!;
    }
    if (src.text.length > this.maxBytes) {
      r.err = new IxErr("template '" + path + "' expands to more than " + this.maxBytes.toString() + ' bytes');
      return r;
    }
    this.cache.set(path, src);
    if (sh !== null) sh.map.set(path, src);
    this.keep(path, src);
    r.src = src;
    return r;
  }

  private expand(path: string, text: string, stack: Array<string>): Loaded {
    const r = new Loaded();
    const outText = new Array<string>();
    const names = new Array<string>();
    names.push(path);
    const fidx = new Array<i32>();
    const lines = new Array<i32>();
    const deps = new Array<string>();
    const depSet = new Set<string>();
    deps.push(path); depSet.add(path);
    let size = 0;
    let height = 1;
    const raw = text.split('\n');
    for (let i = 0; i < raw.length; i++) {
      const target = includeTarget(raw[i]);
      if (target === null) {
        outText.push(raw[i]);
        fidx.push(0);
        lines.push(i + 1);
        size += raw[i].length + 1;
        continue;
      }
      const res = resolveName(target, path);
      let inc: Source;
      if (res.err !== null) { r.err = res.err!.within(path, i + 1, null); return r; }
      const l = this.loadAt(res.path, stack);
      if (l.err !== null) { r.err = l.err!.within(path, i + 1, null); return r; }
      inc = l.src!;
      if (inc.height + 1 > height) height = inc.height + 1;
      for (let k = 0; k < inc.deps.length; k++) if (!depSet.has(inc.deps[k])) { depSet.add(inc.deps[k]); deps.push(inc.deps[k]); }
      // Python's str.strip() of the included text (JS whitespace), keeping the line map aligned
      const t = inc.text;
      let a = 0;
      let skip = 0;
      while (a < t.length && isJsSpace(t.charCodeAt(a))) { if (t.charCodeAt(a) == 10) skip++; a++; }
      let b = t.length;
      while (b > a && isJsSpace(t.charCodeAt(b - 1))) b--;
      const stripped = t.substring(a, b);
      if (stripped == '') {
        outText.push('');
        fidx.push(0);
        lines.push(i + 1);
      } else {
        outText.push(stripped);
        let n = 1;
        for (let k = 0; k < stripped.length; k++) if (stripped.charCodeAt(k) == 10) n++;
        for (let k = skip; k < skip + n && k < inc.count; k++) { fidx.push(nameIndex(names, inc.fileAt(k))); lines.push(inc.lines[k]); }
      }
      size += stripped.length + 1;
      if (size > this.maxBytes) { r.err = new IxErr("template '" + path + "' expands to more than " + this.maxBytes.toString() + ' bytes'); return r; }
    }
    const src = new Source(path, outText.join('\n'), names, fidx, lines, deps);
    src.height = height;
    r.src = src;
    return r;
  }
}
