/**
 * Runs first in the WASM component, at component build time (Wizer snapshots its effects, so it
 * costs nothing at run time). It closes the guest's remaining doors to non-determinism: the
 * engines still offer a frozen clock, a fixed random sequence and a trapping `performance`; here
 * each throws a clear error instead. It also supplies UTF-8 TextEncoder/TextDecoder where the
 * engine lacks them (QuickJS). Never imported by code that runs in a normal JS host.
 *
 * Must not depend on: anything (it is evaluated before every other module of the core).
 */

function banned(what: string): never {
  throw new Error(`${what} is not available in the ix core: plans must not depend on the clock or randomness`);
}

const g = globalThis as Record<string, unknown>;

class Utf8Encoder {
  readonly encoding = 'utf-8';
  encode(s = ''): Uint8Array {
    const out = new Uint8Array(s.length * 3);
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        out[n++] = c;
        continue;
      }
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        }
      }
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // lone surrogate
      if (c < 0x800) {
        out[n++] = 0xc0 | (c >> 6);
        out[n++] = 0x80 | (c & 63);
      } else if (c < 0x10000) {
        out[n++] = 0xe0 | (c >> 12);
        out[n++] = 0x80 | ((c >> 6) & 63);
        out[n++] = 0x80 | (c & 63);
      } else {
        out[n++] = 0xf0 | (c >> 18);
        out[n++] = 0x80 | ((c >> 12) & 63);
        out[n++] = 0x80 | ((c >> 6) & 63);
        out[n++] = 0x80 | (c & 63);
      }
    }
    return out.slice(0, n);
  }
}

class Utf8Decoder {
  readonly encoding = 'utf-8';
  decode(input?: ArrayBufferView | ArrayBuffer): string {
    if (input === undefined) return '';
    const b = input instanceof ArrayBuffer ? new Uint8Array(input) : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    const parts: string[] = [];
    let units: number[] = [];
    const push = (cp: number) => {
      if (cp >= 0x10000) {
        cp -= 0x10000;
        units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
      } else units.push(cp);
      if (units.length > 8192) {
        parts.push(String.fromCharCode(...units));
        units = [];
      }
    };
    let i = 0;
    while (i < b.length) {
      const c = b[i];
      const need = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
      if (need === 0) {
        push(c);
        i++;
        continue;
      }
      if (need < 0) {
        push(0xfffd);
        i++;
        continue;
      }
      let cp = c & (0x3f >> need);
      let ok = true;
      for (let k = 1; k <= need; k++) {
        const x = b[i + k];
        if (x === undefined || (x & 0xc0) !== 0x80) {
          ok = false;
          break;
        }
        cp = (cp << 6) | (x & 63);
      }
      const min = need === 1 ? 0x80 : need === 2 ? 0x800 : 0x10000;
      if (!ok || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        push(0xfffd);
        i++;
        continue;
      }
      push(cp);
      i += need + 1;
    }
    parts.push(String.fromCharCode(...units));
    return parts.join('');
  }
}

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
