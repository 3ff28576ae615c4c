/**
 * Architecture records: the `host` and `target` objects recipes see (pkgs/README.md §3), with the
 * fields and values IX's renderer gives its templates, so IX trees render unchanged. A target is
 * written as dash-separated parts: one os (linux, freebsd, darwin, wasi, mingw_w64), one cpu
 * (x86_64, aarch64, armv7, riscv64, wasm32, wasm64) and optionally the `gnueabihf` float ABI;
 * `arm64`, `wasi32`, `wasi64`, `mingw64` are aliases and `mingw-w64` means `mingw_w64`. Parts
 * merge left to right (a later part's keys win, shallowly), then every field a part leaves out
 * is derived by the rules in `derive` below. Nothing is detected from the running machine.
 * Beyond IX's fields a record carries `name` (the canonical target name the planner keys on)
 * and `id`: the store id (BLAKE3, engine/hash) of the record without `id`, so any change of a
 * value changes every plan that depends on it. (IX's own id is an MD5 of its record; no recipe
 * reads it, and ix has one hash.)
 *
 * Must not depend on: Node, host modules, the clock, the machine the engine runs on.
 */
import { IxError } from './errors';
import { storeIdOf } from './hash/index';

/** A platform record. Optional fields exist only on some platforms, as in IX. */
export interface ArchRecord {
  /** storeIdOf(this record without `id`). */
  id: string;
  /** Canonical target name, "linux-x86_64" (ix's addition: the planner's key). */
  name: string;
  /** "linux", "freebsd", "darwin", "wasi", "mingw32" (the os of mingw_w64). */
  os: string;
  /** "linux", "freebsd", "xnu", "wasi", "nt". */
  kernel: string;
  /** "x86_64", "aarch64", "armv7", "riscv64", "wasm32", "wasm64", "arm64" (darwin-arm64). */
  arch: string;
  /** CPU part of GNU triples. */
  gnu_arch: string;
  bits: number;
  /** "x86", "arm", "riscv", "wasm". */
  family: string;
  vendor: string;
  gnu_vendor: string;
  rust_vendor: string;
  /** "elf", "mach-o", "coff", "wasm". */
  obj_fmt: string;
  cmake_system_name: string;
  rust_os: string;
  /** Rust target triple. */
  rust: string;
  go_arch: string;
  /** Linux kernel ARCH= value. */
  linux_arch: string;
  /** LLVM backend name (LLVM_TARGETS_TO_BUILD). */
  llvm_target: string;
  /** three: `<gnu_arch>-<gnu_vendor>-<os>` unless a part names it; four: three + `-<obj_fmt>`. */
  gnu: { three: string; four: string };
  uname_m: string;
  uname_s: string;
  exe_suffix: string;
  /** Shared-library suffix without the dot; only on ELF and Darwin platforms. */
  dl_suffix?: string;
  clang_os: string;
  endian: string;
  /** Pointer length in bytes. */
  ptrlen: number;
  /** "_" on Darwin. */
  symbol_prefix?: string;
  /** true with the gnueabihf part. */
  hard_float?: boolean;
}

type Part = Record<string, unknown>;

const OS_PARTS: Record<string, Part> = {
  linux: { os: 'linux', kernel: 'linux', obj_fmt: 'elf', cmake_system_name: 'Linux', rust_os: 'linux-musl' },
  freebsd: { os: 'freebsd', kernel: 'freebsd', obj_fmt: 'elf', cmake_system_name: 'FreeBSD', rust_os: 'freebsd' },
  darwin: { os: 'darwin', kernel: 'xnu', vendor: 'apple', obj_fmt: 'mach-o', cmake_system_name: 'Darwin', dl_suffix: 'dylib', clang_os: 'darwin11', symbol_prefix: '_' },
  wasi: { os: 'wasi', kernel: 'wasi', obj_fmt: 'wasm', cmake_system_name: 'WASI' },
  mingw_w64: { os: 'mingw32', kernel: 'nt', obj_fmt: 'coff', cmake_system_name: 'Windows', vendor: 'w64', exe_suffix: '.exe' },
};

const CPU_PARTS: Record<string, Part> = {
  x86_64: { gnu_arch: 'x86_64', family: 'x86' },
  aarch64: { gnu_arch: 'aarch64', family: 'arm' },
  armv7: { gnu_arch: 'armv7', family: 'arm', bits: 32 },
  riscv64: { gnu_arch: 'riscv64', family: 'riscv' },
  wasm32: { gnu_arch: 'wasm32', family: 'wasm' },
  wasm64: { gnu_arch: 'wasm64', family: 'wasm' },
  // only after an os part: darwin-arm64 is darwin-aarch64 whose arch (and uname -m) is arm64
  arm64: { gnu_arch: 'aarch64', family: 'arm', arch: 'arm64' },
};

const ABI_PARTS: Record<string, Part> = {
  gnueabihf: { hard_float: true, gnu: { three: 'armv7-linux-gnueabihf' } },
};

const ALIASES: Record<string, string> = {
  arm64: 'darwin-arm64',
  wasi32: 'wasi-wasm32',
  wasi64: 'wasi-wasm64',
  mingw64: 'mingw_w64-x86_64',
};

/** The meaningful os × cpu matrix (what error messages and tests list); any os-cpu pair parses. */
const MATRIX = [
  'darwin-aarch64', 'darwin-arm64', 'darwin-x86_64',
  'freebsd-aarch64', 'freebsd-armv7', 'freebsd-riscv64', 'freebsd-x86_64',
  'linux-aarch64', 'linux-armv7', 'linux-armv7-gnueabihf', 'linux-riscv64', 'linux-x86_64',
  'mingw_w64-aarch64', 'mingw_w64-x86_64',
  'wasi-wasm32', 'wasi-wasm64',
];

const LLVM: Record<string, string> = { aarch64: 'AArch64', x86_64: 'X86', armv7: 'ARM', riscv64: 'RISCV', wasm32: 'TODO', wasm64: 'TODO' };
const LINUX_ARCH: Record<string, string> = { aarch64: 'arm64', riscv64: 'riscv', armv7: 'arm' };
const GO_ARCH: Record<string, string> = { aarch64: 'arm64', x86_64: 'amd64' };

const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** Fill every field the parts left out (the order matters: later rules read earlier results). */
function derive(p: Part): Part {
  const d: Part = { ...p };
  const str = (k: string): string => String(d[k]);
  if (!has(d, 'vendor')) d.vendor = 'unknown';
  if (!has(d, 'gnu_vendor')) d.gnu_vendor = d.vendor;
  if (!has(d, 'rust_vendor')) d.rust_vendor = d.gnu_vendor;
  if (!has(d, 'arch')) d.arch = d.gnu_arch;
  if (!has(d, 'bits')) d.bits = (str('arch') + str('gnu_arch')).includes('32') ? 32 : 64;
  d.llvm_target = LLVM[str('gnu_arch')];
  if (!has(d, 'linux_arch')) d.linux_arch = LINUX_ARCH[str('gnu_arch')] ?? d.gnu_arch;
  if (!has(d, 'go_arch')) d.go_arch = GO_ARCH[str('gnu_arch')] ?? d.gnu_arch;
  if (!has(d, 'endian')) d.endian = 'little';
  if (!has(d, 'dl_suffix') && d.obj_fmt === 'elf') d.dl_suffix = 'so';
  if (!has(d, 'clang_os')) d.clang_os = d.os;
  const gnu = { ...((d.gnu as Part | undefined) ?? {}) };
  if (!has(gnu, 'three')) gnu.three = `${str('gnu_arch')}-${str('gnu_vendor')}-${str('os')}`;
  if (!has(gnu, 'four')) gnu.four = `${String(gnu.three)}-${str('obj_fmt')}`;
  d.gnu = Object.freeze(gnu);
  if (!has(d, 'uname_m')) d.uname_m = d.arch;
  if (!has(d, 'uname_s')) d.uname_s = d.cmake_system_name;
  d.ptrlen = Number(d.bits) / 8;
  if (!has(d, 'exe_suffix')) d.exe_suffix = '';
  if (!has(d, 'rust_os')) d.rust_os = d.os;
  if (!has(d, 'rust')) d.rust = d.os === 'mingw32' ? `${str('gnu_arch')}-pc-windows-gnullvm` : `${str('gnu_arch')}-${str('rust_vendor')}-${str('rust_os')}`;
  return d;
}

/** Canonical name of a target as written (aliases resolved), or undefined when it is not one. */
function canonical(target: string): string | undefined {
  const t = target.replace('mingw-w64', 'mingw_w64');
  const name = has(ALIASES, t) ? ALIASES[t] : t;
  const parts = name.split('-');
  if (parts.length < 2 || parts.length > 3) return undefined;
  if (!has(OS_PARTS, parts[0]) || !has(CPU_PARTS, parts[1])) return undefined;
  if (parts.length === 3 && !has(ABI_PARTS, parts[2])) return undefined;
  return name;
}

const built = new Map<string, ArchRecord>();

function build(name: string): ArchRecord {
  const [os, cpu, abi] = name.split('-');
  const merged: Part = { ...OS_PARTS[os], ...CPU_PARTS[cpu], ...(abi === undefined ? {} : ABI_PARTS[abi]) };
  const base = { ...derive(merged), name };
  return Object.freeze({ ...base, id: storeIdOf(base) }) as ArchRecord;
}

/** Canonical target names of the meaningful matrix, sorted (any os-cpu pair is also accepted). */
export function knownTargets(): string[] {
  return [...MATRIX];
}

/** Target aliases and what they stand for. */
export function targetAliases(): Record<string, string> {
  return { ...ALIASES };
}

/** The record of a target name or alias. Unknown names are an IxError. */
export function archRecord(target: string): ArchRecord {
  const name = canonical(target);
  if (name === undefined) {
    throw new IxError(`unknown target '${target}'; known: ${[...knownTargets(), ...Object.keys(ALIASES).sort()].join(', ')}`);
  }
  let r = built.get(name);
  if (r === undefined) {
    r = build(name);
    built.set(name, r);
  }
  return r;
}
