/**
 * The one base class of the failures a user can act on. Each carries the exit code the CLI
 * leaves with (2: the user's input is wrong; 3: the machine is in the way), so the one error map
 * (errors.ts) reads the code from the error and keeps no list of classes, and no command has to
 * re-wrap an error to get the right code. Subclasses name the part that failed (UsageError,
 * ConfigError, KeyError, HostError, EnvironmentError, ...).
 * The engine's IxError is the other user-facing family (exit 2): the engine cannot depend on a host.
 *
 * Must not depend on: anything (a leaf module: the store, the gc, realms, caches and the Linux
 * sandbox host all raise these).
 */

/** Exit codes of the `ix` CLI: 0 ok, 1 a build failed, 2 bad input, 3 environment, 70 a bug in ix. */
export const EXIT = { ok: 0, failed: 1, usage: 2, environment: 3, bug: 70 } as const;

/** A failure with a one-line message for the user and the exit code it means. */
export abstract class UserError extends Error {
  /** 2 (bad input) or 3 (environment); 70 only for an error that reports a bug in ix. */
  abstract readonly exitCode: 2 | 3 | 70;
}

/** A mistake in the user's input (command line, config file, key file...): exit code 2. */
export class UsageError extends UserError {
  readonly exitCode: 2 | 3 | 70 = EXIT.usage;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
