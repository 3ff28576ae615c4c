// The parts of a Stalix image that need no kernel build (hosts/node/image/): the deterministic
// cpio writer (read back by its reader and by GNU cpio when the machine has it), its refusal of
// set-user-ID/set-group-ID modes, the kernel architecture read from boot headers, and QEMU's
// command line, including the one-line environment errors for a missing QEMU and a kernel of
// another architecture. The real image is built and booted in test/real-builds.test.ts
// (test/support/stalix-story.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { EnvironmentError } from '../hosts/common';
import { hasSpecialBits, readCpio, writeCpio, type CpioEntry } from '../hosts/node/image/cpio';
import { kernelArch, qemuCommand, type BootRequest } from '../hosts/node/image/qemu';
import { commandArg } from '../hosts/node/commands/image';
import { missing, onPath } from './support/prereq';

const dir = mkdtempSync(join(tmpdir(), 'ix-image-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const enc = new TextEncoder();
const ENTRIES: CpioEntry[] = [
  { path: 'ix/store', kind: 'dir', mode: 0o755 },
  { path: 'init', kind: 'symlink', target: '/ix/store/aaaa-sys-init/bin/ix-init' },
  { path: 'ix', kind: 'dir', mode: 0o755 },
  { path: 'ix/store/aaaa-sys-init', kind: 'dir', mode: 0o555 },
  { path: 'ix/store/aaaa-sys-init/bin/ix-init', kind: 'file', mode: 0o555, data: enc.encode('\x7fELF not really\n') },
  { path: 'ix/store/aaaa-sys-init/bin', kind: 'dir', mode: 0o555 },
  { path: 'dev', kind: 'dir', mode: 0o755 },
  { path: 'dev/console', kind: 'chardev', mode: 0o600, major: 5, minor: 1 },
  { path: 'ix/store/aaaa-sys-init/odd', kind: 'file', mode: 0o444, data: enc.encode('12345') },
];

describe('cpio (newc) writer', () => {
  test('the same entries in any order give the same bytes; members come back sorted with owner 0 and time 0', () => {
    const a = writeCpio(ENTRIES);
    const b = writeCpio([...ENTRIES].reverse());
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const m = readCpio(a);
    expect(m.map((x) => x.path)).toEqual([...ENTRIES.map((e) => e.path)].sort());
    for (const x of m) {
      expect([x.uid, x.gid, x.mtime]).toEqual([0, 0, 0]);
      expect(hasSpecialBits(x.mode)).toBe(false);
    }
    const init = m.find((x) => x.path === 'init')!;
    expect(init.type).toBe('symlink');
    expect(new TextDecoder().decode(init.data)).toBe('/ix/store/aaaa-sys-init/bin/ix-init');
    expect(m.find((x) => x.path === 'ix/store/aaaa-sys-init/odd')!.mode).toBe(0o100444);
    expect(m.find((x) => x.path === 'dev/console')!.type).toBe('chardev');
    expect(a.length % 4).toBe(0);
  });

  test.skipIf(missing('GNU cpio (Debian cpio)', onPath('cpio')))('GNU cpio lists the same members', () => {
    const r = spawnSync('cpio', ['-it', '--quiet'], { input: writeCpio(ENTRIES) });
    expect(r.status, r.stderr.toString()).toBe(0);
    expect(r.stdout.toString().trim().split('\n')).toEqual([...ENTRIES.map((e) => e.path)].sort());
  });

  test('set-user-ID, set-group-ID and sticky modes, duplicate and unclean paths are refused', () => {
    expect(() => writeCpio([{ path: 'x', kind: 'file', mode: 0o4755, data: new Uint8Array() }])).toThrow(/set-user-ID/);
    expect(() => writeCpio([{ path: 'x', kind: 'dir', mode: 0o2755 }])).toThrow(/beyond rwx/);
    expect(() => writeCpio([{ path: 'x', kind: 'dir', mode: 0o755 }, { path: 'x', kind: 'dir', mode: 0o755 }])).toThrow(/twice/);
    expect(() => writeCpio([{ path: '/x', kind: 'dir', mode: 0o755 }])).toThrow(/bad member path/);
    expect(() => writeCpio([{ path: 'a/../b', kind: 'dir', mode: 0o755 }])).toThrow(/bad member path/);
  });
});

/** A file that starts like a kernel of `arch` (boot header only) or like nothing. */
function fakeKernel(name: string, arch: 'x86_64' | 'i386' | 'aarch64' | 'none'): string {
  const b = Buffer.alloc(0x400);
  if (arch === 'x86_64' || arch === 'i386') {
    b.write('HdrS', 0x202, 'latin1');
    b.writeUInt16LE(arch === 'x86_64' ? 1 : 0, 0x236);
  } else if (arch === 'aarch64') {
    b.writeUInt32LE(0x644d5241, 0x38);
  } else {
    b.write('\x7fELF', 0, 'latin1');
  }
  const f = join(dir, name);
  writeFileSync(f, b);
  return f;
}

function request(kernel: string, arch: string, env: Record<string, string>): BootRequest {
  return { kernel, initramfs: join(dir, 'initramfs.cpio'), arch, cmdline: 'console=ttyS0', memory: '128M', initTimeout: 5, env, console: () => undefined, interactive: false, accel: 'auto' };
}

describe('booting: the kernel architecture and the QEMU command', () => {
  test('the architecture comes from the kernel\'s own header', () => {
    expect(kernelArch(fakeKernel('bz', 'x86_64'))).toBe('x86_64');
    expect(kernelArch(fakeKernel('Image', 'aarch64'))).toBe('aarch64');
    expect(kernelArch(fakeKernel('bz32', 'i386'))).toBeUndefined();
    expect(kernelArch(fakeKernel('elf', 'none'))).toBeUndefined();
  });

  test('a missing QEMU and a kernel for another architecture are one-line environment errors', () => {
    const noQemu = { PATH: join(dir, 'empty-bin') };
    const err = (f: () => unknown): EnvironmentError => {
      try { f(); } catch (e) { return e as EnvironmentError; }
      throw new Error('no error');
    };
    const missing = err(() => qemuCommand(request(fakeKernel('bz', 'x86_64'), 'x86_64', noQemu)));
    expect(missing).toBeInstanceOf(EnvironmentError);
    expect(missing.message).toBe("the program 'qemu-system-x86_64' was not found on PATH: install Debian's qemu-system-x86 to boot x86_64 images");
    const foreign = err(() => qemuCommand(request(fakeKernel('Image', 'aarch64'), 'x86_64', noQemu)));
    expect(foreign).toBeInstanceOf(EnvironmentError);
    expect(foreign.message).toMatch(/is a kernel for aarch64, but the image was made for x86_64$/);
    const none = err(() => qemuCommand(request(fakeKernel('elf', 'none'), 'x86_64', noQemu)));
    expect(none.message).toMatch(/is not a kernel QEMU can boot here/);
    for (const e of [missing, foreign, none]) expect(e.message).not.toContain('\n');
  });

  test('QEMU runs with the serial console on stdio, no reboot, the given memory, and TCG without usable KVM', () => {
    const bin = join(dir, 'qbin');
    spawnSync('mkdir', ['-p', bin]);
    writeFileSync(join(bin, 'qemu-system-x86_64'), '#!/bin/sh\n', { mode: 0o755 });
    const { program, args } = qemuCommand(request(fakeKernel('bz', 'x86_64'), 'x86_64', { PATH: bin }));
    expect(program).toBe(join(bin, 'qemu-system-x86_64'));
    expect(args.join(' ')).toContain('-m 128M -nodefaults -no-user-config -display none -serial stdio -no-reboot');
    expect(args.join(' ')).toMatch(/-accel (tcg|kvm)/);
    expect(qemuCommand({ ...request(fakeKernel('bz', 'x86_64'), 'x86_64', { PATH: bin }), accel: 'tcg' }).args.join(' ')).toMatch(/-accel tcg -m 128M/);
    expect(args.slice(-2)).toEqual(['-append', 'console=ttyS0']);
  });

  test('the command reaches the kernel base64-encoded, as one word', () => {
    const a = commandArg('zstd --version && echo "a b" | cmp - /f');
    expect(a).toMatch(/^ixcmd=[A-Za-z0-9+/=]+$/);
    expect(Buffer.from(a.slice('ixcmd='.length), 'base64').toString()).toBe('zstd --version && echo "a b" | cmp - /f');
  });
});
