/**
 * The core's wire API, shared by the WASM component (wasm/component.ts) and by direct use in
 * Node/V8 (wasm/out/core.bundle.js, for the V8 oracle test and the benchmark).
 * Requests arrive as JSON text, plans leave as canonical JSON bytes, and every failure leaves as
 * a thrown CoreFailure: an Error whose message is an IxError's one-line message (the user's
 * mistake) or starts with INTERNAL_PREFIX (a bug in ix), carrying the WIT `core-error` record.
 * Nothing else ever escapes, so a component export never traps.
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import type { HostIO, PlanRequest, RenderRequest } from '../engine/api';
import { IxError } from '../engine/errors';
import { planOut, render, listPackages } from './engine-entry';

/** Error strings starting with this are bugs in ix, not mistakes in the user's input. */
export const INTERNAL_PREFIX = 'internal error: ';

/** Version of the wire API (request/result shapes); bumped with the WIT package version. */
export const CORE_API_VERSION = '0.4.0';

/** The WIT variant `plan-out` as both the guest and jco's glue represent it. */
export type PlanOut = { tag: 'text'; val: string } | { tag: 'bytes'; val: Uint8Array };

/** The WIT record `core-error` (wasm/core.wit), as jco's glue and both guests represent it. */
export interface ErrorRecord {
  /** One line: "file:line: detail (package a -> b)". */
  message: string;
  detail: string;
  file?: string;
  line?: number;
  /** The package chain, outermost first. */
  packages: string[];
  suggestions: string[];
  internal: boolean;
}

/** What every operation throws: the record, with its message as the Error's (see INTERNAL_PREFIX). */
export class CoreFailure extends Error {
  readonly record: ErrorRecord;
  constructor(record: ErrorRecord) {
    super(record.internal ? `${INTERNAL_PREFIX}${record.message}` : record.message);
    this.name = 'CoreFailure';
    this.record = record;
  }
}

/** The three operations, with errors thrown as CoreFailure (see the module comment). */
export interface CoreApi {
  /** JSON of a PlanRequest in, the Plan's canonical JSON out: text (fresh) or its UTF-8 bytes (cached). */
  plan(request: string): PlanOut;
  /** JSON of a RenderRequest in, the exact text the template chain rendered out. */
  render(request: string): string;
  /** Every package name of the recipe roots, sorted. */
  listPackages(): string[];
}

/** Turns anything thrown inside the engine into the `core-error` record of the wire API. */
export function errorRecord(e: unknown): ErrorRecord {
  if (e instanceof IxError || (e instanceof Error && e.name === 'IxError')) {
    const x = e as IxError;
    const site = x.site ?? {};
    const detail = x.detail ?? x.message;
    const r: ErrorRecord = { message: x.message, detail, packages: site.pkg !== undefined ? site.pkg.split(' -> ') : [], suggestions: [], internal: false };
    if (site.file !== undefined) r.file = site.file;
    if (site.file !== undefined && site.line !== undefined) r.line = site.line;
    // engine/plan/packages.ts writes its one suggestion into the detail
    const s = / \(did you mean ([^?\s]+)\?\)/.exec(detail);
    if (s) r.suggestions.push(s[1]);
    return r;
  }
  const first = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  const detail = e instanceof Error ? `${first}\n${e.stack ?? ''}` : first;
  return { message: first.split('\n')[0], detail, packages: [], suggestions: [], internal: true };
}

function parseRequest(text: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error(`${what} request is not JSON`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${what} request is not an object`);
  return v as Record<string, unknown>;
}

function guard<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new CoreFailure(errorRecord(e));
  }
}

/** The wire API over a plain HostIO. `io` is read at every call, so a host may swap its roots. */
export function createCore(io: HostIO): CoreApi {
  return {
    plan: (request) =>
      guard(() => {
        const req = parseRequest(request, 'plan');
        if (!Array.isArray(req.packages)) throw new Error('plan request has no packages list');
        const out = planOut(io, req as unknown as PlanRequest);
        return typeof out === 'string' ? { tag: 'text', val: out } : { tag: 'bytes', val: out };
      }),
    render: (request) =>
      guard(() => {
        const req = parseRequest(request, 'render');
        if (typeof req.package !== 'string') throw new Error('render request has no package');
        return render(io, req as unknown as RenderRequest);
      }),
    listPackages: () => guard(() => listPackages(io)),
  };
}
