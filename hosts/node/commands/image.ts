/**
 * `ix image [NAME]`: the bootable image of realm NAME's active generation (default realm: the
 * user's name): builds the kernel (`--kernel=SEL`, default sys/linux, for the realm's target) and
 * the init (sys/init), writes the image object (hosts/node/image/object.ts) and prints its path.
 * `ix boot [NAME]`: the same image, then boots it in QEMU with the serial console on the
 * terminal (`--memory=SIZE`, default 256M; `--command=CMD`: a shell command the guest runs, else
 * an interactive shell; `--append=ARGS`: more kernel arguments; `--init-timeout=S`, default 120:
 * how long the kernel may take to start the init; `--accel=auto|kvm|tcg`, default auto: KVM when
 * it works). Its exit status is the guest's.
 * Exit: 0 built (image) or the guest's status (boot), 1 a build failed or the guest stopped
 * without a status, 2 bad input (no such realm), 3 no QEMU or a kernel it cannot boot.
 *
 * Must not depend on: the engine's code (types only).
 */
import { UsageError } from '../../common';
import { selectorArg } from '../args';
import { planOf, planRequest, type Context } from '../context';
import { execArgs, realisePlan, reporterFor, storeFor } from './build';
import { noArgs, noEdits, realmName } from './mut';
import { RealmLayout, currentGeneration, getGeneration, readRealmMeta } from '../realm';
import { holdPaths } from '../gc';
import { rootOuts } from '../plan-view';
import type { Store } from '../store';
import { kernelFile, readImageMeta, realiseImage, type ImageMeta, boot, kernelArch } from '../image';
import type { RealmArgs } from './realm-grammar';
import path from 'node:path';
import { cacheDir } from '../cache';

type Base = Omit<Context, 'args'>;

const DEFAULT_KERNEL = 'sys/linux';
const INIT = 'sys/init';

interface Made { store: Store; path: string; meta: ImageMeta; release(): Promise<void> }

/** Builds (or finds) the image of the realm named in `a`; undefined when a build failed. */
async function makeImage(base: Base, verb: string, a: RealmArgs): Promise<Made | undefined> {
  noEdits(verb, a);
  const x = execArgs(a.options); // a bad option value (a cache URL, --jobs) before anything is looked at
  const name = realmName(verb, a, base.env);
  const store = await storeFor(base);
  const rl = new RealmLayout(store.layout);
  const cur = await currentGeneration(rl, name);
  if (cur === undefined) throw new UsageError(`realm ${name} does not exist (make it with 'ix mut ${name} bin/busybox ...')`);
  const gen = await getGeneration(rl, name, cur);
  const realmMeta = await readRealmMeta(store.physical(gen.path));
  if (!realmMeta) throw new UsageError(`realm ${name}: ${gen.path} has no readable meta.json`);
  const args = noArgs(verb);
  args.recipes = a.recipes;
  args.target = gen.target;
  args.host = gen.host;
  args.packages = [selectorArg(a.options.get('kernel') ?? DEFAULT_KERNEL), selectorArg(INIT)];
  const ctx: Context = { ...base, args };
  const { plan } = await planOf(ctx, planRequest(ctx));
  const paths = [...new Set(plan.nodes.flatMap((n) => [n.out, ...n.inputs, ...n.runtime]).concat(gen.path, realmMeta.members))];
  const hold = await holdPaths(store.layout, paths, `ix ${verb} ${name}`, (m) => base.stderr(`ix: ${m}\n`));
  try {
    const r = await realisePlan(ctx, plan, x, reporterFor(ctx, false));
    if (!r.ok) {
      base.stderr(`ix: ${verb} ${name}: build failed: ${r.failures.join('; ') || 'nodes were skipped'}\n`);
      await hold.release();
      return undefined;
    }
    const [kernel] = rootOuts(plan.roots[0]);
    const [init] = rootOuts(plan.roots[1]);
    const kfile = await kernelFile(store.physical(kernel));
    if (!kfile) throw new UsageError(`${a.options.get('kernel') ?? DEFAULT_KERNEL} (${kernel}) holds no bzImage or Image: not a kernel package`);
    const arch = kernelArch(kfile);
    if (!arch) throw new UsageError(`${kernel}: its kernel has no x86_64 or arm64 boot header`);
    const made = await realiseImage(store, { realm: gen.path, members: realmMeta.members, kernel, init, arch });
    await hold.add([made.path]);
    return { store, path: made.path, meta: made.meta, release: () => hold.release() };
  } catch (e) {
    await hold.release();
    throw e;
  }
}

export async function runImage(a: RealmArgs, base: Base): Promise<number> {
  const made = await makeImage(base, 'image', a);
  if (!made) return 1;
  await made.release();
  base.stdout(`${made.path}\n`);
  return 0;
}

/** "256M", "1G", "512": QEMU's -m forms. */
const MEMORY = /^[1-9][0-9]*[MG]?$/;

/** The kernel's `ixcmd=`: the command base64-encoded, so no quoting reaches the kernel. */
export function commandArg(cmd: string): string {
  return `ixcmd=${Buffer.from(cmd, 'utf8').toString('base64')}`;
}

export async function runBoot(a: RealmArgs, base: Base): Promise<number> {
  const memory = a.options.get('memory') ?? '256M';
  if (!MEMORY.test(memory)) throw new UsageError(`--memory needs a size such as 256M or 1G, got '${memory}'`);
  const initTimeout = Number(a.options.get('init-timeout') ?? '120');
  if (!Number.isFinite(initTimeout) || initTimeout <= 0) throw new UsageError(`--init-timeout needs a number of seconds, got '${a.options.get('init-timeout')}'`);
  const command = a.options.get('command');
  const accel = a.options.get('accel') ?? 'auto';
  if (accel !== 'auto' && accel !== 'kvm' && accel !== 'tcg') throw new UsageError(`--accel takes auto, kvm or tcg, got '${accel}'`);
  const made = await makeImage(base, 'boot', a);
  if (!made) return 1;
  try {
    const dir = made.store.physical(made.path);
    const meta = (await readImageMeta(dir)) ?? made.meta;
    const cmdline = [meta.cmdline, a.options.get('append'), command !== undefined ? commandArg(command) : undefined].filter(Boolean).join(' ');
    if (cmdline.length > 2000) throw new UsageError('the command is too long for the kernel command line (2048 bytes at most)');
    const r = await boot({
      kernel: path.join(dir, 'kernel'), initramfs: path.join(dir, 'initramfs.cpio'), arch: meta.arch, cmdline, memory, initTimeout,
      env: base.env, console: (d) => base.stdout(d), interactive: command === undefined,
      accel, verdictFile: path.join(cacheDir(base.env), 'kvm'), note: (l) => base.stderr(`ix: boot: ${l}\n`),
    });
    if (r.status === undefined) {
      base.stderr(`ix: boot: ${r.failure ?? 'the guest gave no exit status'}\n`);
      return 1;
    }
    base.stderr(`ix: boot: init after ${r.initSeconds ?? '?'} s, exit ${r.status} after ${r.totalSeconds} s (${r.accel})\n`);
    return r.status;
  } finally {
    await made.release();
  }
}
