/**
 * What bench/ix-compat/run.mjs bundles (esbuild, V8): the engine's render() and plan entry
 * points and the filesystem HostIO, so the compatibility report renders and plans exactly as
 * `ix render` and `ix plan` do, only without the component around them.
 *
 * Must not depend on: anything of an IX checkout (its path arrives at run time).
 */
export { render, planOut, IxError } from '../../engine/index';
export { fsHostIO } from '../../hosts/node/io';
export { diskCache } from '../../hosts/node/cache';
export { loadDigest } from '../../hosts/node/digest';
