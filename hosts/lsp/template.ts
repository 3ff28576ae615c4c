/**
 * A textual outline of one recipe template, for editor features: its `{% block %}`s (name,
 * where the name is, the body's lines), `{% extends %}` / `{% include %}` targets, `super()` and
 * `self.NAME()` calls, and the package selectors written in dependency list blocks. It is a
 * tolerant scan of the text (a recipe mid-edit has unclosed tags): it never throws and never
 * decides what a template means; rendering and planning stay with the WASM core.
 *
 * Must not depend on: Node, the engine, the LSP library (plain data in, plain data out).
 */

/** A zero-based position range on one line (LSP style: `end` is exclusive). */
export interface Span {
  line: number;
  start: number;
  end: number;
}

export interface BlockInfo {
  name: string;
  /** Where the block's name is, in its `{% block NAME %}` tag. */
  nameSpan: Span;
  /** Line of the opening tag, and of the matching `{% endblock %}` (or the last line if unclosed). */
  startLine: number;
  endLine: number;
  /** The line and column right after the opening tag: where the body starts. */
  bodyLine: number;
  bodyCol: number;
}

export interface TemplateRef {
  kind: 'extends' | 'include';
  /** The name as written ('//die/c/make.sh', 't/ix.sh', 'file/base64'). */
  name: string;
  /** Span of the name inside the quotes. */
  span: Span;
}

export interface DepRef {
  /** The block the selector is written in (lib_deps, bld_tool...). */
  block: string;
  /** Package name without parameters ("lib/z"). */
  name: string;
  /** The whole selector as written ("lib/z(kind=lib)"). */
  selector: string;
  /** Span of the name part. */
  span: Span;
}

export interface CallRef {
  kind: 'super' | 'self';
  /** For `self.NAME()`: NAME; for `super()`: the enclosing block's name ('' outside any block). */
  name: string;
  span: Span;
}

export interface Outline {
  blocks: BlockInfo[];
  refs: TemplateRef[];
  deps: DepRef[];
  calls: CallRef[];
}

/** The list blocks whose words are package selectors (pkgs/README.md, "List blocks"). */
export const DEP_BLOCKS = new Set(['bld_tool', 'bld_libs', 'lib_deps', 'host_libs', 'bld_data', 'run_deps', 'run_data', 'ind_deps']);

const TAG = /\{%-?\s*(\w+)\s*([^%]*?)\s*-?%\}/g;
const CALL = /\bsuper\s*\(\s*\)|\bself\.([A-Za-z_]\w*)\s*\(/g;

/** Line starts of `text`, for offset → (line, column). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function locate(starts: number[], offset: number): { line: number; col: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, col: offset - starts[lo] };
}

/** Scans a template's text. Tolerant of anything: unknown or broken tags are skipped. */
export function outline(text: string): Outline {
  const starts = lineStarts(text);
  const blocks: BlockInfo[] = [];
  const refs: TemplateRef[] = [];
  const deps: DepRef[] = [];
  const calls: CallRef[] = [];
  const open: { info: BlockInfo; bodyOffset: number }[] = [];
  const span = (offset: number, length: number): Span => {
    const p = locate(starts, offset);
    return { line: p.line, start: p.col, end: p.col + length };
  };
  // comments hide their tags: blank them out, keeping offsets
  const scan = text.replace(/\{#[\s\S]*?(#\}|$)/g, (m) => m.replace(/[^\n]/g, ' '));
  const tags: { kw: string; arg: string; offset: number; end: number; argOffset: number }[] = [];
  for (const m of scan.matchAll(TAG)) {
    const argOffset = m.index + m[0].indexOf(m[2], m[0].indexOf(m[1]) + m[1].length);
    tags.push({ kw: m[1], arg: m[2], offset: m.index, end: m.index + m[0].length, argOffset });
  }
  const closeBlock = (endOffset: number, bodyEnd: number) => {
    const top = open.pop();
    if (!top) return;
    top.info.endLine = locate(starts, endOffset).line;
    if (DEP_BLOCKS.has(top.info.name)) scanDeps(top.info.name, top.bodyOffset, bodyEnd);
  };
  const scanDeps = (block: string, from: number, to: number) => {
    const body = scan.slice(from, to);
    // words of the body outside template tags and `#` comment lines
    let offset = from;
    for (const line of body.split('\n')) {
      if (!/^\s*#/.test(line)) {
        const cleaned = line.replace(/\{[{%][\s\S]*?[}%]\}/g, (m) => ' '.repeat(m.length));
        for (const w of cleaned.matchAll(/\S+/g)) {
          const word = w[0];
          if (!/^[A-Za-z0-9_+.-]+\/[A-Za-z0-9_+./-]*(\(.*\))?$/.test(word)) continue;
          const name = word.replace(/\(.*$/, '');
          deps.push({ block, name, selector: word, span: span(offset + w.index, name.length) });
        }
      }
      offset += line.length + 1;
    }
  };
  for (const t of tags) {
    if (t.kw === 'block') {
      const nm = /^[A-Za-z_]\w*/.exec(t.arg);
      if (!nm) continue;
      const p = locate(starts, t.end);
      const info: BlockInfo = {
        name: nm[0], nameSpan: span(t.argOffset, nm[0].length),
        startLine: locate(starts, t.offset).line, endLine: starts.length - 1, bodyLine: p.line, bodyCol: p.col,
      };
      blocks.push(info);
      open.push({ info, bodyOffset: t.end });
    } else if (t.kw === 'endblock') {
      closeBlock(t.end, t.offset);
    } else if (t.kw === 'extends' || t.kw === 'include') {
      const q = /^(['"])([^'"]*)\1?/.exec(t.arg);
      if (q) refs.push({ kind: t.kw, name: q[2], span: span(t.argOffset + 1, q[2].length) });
    }
  }
  while (open.length) closeBlock(text.length, text.length);
  for (const m of scan.matchAll(CALL)) {
    const sp = span(m.index, m[0].length);
    if (m[1] !== undefined) {
      calls.push({ kind: 'self', name: m[1], span: { ...sp, start: sp.start + 5, end: sp.start + 5 + m[1].length } });
    } else {
      calls.push({ kind: 'super', name: enclosingBlock(blocks, sp.line)?.name ?? '', span: { ...sp, end: sp.start + 5 } });
    }
  }
  return { blocks, refs, deps, calls };
}

/** The innermost block whose lines contain `line`. */
export function enclosingBlock(blocks: BlockInfo[], line: number): BlockInfo | undefined {
  let best: BlockInfo | undefined;
  for (const b of blocks) {
    if (b.startLine <= line && line <= b.endLine && (!best || b.startLine >= best.startLine)) best = b;
  }
  return best;
}

/** Resolves a template name as the loader does (pkgs/README.md §2): `//x` from the root, else relative. */
export function resolveTemplate(from: string, name: string): string | undefined {
  const raw = name.startsWith('//') ? name.slice(2) : `${from.includes('/') ? from.slice(0, from.lastIndexOf('/') + 1) : ''}${name}`;
  const out: string[] = [];
  for (const seg of raw.replace(/\/base64$/, '').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (!out.length) return undefined;
      out.pop();
    } else out.push(seg);
  }
  return out.length ? out.join('/') : undefined;
}

/** True when `pos` (line, character) lies inside `s` (end inclusive, so a cursor after a word counts). */
export function within(s: Span, line: number, character: number): boolean {
  return s.line === line && s.start <= character && character <= s.end;
}
