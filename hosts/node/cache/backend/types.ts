/**
 * The one interface every cache backend implements: named objects (keys like
 * "records/<id>.json"), read as streams, written whole. A backend knows nothing of records,
 * archives or signatures; hosts/node/cache/ builds those on top, and one conformance suite
 * (test/cache-backends.test.ts) runs against every backend with a real server.
 *
 * Contract:
 *  - get(key) resolves to the object's bytes as a stream, or undefined when it does not exist;
 *    any other failure (after the backend's bounded retries) rejects with a CacheError.
 *  - put(key, body, size) makes the object visible under `key` only once all `size` bytes are
 *    stored (a directory writes a temp file and renames it; nginx and S3 do the same server-side).
 *    `body` is bytes or a function opening a fresh stream, so a failed attempt can be retried.
 *  - Errors are CacheErrors whose message is one line starting with the cache's URL.
 *
 * Must not depend on: the store, records, archives, the CLI.
 */
import type { Readable } from 'node:stream';

export type Body = Uint8Array | (() => Readable);

export interface CacheBackend {
  /** The URL the cache was opened with (credentials never appear in it). */
  readonly url: string;
  get(key: string): Promise<Readable | undefined>;
  head(key: string): Promise<{ size: number } | undefined>;
  put(key: string, body: Body, size: number): Promise<void>;
}

/** Time-outs and retries shared by the network backends. */
export interface NetOptions {
  /** The invocation's environment: AWS_REGION / AWS_DEFAULT_REGION (s3), NETRC (http); default none set. */
  env?: Record<string, string | undefined>;
  /** Milliseconds without progress (connecting, waiting for headers, between body bytes); default 30000. */
  timeoutMs?: number;
  /** Further attempts after a 5xx answer, a reset or a time-out; default 3. */
  retries?: number;
}

/** A cache that failed; `message` is one line naming the cache. */
export class CacheError extends Error {
  constructor(readonly cacheUrl: string, detail: string) {
    super(`cache ${cacheUrl}: ${detail}`);
    this.name = 'CacheError';
  }
}

const KEY_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/;

/** Keys are relative, "/"-separated, without "." or ".." components. */
export function checkKey(url: string, key: string): string {
  if (!KEY_RE.test(key)) throw new CacheError(url, `bad object key ${JSON.stringify(key)}`);
  return key;
}

/** Body as a fresh stream (or the bytes). */
export function openBody(body: Body): Uint8Array | Readable {
  return body instanceof Uint8Array ? body : body();
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
