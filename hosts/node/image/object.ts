/**
 * The image store object of a realm: /ix/store/<id>-image holding `kernel` (the kernel's boot
 * image, copied), `initramfs.cpio` and `meta.json` (format ix-image/1). The initramfs' root holds
 * the realm object and every store path of its closure under /ix/store, the init package, the
 * empty mount points /dev, /proc and /sys (and /dev/console, the node the kernel opens for init's
 * output), and /init, a symlink to the init program; nothing else. Members are written as
 * cpio.ts writes them: sorted, owner 0, time 0, modes normalised to a read-only store
 * (directories 0555, files 0444 or 0555), so the same realm, kernel and init give the same bytes
 * on every machine. Its id is content-addressed (BLAKE3 of those three store paths and the
 * format), and it is produced through the store's atomic commit, so it is never half-written.
 *
 * Must not depend on: the engine's evaluator (engine/hash for the id only), the sandbox, the CLI.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { STORE_PREFIX } from '../../common';
import { storeIdOf } from '../../../engine/hash';
import type { Store } from '../store';
import { writeCpio, type CpioEntry } from './cpio';

export const IMAGE_META_FORMAT = 'ix-image/1';
/** Store name of every image object. */
export const IMAGE_STORE_NAME = 'image';
/** The init program inside the init package. */
export const INIT_PROGRAM = 'bin/ix-init';

/** What an image is made of: three store paths (the realm's closure comes from its meta.json). */
export interface ImageInputs {
  /** The realm object. */
  realm: string;
  /** Every store path the realm links (its meta.json `members`), sorted. */
  members: string[];
  /** The kernel package's output (holds `bzImage` or `Image`). */
  kernel: string;
  /** The init package's output (holds bin/ix-init, static). */
  init: string;
  /** Architecture of the kernel (qemu.ts kernelArch). */
  arch: string;
}

/** meta.json of an image object. */
export interface ImageMeta {
  format: typeof IMAGE_META_FORMAT;
  realm: string;
  kernel: string;
  init: string;
  arch: string;
  /** Kernel command line `ix boot` starts from (console, realm; the command is added per boot). */
  cmdline: string;
  /** Store paths in the initramfs, sorted. */
  paths: string[];
}

/** The logical store path of the image of `i` (a pure function of its inputs). */
export function imagePath(i: ImageInputs): string {
  const id = storeIdOf({ format: IMAGE_META_FORMAT, realm: i.realm, kernel: i.kernel, init: i.init, arch: i.arch });
  return `${STORE_PREFIX}${id}-${IMAGE_STORE_NAME}`;
}

/** The kernel file of a kernel package's output directory, or undefined. */
export async function kernelFile(physical: string): Promise<string | undefined> {
  for (const n of ['bzImage', 'Image']) {
    const f = path.join(physical, n);
    if (await fs.stat(f).then((s) => s.isFile(), () => false)) return f;
  }
  return undefined;
}

/** Every entry of store path `p` (physical directory `dir`) under ix/store/<base>. */
async function storeEntries(p: string, dir: string, out: CpioEntry[]): Promise<void> {
  const root = p.slice(1); // "ix/store/<id>-<name>"
  out.push({ path: root, kind: 'dir', mode: 0o555 });
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const ent of await fs.readdir(d, { withFileTypes: true })) {
      const abs = path.join(d, ent.name);
      const r = `${rel}/${ent.name}`;
      if (ent.isDirectory()) {
        out.push({ path: r, kind: 'dir', mode: 0o555 });
        await walk(abs, r);
      } else if (ent.isSymbolicLink()) {
        out.push({ path: r, kind: 'symlink', target: await fs.readlink(abs) });
      } else if (ent.isFile()) {
        const st = await fs.stat(abs);
        out.push({ path: r, kind: 'file', mode: st.mode & 0o111 ? 0o555 : 0o444, data: await fs.readFile(abs) });
      } else {
        throw new Error(`image: ${abs} is neither a file, a directory nor a symlink`);
      }
    }
  };
  await walk(dir, root);
}

/** The initramfs entries of an image: the fixed skeleton, /init and every store path. */
export async function imageEntries(store: Store, paths: string[], init: string): Promise<CpioEntry[]> {
  const entries: CpioEntry[] = [
    { path: 'dev', kind: 'dir', mode: 0o755 },
    { path: 'dev/console', kind: 'chardev', mode: 0o600, major: 5, minor: 1 },
    { path: 'proc', kind: 'dir', mode: 0o755 },
    { path: 'sys', kind: 'dir', mode: 0o755 },
    { path: 'ix', kind: 'dir', mode: 0o755 },
    { path: 'ix/store', kind: 'dir', mode: 0o755 },
    { path: 'init', kind: 'symlink', target: `${init}/${INIT_PROGRAM}` },
  ];
  for (const p of paths) await storeEntries(p, store.physical(p), entries);
  return entries;
}

/**
 * Make sure the image of `i` is in the store (build it if needed); returns its path and meta.
 * Throws IxError when the kernel package holds no kernel.
 */
export async function realiseImage(store: Store, i: ImageInputs): Promise<{ path: string; meta: ImageMeta; built: boolean }> {
  const out = imagePath(i);
  const paths = [...new Set([i.realm, ...i.members, i.init])].sort();
  const meta: ImageMeta = {
    format: IMAGE_META_FORMAT,
    realm: i.realm,
    kernel: i.kernel,
    init: i.init,
    arch: i.arch,
    cmdline: `console=${i.arch === 'aarch64' ? 'ttyAMA0' : 'ttyS0'} panic=-1 ixrealm=${i.realm}`,
    paths,
  };
  const node = { id: store.parse(out).id, out, name: 'image', inputs: [...paths, i.kernel].sort(), runtime: paths };
  const how = await store.realise(node, async (o) => {
    const kfile = await kernelFile(store.physical(i.kernel));
    if (!kfile) throw new Error(`image: ${i.kernel} holds no bzImage or Image`);
    const cpio = writeCpio(await imageEntries(store, paths, i.init));
    await fs.writeFile(path.join(o.tmpOut, 'initramfs.cpio'), cpio);
    await fs.copyFile(kfile, path.join(o.tmpOut, 'kernel'));
    await fs.writeFile(path.join(o.tmpOut, 'meta.json'), `${JSON.stringify(meta, null, 1)}\n`);
  });
  return { path: out, meta, built: how === 'built' };
}

/** Read meta.json of an image object (physical directory), or undefined if unreadable. */
export async function readImageMeta(physical: string): Promise<ImageMeta | undefined> {
  try {
    const m = JSON.parse(await fs.readFile(path.join(physical, 'meta.json'), 'utf8')) as ImageMeta;
    return m.format === IMAGE_META_FORMAT ? m : undefined;
  } catch {
    return undefined;
  }
}
