/**
 * safeText for the Node host: the definition lives in hosts/common/safe-text.ts, which the
 * Linux sandbox host shares.
 *
 * Must not depend on: anything but hosts/common.
 */
export { safeText } from '../common';
