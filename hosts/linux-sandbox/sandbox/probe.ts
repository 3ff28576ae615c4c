/**
 * Probes once whether this host can run the sandbox: bubblewrap installed, user namespaces allowed
 * (kernel.unprivileged_userns_clone, user.max_user_namespaces, AppArmor's
 * kernel.apparmor_restrict_unprivileged_userns), and a trial `bwrap --unshare-all ... true`.
 * When something is missing it says exactly what and how to fix it, in one or two lines.
 * PATH, IX_BWRAP and IX_BUILD_UID are the invocation's (handed in as `env`), never the process's:
 * a command run in-process with its own environment finds its own bwrap.
 *
 * Must not depend on: the store, the executor, the CLI (only the leaf hosts/common/env-error.ts).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { EnvironmentError } from '../../common';

export type Probe =
  | { ok: true; bwrap: string; version: string }
  | { ok: false; reason: string; fix: string };

/** Thrown when the sandbox cannot run here; message is one line, `fix` says what to do. */
export class SandboxUnavailable extends EnvironmentError {
  constructor(readonly reason: string, readonly fix: string) {
    super(`sandbox unavailable: ${reason}. ${fix}`);
    this.name = 'SandboxUnavailable';
  }
}

/** The environment of one invocation (its PATH finds bwrap; IX_BWRAP, IX_BUILD_UID). */
export type SandboxEnv = Record<string, string | undefined>;

/** Host facts the probe reads; injectable so tests can simulate restricted hosts. */
export interface ProbeHost {
  env: SandboxEnv;
  uid: number;
  readSysctl(path: string): string | undefined;
  isExecutable(path: string): boolean;
  /** Run a command, as `uid` (same gid) when given. */
  run(argv: string[], uid?: number): { status: number | null; stdout: string; stderr: string };
}

/** This machine as an invocation with environment `env` sees it. */
export function machine(env: SandboxEnv): ProbeHost {
  return { env, ...machineFacts };
}

const machineFacts: Omit<ProbeHost, 'env'> = {
  uid: process.getuid?.() ?? 0,
  readSysctl(path) {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch {
      return undefined;
    }
  },
  isExecutable(path) {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
  run(argv, uid) {
    const ids = uid !== undefined ? { uid, gid: uid } : {};
    const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 10_000, cwd: '/', ...ids });
    return { status: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error.message) : '') };
  },
};

/** Find bwrap: $IX_BWRAP, else the first `bwrap` on PATH. */
export function findBwrap(h: ProbeHost): string | undefined {
  if (h.env.IX_BWRAP) return h.isExecutable(h.env.IX_BWRAP) ? h.env.IX_BWRAP : undefined;
  for (const dir of (h.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    if (dir && h.isExecutable(join(dir, 'bwrap'))) return join(dir, 'bwrap');
  }
  return undefined;
}

/** The trial: the same namespace flags a real node uses, running the host's `true`. */
export function trialArgv(bwrap: string): string[] {
  return [bwrap, '--unshare-all', '--die-with-parent', '--new-session', '--uid', '1000', '--gid', '1000',
    '--hostname', 'ix', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '--', 'true'];
}

/** Why user namespaces are refused, from sysctls; undefined when they look allowed. */
function namespaceBlocker(h: ProbeHost, uid: number): { reason: string; fix: string } | undefined {
  const max = h.readSysctl('/proc/sys/user/max_user_namespaces');
  if (max === '0') {
    return { reason: 'user namespaces are disabled (user.max_user_namespaces = 0)', fix: 'Run as root: sysctl -w user.max_user_namespaces=15000' };
  }
  if (uid !== 0 && h.readSysctl('/proc/sys/kernel/unprivileged_userns_clone') === '0') {
    return { reason: 'unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone = 0)', fix: 'Run as root: sysctl -w kernel.unprivileged_userns_clone=1 (or run ix as root)' };
  }
  if (uid !== 0 && h.readSysctl('/proc/sys/kernel/apparmor_restrict_unprivileged_userns') === '1') {
    return {
      reason: 'AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1)',
      fix: 'Add an AppArmor profile allowing "userns" for bwrap, or run as root: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0',
    };
  }
  return undefined;
}

/**
 * The unprivileged uid builds run as when ix runs as root ($IX_BUILD_UID, default 30000; 0 keeps
 * root). Running the sandbox as root would make its user host root without capabilities, which
 * may still write root-owned files it can see; a build user owns nothing but its own $out/$tmp.
 */
export function buildUid(h: Pick<ProbeHost, 'env' | 'uid'>): number | undefined {
  if (h.uid !== 0) return undefined;
  const v = h.env.IX_BUILD_UID;
  if (v === undefined || v === '') return DEFAULT_BUILD_UID;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 0xfffffffe) throw new SandboxUnavailable(`IX_BUILD_UID=${v} is not a uid`, 'Set it to a number such as 30000 (or 0 to build as root).');
  return n === 0 ? undefined : n;
}

export const DEFAULT_BUILD_UID = 30000;

export function probe(h: ProbeHost): Probe {
  const bwrap = findBwrap(h);
  if (!bwrap) {
    const which = h.env.IX_BWRAP ? `IX_BWRAP=${h.env.IX_BWRAP} is not executable` : 'bubblewrap (bwrap) is not installed or not on PATH';
    return { ok: false, reason: which, fix: 'Install it: apt-get install bubblewrap (Debian/Ubuntu), dnf install bubblewrap (Fedora), or set IX_BWRAP to its path.' };
  }
  let asUid: number | undefined;
  try {
    asUid = buildUid(h);
  } catch (e) {
    const u = e as SandboxUnavailable;
    return { ok: false, reason: u.reason, fix: u.fix };
  }
  const blocker = namespaceBlocker(h, asUid ?? h.uid);
  const v = h.run([bwrap, '--version']);
  const version = v.stdout.trim() || 'unknown';
  const t = h.run(trialArgv(bwrap), asUid);
  if (t.status === 0) return { ok: true, bwrap, version };
  if (asUid !== undefined && !blocker && h.run(trialArgv(bwrap)).status === 0) {
    return {
      ok: false,
      reason: `the build user (uid ${asUid}) cannot start the sandbox, root can`,
      fix: 'Allow unprivileged user namespaces, set IX_BUILD_UID to another uid, or IX_BUILD_UID=0 to build as root (less isolated).',
    };
  }
  const said = t.stderr.trim().split('\n').pop() ?? '';
  if (blocker) {
    const fix = asUid !== undefined ? `${blocker.fix} Or set IX_BUILD_UID=0 to build as root (less isolated).` : blocker.fix;
    return { ok: false, reason: `${blocker.reason}; bwrap said: ${said}`, fix };
  }
  return {
    ok: false,
    reason: `a trial sandbox failed (${bwrap} --unshare-all ... true exited with ${t.status}): ${said}`,
    fix: 'Check that user namespaces are allowed (in containers: run with --privileged or a seccomp profile allowing unshare/clone, or set IX_BWRAP to a setuid bwrap).',
  };
}

/** Probes of this machine, once per process for each environment the probe reads. */
const probed = new Map<string, Probe>();

/**
 * bwrap's path for an invocation with environment `env` (this machine probed once per process and
 * per PATH, IX_BWRAP and IX_BUILD_UID; or `h`, probed afresh), or throw SandboxUnavailable.
 */
export function requireSandbox(env: SandboxEnv, h?: ProbeHost): string {
  let p: Probe;
  if (h) p = probe(h);
  else {
    const key = [env.PATH, env.IX_BWRAP, env.IX_BUILD_UID].join('\0');
    p = probed.get(key) ?? probe(machine(env));
    probed.set(key, p);
  }
  if (!p.ok) throw new SandboxUnavailable(p.reason, p.fix);
  return p.bwrap;
}
