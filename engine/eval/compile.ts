/**
 * Template compilation: nunjucks' parser and code generator with Jinja2's trim_blocks and
 * lstrip_blocks, as adjusted by jinja-compat.ts.
 * Compiled JS is cached in memory (across evaluations) and through HostIO.cacheGet/cachePut
 * under `tpl1-<hex of compiler tag + path + preprocessed source>`; the entry is text starting
 * with a version line. The path is part of the key because relative extends names resolve
 * against it at run time.
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import * as nj from 'nunjucks/browser/nunjucks.js';
import type { HostIO } from '../api';
import { IxError } from '../errors';
import { toHex } from '../hash/index';
import { hostTextDigest } from '../host-digest';
import { decodeUtf8 } from './textio';
import { portableMessage } from './runtime';
import { checkNesting } from './nesting';
import './jinja-compat';
import type { RenderFn } from './runtime';

/** Changes whenever the generated code changes (the patches below, nunjucks version, options). */
export const COMPILER_TAG = 'ix-nunjucks-3.2.4-c13 trim_blocks lstrip_blocks';
const ENTRY_HEADER = '// ix compiled template v1\n';
const OPTIONS = { trimBlocks: true, lstripBlocks: true, autoescape: false, throwOnUndefined: false };

// ---- compile + caches ----------------------------------------------------------------------

/** What a compiled template module returns: root and one function per block (`b_<name>`). */
export type CompiledProps = Record<string, RenderFn>;

const memo = new Map<string, CompiledProps>();
const MEMO_MAX = 50_000;

/** Statistics for tests and benchmarks. */
export const compileStats = { compiled: 0, hostHits: 0, memoHits: 0 };

function instantiate(js: string): CompiledProps {
  return new Function(js)() as CompiledProps;
}

/** Compile template source to JS; syntax errors become IxErrors at the 1-based template line. */
export function compileToJs(text: string, path: string, site: (line: number) => { file?: string; line?: number }): string {
  // before nunjucks' recursive descent can exhaust the stack
  const deep = checkNesting(text);
  if (deep) throw new IxError(deep.message, site(deep.line - 1));
  try {
    return nj.compiler.compile(text, [], [], path, OPTIONS);
  } catch (e) {
    const err = e as { message?: string; lineno?: number };
    const where = typeof err.lineno === 'number' && err.lineno > 0 ? site(err.lineno - 1) : { file: path };
    throw new IxError(`template syntax error: ${portableMessage(e)}`, where);
  }
}

/** Compiled functions of a preprocessed template, from memory, the host cache, or the compiler. */
export function compiled(io: HostIO, text: string, path: string, site: (line: number) => { file?: string; line?: number }): CompiledProps {
  const mkey = path + '\0' + text;
  const hit = memo.get(mkey);
  if (hit !== undefined) {
    compileStats.memoHits++;
    return hit;
  }
  let props: CompiledProps | undefined;
  let key: string | undefined;
  if (io.cacheGet !== undefined || io.cachePut !== undefined) {
    key = 'tpl1-' + toHex(hostTextDigest(io)(`${COMPILER_TAG}\n${path}\n${text}`));
  }
  if (key !== undefined && io.cacheGet !== undefined) {
    const bytes = io.cacheGet(key);
    if (bytes !== undefined) {
      try {
        const entry = decodeUtf8(bytes);
        if (entry.startsWith(ENTRY_HEADER)) {
          props = instantiate(entry.slice(ENTRY_HEADER.length));
          compileStats.hostHits++;
        }
      } catch {
        props = undefined;
      }
    }
  }
  if (props === undefined) {
    const js = compileToJs(text, path, site);
    compileStats.compiled++;
    props = instantiate(js);
    if (key !== undefined && io.cachePut !== undefined) io.cachePut(key, ENTRY_HEADER + js);
  }
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(mkey, props);
  return props;
}

/** Forget the in-memory compiled templates (tests, long-lived hosts after recipe edits are fine without). */
export function clearCompiled(): void {
  memo.clear();
}
