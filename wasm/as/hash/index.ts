/**
 * The hash module's surface: BLAKE3, the encodings (hex, base32, UTF-8), the string builder (and a table of values found by its text),
 * the canonical JSON writer and the JSON reader, and the store id of a canonical text.
 *
 * Must not depend on: anything else of the core.
 */
import { Blake3 } from './blake3';
import { StrBuilder } from './builder';
import { base32, STORE_ID_CHARS, toHex } from './encode';

export { Blake3, blake3, blake3Text } from './blake3';
export { StrBuilder } from './builder';
export { KeyTable, hashUnits } from './keytable';
export { base32, toHex, utf8, utf8Decode, utf8DecodeAt, utf8AppendTo, STORE_ID_CHARS } from './encode';
export { JValue, JParse, parseJson, jsString, arrayIndex, J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } from './json';
export { writeStr, writeStrBody, writeCanonical, canonicalJson, cmpStr } from './canon';
export { jsonErrorAt, foundAt, position } from './json-error';
export { jsNumber, jsonNumber, setNumberCodecs } from './numfmt';

const idHasher = new Blake3();
const digestBuf = new Uint8Array(32);

/** BLAKE3 of the UTF-8 of the builder's text from `from` to its end, without copying it. */
export function digestBuilder(sb: StrBuilder, from: i32 = 0): Uint8Array {
  idHasher.reset();
  idHasher.updateUtf16(sb.ptr + (<usize>from << 1), sb.len - from);
  idHasher.finishInto(digestBuf.dataStart);
  return digestBuf;
}

/** The store id (32 base32 chars of BLAKE3) of the canonical JSON text held in the builder. */
export function storeIdOfBuilder(sb: StrBuilder, from: i32 = 0): string {
  return base32(digestBuilder(sb, from), STORE_ID_CHARS);
}

/** Hex BLAKE3 of the UTF-8 of `text`. */
export function hexOfText(text: string): string {
  idHasher.reset();
  idHasher.updateStr(text);
  idHasher.finishInto(digestBuf.dataStart);
  return toHex(digestBuf);
}

/** Hex BLAKE3 of bytes. */
export function hexOfBytes(b: Uint8Array): string {
  idHasher.reset();
  idHasher.updateBytes(b);
  idHasher.finishInto(digestBuf.dataStart);
  return toHex(digestBuf);
}
