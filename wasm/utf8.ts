/**
 * UTF-8 TextEncoder/TextDecoder stand-ins for guests that lack them (QuickJS), installed by
 * ./prelude. The decoder turns each 8 KiB run of pure ASCII into a string natively
 * (String.fromCharCode over the bytes) and only walks non-ASCII runs byte by byte: cache entries
 * and recipes are nearly all ASCII, and a per-byte loop is slow in an interpreter.
 * Invalid sequences become U+FFFD, one per byte that cannot start or continue a sequence.
 *
 * Must not depend on: anything but engine/hash; no side effects at module load.
 */
import { utf8Pure } from '../engine/hash/index';

/** Encoding is engine/hash's pure encoder (the one the engine hashes with when no TextEncoder exists). */
export class Utf8Encoder {
  readonly encoding = 'utf-8';
  encode(s = ''): Uint8Array {
    return utf8Pure(s);
  }
}

export class Utf8Decoder {
  readonly encoding = 'utf-8';
  decode(input?: ArrayBufferView | ArrayBuffer): string {
    if (input === undefined) return '';
    const b = input instanceof ArrayBuffer ? new Uint8Array(input) : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    const parts: string[] = [];
    let units: number[] = [];
    const flush = () => {
      if (units.length) parts.push(String.fromCharCode(...units));
      units = [];
    };
    const push = (cp: number) => {
      if (cp >= 0x10000) {
        cp -= 0x10000;
        units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
      } else units.push(cp);
      if (units.length > 8192) flush();
    };
    const CHUNK = 8192;
    const nonAscii = /[\x80-\xff]/;
    let i = 0;
    while (i < b.length) {
      // Fast path: a chunk of pure ASCII becomes one string natively (bytes = code units); cache
      // entries and recipes are nearly all ASCII, and a per-byte loop is slow in an interpreter.
      const end = Math.min(i + CHUNK, b.length);
      const latin1 = String.fromCharCode.apply(null, b.subarray(i, end) as unknown as number[]);
      if (!nonAscii.test(latin1)) {
        flush();
        parts.push(latin1);
        i = end;
        continue;
      }
      // Slow path up to the chunk's end (or the end of the sequence that crosses it).
      while (i < end) {
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
    }
    flush();
    return parts.join('');
  }
}
