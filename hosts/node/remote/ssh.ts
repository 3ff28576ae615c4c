/**
 * The SSH side of a builder: the argv of the system's OpenSSH client for one long-lived session
 * running `ix store serve --stdio` on the builder (so the user's keys, agent, ~/.ssh/config,
 * jump hosts and connection sharing apply as they do for `ssh`), and the one-line cause of a
 * failed connection, read from what ssh printed.
 *
 * Options always given: BatchMode (never ask for a password or a host key: fail instead), no
 * terminal, no X11 or agent forwarding, keep-alives so a dead peer is noticed. IX_SSH names
 * another ssh program; IX_SSH_CONFIG an ssh_config file used instead of ~/.ssh/config (tests).
 *
 * Must not depend on: the store, the executor, anything Linux-only.
 */
import type { BuilderSpec } from './spec';

export interface SshCommand {
  program: string;
  args: string[];
}

/** The remote command: the builder's ix, serving the protocol on stdin/stdout. */
export function remoteCommand(spec: BuilderSpec): string {
  return `${spec.ix} store serve --stdio`;
}

export function sshCommand(spec: BuilderSpec, env: Record<string, string | undefined>): SshCommand {
  const args: string[] = [];
  if (env.IX_SSH_CONFIG) args.push('-F', env.IX_SSH_CONFIG);
  args.push(
    '-T', '-x', '-a',
    '-o', 'BatchMode=yes',
    '-o', 'ConnectTimeout=15',
    '-o', 'ServerAliveInterval=15',
    '-o', 'ServerAliveCountMax=4',
  );
  if (spec.port !== undefined) args.push('-p', String(spec.port));
  args.push('--', spec.destination, remoteCommand(spec));
  return { program: env.IX_SSH || 'ssh', args };
}

/**
 * Why an ssh session ended, in one line, from its exit code and the last lines it printed on
 * stderr (ssh's own messages, or the remote command's).
 */
export function sshCause(code: number | null, signal: string | null, stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/^Warning: Permanently added/.test(l));
  const has = (re: RegExp) => lines.find((l) => re.test(l));
  let l: string | undefined;
  if ((l = has(/Host key verification failed/) ?? has(/REMOTE HOST IDENTIFICATION HAS CHANGED|No .* host key is known/))) return `host key not trusted: ${l}`;
  if ((l = has(/Permission denied/))) return `rejected the key: ${l}`;
  if ((l = has(/Connection refused|Connection timed out|timed out|No route to host|Could not resolve|Name or service not known|Network is unreachable|Connection closed by|Connection reset/))) return `unreachable: ${l}`;
  if ((l = has(/knows one sub-command|unknown verb|command not found|No such file/))) return `no ix serving the builder protocol there: ${l}`;
  const last = lines.at(-1);
  if (signal) return `ssh was killed (${signal})${last ? `: ${last}` : ''}`;
  if (last) return `ssh exited with code ${code}: ${last}`;
  return `ssh exited with code ${code}`;
}
