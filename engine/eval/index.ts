/**
 * The recipe evaluator (pkgs/README.md §2-3): renders one package's template chain with its
 * render context and returns the exact text, the parsed and normalised descriptor and the
 * logical files it read. All file access goes through HostIO; evaluation is bounded in nesting
 * depth, output size and loop iterations, so no recipe can run forever or exhaust memory.
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import * as nj from 'nunjucks/browser/nunjucks.js';
import type { Flags, HostIO } from '../api';
import type { Descriptor } from '../descriptor';
import { IxError } from '../errors';
import type { ArchRecord } from '../targets';
import type { FullBootEnv } from './boot-env';
import { compiled } from './compile';
import { renderContext } from './context';
import { resolveName, SourceLoader } from './loader';
import type { Source, SourceCache } from './loader';
import { normaliseDescriptor, parseDescriptorJson } from './normalise';
import { IxContext, ixRuntime, env, setTemplateLoader, type LoadedTemplate, type RenderFn } from './runtime';
import { DEFAULT_LIMITS, current, install, type EvalLimits, type EvalState } from './state';

export type { EvalLimits } from './state';
export { DEFAULT_LIMITS } from './state';
export { storeName, defaultKind, uniqId } from './names';
export { clearCompiled, compileStats } from './compile';
export { bootEnv, DEFAULT_BOOT_ENV } from './boot-env';
export type { BootEnv, FullBootEnv } from './boot-env';

export interface RenderInput {
  /** Package name, "bin/zstd" (no /ix.sh). */
  name: string;
  /** Flags; already contains kind and target. */
  flags: Flags;
  host: ArchRecord;
  target: ArchRecord;
  /** The build host as bootstrap recipes see it; default DEFAULT_BOOT_ENV. */
  boot?: FullBootEnv;
  /** Expanded sources shared across the renders of one plan (loader.ts SourceCache). */
  sources?: SourceCache;
  /** IX's `intro(selector)`: another package as the planner sees it ({uid}); absent: an error. */
  intro?: (selector: string) => Record<string, unknown>;
}

export interface Rendered {
  /** Exact text the chain rendered, after the 3-newline post-pass. */
  text: string;
  /** Parsed and normalised, defaults filled. */
  descriptor: Descriptor;
  /** Logical paths read, sorted, deduplicated. */
  files: string[];
  /** Context names looked up (found or not), sorted, deduplicated. */
  names: string[];
}

/** Collapse every run of three newlines to two, repeatedly (IX's whole-file post-pass). */
export function collapseNewlines(s: string): string {
  let prev: string;
  let cur = s;
  do {
    prev = cur;
    cur = cur.replace(/\n\n\n/g, '\n\n');
  } while (cur !== prev);
  return cur;
}

/** What Jinja2's lexer does to a source first: newlines normalised, one trailing newline dropped. */
export function jinjaSource(text: string): string {
  const t = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  return t.endsWith('\n') ? t.slice(0, -1) : t;
}

/**
 * Compiled functions per expanded source. A source shared by the renders of one plan (loader.ts
 * SourceCache) is looked up here by identity, instead of by its whole text in compile.ts' memo:
 * hashing a template's text again for every package that loads it cost seconds on a whole tree.
 */
const compiledOf = new WeakMap<Source, { props: Record<string, RenderFn>; blocks: Record<string, RenderFn> }>();

function loadTemplate(path: string): LoadedTemplate {
  const st = current();
  const src = st.loader.load(path);
  st.sources.set(path, src);
  let c = compiledOf.get(src);
  if (c === undefined) {
    const site = (line: number) => (line >= 0 && line < src.files.length ? { file: src.files[line], line: src.lines[line] } : { file: path });
    const p = compiled(st.io, jinjaSource(src.text), path, site);
    const b: Record<string, RenderFn> = {};
    for (const k of Object.keys(p)) if (k.startsWith('b_')) b[k.slice(2)] = p[k];
    c = { props: p, blocks: b };
    compiledOf.set(src, c);
  }
  const { props, blocks } = c;
  return {
    path,
    blocks,
    rootRenderFunc: props.root,
    render(vars, frame, cb) {
      const s = current();
      if (s.depth >= s.limits.maxDepth) throw new IxError(`evaluation of ${s.pkg} exceeded nesting depth ${s.limits.maxDepth}`);
      s.depth++;
      try {
        const f = frame ? frame.push(true) : new nj.runtime.Frame();
        f.topLevel = true;
        props.root(env, new IxContext(vars, blocks), f, ixRuntime, cb);
      } finally {
        s.depth--;
      }
    },
  };
}

setTemplateLoader((name, from, isExtends) => {
  const st = current();
  const path = resolveName(name, from);
  if (isExtends) {
    if (st.chain.includes(path)) throw new IxError(`extends cycle: ${[...st.chain, path].join(' -> ')}`);
    if (st.chain.length >= st.limits.maxDepth) throw new IxError(`evaluation of ${st.pkg} exceeded nesting depth ${st.limits.maxDepth} (extends chain)`);
    st.chain.push(path);
  }
  return loadTemplate(path);
});

/** Render package `input.name` (its `<name>/ix.sh`) to text and descriptor. Errors are IxErrors. */
export function renderPackage(io: HostIO, input: RenderInput, limits?: Partial<EvalLimits>): Rendered {
  const r = renderText(io, input, limits);
  const descriptor = normaliseDescriptor(parseDescriptorJson(r.text, input.name), input.name);
  return { text: r.text, descriptor, files: r.files, names: r.names };
}

/** Render the chain's text only (after the newline post-pass), without reading it as JSON. */
export function renderText(io: HostIO, input: RenderInput, limits?: Partial<EvalLimits>): { text: string; files: string[]; names: string[] } {
  const lim: EvalLimits = { ...DEFAULT_LIMITS, ...limits };
  const pkg = input.name;
  const rootPath = `${pkg}/ix.sh`;
  const st: EvalState = {
    pkg,
    io,
    limits: lim,
    loader: new SourceLoader(io, lim.maxDepth, lim.maxOutput, input.sources),
    sources: new Map(),
    loops: 0,
    emitted: 0,
    depth: 0,
    chain: [rootPath],
    names: new Set(),
  };
  const prev = install(st);
  try {
    let text = '';
    try {
      if (st.loader.readText(rootPath) === undefined) throw new IxError(`unknown package '${pkg}': no ${rootPath} in any recipe root`);
      const root = loadTemplate(rootPath);
      const context = new IxContext(renderContext(input), root.blocks);
      const frame = new nj.runtime.Frame();
      frame.topLevel = true;
      let failure: unknown;
      root.rootRenderFunc(env, context, frame, ixRuntime, (err, res) => {
        if (err) failure = err;
        else text = res as string;
      });
      if (failure !== undefined) throw failure;
    } catch (e) {
      if (e instanceof IxError) throw e.within({ pkg });
      if (e instanceof RangeError) throw new IxError(`evaluation of ${pkg} recursed too deeply`, { pkg });
      throw e;
    }
    text = collapseNewlines(text);
    if (text.length > lim.maxOutput) throw new IxError(`evaluation of ${pkg} exceeded ${lim.maxOutput} bytes of output`, { pkg });
    return { text, files: [...st.loader.filesRead].sort(), names: [...st.names].sort() };
  } finally {
    install(prev);
  }
}
