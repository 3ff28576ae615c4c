/**
 * The user-error base for the Node host: the definitions live in hosts/common/user-error.ts,
 * which the Linux sandbox host shares.
 *
 * Must not depend on: anything but hosts/common.
 */
export { EXIT, UsageError, UserError } from '../common';
