/**
 * The program that holds a kernel flock(2) for us (Node has no flock binding): util-linux `flock`
 * where it exists (Linux), else `perl`, whose flock is the same system call and which macOS and
 * Debian (perl-base) ship, so the store, gc and the client side of remote builds run on macOS
 * too. Both behave alike: print "L" once the lock is held, keep it until stdin closes (so the
 * kernel drops it when we die, however we die), exit `busy` at once when asked not to wait and
 * the lock is taken. Locks taken by either program exclude each other (one kernel lock).
 * IX_LOCK_HELPER=flock|perl chooses (tests run the perl path on Linux).
 *
 * Must not depend on: the engine's evaluator, the sandbox or executor modules.
 */
import { spawnSync } from 'node:child_process';

export type LockHelperMode = 'shared' | 'exclusive';

const PERL = [
  'use Fcntl qw(:flock);',
  'my ($file, $mode, $wait, $busy) = @ARGV;',
  'open(my $fh, ">>", $file) or die "cannot open $file: $!\\n";',
  'my $op = ($mode eq "shared" ? LOCK_SH : LOCK_EX) | ($wait ? 0 : LOCK_NB);',
  'if (!flock($fh, $op)) { exit($busy) unless $wait; die "flock $file: $!\\n"; }',
  '$| = 1; print "L\\n";',
  '1 while <STDIN>;',
].join(' ');

let chosen: 'flock' | 'perl' | undefined;
let forced: 'flock' | 'perl' | undefined;

/**
 * Forces one helper for this process (the CLI's entry passes IX_LOCK_HELPER=flock|perl; tests
 * switch between them); undefined or any other value: the one found on PATH.
 */
export function forceLockHelper(helper: string | undefined): void {
  forced = helper === 'flock' || helper === 'perl' ? helper : undefined;
}

/** Which helper this process uses. */
export function lockHelper(): 'flock' | 'perl' {
  if (forced) return forced;
  chosen ??= spawnSync('flock', ['--version'], { stdio: 'ignore' }).status === 0 ? 'flock' : 'perl';
  return chosen;
}

/** The argv that takes `mode` on `file` (waiting, or exiting `busy` when `wait` is false). */
export function holderArgv(file: string, mode: LockHelperMode, wait: boolean, busy: number): { cmd: string; args: string[] } {
  if (lockHelper() === 'perl') return { cmd: 'perl', args: ['-e', PERL, file, mode, wait ? '1' : '0', String(busy)] };
  return { cmd: 'flock', args: [...(wait ? [] : ['-n', '-E', String(busy)]), mode === 'shared' ? '-s' : '-x', file, 'sh', '-c', 'echo L; exec cat >/dev/null'] };
}
