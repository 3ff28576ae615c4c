/**
 * Boots an image object (object.ts) in QEMU: the kernel and initramfs of the image, the serial
 * console passed through to the caller as it comes, KVM when it works, TCG otherwise. /dev/kvm
 * opening is not enough: under nested virtualisation KVM can start and the guest never run, so
 * the first KVM boot of a machine (per boot of the host) must print on the console within
 * KVM_PROBE_SECONDS, else it is stopped and the guest runs under TCG; the verdict is remembered in
 * a small file (ix-kvm/1) keyed by the host's boot id, so later boots start with the right one. The guest's init (sys/init)
 * prints "ix-init: start" and, at the end, "ix-init: exit N"; N is the result. A boot that has
 * not printed the start line within the init time-out is stopped, and the error shows the last
 * console lines; so does a guest that stops without an exit line. The kernel's architecture is
 * read from its own header (x86 boot protocol "HdrS", arm64 Image magic), never guessed from
 * the image's name.
 *
 * Must not depend on: the store, the engine, the CLI.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, openSync, readSync, closeSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../../common';

/** QEMU system emulator and its Debian package, per kernel architecture. */
const QEMU: Record<string, { program: string; deb: string; args: string[] }> = {
  x86_64: { program: 'qemu-system-x86_64', deb: 'qemu-system-x86', args: [] },
  aarch64: { program: 'qemu-system-aarch64', deb: 'qemu-system-arm', args: ['-M', 'virt', '-cpu', 'cortex-a57'] },
};

export const START_LINE = 'ix-init: start';
const EXIT_LINE = /ix-init: exit (\d+)/g;

/** Architecture of a kernel file from its header: 'x86_64', 'aarch64', or undefined. */
export function kernelArch(file: string): string | undefined {
  const b = Buffer.alloc(0x240);
  const fd = openSync(file, 'r');
  let n: number;
  try {
    n = readSync(fd, b, 0, b.length, 0);
  } finally {
    closeSync(fd);
  }
  // x86 boot protocol: "HdrS" at 0x202; 64-bit capable when xloadflags (0x236) has XLF_KERNEL_64
  if (n >= 0x238 && b.toString('latin1', 0x202, 0x206) === 'HdrS' && (b.readUInt16LE(0x236) & 1) === 1) return 'x86_64';
  // arm64 Image header: magic "ARM\x64" at 0x38
  if (n >= 0x40 && b.readUInt32LE(0x38) === 0x644d5241) return 'aarch64';
  return undefined;
}

/** Absolute path of `program` on PATH, or undefined. */
export function onPath(program: string, env: Record<string, string | undefined>): string | undefined {
  for (const d of (env.PATH ?? '').split(':')) {
    if (!d) continue;
    const p = path.join(d, program);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch { /* next */ }
  }
  return undefined;
}

function kvmUsable(): boolean {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Seconds a first KVM boot has to print something before TCG takes over. */
export const KVM_PROBE_SECONDS = 8;
const KVM_FORMAT = 'ix-kvm/1';

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/** The remembered verdict for this host boot: 'kvm', 'tcg', or undefined (not probed yet). */
function rememberedAccel(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    const [format, id, accel] = readFileSync(file, 'utf8').trim().split(' ');
    return format === KVM_FORMAT && id === bootId() && (accel === 'kvm' || accel === 'tcg') ? accel : undefined;
  } catch {
    return undefined;
  }
}

function remember(file: string | undefined, accel: string): void {
  if (!file) return;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${KVM_FORMAT} ${bootId()} ${accel}\n`);
  } catch { /* a cache: never fatal */ }
}

export interface BootRequest {
  kernel: string;
  initramfs: string;
  /** Architecture the image was made for (its meta.json). */
  arch: string;
  cmdline: string;
  /** QEMU's -m (e.g. "256M"). */
  memory: string;
  /** Seconds to wait for "ix-init: start". */
  initTimeout: number;
  env: Record<string, string | undefined>;
  /** The console, as it comes. */
  console: (chunk: string) => void;
  /** Whether the guest's console reads the caller's stdin (an interactive shell). */
  interactive: boolean;
  /** 'auto' (KVM when it works, see above), 'kvm' or 'tcg'. */
  accel: 'auto' | 'kvm' | 'tcg';
  /** Where the KVM verdict is remembered (auto only); none: probe every time. */
  verdictFile?: string;
  /** Told when TCG replaces a KVM that printed nothing. */
  note?: (line: string) => void;
}

export interface BootResult {
  /** The guest's exit status, or undefined when it printed none. */
  status?: number;
  /** Why there is no status (time-out, QEMU failed), with the last console lines. */
  failure?: string;
  /** Seconds from QEMU's start to the init's start line. */
  initSeconds?: number;
  /** Seconds from QEMU's start to its end. */
  totalSeconds: number;
  /** The accelerator the guest ran under. */
  accel: 'kvm' | 'tcg';
}

/** The accelerator to start with for `r`. */
function firstAccel(r: BootRequest, arch: string): 'kvm' | 'tcg' {
  if (r.accel !== 'auto') return r.accel;
  if (arch !== 'x86_64' || process.arch !== 'x64' || !kvmUsable()) return 'tcg';
  return rememberedAccel(r.verdictFile) === 'tcg' ? 'tcg' : 'kvm';
}

/** The QEMU program and arguments for `r` (EnvironmentError when they cannot be had). */
export function qemuCommand(r: BootRequest, accel?: 'kvm' | 'tcg'): { program: string; args: string[]; accel: 'kvm' | 'tcg' } {
  const arch = kernelArch(r.kernel);
  if (!arch) throw new EnvironmentError(`${r.kernel} is not a kernel QEMU can boot here (no x86_64 or arm64 boot header)`);
  if (arch !== r.arch) throw new EnvironmentError(`${r.kernel} is a kernel for ${arch}, but the image was made for ${r.arch}`);
  const q = QEMU[arch];
  const program = onPath(q.program, r.env);
  if (!program) throw new EnvironmentError(`the program '${q.program}' was not found on PATH: install Debian's ${q.deb} to boot ${arch} images`);
  const a = accel ?? firstAccel(r, arch);
  return {
    program,
    accel: a,
    args: [
      ...q.args, '-accel', a, '-m', r.memory, '-nodefaults', '-no-user-config', '-display', 'none', '-serial', 'stdio',
      '-no-reboot', '-kernel', r.kernel, '-initrd', r.initramfs, '-append', r.cmdline,
    ],
  };
}

const lastLines = (text: string, n: number) => text.replace(/\r/g, '').split('\n').filter((l) => l.trim()).slice(-n).join('\n');

/** Runs the guest to its end; the console goes to r.console as it comes. */
export async function boot(r: BootRequest): Promise<BootResult> {
  const first = qemuCommand(r);
  if (first.accel === 'kvm' && r.accel === 'auto' && rememberedAccel(r.verdictFile) !== 'kvm') {
    const res = await run(r, first.program, first.args, 'kvm', KVM_PROBE_SECONDS);
    if (res !== 'silent') {
      remember(r.verdictFile, 'kvm');
      return res;
    }
    remember(r.verdictFile, 'tcg');
    r.note?.(`KVM printed nothing within ${KVM_PROBE_SECONDS} s: booting under TCG (remembered until the host reboots)`);
    const tcg = qemuCommand(r, 'tcg');
    return run(r, tcg.program, tcg.args, 'tcg') as Promise<BootResult>;
  }
  return run(r, first.program, first.args, first.accel) as Promise<BootResult>;
}

/** One QEMU run; with `silentAfter`, 'silent' when the console stays empty that long (QEMU is stopped). */
function run(r: BootRequest, program: string, args: string[], accel: 'kvm' | 'tcg', silentAfter?: number): Promise<BootResult | 'silent'> {
  const t0 = performance.now();
  const secs = () => Math.round((performance.now() - t0) / 100) / 10;
  return new Promise((resolve) => {
    const child = spawn(program, args, { stdio: [r.interactive ? 'inherit' : 'ignore', 'pipe', 'pipe'], env: r.env as NodeJS.ProcessEnv });
    let text = '';
    let errText = '';
    let initSeconds: number | undefined;
    let timedOut = false;
    let silent = false;
    const probe = silentAfter === undefined ? undefined : setTimeout(() => {
      if (text) return;
      silent = true;
      child.kill('SIGKILL');
    }, silentAfter * 1000);
    const timer = setTimeout(() => {
      if (initSeconds !== undefined) return;
      timedOut = true;
      child.kill('SIGKILL');
    }, r.initTimeout * 1000);
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (d: string) => {
      r.console(d);
      text = (text + d).slice(-65536);
      if (initSeconds === undefined && text.includes(START_LINE)) {
        initSeconds = secs();
        clearTimeout(timer);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => { errText = (errText + d).slice(-8192); });
    const done = (failure?: string) => {
      clearTimeout(timer);
      if (probe) clearTimeout(probe);
      if (silent) return resolve('silent');
      const exits = [...text.matchAll(EXIT_LINE)];
      const status = exits.length ? Number(exits[exits.length - 1][1]) : undefined;
      resolve({ status, failure: status === undefined ? failure : undefined, initSeconds, totalSeconds: secs(), accel });
    };
    child.on('error', (e) => done(`${program} could not start: ${e.message}`));
    child.on('close', (code, signal) => {
      if (silent) return done();
      const tail = lastLines(text, 10);
      const shown = tail ? `; last console lines:\n${tail}` : '; the console stayed empty';
      if (timedOut) return done(`the guest did not reach its init within ${r.initTimeout} s, QEMU was stopped${shown}`);
      if (initSeconds === undefined) {
        const qerr = lastLines(errText, 3);
        return done(`the guest stopped before its init ran (QEMU ${signal ? `killed by ${signal}` : `exit ${code}`})${qerr ? `: ${qerr}` : ''}${shown}`);
      }
      done(`the guest stopped without an exit status (QEMU ${signal ? `killed by ${signal}` : `exit ${code}`})${shown}`);
    });
  });
}
