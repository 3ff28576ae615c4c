/**
 * A toy core behind the same exports as index.ts, for testing the ABI, the build and the hosts'
 * loaders without the evaluator: `render` returns a package's ix.sh as read through the host
 * (`trap/now` traps after naming itself as the package being evaluated), `list-packages` lists
 * the root directory, `plan` returns the hex BLAKE3-free digests the host gave for the files
 * the request names, through the host cache (text when computed, bytes when cached), and
 * `{"fail": ...}` requests return an error record with every field set.
 *
 * Reads go through host.ts, so through the recipe mounts: a render shows a generated file's bytes.
 *
 * Must not depend on: anything but host.ts, errors.ts, mount/ (its reset), plan/'s result classes and this folder.
 */
import { IxErr } from '../errors';
import * as host from '../host';
import { ListResult, PlanResult, StrResult } from '../plan/index';
import { liftString, realloc, release } from './canon';
import { listResult, planResult, strResult } from './results';
import { resetMounts } from '../mount/index';
import { clearEvaluating } from './state';

export { evaluating_package } from './state';

/** The string value of `"key":"..."` in a flat JSON request (no escapes), or null. */
function field(req: string, key: string): string | null {
  const k = '"' + key + '":"';
  const i = req.indexOf(k);
  if (i < 0) return null;
  const j = req.indexOf('"', i + k.length);
  return req.substring(i + k.length, j);
}

function hex(b: Uint8Array): string {
  const d = '0123456789abcdef';
  const out = new Array<string>();
  for (let i = 0; i < b.length; i++) {
    out.push(d.charAt(b[i] >> 4));
    out.push(d.charAt(b[i] & 15));
  }
  return out.join('');
}

function toyRender(req: string): StrResult {
  const r = new StrResult();
  const pkg = field(req, 'package');
  if (pkg === null) {
    r.err = new IxErr('render request has no package');
    return r;
  }
  host.evaluating(pkg);
  if (pkg == 'trap/now') unreachable();
  const path = pkg + '/ix.sh';
  const bytes = host.readFile(path);
  if (bytes === null) {
    const e = new IxErr("unknown package '" + pkg + "'");
    e.pkg = pkg;
    r.err = e;
    return r;
  }
  r.value = String.UTF8.decode(bytes.buffer);
  return r;
}

function toyPlan(req: string): PlanResult {
  const r = new PlanResult();
  const fail = field(req, 'fail');
  if (fail !== null) {
    const e = new IxErr('toy failure:\n  ' + fail);
    e.file = 'bin/x/ix.sh';
    e.line = 3;
    e.pkg = 'bin/y -> bin/x';
    e.suggestions.push('bin/z');
    e.suggestions.push('bin/w');
    r.err = e;
    return r;
  }
  const cached = host.cacheGet(req);
  if (cached !== null) {
    r.bytes = cached;
    return r;
  }
  const paths = new Array<string>();
  const p = field(req, 'file');
  if (p !== null) paths.push(p);
  paths.push('no/such/file');
  const ds = host.fileDigests(paths);
  const parts = new Array<string>();
  if (ds === null) parts.push('no digests');
  else for (let i = 0; i < ds.length; i++) {
    const d = ds[i];
    parts.push(paths[i] + '=' + (d === null ? 'none' : hex(d)));
  }
  const text = parts.join(' ') + ' \u00e9\u{1f600}';
  host.cachePut(req, text);
  r.text = text;
  return r;
}

function toyList(): ListResult {
  const r = new ListResult();
  const names = host.listDir('');
  if (names === null) {
    r.err = new IxErr('no recipe root');
    return r;
  }
  names.sort();
  r.value = names;
  return r;
}

export function cabi_realloc(old: usize, oldSize: usize, align: usize, newSize: usize): usize {
  return realloc(old, oldSize, align, newSize);
}

export function plan(ptr: usize, len: usize): usize {
  const req = liftString(ptr, len);
  clearEvaluating();
  resetMounts();
  return planResult(toyPlan(req));
}

export function render(ptr: usize, len: usize): usize {
  const req = liftString(ptr, len);
  clearEvaluating();
  resetMounts();
  return strResult(toyRender(req));
}

export function list_packages(): usize {
  clearEvaluating();
  resetMounts();
  return listResult(toyList());
}

export function cabi_post_plan(ret: usize): void {
  release();
}

export function cabi_post_render(ret: usize): void {
  release();
}

export function cabi_post_list_packages(ret: usize): void {
  release();
}
