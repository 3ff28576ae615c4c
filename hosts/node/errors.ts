/**
 * The one place where failures become messages and exit codes (hosts/node/main.ts calls
 * `report`; commands just throw):
 *   0 ok; 1 a build failed (commands return it, nothing throws it);
 *   2 or 3: a UserError (hosts/common/user-error.ts) carries its own code; the engine's IxError is 2: one line;
 *   3 also for the system errors that mean the environment is in the way (permission denied or
 *     read-only file system on a path, disk full, a program that is not installed): one line
 *     naming the path or the fix;
 *   70 anything else, which is a bug in ix: one line and a hint to report it (IX_DEBUG=1 adds
 *     the stack).
 *
 * Must not depend on: the engine's code (its error class only), the sandbox host, any command
 * or error subclass (an error says its own code).
 */
import { safeText, UserError } from '../common';
import { IxError } from '../../engine/errors';

const first = (m: string) => safeText(m.split('\n')[0]);

/** A Node system error (errno code, often a path and syscall), wherever it was thrown. */
function systemError(e: unknown): (Error & { code: string; path?: string; syscall?: string; dest?: string }) | undefined {
  if (!(e instanceof Error)) return undefined;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? (e as Error & { code: string }) : undefined;
}

/** The environment message for a system error, or undefined when it is not one of those. */
function environmentMessage(e: unknown): string | undefined {
  const s = systemError(e);
  if (!s) return undefined;
  const where = s.path ?? s.dest;
  const on = where ? ` ${where}` : '';
  switch (s.code) {
    case 'EACCES':
    case 'EPERM':
      return `permission denied on${on || ' a file'} (${s.syscall ?? 'access'}): run as a user who may write there, or set IX_ROOT to a writable directory`;
    case 'EROFS':
      return `read-only file system at${on || ' a path'}: set IX_ROOT to a writable directory`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `no space left on the device${where ? ` holding ${where}` : ''}: free space (ix gc) or set IX_ROOT elsewhere`;
    case 'ENOENT':
      if (s.syscall?.startsWith('spawn')) return `the program '${where ?? '?'}' was not found on PATH: install it`;
      return undefined;
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files: raise the limit (ulimit -n)';
    default:
      return undefined;
  }
}

/** Exit code and the line(s) to print for a thrown value. */
export function classify(e: unknown): { code: 2 | 3 | 70; message: string } {
  if (e instanceof IxError) return { code: 2, message: `ix: error: ${first(e.message)}` };
  if (e instanceof UserError && e.exitCode !== 70) return { code: e.exitCode, message: `ix: error: ${first(e.message)}` };
  const env = environmentMessage(e);
  if (env) return { code: 3, message: `ix: error: ${env}` };
  const msg = e instanceof Error ? e.message : String(e);
  return { code: 70, message: `ix: internal error: ${first(msg)}` };
}

/** Prints the error as `classify` says (plus the bug hint or, with IX_DEBUG=1, details); returns the exit code. */
export function report(e: unknown, stderr: (s: string) => void, debug: boolean): number {
  const { code, message } = classify(e);
  stderr(`${message}\n`);
  if (code === 3 && debug && e instanceof Error) stderr(`${safeText(e.stack ?? '')}\n`);
  if (code === 70) {
    if (debug) {
      const msg = e instanceof Error ? e.message : String(e);
      const more = msg.split('\n').slice(1).join('\n');
      // an error the core reported has no host stack worth showing: its detail is the message
      stderr(`${safeText(more)}\n${e instanceof Error && !(e instanceof UserError) ? safeText(e.stack ?? '') : ''}\n`);
    } else {
      stderr('ix: this is a bug in ix: please report it with the command line; rerun with IX_DEBUG=1 for details\n');
    }
  }
  return code;
}
