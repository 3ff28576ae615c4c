/**
 * A real OpenSSH server for the remote-builder tests: Debian's sshd in the foreground
 * (`sshd -D -e -f <generated config>`) on 127.0.0.1 at a free port, with a generated host key,
 * a generated user key, and the restricted authorized_keys line README.md documents (forced
 * command `ix store serve --stdio`) for a dedicated unprivileged user whose ix root is its own.
 * The client side gets a generated ssh_config and known_hosts (never the user's own), handed
 * to ix through IX_SSH_CONFIG. Stopped by pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './cli';

export const SSH_USER = 'ixremote-test';
/**
 * The user of test/support/remote-story.ts: another one, because the story runs beside
 * test/remote-ssh.test.ts (two vitest workers), which counts and kills its own user's processes.
 */
export const STORY_SSH_USER = 'ixremote-story';
const SSHD = '/usr/sbin/sshd';

/** Why sshd tests cannot run here, or undefined when they can. */
export function sshdMissing(): string | undefined {
  if (!existsSync(SSHD)) return `${SSHD} is missing (Debian package openssh-server)`;
  if (spawnSync('ssh', ['-V']).status !== 0) return 'no ssh client';
  if (process.getuid?.() !== 0) return 'the sshd tests create a user and run sshd: they need root';
  return undefined;
}

const usersChecked = new Set<string>();

/** Create the test user (once) and return its home; it must be able to run this checkout's ix. */
export function ensureUser(user = SSH_USER): string {
  if (spawnSync('id', ['-u', user]).status !== 0) {
    const r = spawnSync('useradd', ['-m', '-s', '/bin/sh', user], { encoding: 'utf8' });
    // another test file may have created it meanwhile
    if (r.status !== 0 && spawnSync('id', ['-u', user]).status !== 0) throw new Error(`useradd ${user}: ${r.stderr}`);
  }
  // A locked account ('!' password) may not log in even by key when sshd runs without PAM.
  spawnSync('usermod', ['-p', '*', user]);
  const home = spawnSync('sh', ['-c', `getent passwd ${user} | cut -d: -f6`], { encoding: 'utf8' }).stdout.trim();
  if (!usersChecked.has(user)) {
    const r = spawnSync('runuser', ['-u', user, '--', process.execPath, join(repoRoot, 'ix'), '--version'], { encoding: 'utf8', cwd: '/' });
    if (r.status !== 0) throw new Error(`the test user ${user} cannot run ${join(repoRoot, 'ix')} (the checkout and node must be readable by other users): ${(r.stderr || r.error?.message || '').trim().split('\n')[0]}`);
    usersChecked.add(user);
  }
  return home;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function keygen(file: string, comment: string): string {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen: ${r.stderr}`);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

/** The client side: one user key, and known_hosts files that startSshd() appends to. */
export interface SshClient {
  dir: string;
  pub: string;
  /** An ssh_config trusting the servers' host keys and using the test user's key. */
  sshConfig: string;
  /** An ssh_config whose known_hosts has a wrong host key for every server. */
  wrongHostKeyConfig: string;
}

export function makeSshClient(): SshClient {
  const dir = mkdtempSync(join(tmpdir(), 'ix-ssh-client-'));
  const pub = keygen(join(dir, 'user_key'), 'ix-remote-tests');
  const config = (kh: string) => [
    'Host *', `  IdentityFile ${join(dir, 'user_key')}`, '  IdentitiesOnly yes', `  UserKnownHostsFile ${kh}`,
    '  GlobalKnownHostsFile /dev/null', '  StrictHostKeyChecking yes', '  LogLevel ERROR', '',
  ].join('\n');
  writeFileSync(join(dir, 'known_hosts'), '');
  writeFileSync(join(dir, 'wrong_known_hosts'), '');
  writeFileSync(join(dir, 'ssh_config'), config(join(dir, 'known_hosts')));
  writeFileSync(join(dir, 'wrong_ssh_config'), config(join(dir, 'wrong_known_hosts')));
  return { dir, pub, sshConfig: join(dir, 'ssh_config'), wrongHostKeyConfig: join(dir, 'wrong_ssh_config') };
}

export interface TestSshd {
  port: number;
  pid: number;
  /** The builder spec for this server (add parameters after it). */
  url: string;
  /** The builder's ix root (owned by the test user). */
  root: string;
  /** The user sshd lets in (the builder's side runs as it). */
  user: string;
  /** Pids of sshd's per-connection processes (its children and their sshd children: monitor and session). */
  children(): number[];
  stop(): Promise<void>;
  log(): string;
}

/** Start one sshd; `dir` may be shared by several servers (one client key). */
/**
 * Start one sshd for `client`. `serveArgs` are appended to `ix store serve --stdio`; `forced`
 * replaces the whole forced command (e.g. a fake builder of another protocol version); `user` is
 * the account it lets in (default SSH_USER).
 */
export async function startSshd(name: string, client: SshClient, opts: { serveArgs?: string; forced?: string; user?: string } = {}): Promise<TestSshd> {
  const user = opts.user ?? SSH_USER;
  const home = ensureUser(user);
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), `ix-sshd-${name}-`));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const hostPub = keygen(join(dir, 'host_key'), `host-${name}`);
  const userPub = client.pub;
  const otherPub = keygen(join(dir, 'other_host_key'), 'not-this-host');
  const uid = Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
  const root = join(home, `ix-root-${name}-${port}`);
  mkdirSync(root, { recursive: true, mode: 0o755 });
  spawnSync('chown', [`${uid}:${uid}`, root]);
  // The restricted line from README.md: only the ix protocol, no terminal, no forwarding.
  const forced = opts.forced ?? `IX_ROOT=${root} exec ${join(repoRoot, 'ix')} store serve --stdio${opts.serveArgs ? ` ${opts.serveArgs}` : ''}`;
  writeFileSync(join(dir, 'authorized_keys'), `restrict,command="${forced}" ${userPub}\n`, { mode: 0o644 });
  writeFileSync(join(dir, 'sshd_config'), [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${join(dir, 'host_key')}`, `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`, 'StrictModes no', 'UsePAM no', 'PasswordAuthentication no',
    'KbdInteractiveAuthentication no', 'PubkeyAuthentication yes', `AllowUsers ${user}`, 'LogLevel VERBOSE', '',
  ].join('\n'));
  const known = (key: string) => `[127.0.0.1]:${port} ${key.split(' ').slice(0, 2).join(' ')}\n`;
  appendFileSync(join(client.dir, 'known_hosts'), known(hostPub));
  appendFileSync(join(client.dir, 'wrong_known_hosts'), known(otherPub));

  let log = '';
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d) => { log += d; });
  // Wait until it listens (or dies).
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`sshd exited: ${log}`);
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1', () => { c.destroy(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (ok) break;
    if (i > 100) throw new Error(`sshd did not listen on ${port}: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = child.pid!;
  return {
    port, pid, root, user,
    url: `ssh://${user}@127.0.0.1:${port}`,
    children() {
      const procs: { pid: number; ppid: number; comm: string }[] = [];
      for (const e of readdirSync('/proc')) {
        if (!/^\d+$/.test(e)) continue;
        try {
          const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
          const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          procs.push({ pid: Number(e), ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]), comm });
        } catch { /* gone */ }
      }
      const out: number[] = [];
      const walk = (parent: number) => {
        for (const p of procs) if (p.ppid === parent && p.comm === 'sshd') { out.push(p.pid); walk(p.pid); }
      };
      walk(pid);
      return out;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
    log: () => log,
  };
}

/** Pids of live processes of the test user (its ix, its sandboxes), with their command lines. */
export function userProcesses(): string[] {
  const uid = spawnSync('id', ['-u', SSH_USER], { encoding: 'utf8' }).stdout.trim();
  const out: string[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const status = readFileSync(`/proc/${e}/status`, 'utf8');
      if (/^Uid:\s+(\d+)/m.exec(status)?.[1] !== uid) continue;
      out.push(`${e} ${readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').join(' ')}`);
    } catch { /* gone */ }
  }
  return out;
}

/** Wait until the test user has no process left (at most `ms`); returns what is left. */
export async function userProcessesGone(ms = 15_000): Promise<string[]> {
  const t = Date.now();
  for (;;) {
    const left = userProcesses();
    if (!left.length || Date.now() - t > ms) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}
