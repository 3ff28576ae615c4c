/**
 * Stalix, a bootable system built by ix, registered as tests inside test/real-builds.test.ts so
 * its toolchain is the one that run built (machine A's root). The kernel (sys/linux: Linux 6.1.4
 * over tinyconfig, built in the sandbox with the store's gcc, musl cc, flex, bison and bc) is
 * built once and pushed to A's caches like the toolchain, and rebuilt with --check
 * (bit-identical); a realm holding bin/zstd and bin/busybox becomes an image (`ix image`: kernel
 * + an initramfs of the realm's closure) whose every member is checked (only the store and the
 * boot skeleton; no set-user-ID or set-group-ID mode; owner 0, time 0) and whose bytes a fresh
 * rendering reproduces; `ix boot` runs zstd inside the guest under QEMU and returns the guest's
 * exit status. A missing QEMU is one line and exit 3; a boot that never reaches init is stopped
 * after its time-out with the last console lines.
 *
 * Must not depend on: ix's internals beyond the store layout and the image module's reader.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { readCpio, hasSpecialBits, writeCpio } from '../../hosts/node/image/cpio';
import { imageEntries, type ImageMeta } from '../../hosts/node/image/object';
import { kernelArch } from '../../hosts/node/image/qemu';
import { Store } from '../../hosts/node/store';
import { missing, onPath } from './prereq';

const MIN = 60_000;

export interface StalixMachine {
  /** A's ix root. */
  rootA(): string;
  /** Scratch directory of the test file. */
  work(): string;
  /** `./ix` in A's root; the result's stdout and stderr as text. */
  ix(args: string[], env?: Record<string, string>): Promise<{ code: number; out: string; err: string }>;
  /** Options that push what a build makes to A's caches (and the env they need). */
  push(): { args: string[]; env: Record<string, string> };
  /** Awaited before the realm is made: A's x86 build (bin/zstd, bin/busybox among others). */
  ready(): Promise<unknown>;
}

/** The command the guest runs: zstd's version, then a file compressed, tested and compared. */
export const GUEST_COMMAND = 'zstd --version && echo "stalix boots" > /f && zstd -q /f -o /f.zst && zstd -q -t /f.zst'
  + ' && zstd -q -d -c /f.zst | cmp - /f && echo guest-ok && exit 42';

/** The skeleton an image may hold outside /ix/store/<path> (object.ts). */
const SKELETON = ['dev', 'dev/console', 'init', 'ix', 'ix/store', 'proc', 'sys'];

/** A PATH with every program of this one except QEMU's system emulators (links in one directory). */
function pathWithoutQemu(work: string): string {
  const dir = join(work, 'path-without-qemu');
  mkdirSync(dir, { recursive: true });
  for (const d of (process.env.PATH ?? '').split(':').filter(Boolean).reverse()) {
    let names: string[] = [];
    try { names = readdirSync(d); } catch { continue; }
    for (const n of names) {
      if (n.startsWith('qemu-system-')) continue;
      rmSync(join(dir, n), { force: true });
      symlinkSync(join(d, n), join(dir, n));
    }
  }
  return dir;
}

export function registerStalixStory(m: StalixMachine): void {
  const physical = (p: string) => join(m.rootA(), 'store', p.slice('/ix/store/'.length));
  let kernel = '';
  let image = '';
  const haveQemu = onPath('qemu-system-x86_64');

  // The kernel needs only the toolchain's seeds, musl and the cc wrapper, not the programs the x86
  // build makes: it starts at once and builds beside them (the store's locks share common nodes),
  // then rebuilds with --check; the tests below await what they check.
  let built: Promise<{ code: number; out: string; err: string }>;
  let checked: Promise<{ code: number; out: string; err: string }>;
  test('the kernel build starts beside the toolchain builds, then its --check rebuild', () => {
    const p = m.push();
    built = m.ix(['build', 'sys/linux', ...p.args], p.env);
    checked = built.then((r) => (r.code === 0 ? m.ix(['build', '--check', 'sys/linux']) : r));
    built.catch(() => undefined);
    checked.catch(() => undefined);
  });

  test('sys/linux builds in the sandbox from the store\'s tools (gcc, musl cc, flex, bison, bc) and is pushed to the caches', async () => {
    const r = await built;
    expect(r.code, r.err.slice(-3000)).toBe(0);
    kernel = r.out.trim();
    expect(kernel).toMatch(/^\/ix\/store\/[0-9a-z]{32}-sys-linux$/);
    expect(kernelArch(join(physical(kernel), 'bzImage'))).toBe('x86_64');
    const config = readFileSync(join(physical(kernel), 'config'), 'utf8');
    for (const opt of ['CONFIG_64BIT=y', 'CONFIG_SERIAL_8250_CONSOLE=y', 'CONFIG_BLK_DEV_INITRD=y', 'CONFIG_DEVTMPFS=y', 'CONFIG_BINFMT_SCRIPT=y']) {
      expect(config).toContain(`${opt}\n`);
    }
    expect(config).not.toMatch(/^CONFIG_OBJTOOL=y$/m);
    // a flag adds a fragment: another kernel, whose script carries the virtio options
    const virtio = await m.ix(['plan', 'sys/linux(virtio=1)']);
    expect(virtio.code).toBe(0);
    expect(virtio.out.trim()).not.toBe(kernel);
    const rendered = await m.ix(['render', 'sys/linux(virtio=1)', '--normalised']);
    const script = (JSON.parse(rendered.out) as { bld: { script: { data: string } } }).bld.script.data;
    const added = /base64 -d >> kernel\/configs\/ix\.config << 'IX_EOF'\n([A-Za-z0-9+/=\n]+)\nIX_EOF/.exec(script);
    expect(added, 'the virtio fragment is appended').not.toBeNull();
    expect(Buffer.from(added![1], 'base64').toString()).toContain('CONFIG_VIRTIO_PCI=y\n');
  }, 60 * MIN);

  test('sys/linux rebuilds bit-identical (ix build --check)', async () => {
    const r = await checked;
    expect(r.code, r.err.slice(-3000)).toBe(0);
  }, 60 * MIN);

  test('a realm holding bin/zstd and busybox becomes an image: only the store and the boot skeleton, no set-ID file, the same bytes when made again', async () => {
    expect(kernel, 'the kernel test passed').not.toBe('');
    await m.ready();
    const mut = await m.ix(['mut', 'stalix', 'bin/zstd', 'bin/busybox']);
    expect(mut.code, mut.err.slice(-2000)).toBe(0);
    const r = await m.ix(['image', 'stalix']);
    expect(r.code, r.err.slice(-2000)).toBe(0);
    image = r.out.trim();
    expect(image).toMatch(/^\/ix\/store\/[0-9a-z]{32}-image$/);
    const meta = JSON.parse(readFileSync(join(physical(image), 'meta.json'), 'utf8')) as ImageMeta;
    expect(meta.format).toBe('ix-image/1');
    expect(meta.kernel).toBe(kernel);
    expect(readFileSync(join(physical(image), 'kernel')).equals(readFileSync(join(physical(kernel), 'bzImage')))).toBe(true);
    const bytes = readFileSync(join(physical(image), 'initramfs.cpio'));
    const members = readCpio(bytes);
    const roots = new Set(meta.paths.map((p) => p.slice(1)));
    for (const x of members) {
      const [a, b, c] = x.path.split('/');
      const allowed = SKELETON.includes(x.path) || (a === 'ix' && b === 'store' && roots.has(`ix/store/${c}`));
      expect(allowed, `${x.path} is in the store or the boot skeleton`).toBe(true);
      expect(hasSpecialBits(x.mode), `${x.path} has no set-user-ID/set-group-ID bit`).toBe(false);
      expect([x.uid, x.gid, x.mtime], x.path).toEqual([0, 0, 0]);
    }
    expect(members.map((x) => x.path)).toEqual([...members.map((x) => x.path)].sort());
    const names = members.map((x) => x.path);
    expect(names.some((n) => /^ix\/store\/[0-9a-z]{32}-bin-zstd\/bin\/zstd$/.test(n))).toBe(true);
    expect(names.some((n) => /^ix\/store\/[0-9a-z]{32}-bin-busybox\/bin\/busybox$/.test(n))).toBe(true);
    expect(names).toContain(`${meta.realm.slice(1)}/bin/zstd`);
    const init = members.find((x) => x.path === 'init')!;
    expect(init.type).toBe('symlink');
    expect(new TextDecoder().decode(init.data)).toBe(`${meta.init}/bin/ix-init`);
    // made again from the store (entries in another order): the same bytes
    const store = new Store({ root: m.rootA() });
    const entries = await imageEntries(store, meta.paths, meta.init);
    expect(Buffer.from(writeCpio(entries.reverse())).equals(bytes)).toBe(true);
    const again = await m.ix(['image', 'stalix']);
    expect(again.out.trim()).toBe(image);
  }, 10 * MIN);

  test.skipIf(missing('qemu-system-x86_64 (Debian qemu-system-x86)', haveQemu))('ix boot: zstd runs, compresses and checks a file inside the guest, and the guest\'s exit status is ix boot\'s', async () => {
    expect(image, 'the image test passed').not.toBe('');
    const r = await m.ix(['boot', 'stalix', `--command=${GUEST_COMMAND}`, '--memory=128M']);
    expect(r.out).toMatch(/\*\*\* Zstandard CLI/);
    expect(r.out).toContain('guest-ok');
    expect(r.err).toMatch(/^ix: boot: init after [0-9.]+ s, exit 42 after [0-9.]+ s \((kvm|tcg)\)$/m);
    expect(r.code, r.err).toBe(42);
    const ok = await m.ix(['boot', 'stalix', '--command=true']);
    expect(ok.code, ok.err).toBe(0);
  }, 10 * MIN);

  test('ix boot without QEMU on PATH: one line, exit 3', async () => {
    expect(image, 'the image test passed').not.toBe('');
    const r = await m.ix(['boot', 'stalix', '--command=true'], { PATH: pathWithoutQemu(m.work()) });
    expect(r.code, r.err).toBe(3);
    // the progress summary ("done: ...") of the image's no-op build, then one line
    expect(r.err.trim().split('\n').filter((l) => !l.startsWith('done: '))).toEqual(["ix: error: the program 'qemu-system-x86_64' was not found on PATH: install Debian's qemu-system-x86 to boot x86_64 images"]);
    expect(r.out).toBe('');
  }, 5 * MIN);

  test.skipIf(missing('qemu-system-x86_64 (Debian qemu-system-x86)', haveQemu))('a boot that never reaches init is stopped after the time-out, with the last console lines', async () => {
    expect(image, 'the image test passed').not.toBe('');
    // no such init and no root device: the kernel panics and, with panic=0, waits forever
    const r = await m.ix(['boot', 'stalix', '--command=true', '--append=rdinit=/nonexistent panic=0', '--init-timeout=20']);
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(/^ix: boot: the guest did not reach its init within 20 s, QEMU was stopped; last console lines:\n/m);
    expect(r.err).toMatch(/Kernel panic/);
  }, 5 * MIN);
}
