/**
 * The core's errors as the language server uses them: from the WIT `core-error` record's fields
 * (`fromRecord`), or, for a bare one-line message (engine/errors.ts `formatError`:
 * "file:line: detail (package a -> b)"), parsed back into the same parts, so a diagnostic goes at
 * its file and line and names the package chain. Messages without a file (an unknown package, a
 * cycle) are placed by `locate` at the selector that caused them.
 *
 * Must not depend on: Node, the engine's code, the LSP library.
 */
import type { Outline } from './template';

export interface CoreMessage {
  /** Logical recipe path, when the message names one. */
  file?: string;
  /** One-based line, when the message names one. */
  line?: number;
  detail: string;
  /** The package chain, outermost first ("bin/zstd", "lib/z"). */
  chain: string[];
  /** "did you mean X?" suggestions the core made. */
  suggestions: string[];
}

/** The fields of a `core-error` record (wasm/core.wit) as a message; the detail on one line. */
export function fromRecord(r: { detail: string; file?: string; line?: number; packages: string[]; suggestions: string[] }): CoreMessage {
  const out: CoreMessage = { detail: r.detail.replace(/\s*\n\s*/g, ' '), chain: [...r.packages], suggestions: [...r.suggestions] };
  if (r.file !== undefined) out.file = r.file;
  if (r.file !== undefined && r.line !== undefined) out.line = r.line;
  return out;
}

/** Splits a core message. Never throws; an unexpected form becomes a detail without a site. */
export function parseCoreMessage(message: string): CoreMessage {
  let rest = message.split('\n')[0];
  let chain: string[] = [];
  const pkg = / \(package ([^()]+)\)$/.exec(rest);
  if (pkg) {
    chain = pkg[1].split(' -> ').map((s) => s.trim()).filter(Boolean);
    rest = rest.slice(0, pkg.index);
  }
  const out: CoreMessage = { detail: rest, chain, suggestions: [] };
  const site = /^([^\s:]*[/.][^\s:]*?)(?::(\d+))?: /.exec(rest);
  if (site) {
    out.file = site[1];
    if (site[2] !== undefined) out.line = Number(site[2]);
    out.detail = rest.slice(site[0].length);
  }
  for (const m of out.detail.matchAll(/did you mean ([^?)]+)\?/g)) {
    out.suggestions.push(...m[1].split(/,\s*|\s+or\s+/).map((s) => s.replace(/['"]/g, '').trim()).filter(Boolean));
  }
  return out;
}

/** The package name a message is about, when it quotes one ("unknown package 'lib/zz'"). */
export function quotedPackage(detail: string): string | undefined {
  return /package '([^']+)'/.exec(detail)?.[1];
}

/**
 * Where in a template a message without a line belongs: the dependency selector it quotes, when
 * the outline has it (zero-based line and columns), else nothing.
 */
export function locate(msg: CoreMessage, o: Outline): { line: number; start: number; end: number } | undefined {
  const name = quotedPackage(msg.detail);
  if (name === undefined) return undefined;
  const dep = o.deps.find((d) => d.name === name || d.selector === name);
  return dep?.span;
}
