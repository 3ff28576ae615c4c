/**
 * Entry of the WASM component (world `core` in wasm/core.wit): binds the WIT `host` import to
 * the engine's HostIO and exports plan/render/list-packages. Errors leave as `result` errors
 * (a thrown plain object with the record's fields becomes the `core-error` payload), never as traps.
 * Top-level code runs at build time (Wizer): nothing here may call a host import at top level.
 *
 * Must not depend on: Node, host modules; the clock and randomness are banned by ./prelude.
 */
import './prelude';
import * as hostNs from 'ix:core/host';
import type { HostIO } from '../engine/api';
import { pureBlake3, toHex } from '../engine/hash/index';
import { CoreFailure, createCore, errorRecord } from './core';
import type { PlanOut } from './core';

/** The WIT `host` interface as either backend presents it (named exports or a default object). */
interface WitHost {
  readFile(path: string): Uint8Array | null | undefined;
  listDir(path: string): string[] | null | undefined;
  digest(data: Uint8Array): Uint8Array | null | undefined;
  digestText(text: string): Uint8Array | null | undefined;
  fileDigests(paths: string[]): (Uint8Array | null | undefined)[] | null | undefined;
  cacheGet(key: string): Uint8Array | null | undefined;
  cachePut(key: string, value: string): void;
}

const ns = hostNs as unknown as WitHost & { default?: WitHost };
const host: WitHost = ns.default ?? ns;

/** BLAKE3("ix digest check") computed once by the pure implementation, at first use. */
const CHECK_TEXT = 'ix digest check \u00e9\u{1f600}';
const CHECK = new TextEncoder().encode(CHECK_TEXT);
let digestState: 'unknown' | 'host' | 'pure' = 'unknown';
let textState: 'host' | 'none' = 'none';

/** The host's digests once they passed the check against the pure BLAKE3 (at the first call). */
function hostDigest(): ((d: Uint8Array) => Uint8Array) | undefined {
  if (digestState === 'unknown') {
    const want = toHex(pureBlake3(CHECK));
    const got = host.digest(CHECK);
    if (got == null) digestState = 'pure';
    else if (toHex(got) !== want) throw new Error('the host digest is not BLAKE3-256');
    else digestState = 'host';
    if (digestState === 'host') {
      const t = host.digestText(CHECK_TEXT);
      if (t != null && toHex(t) !== want) throw new Error('the host digest-text is not BLAKE3-256 of UTF-8');
      textState = t == null ? 'none' : 'host';
    }
  }
  return digestState === 'host' ? (d) => host.digest(d) ?? pureBlake3(d) : undefined;
}

const io: HostIO = {
  readFile: (p) => host.readFile(p) ?? undefined,
  listDir: (p) => host.listDir(p) ?? undefined,
  cacheGet: (k) => host.cacheGet(k) ?? undefined,
  cachePut: (k, v) => host.cachePut(k, v),
};

const core = createCore(io);

function withDigest<T>(f: () => T): T {
  let d: ((d: Uint8Array) => Uint8Array) | undefined;
  try {
    d = hostDigest();
  } catch (e) {
    throw errorRecord(e);
  }
  // File digests are trusted only from a host whose digest passed the BLAKE3 check.
  if (d) {
    const hd = d;
    io.digest = hd;
    if (textState === 'host') io.digestText = (s) => host.digestText(s) ?? hd(new TextEncoder().encode(s));
    else delete io.digestText;
    io.fileDigests = (ps) => host.fileDigests(ps)?.map((x) => x ?? undefined) ?? undefined;
  } else {
    delete io.digest;
    delete io.digestText;
    delete io.fileDigests;
  }
  try {
    return f();
  } catch (e) {
    // the guest's glue lowers a plain object with the record's fields
    throw e instanceof CoreFailure ? { ...e.record } : errorRecord(e);
  }
}

export function plan(request: string): PlanOut {
  return withDigest(() => core.plan(request));
}

export function render(request: string): string {
  return withDigest(() => core.render(request));
}

export function listPackages(): string[] {
  return withDigest(() => core.listPackages());
}
