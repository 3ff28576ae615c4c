/**
 * The one escaping function lives in hosts/common (the sandbox prints names too); this module
 * keeps the CLI's import path.
 *
 * Must not depend on: anything but hosts/common.
 */
export { safeText } from '../common';
