/**
 * EnvironmentError: the machine, not the user's input nor ix, is in the way (store root not
 * writable, disk full, a missing tool such as flock or bwrap, no user namespaces). The CLI prints
 * its one line and exits 3 (hosts/node/errors.ts). A leaf module, so that the store, the gc,
 * realms and the Linux sandbox host can all raise it.
 *
 * Must not depend on: anything but the user-error base (a leaf module).
 */
import { EXIT, UserError } from './user-error';

export class EnvironmentError extends UserError {
  readonly exitCode: 2 | 3 | 70 = EXIT.environment;
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentError';
  }
}

/** The error for a required program that is not on PATH, naming where it comes from. */
export function missingTool(tool: string, from: string): EnvironmentError {
  return new EnvironmentError(`the program '${tool}' was not found on PATH: install ${from}`);
}

/** System error codes that mean the machine is in the way (not the input, not ix). */
export const ENVIRONMENT_CODES = ['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'EMFILE', 'ENFILE'];

/** True for an EnvironmentError or a system error with one of ENVIRONMENT_CODES. */
export function isEnvironmentFailure(e: unknown): boolean {
  if (e instanceof EnvironmentError) return true;
  const code = e instanceof Error ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' && ENVIRONMENT_CODES.includes(code);
}
