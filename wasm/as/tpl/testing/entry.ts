/**
 * A test entry over tpl's renderText for raw-module tests (test/core-tpl.test.ts): the test
 * answers the host's read-file from an in-memory tree; a render's answer is one string.
 *
 * Must not depend on: plan (tests tpl alone).
 */
import { renderText, RenderInput, archRecord } from '../index';
import { canonicalFields } from '../targets';
import { SourceCache } from '../loader';

/** A raw block for a host answering the canonical-ABI read-file import (freed by the core's lifting). */
export function testAlloc(size: usize): usize {
  return __alloc(size);
}

const shared = new SourceCache();

/**
 * Render `name` for `target` with flags "k\u0000v\u0000..." (sorted by key). The answer:
 * "T<text>" or "E<one-line error>", then "\u0001" and the files read joined by "\u0002",
 * then "\u0001" and the names read (sorted) joined by "\u0002".
 */
export function render(name: string, target: string, flags: string, share: bool): string {
  const inp = new RenderInput();
  inp.name = name;
  inp.target = target;
  inp.host = 'linux-x86_64';
  inp.flags = flags.length > 0 ? flags.split('\u0000') : new Array<string>();
  if (share) inp.sources = shared;
  const r = renderText(inp);
  const head = r.err !== null ? 'E' + r.err!.format() : 'T' + r.text;
  const names = r.names.slice();
  names.sort();
  return head + '\u0001' + r.files.join('\u0002') + '\u0001' + names.join('\u0002');
}

/** A target record as canonical JSON with its id (the test compares it with engine/targets). */
export function targetJson(name: string): string {
  const r = archRecord(name);
  return r === null ? '' : canonicalFields(r.fields);
}
