/**
 * The Node host pieces the benchmark measures, bundled by bench/run.mjs with esbuild into
 * bench/.tmp/host.mjs: the real filesystem HostIO, disk cache, digest and component loader
 * (hosts/node), so the benchmark times exactly what `ix plan` uses.
 *
 * Must not depend on: anything but hosts/node (no engine code: the engine is measured through
 * the built core and the V8 bundle).
 */
export { fsHostIO } from '../hosts/node/io';
export { diskCache } from '../hosts/node/cache';
export { loadDigest } from '../hosts/node/digest';
export { loadCore } from '../hosts/node/core';
