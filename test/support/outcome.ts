// What a core call gave, for comparing the compiled core with the oracle: its bytes or text, or
// its error as the user sees it (the one-line message, whether internal) with the error record's
// fields for a user error (wasm/core.wit `core-error`).
import { CoreError } from '../../hosts/node/core';
import { CoreFailure } from '../../wasm/core';

/** A user error's record fields beyond the message. */
export type Fields = { detail: string; file?: string; line?: number; packages: string[]; suggestions: string[] };
export type Outcome = { ok: true; out: string } | { ok: false; message: string; internal: boolean; fields?: Fields };

function fields(r: { detail: string; file?: string; line?: number; packages: string[]; suggestions: string[] }): Fields {
  const f: Fields = { detail: r.detail, packages: r.packages, suggestions: r.suggestions };
  if (r.file !== undefined) f.file = r.file;
  if (r.line !== undefined) f.line = r.line;
  return f;
}

/** Runs `f`: a list is compared as its lines joined, bytes as their UTF-8 text. */
export function outcome(f: () => string | Uint8Array | string[]): Outcome {
  try {
    const r = f();
    return { ok: true, out: Array.isArray(r) ? r.join('\n') : typeof r === 'string' ? r : Buffer.from(r).toString('utf8') };
  } catch (e) {
    if (e instanceof CoreError) {
      const o: Outcome = { ok: false, message: e.message, internal: e.internal };
      if (!e.internal) o.fields = fields(e);
      return o;
    }
    if (e instanceof CoreFailure) {
      const o: Outcome = { ok: false, message: e.record.message, internal: e.record.internal };
      if (!e.record.internal) o.fields = fields(e.record);
      return o;
    }
    return { ok: false, message: `${(e as Error).name}: ${(e as Error).message}`, internal: true };
  }
}
