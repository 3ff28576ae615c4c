// Architecture records (engine/targets.ts): real-world names, aliases, ids, errors.
import { describe, expect, test } from 'vitest';
import { archRecord, knownTargets, targetAliases } from '../engine/targets';
import { IxError } from '../engine/errors';
import { storeIdOf } from '../engine/hash/index';

describe('targets', () => {
  test('the §3 matrix: every os with the arches it supports', () => {
    expect(knownTargets()).toEqual([
      'darwin-aarch64', 'darwin-x86_64',
      'freebsd-aarch64', 'freebsd-armv7', 'freebsd-riscv64', 'freebsd-x86_64',
      'linux-aarch64', 'linux-armv7', 'linux-riscv64', 'linux-x86_64',
      'mingw_w64-aarch64', 'mingw_w64-x86_64',
      'wasi-wasm32', 'wasi-wasm64',
    ]);
  });

  test('linux-x86_64 carries real values', () => {
    const r = archRecord('linux-x86_64');
    expect(r).toMatchObject({
      name: 'linux-x86_64', os: 'linux', arch: 'x86_64', gnu_arch: 'x86_64', bits: 64, ptrlen: 8, family: 'x86',
      obj_fmt: 'elf', cmake_system_name: 'Linux', rust: 'x86_64-unknown-linux-musl', go_arch: 'amd64',
      linux_arch: 'x86_64', llvm_target: 'X86', gnu: { three: 'x86_64-linux-musl', four: 'x86_64-pc-linux-musl' },
      uname_m: 'x86_64', uname_s: 'Linux', exe_suffix: '', dl_suffix: 'so', endian: 'little',
    });
  });

  test('cross targets differ where the real systems differ', () => {
    expect(archRecord('linux-aarch64')).toMatchObject({ go_arch: 'arm64', linux_arch: 'arm64', llvm_target: 'AArch64', uname_m: 'aarch64' });
    expect(archRecord('linux-armv7')).toMatchObject({ bits: 32, ptrlen: 4, rust: 'armv7-unknown-linux-musleabihf', uname_m: 'armv7l', go_arch: 'arm' });
    expect(archRecord('linux-riscv64')).toMatchObject({ rust: 'riscv64gc-unknown-linux-musl', linux_arch: 'riscv', llvm_target: 'RISCV' });
    expect(archRecord('darwin-aarch64')).toMatchObject({ obj_fmt: 'mach-o', dl_suffix: 'dylib', uname_m: 'arm64', rust: 'aarch64-apple-darwin', vendor: 'apple' });
    expect(archRecord('freebsd-x86_64')).toMatchObject({ uname_s: 'FreeBSD', uname_m: 'amd64', cmake_system_name: 'FreeBSD' });
    expect(archRecord('mingw_w64-x86_64')).toMatchObject({ exe_suffix: '.exe', dl_suffix: 'dll', obj_fmt: 'coff', cmake_system_name: 'Windows', gnu: { three: 'x86_64-w64-mingw32' } });
    expect(archRecord('wasi-wasm32')).toMatchObject({ bits: 32, family: 'wasm', obj_fmt: 'wasm', rust: 'wasm32-wasip1', llvm_target: 'WebAssembly', go_arch: 'wasm' });
    expect(archRecord('wasi-wasm64')).toMatchObject({ bits: 64, ptrlen: 8 });
  });

  test('every record is complete and well-typed', () => {
    for (const t of knownTargets()) {
      const r = archRecord(t);
      expect(r.name).toBe(t);
      expect(t).toBe(`${r.os}-${r.arch}`);
      expect(r.ptrlen * 8).toBe(r.bits);
      for (const k of ['os', 'arch', 'gnu_arch', 'family', 'vendor', 'obj_fmt', 'cmake_system_name', 'rust', 'llvm_target', 'uname_m', 'uname_s', 'dl_suffix', 'clang_os', 'endian'] as const) {
        expect(r[k], `${t}.${k}`).toMatch(/^[A-Za-z0-9_.-]+$/);
      }
      expect(r.gnu.three.startsWith(r.gnu_arch)).toBe(true);
    }
  });

  test('aliases resolve to the canonical record', () => {
    expect(targetAliases()).toEqual({ wasi32: 'wasi-wasm32', wasi64: 'wasi-wasm64', mingw64: 'mingw_w64-x86_64', arm64: 'darwin-aarch64' });
    expect(archRecord('wasi32')).toBe(archRecord('wasi-wasm32'));
    expect(archRecord('wasi64')).toBe(archRecord('wasi-wasm64'));
    expect(archRecord('mingw64')).toBe(archRecord('mingw_w64-x86_64'));
    expect(archRecord('arm64')).toBe(archRecord('darwin-aarch64'));
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
    expect(archRecord('linux-x86_64').id).toMatchInlineSnapshot(`"n8ln5s6kncx9qnik2vrfljvgnxhvf9fc"`);
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
