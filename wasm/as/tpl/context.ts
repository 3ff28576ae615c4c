/**
 * The render context of one package (engine/eval/context.ts): the names IX's renderer gives its
 * templates, built from the package name, its flags, the host/target records and the boot
 * environment; later entries override earlier ones, flags are merged last (a `target` flag is
 * the record), `setx` is "1" when `boot` ends up true. Also the package-name helpers of
 * engine/eval/names.ts and the callables of the context (ix.*, isfile, ix_boot_tool, intro).
 *
 * Must not depend on: plan, abi.
 */
import { IxErr } from '../errors';
import * as rt from '../rt/index';
import { Value, VFunc, VDict, VStr, UNDEF, NONE, TRUE, FALSE } from '../rt/index';
import { BootEnv, Intro } from './index';
import { ArchRecord, Field, Fields } from './targets';
import { resolveName } from './loader';
import { ev, internal } from './interp';

/** Default kind of a package path: its first component, with `bld` and `etc` meaning `bin`. */
export function defaultKind(name: string): string {
  const i = name.indexOf('/');
  const first = i < 0 ? name : name.substring(0, i);
  return first == 'bld' || first == 'etc' ? 'bin' : first;
}

/** Store name of a package loaded with `kind` (engine/eval/names.ts storeName). */
export function storeName(name: string, kind: string): string {
  const slash = name.indexOf('/');
  const rest = slash < 0 ? name : name.substring(slash + 1);
  const s = kind + '-' + rest;
  const b = new rt.StrBuf(s.length + 8);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 43) b.add('-plus-');
    else if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) b.addCode(c >= 65 && c <= 90 ? c + 32 : c);
    else b.addCode(45);
  }
  // runs of '-' collapsed, trailing '-' stripped
  const t = b.toString();
  const o = new rt.StrBuf(t.length);
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c == 45 && o.length > 0 && i > 0 && t.charCodeAt(i - 1) == 45) continue;
    o.addCode(c);
  }
  let r = o.toString();
  let e = r.length;
  while (e > 0 && r.charCodeAt(e - 1) == 45) e--;
  return r.substring(0, e);
}

/** The `uniq_id` recipes see: the store name with `-` replaced by `_`. */
export function uniqId(name: string, kind: string): string {
  return storeName(name, kind).replaceAll('-', '_');
}

/** An arch record as the dict templates see. */
export function recordValue(f: Fields): VDict {
  const d = new VDict();
  for (let i = 0; i < f.keys.length; i++) {
    const v = f.vals[i];
    let x: Value;
    if (v.kind == 0) x = rt.str(v.s);
    else if (v.kind == 1) x = rt.num(v.n);
    else if (v.kind == 2) x = rt.bool_(v.b);
    else x = recordValue(v.rec!);
    d.set(f.keys[i], x);
  }
  return d;
}

/** The record's dict, built once per record (records are immutable, as the oracle's frozen ones). */
function recordOf(r: ArchRecord): VDict {
  let d = r.value;
  if (d === null) { d = recordValue(r.fields); r.value = d; }
  return <VDict>d;
}

@inline function arg0(args: Array<Value>): Value { return args.length > 0 ? args[0] : UNDEF; }

/** ix.<method>(...) of the `ix` object. */
class IxMethod extends VFunc {
  name: string;
  pkg: string;
  constructor(name: string, pkg: string) { super(); this.name = name; this.pkg = pkg; }
  call(args: Array<Value>): Value {
    const v = arg0(args);
    const n = this.name;
    // parse_list, parse_urls, urls_to_json are the unwrapped helpers: undefined reads as ''
    const u: Value = v.k == rt.K_UNDEF ? rt.str('') : v;
    if (n == 'list_to_json' || n == 'fix_list') return rt.filter(n, [v]);
    if (n == 'parse_list' || n == 'parse_urls') return rt.filter(n, [u]);
    if (n == 'urls_to_json') {
      const l = rt.filter('parse_urls', [u]);
      return l.isErr ? l : rt.pyJsonDumps(l);
    }
    if (n == 'string_to_json') return rt.pyJsonDumps(rt.str(rt.pyStr(v)));
    if (n == 'error') return rt.err(rt.pyStr(v));
    if (n == 'load_file') {
      const r = resolveName(rt.pyStr(v), this.pkg + '/ix.sh');
      if (r.err !== null) return new rt.VErr(r.err!);
      const x = ev!;
      const t = x.loader.exists(r.path);
      if (t.err !== null) return new rt.VErr(t.err!);
      if (t.src === null) return rt.err("load_file: '" + r.path + "' not found");
      const l = x.loader.load(r.path);
      if (l.err !== null) return new rt.VErr(l.err!);
      return rt.str(l.src!.text);
    }
    return new rt.VErr(internal('unknown ix method ' + n));
  }
}

class BootTool extends VFunc {
  tools: Array<string>;
  constructor(tools: Array<string>) { super(); this.tools = tools; }
  call(args: Array<Value>): Value {
    const v = arg0(args);
    if (v.k != rt.K_STR || (<VStr>v).safe) return NONE;
    const s = (<VStr>v).s;
    for (let i = 0; i + 1 < this.tools.length; i += 2) if (this.tools[i] == s) return rt.str(this.tools[i + 1]);
    return NONE;
  }
}

class IsFile extends VFunc {
  files: Set<string> = new Set<string>();
  constructor(files: Array<string>) { super(); for (let i = 0; i < files.length; i++) this.files.add(files[i]); }
  call(args: Array<Value>): Value {
    const v = arg0(args);
    return rt.bool_(v.k == rt.K_STR && !(<VStr>v).safe && this.files.has((<VStr>v).s));
  }
}

class IntroFn extends VFunc {
  intro: Intro | null;
  constructor(intro: Intro | null) { super(); this.intro = intro; }
  call(args: Array<Value>): Value {
    const i = this.intro;
    if (i === null) return rt.err('intro() is only available while planning');
    const r = i.call(rt.pyStr(arg0(args)));
    if (r === null) {
      const e = i.err;
      return new rt.VErr(e !== null ? e : internal('intro() failed without an error'));
    }
    return r;
  }
}

const IX_METHODS = ['list_to_json', 'urls_to_json', 'string_to_json', 'parse_list', 'fix_list', 'parse_urls', 'error', 'load_file'];

/** The variables of package `name` (ordered as the oracle assigns them). */
export function renderContext(vars: Map<string, Value>, name: string, flags: Array<string>, host: ArchRecord, target: ArchRecord,
  boot: BootEnv, intro: Intro | null): void {
  let kind = defaultKind(name);
  for (let i = 0; i + 1 < flags.length; i += 2) if (flags[i] == 'kind') kind = flags[i + 1];
  const ix = new VDict();
  for (let i = 0; i < IX_METHODS.length; i++) ix.set(IX_METHODS[i], new IxMethod(IX_METHODS[i], name));
  vars.set('ix', ix);
  vars.set('ix_extract', rt.str(boot.extract));
  vars.set('ix_boot_path', rt.str(boot.path));
  vars.set('ix_boot_tool', new BootTool(boot.tools));
  vars.set('host', recordOf(host));
  vars.set('tool', rt.bool_(name.startsWith('bld/')));
  vars.set('boot', rt.bool_(name.startsWith('bld/boot/')));
  vars.set('name', rt.str(name + '/ix.sh'));
  vars.set('basename', rt.str(name.substring(name.lastIndexOf('/') + 1)));
  vars.set('uniq_id', rt.str(uniqId(name, kind)));
  vars.set('native', rt.bool_(host.id == target.id));
  let d = boot.ix_dir;
  let e = d.length;
  while (e > 0 && d.charCodeAt(e - 1) == 47) e--;
  vars.set('ix_trash_dir', rt.str(d.substring(0, e) + '/trash'));
  vars.set('ix_dir', rt.str(boot.ix_dir));
  vars.set('isfile', new IsFile(boot.files));
  vars.set('intro', new IntroFn(intro));
  vars.set('default_allocator', rt.str('gperftools'));
  vars.set('default_clang', rt.str('21'));
  vars.set(kind, TRUE);
  vars.set(target.os, TRUE);
  vars.set(target.arch, TRUE);
  for (let i = 0; i + 1 < flags.length; i += 2) {
    const k = flags[i];
    if (k != 'target' && k != 'host') vars.set(k, rt.str(flags[i + 1]));
  }
  vars.set('target', recordOf(target));
  vars.set('kind', rt.str(kind));
  if (rt.truthy(vars.get('boot'))) vars.set('setx', rt.str('1'));
}
