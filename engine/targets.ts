/**
 * Architecture records: the `host` and `target` objects recipes see (pkgs/README.md §3).
 * A target is written `<os>-<arch>`; a few aliases exist. Every value is a fixed, real-world
 * name (GNU triples, uname, CMake, Rust, Go, LLVM), never detected from the running machine.
 * The record's `id` is the store id of the record without its id, so any change of a value
 * changes every plan that depends on it.
 *
 * Must not depend on: Node, host modules, the clock, the machine the engine runs on.
 */
import { IxError } from './errors';
import { storeIdOf } from './hash/index';

export interface ArchRecord {
  /** storeIdOf(this record without `id`). */
  id: string;
  /** "linux", "freebsd", "darwin", "wasi", "mingw_w64". */
  os: string;
  /** "x86_64", "aarch64", "armv7", "riscv64", "wasm32", "wasm64". */
  arch: string;
  /** CPU part of GNU triples. */
  gnu_arch: string;
  /** Pointer width in bits. */
  bits: number;
  /** "x86", "arm", "riscv", "wasm". */
  family: string;
  /** Vendor part of the full triple ("unknown", "apple", "w64"). */
  vendor: string;
  /** "elf", "mach-o", "coff", "wasm". */
  obj_fmt: string;
  /** CMAKE_SYSTEM_NAME. */
  cmake_system_name: string;
  /** Rust target triple. */
  rust: string;
  /** GOARCH ("" where Go has no port). */
  go_arch: string;
  /** Linux kernel ARCH= value. */
  linux_arch: string;
  /** LLVM backend name to enable (LLVM_TARGETS_TO_BUILD). */
  llvm_target: string;
  /** three: the short triple compilers take; four: the full config.sub form. */
  gnu: { three: string; four: string };
  /** `uname -m` / `uname -s` on that system. */
  uname_m: string;
  uname_s: string;
  /** Executable and shared-library suffixes (dl_suffix without the dot). */
  exe_suffix: string;
  dl_suffix: string;
  /** OS part of clang's --target. */
  clang_os: string;
  endian: string;
  /** Pointer length in bytes. */
  ptrlen: number;
  /** Canonical target name, "linux-x86_64". */
  name: string;
}

type OsFacts = Pick<ArchRecord, 'os' | 'vendor' | 'obj_fmt' | 'cmake_system_name' | 'uname_s' | 'exe_suffix' | 'dl_suffix' | 'clang_os'>;
type CpuFacts = Pick<ArchRecord, 'arch' | 'gnu_arch' | 'bits' | 'family' | 'go_arch' | 'linux_arch' | 'llvm_target'>;

const OS: Record<string, OsFacts> = {
  linux: { os: 'linux', vendor: 'unknown', obj_fmt: 'elf', cmake_system_name: 'Linux', uname_s: 'Linux', exe_suffix: '', dl_suffix: 'so', clang_os: 'linux' },
  freebsd: { os: 'freebsd', vendor: 'unknown', obj_fmt: 'elf', cmake_system_name: 'FreeBSD', uname_s: 'FreeBSD', exe_suffix: '', dl_suffix: 'so', clang_os: 'freebsd' },
  darwin: { os: 'darwin', vendor: 'apple', obj_fmt: 'mach-o', cmake_system_name: 'Darwin', uname_s: 'Darwin', exe_suffix: '', dl_suffix: 'dylib', clang_os: 'darwin' },
  wasi: { os: 'wasi', vendor: 'unknown', obj_fmt: 'wasm', cmake_system_name: 'WASI', uname_s: 'WASI', exe_suffix: '', dl_suffix: 'so', clang_os: 'wasi' },
  mingw_w64: { os: 'mingw_w64', vendor: 'w64', obj_fmt: 'coff', cmake_system_name: 'Windows', uname_s: 'Windows', exe_suffix: '.exe', dl_suffix: 'dll', clang_os: 'windows' },
};

const CPU: Record<string, CpuFacts> = {
  x86_64: { arch: 'x86_64', gnu_arch: 'x86_64', bits: 64, family: 'x86', go_arch: 'amd64', linux_arch: 'x86_64', llvm_target: 'X86' },
  aarch64: { arch: 'aarch64', gnu_arch: 'aarch64', bits: 64, family: 'arm', go_arch: 'arm64', linux_arch: 'arm64', llvm_target: 'AArch64' },
  armv7: { arch: 'armv7', gnu_arch: 'armv7', bits: 32, family: 'arm', go_arch: 'arm', linux_arch: 'arm', llvm_target: 'ARM' },
  riscv64: { arch: 'riscv64', gnu_arch: 'riscv64', bits: 64, family: 'riscv', go_arch: 'riscv64', linux_arch: 'riscv', llvm_target: 'RISCV' },
  wasm32: { arch: 'wasm32', gnu_arch: 'wasm32', bits: 32, family: 'wasm', go_arch: 'wasm', linux_arch: 'wasm32', llvm_target: 'WebAssembly' },
  wasm64: { arch: 'wasm64', gnu_arch: 'wasm64', bits: 64, family: 'wasm', go_arch: '', linux_arch: 'wasm64', llvm_target: 'WebAssembly' },
};

/** Per-target facts that do not follow from os + cpu alone. */
interface Specific { three: string; four: string; rust: string; uname_m: string }

const SPECIFIC: Record<string, Specific> = {
  'linux-x86_64': { three: 'x86_64-linux-musl', four: 'x86_64-pc-linux-musl', rust: 'x86_64-unknown-linux-musl', uname_m: 'x86_64' },
  'linux-aarch64': { three: 'aarch64-linux-musl', four: 'aarch64-unknown-linux-musl', rust: 'aarch64-unknown-linux-musl', uname_m: 'aarch64' },
  'linux-armv7': { three: 'armv7-linux-musleabihf', four: 'armv7-unknown-linux-musleabihf', rust: 'armv7-unknown-linux-musleabihf', uname_m: 'armv7l' },
  'linux-riscv64': { three: 'riscv64-linux-musl', four: 'riscv64-unknown-linux-musl', rust: 'riscv64gc-unknown-linux-musl', uname_m: 'riscv64' },
  'freebsd-x86_64': { three: 'x86_64-unknown-freebsd', four: 'x86_64-unknown-freebsd', rust: 'x86_64-unknown-freebsd', uname_m: 'amd64' },
  'freebsd-aarch64': { three: 'aarch64-unknown-freebsd', four: 'aarch64-unknown-freebsd', rust: 'aarch64-unknown-freebsd', uname_m: 'arm64' },
  'freebsd-armv7': { three: 'armv7-unknown-freebsd-gnueabihf', four: 'armv7-unknown-freebsd-gnueabihf', rust: 'armv7-unknown-freebsd', uname_m: 'arm' },
  'freebsd-riscv64': { three: 'riscv64-unknown-freebsd', four: 'riscv64-unknown-freebsd', rust: 'riscv64gc-unknown-freebsd', uname_m: 'riscv' },
  'darwin-x86_64': { three: 'x86_64-apple-darwin', four: 'x86_64-apple-darwin', rust: 'x86_64-apple-darwin', uname_m: 'x86_64' },
  'darwin-aarch64': { three: 'aarch64-apple-darwin', four: 'aarch64-apple-darwin', rust: 'aarch64-apple-darwin', uname_m: 'arm64' },
  'wasi-wasm32': { three: 'wasm32-wasi', four: 'wasm32-unknown-wasi', rust: 'wasm32-wasip1', uname_m: 'wasm32' },
  'wasi-wasm64': { three: 'wasm64-wasi', four: 'wasm64-unknown-wasi', rust: 'wasm64-unknown-unknown', uname_m: 'wasm64' },
  'mingw_w64-x86_64': { three: 'x86_64-w64-mingw32', four: 'x86_64-w64-windows-gnu', rust: 'x86_64-pc-windows-gnu', uname_m: 'x86_64' },
  'mingw_w64-aarch64': { three: 'aarch64-w64-mingw32', four: 'aarch64-w64-windows-gnu', rust: 'aarch64-pc-windows-gnullvm', uname_m: 'aarch64' },
};

const ALIASES: Record<string, string> = {
  wasi32: 'wasi-wasm32',
  wasi64: 'wasi-wasm64',
  mingw64: 'mingw_w64-x86_64',
  arm64: 'darwin-aarch64',
};

const built = new Map<string, ArchRecord>();

function build(name: string): ArchRecord {
  const spec = SPECIFIC[name];
  const dash = name.indexOf('-');
  const os = OS[name.slice(0, dash)];
  const cpu = CPU[name.slice(dash + 1)];
  const base: Omit<ArchRecord, 'id'> = {
    ...os,
    ...cpu,
    rust: spec.rust,
    gnu: Object.freeze({ three: spec.three, four: spec.four }),
    uname_m: spec.uname_m,
    endian: 'little',
    ptrlen: cpu.bits / 8,
    name,
  };
  return Object.freeze({ ...base, id: storeIdOf(base) }) as ArchRecord;
}

/** Canonical target names, sorted. */
export function knownTargets(): string[] {
  return Object.keys(SPECIFIC).sort();
}

/** Target aliases and what they stand for. */
export function targetAliases(): Record<string, string> {
  return { ...ALIASES };
}

/** The record of a canonical target name or alias. Unknown names are an IxError. */
export function archRecord(target: string): ArchRecord {
  const name = Object.prototype.hasOwnProperty.call(ALIASES, target) ? ALIASES[target] : target;
  if (!Object.prototype.hasOwnProperty.call(SPECIFIC, name)) {
    throw new IxError(`unknown target '${target}'; known: ${[...knownTargets(), ...Object.keys(ALIASES).sort()].join(', ')}`);
  }
  let r = built.get(name);
  if (r === undefined) {
    r = build(name);
    built.set(name, r);
  }
  return r;
}
