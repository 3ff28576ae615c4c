/**
 * Checks that a value read from JSON is a plan node the sandbox can run (engine/api.ts PlanNode),
 * so a hand-edited or truncated node file fails with one line naming the problem, not a stack trace.
 * The sandbox trusts nothing else about a node: every path it mounts comes through these checks.
 *
 * Must not depend on: the planner, the store, the CLI.
 */
import type { PlanNode } from '../../../engine/api';
import { IxError } from '../../../engine/errors';
import { parseStorePath } from '../../common';

const ID = /^[0-9abcdfghijklmnpqrsvwxyz]{32}$/;

function fail(what: string, pkg?: string): never {
  throw new IxError(`invalid plan node: ${what}`, pkg ? { pkg } : {});
}

function isStrArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** Validate and return the node; throws IxError with a one-line reason. */
export function checkNode(v: unknown, file?: string): PlanNode {
  const where = file ? { file } : {};
  try {
    return checkNodeInner(v);
  } catch (e) {
    if (e instanceof IxError) throw e.within(where);
    throw e;
  }
}

function checkNodeInner(v: unknown): PlanNode {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('not a JSON object');
  const n = v as Record<string, unknown>;
  const name = typeof n.name === 'string' ? n.name : undefined;
  if (name === undefined) fail('missing "name"');
  if (typeof n.id !== 'string' || !ID.test(n.id)) fail('"id" must be 32 characters of Nix base32', name);
  if (typeof n.out !== 'string') fail('missing "out"', name);
  const outPath = parseStorePath(n.out);
  if (outPath === undefined || outPath.id !== n.id) fail(`"out" must be /ix/store/${n.id}-<name>, got ${n.out}`, name);
  if (!isStrArray(n.inputs)) fail('"inputs" must be a list of store paths', name);
  for (const p of n.inputs) {
    if (parseStorePath(p) === undefined) fail(`input is not a store path: ${p}`, name);
    if (p === n.out) fail('a node cannot take its own output as input', name);
  }
  if (n.runtime !== undefined && !isStrArray(n.runtime)) fail('"runtime" must be a list of store paths', name);
  if (typeof n.pool !== 'string') fail('missing "pool"', name);
  if (typeof n.net !== 'boolean') fail('"net" must be true or false', name);
  if (n.cmd === undefined && n.fetch === undefined) fail('node has neither "cmd" nor "fetch"', name);
  if (n.cmd !== undefined) {
    const c = n.cmd as Record<string, unknown>;
    if (typeof c !== 'object' || c === null) fail('"cmd" must be an object', name);
    if (!isStrArray(c.argv) || c.argv.length === 0) fail('"cmd.argv" must be a non-empty list of strings', name);
    if (typeof c.stdin !== 'string') fail('"cmd.stdin" must be a string', name);
    if (typeof c.env !== 'object' || c.env === null) fail('"cmd.env" must be an object', name);
    for (const [k, val] of Object.entries(c.env as object)) {
      if (typeof val !== 'string') fail(`"cmd.env.${k}" must be a string`, name);
      if (k === '' || k.includes('=') || k.includes('\0')) fail(`bad environment variable name ${JSON.stringify(k)}`, name);
    }
    if (n.net === true && n.fixedFiles === undefined) fail('network is only allowed for fixed-output (fetch) nodes', name);
  }
  if (n.fixedFiles !== undefined) {
    const ok = Array.isArray(n.fixedFiles) && n.fixedFiles.length > 0 && n.fixedFiles.every((f: unknown) => {
      const r = f as Record<string, unknown>;
      return typeof r === 'object' && r !== null && typeof r.path === 'string' && typeof r.sha256 === 'string' &&
        r.path.split('/').every((x) => x !== '' && x !== '.' && x !== '..');
    });
    if (!ok) fail('"fixedFiles" must be a non-empty list of {path, sha256} with clean relative paths', name);
    for (const f of n.fixedFiles as { path: string; sha256: string }[]) {
      if (!/^[0-9a-f]{64}$/.test(f.sha256)) fail(`the recipe declares '${f.sha256}' as the sha256 of ${f.path}, which is no sha256 (64 hex digits): no output can match, so it is not built`, name);
    }
    if (n.cmd === undefined) fail('"fixedFiles" is only allowed on command nodes', name);
  }
  if (n.seed !== undefined && typeof n.seed !== 'boolean') fail('"seed" must be true or false', name);
  if (n.fixed !== undefined) {
    if (typeof n.fixed !== 'string' || !/^blake3:[0-9a-f]{64}$/.test(n.fixed)) fail('"fixed" must be blake3:<64 hex digits>', name);
    if (n.seed !== true) fail('"fixed" is only allowed on seed nodes', name);
  }
  if (n.fetch !== undefined) {
    const f = n.fetch as Record<string, unknown>;
    if (typeof f !== 'object' || f === null || !isStrArray(f.urls) || typeof f.sha256 !== 'string' || typeof f.file !== 'string') {
      fail('"fetch" must be {urls, sha256, file}', name);
    }
  }
  return v as PlanNode;
}
