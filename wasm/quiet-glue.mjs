/**
 * Makes jco's generated glue (out/core/core.js) decide once, when it is loaded, whether it logs.
 * jco 1.35's `_debugLog` reads `process.env.JCO_DEBUG` on every call, and the glue calls it
 * several times per host import and per export call: Node's `process.env` is a lookup in the C
 * environment each time, which cost ~3% of the CPU of rendering every recipe of an IX tree. The
 * rewrite reads the variable once at load (setting JCO_DEBUG later in a running process no longer
 * turns logging on). Throws when the pattern no longer matches, so a jco upgrade that changes the
 * glue's shape is noticed at build time.
 *
 * Must not depend on: anything (text in, text out).
 */

const DEBUG_LOG = /const _debugLog = \(\.\.\.args\) => \{\s*if \(!globalThis\?\.process\?\.env\?\.JCO_DEBUG\) \{ return; \}/;

/** The glue with `_debugLog` reading JCO_DEBUG once; throws when jco's `_debugLog` is not found. */
export function quietGlue(js) {
  if (!DEBUG_LOG.test(js)) throw new Error("quiet-glue: jco's _debugLog not found in the glue (did its shape change?)");
  return js.replace(DEBUG_LOG, 'const _jcoDebug = !!globalThis?.process?.env?.JCO_DEBUG;\n  const _debugLog = (...args) => {\n    if (!_jcoDebug) { return; }');
}
