/**
 * Runs first in the WASM component, at component build time (Wizer snapshots its effects, so it
 * costs nothing at run time). It closes the guest's remaining doors to non-determinism: the
 * engines still offer a frozen clock, a fixed random sequence and a trapping `performance`; here
 * each throws a clear error instead. It also supplies UTF-8 TextEncoder/TextDecoder where the
 * engine lacks them (QuickJS). Never imported by code that runs in a normal JS host.
 *
 * Must not depend on: anything but ./utf8 (side-effect free; this runs before every other module
 * of the core).
 */
import { Utf8Decoder, Utf8Encoder } from './utf8';

function banned(what: string): never {
  throw new Error(`${what} is not available in the ix core: plans must not depend on the clock or randomness`);
}

const g = globalThis as Record<string, unknown>;

if (typeof g.TextEncoder !== 'function') g.TextEncoder = Utf8Encoder;
if (typeof g.TextDecoder !== 'function') g.TextDecoder = Utf8Decoder;

const RealDate = Date;
function NoDate(): never {
  return banned('Date');
}
NoDate.now = () => banned('Date.now()');
NoDate.parse = () => banned('Date.parse()');
NoDate.UTC = RealDate.UTC;
g.Date = NoDate;
Math.random = () => banned('Math.random()');
for (const name of ['performance', 'crypto']) {
  Object.defineProperty(g, name, { configurable: true, get: () => banned(name) });
}
