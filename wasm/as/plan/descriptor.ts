/**
 * The descriptor as the planner reads it (engine/descriptor.ts) and its normalisation from the
 * rendered text (engine/eval/normalise.ts): parse (errors name the package and the position),
 * check field types in the oracle's order (the first wrong field is the one reported), fill
 * defaults. Its canonical JSON (render with `normalised`, cache entries) is written directly.
 *
 * Must not depend on: anything else of the core but errors, hash.
 */
import { IxErr } from '../errors';
import {
  JValue, parseJson, jsString, position, StrBuilder, writeStr,
  J_NULL, J_BOOL, J_STR, J_ARR, J_OBJ,
} from '../hash/index';

export class FetchItem {
  url: string = '';
  sha256: string = '';
  name: string | null = null;
}

export class Descriptor {
  fetch: Array<FetchItem>;
  scriptKind: string | null = null;
  scriptData: string | null = null;
  /**
   * What node.ts derives from scriptData, once per descriptor (the instances that share a render
   * share its descriptor, and it never changes): the hex BLAKE3 ('' until first asked for) and
   * whether it holds the node's own-id placeholder (-1 not yet known, 0 no, 1 yes).
   */
  scriptHex: string = '';
  scriptSelfId: i8 = -1;
  /**
   * The hex BLAKE3 of its canonical JSON (kept-write.ts descDigest, what early cutoff compares),
   * '' until first asked for: remembered here, as scriptHex, since it never changes once made.
   */
  canonHex: string = '';
  scriptArgs: Array<string> | null = null;
  deps: Array<string>;
  hostLibs: Array<string>;
  targetLibs: Array<string>;
  data: Array<string>;
  runDeps: Array<string>;
  runData: Array<string>;
  libDeps: Array<string>;
  indDeps: Array<string>;
  fixDeps: Array<string>;
  net: bool = false;
  taskPool: string = 'cpu';
  /** -1 absent, 0 false, 1 true. */
  tmpfs: i8 = -1;
  isolate: i8 = -1;
  seed: i8 = -1;
  fixed: string | null = null;
  /** path0, sum0, path1, sum1, ... or null when absent. */
  predict: Array<string> | null = null;
  repoName: string | null = null;
  repoVersion: string | null = null;

  /**
   * `own` false: every list (fetch and the selector lists) is the one shared empty list, which
   * nobody may change; normalise then replaces those it reads (most are absent, and a list of its
   * own each was two objects of garbage per descriptor, or two live ones). `own` true: lists of
   * its own, which the caller may fill.
   */
  constructor(own: bool = true) {
    if (own) {
      this.fetch = new Array<FetchItem>();
      this.deps = [];
      this.hostLibs = [];
      this.targetLibs = [];
      this.data = [];
      this.runDeps = [];
      this.runData = [];
      this.libDeps = [];
      this.indDeps = [];
      this.fixDeps = [];
    } else {
      this.fetch = NO_FETCH;
      this.deps = NO_NAMES;
      this.hostLibs = NO_NAMES;
      this.targetLibs = NO_NAMES;
      this.data = NO_NAMES;
      this.runDeps = NO_NAMES;
      this.runData = NO_NAMES;
      this.libDeps = NO_NAMES;
      this.indDeps = NO_NAMES;
      this.fixDeps = NO_NAMES;
    }
  }
}

/** The shared empty lists of normalised descriptors (never changed). */
const NO_NAMES = new Array<string>();
const NO_FETCH = new Array<FetchItem>();

/** A descriptor or an error. */
export class DescResult {
  d: Descriptor | null = null;
  err: IxErr | null = null;
}

function fail(r: DescResult, detail: string, pkg: string): DescResult {
  const e = new IxErr(detail);
  e.pkg = pkg;
  r.err = e;
  return r;
}

/** The member or null when absent or JSON null (`?? ` and `== null` in the oracle). */
function member(o: JValue, k: string): JValue | null {
  const v = o.get(k);
  if (v === null || v.kind == J_NULL) return null;
  return v;
}

/** strList: absent/null -> [] (the shared NO_NAMES, as is an empty list), else every item must be a string. Null on a wrong type. */
function strList(v: JValue | null): Array<string> | null {
  if (v === null || v.kind == J_NULL) return NO_NAMES;
  if (v.kind != J_ARR) return null;
  const it = v.items!;
  if (it.length == 0) return NO_NAMES;
  const out = new Array<string>(it.length);
  for (let i = 0; i < it.length; i++) {
    const x = unchecked(it[i]);
    if (x.kind != J_STR) return null;
    unchecked((out[i] = x.s));
  }
  return out;
}

/** A section: absent/null -> empty object, else it must be an object; null on a wrong type. */
const EMPTY: JValue = JValue.obj();
function section(d: JValue, k: string): JValue | null {
  const v = d.get(k);
  if (v === null || v.kind == J_NULL) return EMPTY;
  return v.kind == J_OBJ ? v : null;
}

function isHex(s: string, from: i32, n: i32): bool {
  if (s.length - from != n) return false;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return false;
  }
  return true;
}

function lowerAscii(s: string): string {
  return s.toLowerCase();
}

/** Case-insensitive ASCII prefix test. */
function prefixCi(s: string, p: string): bool {
  if (s.length < p.length) return false;
  for (let i = 0; i < p.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c != p.charCodeAt(i)) return false;
  }
  return true;
}

/** engine/eval/filters.ts sha256Of: the lower-case hex sha256 of a checksum token, or an error text. */
export function sha256Of(token: string, url: string, out: Array<string>): bool {
  if (prefixCi(token, 'md5:')) {
    out.push('checksum of ' + url + ' is md5; ix verifies sources by sha256 ("sha:<64 hex>")');
    return false;
  }
  let from = 0;
  if (prefixCi(token, 'sha256:')) from = 7;
  else if (prefixCi(token, 'sha:')) from = 4;
  if (isHex(token, from, 32)) {
    out.push('checksum of ' + url + ' looks like md5; ix verifies sources by sha256 ("sha:<64 hex>")');
    return false;
  }
  if (!isHex(token, from, 64)) {
    out.push("checksum '" + token + "' of " + url + ' is not a sha256 (64 hex digits)');
    return false;
  }
  out.push(lowerAscii(from == 0 ? token : token.substring(from)));
  return true;
}

function optBool(json: JValue, k: string, r: DescResult, pkg: string): i8 {
  const v = json.get(k);
  if (v === null || v.kind == J_NULL) return -1;
  if (v.kind != J_BOOL) {
    fail(r, 'descriptor field ' + k + ' must be true or false', pkg);
    return -2;
  }
  return v.b ? 1 : 0;
}

/** Parses and normalises rendered descriptor text (parseDescriptorJson + normaliseDescriptor). */
export function normalise(text: string, pkg: string): DescResult {
  const r = new DescResult();
  const p = parseJson(text);
  if (p.value === null) {
    return fail(r, 'rendered descriptor is not valid JSON at ' + position(text, p.errAt) + ' of the rendered text: unexpected ' + p.found, pkg);
  }
  const json = p.value!;
  if (json.kind != J_OBJ) return fail(r, 'rendered descriptor must be a JSON object', pkg);
  const bld = section(json, 'bld');
  if (bld === null) return fail(r, 'descriptor field bld must be an object', pkg);
  const d = new Descriptor(false);
  const fetch = member(bld, 'fetch');
  if (fetch !== null && fetch.kind != J_ARR) return fail(r, 'descriptor field bld.fetch must be a list', pkg);
  const script = member(bld, 'script');
  if (script !== null && script.kind != J_OBJ) return fail(r, 'descriptor field bld.script must be an object', pkg);
  if (script !== null) {
    const kind = script.get('kind');
    if (kind !== null) d.scriptKind = jsString(kind);
    const data = script.get('data');
    if (data !== null) {
      if (data.kind != J_STR) return fail(r, 'descriptor field bld.script.data must be a string', pkg);
      d.scriptData = data.s;
    }
    const args = script.get('args');
    if (args !== null) {
      const l = strList(args);
      if (l === null) return fail(r, 'descriptor field bld.script.args must be a list of strings', pkg);
      d.scriptArgs = l;
    }
  }
  if (fetch !== null && fetch.items!.length > 0) {
    const it = fetch.items!;
    d.fetch = new Array<FetchItem>();
    const msg = new Array<string>();
    for (let i = 0; i < it.length; i++) {
      const v = unchecked(it[i]);
      const url = v.kind == J_OBJ ? v.get('url') : null;
      if (url === null || url.kind != J_STR) return fail(r, 'descriptor bld.fetch[' + i.toString() + '] must be an object with a url', pkg);
      let sum = member(v, 'sha256');
      if (sum === null) sum = v.get('md5');
      if (sum === null || sum.kind != J_STR) return fail(r, 'descriptor bld.fetch[' + i.toString() + '] (' + url.s + ') has no checksum', pkg);
      msg.length = 0;
      if (!sha256Of(sum.s, url.s, msg)) return fail(r, msg[0], pkg);
      const item = new FetchItem();
      item.url = url.s;
      item.sha256 = msg[0];
      const name = v.get('name');
      if (name !== null) {
        if (name.kind != J_STR || name.s == '' || name.s.indexOf('/') >= 0) return fail(r, 'descriptor bld.fetch[' + i.toString() + '].name must be a plain file name', pkg);
        item.name = name.s;
      }
      d.fetch.push(item);
    }
  }
  let l = strList(bld.get('deps'));
  if (l === null) return fail(r, 'descriptor field bld.deps must be a list of strings', pkg);
  d.deps = l;
  l = strList(bld.get('host_libs'));
  if (l === null) return fail(r, 'descriptor field bld.host_libs must be a list of strings', pkg);
  d.hostLibs = l;
  l = strList(bld.get('target_libs'));
  if (l === null) return fail(r, 'descriptor field bld.target_libs must be a list of strings', pkg);
  d.targetLibs = l;
  l = strList(bld.get('data'));
  if (l === null) return fail(r, 'descriptor field bld.data must be a list of strings', pkg);
  d.data = l;
  let s = section(json, 'run');
  if (s === null) return fail(r, 'descriptor field run must be an object', pkg);
  l = strList(s.get('deps'));
  if (l === null) return fail(r, 'descriptor field run.deps must be a list of strings', pkg);
  d.runDeps = l;
  l = strList(s.get('data'));
  if (l === null) return fail(r, 'descriptor field run.data must be a list of strings', pkg);
  d.runData = l;
  s = section(json, 'lib');
  if (s === null) return fail(r, 'descriptor field lib must be an object', pkg);
  l = strList(s.get('deps'));
  if (l === null) return fail(r, 'descriptor field lib.deps must be a list of strings', pkg);
  d.libDeps = l;
  s = section(json, 'ind');
  if (s === null) return fail(r, 'descriptor field ind must be an object', pkg);
  l = strList(s.get('deps'));
  if (l === null) return fail(r, 'descriptor field ind.deps must be a list of strings', pkg);
  d.indDeps = l;
  s = section(json, 'fix');
  if (s === null) return fail(r, 'descriptor field fix must be an object', pkg);
  l = strList(s.get('deps'));
  if (l === null) return fail(r, 'descriptor field fix.deps must be a list of strings', pkg);
  d.fixDeps = l;
  const net = optBool(json, 'net', r, pkg);
  if (net == -2) return r;
  d.net = net == 1;
  const tp = json.get('task_pool');
  if (tp !== null && tp.kind != J_NULL) d.taskPool = jsString(tp);
  d.tmpfs = optBool(json, 'tmpfs', r, pkg);
  if (d.tmpfs == -2) return r;
  d.isolate = optBool(json, 'isolate', r, pkg);
  if (d.isolate == -2) return r;
  d.seed = optBool(json, 'seed', r, pkg);
  if (d.seed == -2) return r;
  const fixed = json.get('fixed');
  if (fixed !== null && fixed.kind != J_NULL) {
    if (fixed.kind != J_STR) return fail(r, 'descriptor field fixed must be a string ("blake3:<64 hex>")', pkg);
    d.fixed = fixed.s;
  }
  const predict = json.get('predict_outputs');
  if (predict !== null && predict.kind == J_ARR && predict.items!.length > 0) {
    const it = predict.items!;
    const po = new Array<string>();
    for (let i = 0; i < it.length; i++) {
      const x = unchecked(it[i]);
      const pa = x.kind == J_OBJ ? x.get('path') : null;
      const su = x.kind == J_OBJ ? x.get('sum') : null;
      if (pa === null || su === null || pa.kind != J_STR || su.kind != J_STR) {
        return fail(r, 'descriptor field predict_outputs must be a list of {path, sum} strings', pkg);
      }
      po.push(pa.s);
      po.push(su.s);
    }
    d.predict = po;
  }
  const repo = json.get('repo');
  if (repo !== null && repo.kind != J_NULL) {
    const rn = repo.kind == J_OBJ ? repo.get('name') : null;
    const rv = repo.kind == J_OBJ ? repo.get('version') : null;
    if (rn === null || rv === null || rn.kind != J_STR || rv.kind != J_STR) return fail(r, 'descriptor field repo must be {name, version} strings', pkg);
    d.repoName = rn.s;
    d.repoVersion = rv.s;
  }
  r.d = d;
  return r;
}

function writeList(sb: StrBuilder, l: Array<string>): void {
  sb.ch(91);
  for (let i = 0; i < l.length; i++) {
    if (i > 0) sb.ch(44);
    writeStr(sb, unchecked(l[i]));
  }
  sb.ch(93);
}

function writeDeps(sb: StrBuilder, deps: Array<string>): void {
  sb.str('{"deps":');
  writeList(sb, deps);
  sb.ch(125);
}

/** Canonical JSON of a normalised descriptor (keys in code-unit order). */
export function writeDescriptor(sb: StrBuilder, d: Descriptor): void {
  sb.str('{"bld":{"data":');
  writeList(sb, d.data);
  sb.str(',"deps":');
  writeList(sb, d.deps);
  sb.str(',"fetch":[');
  for (let i = 0; i < d.fetch.length; i++) {
    if (i > 0) sb.ch(44);
    const f = d.fetch[i];
    sb.ch(123);
    if (f.name !== null) {
      sb.str('"name":');
      writeStr(sb, f.name!);
      sb.ch(44);
    }
    sb.str('"sha256":');
    writeStr(sb, f.sha256);
    sb.str(',"url":');
    writeStr(sb, f.url);
    sb.ch(125);
  }
  sb.str('],"host_libs":');
  writeList(sb, d.hostLibs);
  sb.str(',"script":{');
  let first = true;
  if (d.scriptArgs !== null) {
    sb.str('"args":');
    writeList(sb, d.scriptArgs!);
    first = false;
  }
  if (d.scriptData !== null) {
    if (!first) sb.ch(44);
    sb.str('"data":');
    writeStr(sb, d.scriptData!);
    first = false;
  }
  if (d.scriptKind !== null) {
    if (!first) sb.ch(44);
    sb.str('"kind":');
    writeStr(sb, d.scriptKind!);
  }
  sb.str('},"target_libs":');
  writeList(sb, d.targetLibs);
  sb.str('},"fix":');
  writeDeps(sb, d.fixDeps);
  if (d.fixed !== null) {
    sb.str(',"fixed":');
    writeStr(sb, d.fixed!);
  }
  sb.str(',"ind":');
  writeDeps(sb, d.indDeps);
  if (d.isolate >= 0) sb.str(d.isolate == 1 ? ',"isolate":true' : ',"isolate":false');
  sb.str(',"lib":');
  writeDeps(sb, d.libDeps);
  sb.str(d.net ? ',"net":true' : ',"net":false');
  const po = d.predict;
  if (po !== null) {
    sb.str(',"predict_outputs":[');
    for (let i = 0; i < po.length; i += 2) {
      if (i > 0) sb.ch(44);
      sb.str('{"path":');
      writeStr(sb, po[i]);
      sb.str(',"sum":');
      writeStr(sb, po[i + 1]);
      sb.ch(125);
    }
    sb.ch(93);
  }
  if (d.repoName !== null) {
    sb.str(',"repo":{"name":');
    writeStr(sb, d.repoName!);
    sb.str(',"version":');
    writeStr(sb, d.repoVersion!);
    sb.ch(125);
  }
  sb.str(',"run":{"data":');
  writeList(sb, d.runData);
  sb.str(',"deps":');
  writeList(sb, d.runDeps);
  sb.ch(125);
  if (d.seed >= 0) sb.str(d.seed == 1 ? ',"seed":true' : ',"seed":false');
  sb.str(',"task_pool":');
  writeStr(sb, d.taskPool);
  if (d.tmpfs >= 0) sb.str(d.tmpfs == 1 ? ',"tmpfs":true' : ',"tmpfs":false');
  sb.ch(125);
}
