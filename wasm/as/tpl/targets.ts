/**
 * Architecture records (engine/targets.ts): the `host` and `target` objects recipes see, with
 * their fields in the oracle's key order (JS property order of the merged parts, then derived
 * fields, then `name` and `id`), so iterating or printing a record matches byte for byte.
 * `id` is the store id of the record without `id` (canonical JSON, BLAKE3, base32).
 *
 * Must not depend on: rt, host, plan (hash/ depends on nothing of the core).
 */
import { StrBuilder, storeIdOfBuilder } from '../hash/index';

/** A field value: a string, a number, a bool, or the nested `gnu` record. */
export class Field {
  kind: i32 = 0; // 0 str, 1 num, 2 bool, 3 record
  s: string = '';
  n: f64 = 0;
  b: bool = false;
  rec: Fields | null = null;
  static str(s: string): Field { const f = new Field(); f.s = s; return f; }
  static num(n: f64): Field { const f = new Field(); f.kind = 1; f.n = n; return f; }
  static bool(b: bool): Field { const f = new Field(); f.kind = 2; f.b = b; return f; }
  static rec(r: Fields): Field { const f = new Field(); f.kind = 3; f.rec = r; return f; }
}

/** Insertion-ordered fields (JS object semantics: re-setting a key keeps its place). */
export class Fields {
  keys: Array<string> = new Array<string>();
  vals: Array<Field> = new Array<Field>();
  indexOf(k: string): i32 {
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] == k) return i;
    return -1;
  }
  has(k: string): bool { return this.indexOf(k) >= 0; }
  get(k: string): Field | null { const i = this.indexOf(k); return i < 0 ? null : this.vals[i]; }
  str(k: string): string { const f = this.get(k); if (f === null) return 'undefined'; return fieldText(f); }
  set(k: string, v: Field): Fields {
    const i = this.indexOf(k);
    if (i >= 0) this.vals[i] = v; else { this.keys.push(k); this.vals.push(v); }
    return this;
  }
  s(k: string, v: string): Fields { return this.set(k, Field.str(v)); }
  merge(o: Fields): Fields { for (let i = 0; i < o.keys.length; i++) this.set(o.keys[i], o.vals[i]); return this; }
  copy(): Fields { return new Fields().merge(this); }
}

function fieldText(f: Field): string {
  if (f.kind == 0) return f.s;
  if (f.kind == 1) return (<i64>f.n).toString();
  if (f.kind == 2) return f.b ? 'true' : 'false';
  return '[object Object]';
}

/** A platform record (engine/targets.ts ArchRecord). */
export class ArchRecord {
  fields: Fields;
  /** The record as templates see it (a dict of rt's), cached by tpl/context.ts. */
  value: Object | null = null;
  constructor(fields: Fields) { this.fields = fields; }
  get name(): string { return this.fields.str('name'); }
  get os(): string { return this.fields.str('os'); }
  get arch(): string { return this.fields.str('arch'); }
  get id(): string { return this.fields.str('id'); }
}

function storeIdOf(json: string): string {
  const sb = new StrBuilder(json.length + 16);
  sb.str(json);
  return storeIdOfBuilder(sb);
}

function osPart(os: string): Fields | null {
  const p = new Fields();
  if (os == 'linux') return p.s('os', 'linux').s('kernel', 'linux').s('obj_fmt', 'elf').s('cmake_system_name', 'Linux').s('rust_os', 'linux-musl');
  if (os == 'freebsd') return p.s('os', 'freebsd').s('kernel', 'freebsd').s('obj_fmt', 'elf').s('cmake_system_name', 'FreeBSD').s('rust_os', 'freebsd');
  if (os == 'darwin') return p.s('os', 'darwin').s('kernel', 'xnu').s('vendor', 'apple').s('obj_fmt', 'mach-o').s('cmake_system_name', 'Darwin').s('dl_suffix', 'dylib').s('clang_os', 'darwin11').s('symbol_prefix', '_');
  if (os == 'wasi') return p.s('os', 'wasi').s('kernel', 'wasi').s('obj_fmt', 'wasm').s('cmake_system_name', 'WASI');
  if (os == 'mingw_w64') return p.s('os', 'mingw32').s('kernel', 'nt').s('obj_fmt', 'coff').s('cmake_system_name', 'Windows').s('vendor', 'w64').s('exe_suffix', '.exe');
  return null;
}

function cpuPart(cpu: string): Fields | null {
  const p = new Fields();
  if (cpu == 'x86_64') return p.s('gnu_arch', 'x86_64').s('family', 'x86');
  if (cpu == 'aarch64') return p.s('gnu_arch', 'aarch64').s('family', 'arm');
  if (cpu == 'armv7') return p.s('gnu_arch', 'armv7').s('family', 'arm').set('bits', Field.num(32));
  if (cpu == 'riscv64') return p.s('gnu_arch', 'riscv64').s('family', 'riscv');
  if (cpu == 'wasm32') return p.s('gnu_arch', 'wasm32').s('family', 'wasm');
  if (cpu == 'wasm64') return p.s('gnu_arch', 'wasm64').s('family', 'wasm');
  if (cpu == 'arm64') return p.s('gnu_arch', 'aarch64').s('family', 'arm').s('arch', 'arm64');
  return null;
}

function abiPart(abi: string): Fields | null {
  if (abi == 'gnueabihf') return new Fields().set('hard_float', Field.bool(true)).set('gnu', Field.rec(new Fields().s('three', 'armv7-linux-gnueabihf')));
  return null;
}

function lookup(keys: Array<string>, vals: Array<string>, k: string): string | null {
  for (let i = 0; i < keys.length; i++) if (keys[i] == k) return vals[i];
  return null;
}

function derive(p: Fields): Fields {
  const d = p.copy();
  if (!d.has('vendor')) d.s('vendor', 'unknown');
  if (!d.has('gnu_vendor')) d.set('gnu_vendor', d.get('vendor')!);
  if (!d.has('rust_vendor')) d.set('rust_vendor', d.get('gnu_vendor')!);
  if (!d.has('arch')) d.set('arch', d.get('gnu_arch')!);
  if (!d.has('bits')) d.set('bits', Field.num((d.str('arch') + d.str('gnu_arch')).includes('32') ? 32 : 64));
  const ga = d.str('gnu_arch');
  const llvm = lookup(['aarch64', 'x86_64', 'armv7', 'riscv64', 'wasm32', 'wasm64'], ['AArch64', 'X86', 'ARM', 'RISCV', 'TODO', 'TODO'], ga);
  d.s('llvm_target', llvm !== null ? llvm : 'undefined');
  if (!d.has('linux_arch')) { const v = lookup(['aarch64', 'riscv64', 'armv7'], ['arm64', 'riscv', 'arm'], ga); d.s('linux_arch', v !== null ? v : ga); }
  if (!d.has('go_arch')) { const v = lookup(['aarch64', 'x86_64'], ['arm64', 'amd64'], ga); d.s('go_arch', v !== null ? v : ga); }
  if (!d.has('endian')) d.s('endian', 'little');
  if (!d.has('dl_suffix') && d.str('obj_fmt') == 'elf') d.s('dl_suffix', 'so');
  if (!d.has('clang_os')) d.set('clang_os', d.get('os')!);
  const g0 = d.get('gnu');
  const gnu = g0 !== null && g0.rec !== null ? g0.rec!.copy() : new Fields();
  if (!gnu.has('three')) gnu.s('three', ga + '-' + d.str('gnu_vendor') + '-' + d.str('os'));
  if (!gnu.has('four')) gnu.s('four', gnu.str('three') + '-' + d.str('obj_fmt'));
  d.set('gnu', Field.rec(gnu));
  if (!d.has('uname_m')) d.set('uname_m', d.get('arch')!);
  if (!d.has('uname_s')) d.set('uname_s', d.get('cmake_system_name')!);
  d.set('ptrlen', Field.num(d.get('bits')!.n / 8));
  if (!d.has('exe_suffix')) d.s('exe_suffix', '');
  if (!d.has('rust_os')) d.set('rust_os', d.get('os')!);
  if (!d.has('rust')) d.s('rust', d.str('os') == 'mingw32' ? ga + '-pc-windows-gnullvm' : ga + '-' + d.str('rust_vendor') + '-' + d.str('rust_os'));
  return d;
}

/** Canonical name of a target as written, or null when it is not one. */
function canonical(target: string): string | null {
  const t = target.replace('mingw-w64', 'mingw_w64');
  let name = t;
  if (t == 'arm64') name = 'darwin-arm64';
  else if (t == 'wasi32') name = 'wasi-wasm32';
  else if (t == 'wasi64') name = 'wasi-wasm64';
  else if (t == 'mingw64') name = 'mingw_w64-x86_64';
  const parts = name.split('-');
  if (parts.length < 2 || parts.length > 3) return null;
  if (osPart(parts[0]) === null || cpuPart(parts[1]) === null) return null;
  if (parts.length == 3 && abiPart(parts[2]) === null) return null;
  return name;
}

/** JSON of a record with keys sorted by UTF-16 code units (RFC 8785 for these values). */
export function canonicalFields(f: Fields): string {
  const idx = new Array<i32>();
  for (let i = 0; i < f.keys.length; i++) idx.push(i);
  // insertion sort by key (records have ~25 fields)
  for (let a = 1; a < idx.length; a++) {
    const x = idx[a];
    let b = a - 1;
    while (b >= 0 && f.keys[idx[b]] > f.keys[x]) { idx[b + 1] = idx[b]; b--; }
    idx[b + 1] = x;
  }
  const parts = new Array<string>();
  for (let j = 0; j < idx.length; j++) {
    const v = f.vals[idx[j]];
    let t: string;
    if (v.kind == 0) t = jsonStr(v.s);
    else if (v.kind == 1) t = (<i64>v.n).toString();
    else if (v.kind == 2) t = v.b ? 'true' : 'false';
    else t = canonicalFields(v.rec!);
    parts.push(jsonStr(f.keys[idx[j]]) + ':' + t);
  }
  return '{' + parts.join(',') + '}';
}

/** Record values are plain ASCII without quotes or backslashes. */
function jsonStr(s: string): string { return '"' + s + '"'; }

const built = new Map<string, ArchRecord>();
/** The same records by the name or alias asked for (every render asks twice: no canonical() text and parts each time). */
const asked = new Map<string, ArchRecord>();

/** The record of a target name or alias, null when unknown (the caller words the error). */
export function archRecordOf(target: string): ArchRecord | null {
  if (asked.has(target)) return asked.get(target);
  const name = canonical(target);
  if (name === null) return null;
  if (built.has(name)) {
    const r = built.get(name);
    asked.set(target, r);
    return r;
  }
  const parts = name.split('-');
  const merged = osPart(parts[0])!.merge(cpuPart(parts[1])!);
  if (parts.length == 3) merged.merge(abiPart(parts[2])!);
  const d = derive(merged);
  d.s('name', name);
  d.s('id', storeIdOf(canonicalFields(d)));
  const r = new ArchRecord(d);
  built.set(name, r);
  asked.set(target, r);
  return r;
}

/** The oracle's message for an unknown target. */
export function unknownTargetMessage(target: string): string {
  return "unknown target '" + target + "'; known: darwin-aarch64, darwin-arm64, darwin-x86_64, freebsd-aarch64, freebsd-armv7, freebsd-riscv64, freebsd-x86_64, linux-aarch64, linux-armv7, linux-armv7-gnueabihf, linux-riscv64, linux-x86_64, mingw_w64-aarch64, mingw_w64-x86_64, wasi-wasm32, wasi-wasm64, arm64, mingw64, wasi32, wasi64";
}
