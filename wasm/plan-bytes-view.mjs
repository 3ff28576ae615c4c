/**
 * Makes the compiled core's glue (out/core/core.js) hand a plan's bytes out as a view of the
 * instance's memory instead of a copy. A whole IX tree's plan is ~200 MB: jco's copy doubled it
 * while the instance's memory (~900 MB by then) was still live, which alone took `ix plan` of the
 * tree past 1 GiB of peak RSS. Safe only because every plan gets a fresh instance that is never
 * called again (wasm/loader.ts): its post-return only unpins the bytes' object (the header before
 * them), nothing collects or reuses that memory, and no later call can grow (detach) it. The
 * view keeps the instance's memory alive for as long as the bytes are (the host drops both).
 * Render and package-list answers come from a kept instance and stay copies. Throws when the
 * pattern is not found exactly once, so a jco upgrade that changes the glue is noticed at build time.
 *
 * Must not depend on: anything (text in, text out).
 */

const PLAN = /\n {2}function plan\(arg0\) \{[\s\S]*?\n {2}\}\n/;
const BYTES_COPY = /new Uint8Array\(memory0\.buffer\.slice\((ptr\d+), \1 \+ (len\d+) \* 1\)\)/g;

/** The glue with `plan`'s bytes answer lifted as a view; throws when the shape is not jco 1.35's. */
export function planBytesView(js) {
  const m = PLAN.exec(js);
  if (!m) throw new Error("plan-bytes-view: the glue's plan function not found (did its shape change?)");
  const copies = m[0].match(BYTES_COPY) ?? [];
  if (copies.length !== 1) throw new Error(`plan-bytes-view: ${copies.length} byte-list lifts in the glue's plan function, expected 1`);
  const fn = m[0].replace(BYTES_COPY, 'new Uint8Array(memory0.buffer, $1, $2)');
  return js.slice(0, m.index) + fn + js.slice(m.index + m[0].length);
}
