/**
 * The builder protocol's messages (ix-remote/1). Each side first sends the magic (frames.ts),
 * then a hello on channel 0; a request opens a new channel (a number the client picks) and
 * every reply to it, including streamed bytes, carries that channel.
 *
 *   client -> server                         server -> client
 *   hello {protocol, ix}                     hello {protocol, ix, signs} | error {code: 'protocol'}
 *   have {paths, substitute?}                have {paths: the ones present (with substitute: after
 *                                            taking what its own trusted binary caches hold)}
 *   put {path, record} B... end {}           ok {} | error {message}
 *   build {node, timeoutMs?} (cancel {})     B... (log bytes), alive {}, built {path, hash} | failed {reason} | error {message}
 *   get {path}                               archive {record} B... end {} | error {message}
 *   bye {}                                   (the server exits)
 *
 * Versioning: the protocol name carries the version. A side that gets a hello of another version
 * answers with `error {code: 'protocol'}` naming both versions and stops; the client turns that
 * (or the peer's own hello of another version) into one line. New optional fields may be added
 * within a version; anything else is a new version.
 *
 * Must not depend on: the store, the executor, anything Linux-only.
 */
export const PROTOCOL = 'ix-remote/1';

/** Every op this version knows (for rejecting garbage early). */
export const OPS = ['hello', 'have', 'put', 'end', 'ok', 'error', 'build', 'cancel', 'alive', 'built', 'failed', 'get', 'archive', 'bye'] as const;
export type Op = (typeof OPS)[number];

/** Seconds between `alive` messages while a build runs (the client's silence timeout is far longer). */
export const ALIVE_MS = 10_000;

export interface Hello {
  op: 'hello';
  protocol: string;
  /** ix version of the sender (informational). */
  ix: string;
  /** Server only: whether it signs the records it sends. */
  signs?: boolean;
}

/** The one line for a version mismatch, from the client's point of view. */
export function versionMismatch(theirs: string): string {
  return `speaks ${theirs || 'an unknown protocol'}, this ix speaks ${PROTOCOL} (update ix on one side)`;
}

/** A message's string field, or an error naming it. */
export function str(msg: Record<string, unknown>, key: string): string {
  const v = msg[key];
  if (typeof v !== 'string') throw new Error(`message '${String(msg.op)}' lacks the string field '${key}'`);
  return v;
}

export function strings(msg: Record<string, unknown>, key: string): string[] {
  const v = msg[key];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new Error(`message '${String(msg.op)}' lacks the string list '${key}'`);
  return v as string[];
}
