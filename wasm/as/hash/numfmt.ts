/**
 * Numbers as JS reads and prints them, for the JSON reader and writer: JSON.parse's decimal
 * reading and Number.prototype.toString (integers without ".0", exponents as "1e+21").
 * The defaults here are exact for integers below 2^53 and short decimals; AssemblyScript's own
 * dtoa (Grisu2) and parseFloat are not always correctly rounded, so a core that links rt/ installs
 * rt's exact algorithms (rt/numfmt.ts jsNum, rt/strtod.ts) with `setNumberCodecs`.
 *
 * Must not depend on: anything else of the core.
 */

function defaultFormat(x: f64): string {
  if (x == 0) return '0';
  if (x == Math.floor(x) && Math.abs(x) < 9007199254740992) return (<i64>x).toString();
  const s = x.toString();
  if (s.endsWith('.0')) return s.substring(0, s.length - 2);
  return s;
}

function defaultParse(s: string): f64 {
  return parseFloat(s);
}

let fmt: (x: f64) => string = defaultFormat;
let unsignedParse: ((s: string) => f64) | null = null;

/** Installs exact codecs: `format` as JS's toString, `parseUnsigned` (or null: the default) for an unsigned JSON number literal. */
export function setNumberCodecs(format: (x: f64) => string, parseUnsigned: ((s: string) => f64) | null): void {
  fmt = format;
  unsignedParse = parseUnsigned;
}

/** JS's String(x) of a finite double. */
export function jsNumber(x: f64): string {
  return fmt(x);
}

/** The double JSON.parse reads from a JSON number literal. */
export function jsonNumber(s: string): f64 {
  const p = unsignedParse;
  if (p === null) return defaultParse(s);
  if (s.charCodeAt(0) == 45) return -p(s.substring(1));
  return p(s);
}
