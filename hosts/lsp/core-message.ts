/**
 * A failure of a core call as the language server's CoreMessage: a core or host failure keeps
 * the core's record fields; anything else (a bug, a trap in the core: the loader replaces the
 * dead instance at the next call) keeps its first line.
 *
 * Must not depend on: the executor, the store, the sandbox, the LSP library.
 */
import { CoreError, HostError } from '../node/core';
import { fromRecord, type CoreMessage } from './errors';

export function toMessage(e: unknown): CoreMessage {
  if (e instanceof CoreError && !e.internal) return fromRecord(e);
  if (e instanceof HostError) return { detail: `host error: ${e.message}`, chain: [], suggestions: [] };
  const text = e instanceof Error ? e.message : String(e);
  return { detail: `internal error in ix: ${text.split('\n')[0]}`, chain: [], suggestions: [] };
}
