/**
 * Makes jco's generated glue (out/core/core.js) read every pointer the component hands to the host
 * as unsigned. A wasm32 address is a u32, but jco 1.35 passes the i32 JavaScript sees straight to
 * `new Uint8Array(memory.buffer, ptr, len)` and `DataView` offsets, so once the component's memory
 * grows past 2 GiB (a cold plan of a whole IX tree does) an address comes out negative and the call
 * dies with "Start offset -N is outside the bounds of the buffer". Each rewrite appends `>>> 0`
 * where an address enters JavaScript: a pointer or list argument, a `realloc` result, a return-area or
 * out-parameter base. Throws when a pattern no longer matches, so a jco upgrade that changes the
 * glue's shape is noticed at build time instead of at 2 GiB.
 *
 * Must not depend on: anything (text in, text out).
 */

/** [what, pattern, replacement]: each must match at least once in the glue. */
const REWRITES = [
  ['pointer arguments', /var (ptr\d+) = (arg\d+);/g, 'var $1 = $2 >>> 0;'],
  // a list argument's base (file-digests' list of paths), indexed as `base + i * 8`
  ['list arguments', /var (base\d+) = (arg\d+);/g, 'var $1 = $2 >>> 0;'],
  ['realloc results', /\b((?:var |const )?(?:ptr|result)\d*) ?= (realloc\d*)\(([^;()]*)\);/g, '$1 = $2($3) >>> 0;'],
  ['return and out-parameter areas', /dataView\((memory\d+)\)\.((?:get|set)\w+)\((arg\d+|ret) \+ /g, 'dataView($1).$2(($3 >>> 0) + '],
];

/**
 * The glue with every address read unsigned; throws naming a rewrite that found nothing, unless
 * the component imports nothing (`hasImports` false: no import glue holds pointer arguments).
 */
export function unsignedPointers(js, hasImports = true) {
  let out = js;
  for (const [what, re, to] of REWRITES) {
    let n = 0;
    out = out.replace(re, (...m) => {
      n++;
      return to.replace(/\$(\d)/g, (_, i) => m[Number(i)]);
    });
    if (n === 0 && (hasImports || !what.endsWith(' arguments'))) throw new Error(`unsigned-pointers: no ${what} found in jco's glue (did its shape change?)`);
  }
  return out;
}
