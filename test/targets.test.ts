// Architecture records (engine/targets.ts): IX's fields and values, aliases, ids, errors.
import { describe, expect, test } from 'vitest';
import { archRecord, knownTargets, targetAliases } from '../engine/targets';
import { IxError } from '../engine/errors';
import { storeIdOf } from '../engine/hash/index';

describe('targets', () => {
  test('the meaningful matrix: every os with the cpus it runs on', () => {
    expect(knownTargets()).toEqual([
      'darwin-aarch64', 'darwin-arm64', 'darwin-x86_64',
      'freebsd-aarch64', 'freebsd-armv7', 'freebsd-riscv64', 'freebsd-x86_64',
      'linux-aarch64', 'linux-armv7', 'linux-armv7-gnueabihf', 'linux-riscv64', 'linux-x86_64',
      'mingw_w64-aarch64', 'mingw_w64-x86_64',
      'wasi-wasm32', 'wasi-wasm64',
    ]);
  });

  // The values IX's renderer gives templates (its core/config.py), field for field.
  test('linux-x86_64 is IX\'s record, every field', () => {
    const { id, ...r } = archRecord('linux-x86_64');
    expect(id).toMatch(/^[0-9a-df-np-sv-z]{32}$/);
    expect(r).toEqual({
      name: 'linux-x86_64', os: 'linux', kernel: 'linux', arch: 'x86_64', gnu_arch: 'x86_64', bits: 64, ptrlen: 8,
      family: 'x86', vendor: 'unknown', gnu_vendor: 'unknown', rust_vendor: 'unknown', obj_fmt: 'elf',
      cmake_system_name: 'Linux', rust_os: 'linux-musl', rust: 'x86_64-unknown-linux-musl', go_arch: 'amd64',
      linux_arch: 'x86_64', llvm_target: 'X86', gnu: { three: 'x86_64-unknown-linux', four: 'x86_64-unknown-linux-elf' },
      uname_m: 'x86_64', uname_s: 'Linux', exe_suffix: '', dl_suffix: 'so', clang_os: 'linux', endian: 'little',
    });
  });

  test('other platforms: the values IX derives for them', () => {
    expect(archRecord('linux-aarch64')).toMatchObject({ go_arch: 'arm64', linux_arch: 'arm64', llvm_target: 'AArch64', uname_m: 'aarch64', gnu: { three: 'aarch64-unknown-linux' } });
    expect(archRecord('linux-armv7')).toMatchObject({ bits: 32, ptrlen: 4, rust: 'armv7-unknown-linux-musl', uname_m: 'armv7', go_arch: 'armv7', linux_arch: 'arm' });
    expect(archRecord('linux-armv7-gnueabihf')).toMatchObject({ hard_float: true, gnu: { three: 'armv7-linux-gnueabihf', four: 'armv7-linux-gnueabihf-elf' } });
    expect(archRecord('linux-riscv64')).toMatchObject({ rust: 'riscv64-unknown-linux-musl', linux_arch: 'riscv', llvm_target: 'RISCV' });
    expect(archRecord('darwin-aarch64')).toMatchObject({ obj_fmt: 'mach-o', dl_suffix: 'dylib', uname_m: 'aarch64', rust: 'aarch64-apple-darwin', vendor: 'apple', clang_os: 'darwin11', symbol_prefix: '_', kernel: 'xnu' });
    expect(archRecord('darwin-arm64')).toMatchObject({ arch: 'arm64', gnu_arch: 'aarch64', uname_m: 'arm64', gnu: { three: 'aarch64-apple-darwin' } });
    expect(archRecord('freebsd-x86_64')).toMatchObject({ uname_s: 'FreeBSD', uname_m: 'x86_64', cmake_system_name: 'FreeBSD', rust: 'x86_64-unknown-freebsd', gnu: { three: 'x86_64-unknown-freebsd' } });
    expect(archRecord('mingw_w64-x86_64')).toMatchObject({ os: 'mingw32', exe_suffix: '.exe', obj_fmt: 'coff', cmake_system_name: 'Windows', rust: 'x86_64-pc-windows-gnullvm', gnu: { three: 'x86_64-w64-mingw32', four: 'x86_64-w64-mingw32-coff' } });
    expect(archRecord('mingw_w64-x86_64').dl_suffix).toBeUndefined();
    expect(archRecord('wasi-wasm32')).toMatchObject({ bits: 32, family: 'wasm', obj_fmt: 'wasm', rust: 'wasm32-unknown-wasi', llvm_target: 'TODO', go_arch: 'wasm32' });
    expect(archRecord('wasi-wasm64')).toMatchObject({ bits: 64, ptrlen: 8 });
  });

  test('every record is complete and well-typed', () => {
    for (const t of knownTargets()) {
      const r = archRecord(t);
      expect(r.name).toBe(t);
      expect(r.ptrlen * 8).toBe(r.bits);
      for (const k of ['os', 'kernel', 'arch', 'gnu_arch', 'family', 'vendor', 'obj_fmt', 'cmake_system_name', 'rust', 'llvm_target', 'uname_m', 'uname_s', 'clang_os', 'endian'] as const) {
        expect(r[k], `${t}.${k}`).toMatch(/^[A-Za-z0-9_.-]+$/);
      }
      expect(r.gnu.three.startsWith(r.gnu_arch)).toBe(true);
      expect(r.gnu.four.startsWith(r.gnu.three)).toBe(true);
    }
  });

  test('aliases resolve to the canonical record; mingw-w64 means mingw_w64', () => {
    expect(targetAliases()).toEqual({ wasi32: 'wasi-wasm32', wasi64: 'wasi-wasm64', mingw64: 'mingw_w64-x86_64', arm64: 'darwin-arm64' });
    expect(archRecord('wasi32')).toBe(archRecord('wasi-wasm32'));
    expect(archRecord('wasi64')).toBe(archRecord('wasi-wasm64'));
    expect(archRecord('mingw64')).toBe(archRecord('mingw_w64-x86_64'));
    expect(archRecord('arm64')).toBe(archRecord('darwin-arm64'));
    expect(archRecord('mingw-w64-x86_64')).toBe(archRecord('mingw_w64-x86_64'));
  });

  test('id is the store id of the record without id; all ids distinct', () => {
    const ids = new Set<string>();
    for (const t of knownTargets()) {
      const { id, ...rest } = archRecord(t);
      expect(id).toBe(storeIdOf(rest));
      expect(id).toMatch(/^[0-9a-df-np-sv-z]{32}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(knownTargets().length);
  });

  test('id is pinned: changing a value of a record must be a deliberate change', () => {
    expect(archRecord('linux-x86_64').id).toMatchInlineSnapshot(`"grb59dn4qsv5csxh7pwa61bb4dm548s6"`);
  });

  test('unknown target: IxError listing the known ones', () => {
    expect(() => archRecord('linux-sparc')).toThrow(IxError);
    expect(() => archRecord('linux-sparc')).toThrow(/^unknown target 'linux-sparc'; known: darwin-aarch64, .*linux-x86_64, .*arm64/);
    expect(() => archRecord('constructor')).toThrow(IxError);
  });

  test('records are frozen', () => {
    expect(Object.isFrozen(archRecord('linux-x86_64'))).toBe(true);
  });
});
