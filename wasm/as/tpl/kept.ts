/**
 * Recipe sources kept across the requests of one instance (a long-running host's renders share
 * one: hosts/node/core.ts), so a render whose files did not change neither decodes them again nor
 * redoes the textual include pass, and finds each template's compiled form on its source. Every
 * file is still read through the host on every request: a kept text is reused only when the bytes
 * read now are the bytes it was decoded from, and a kept source only when each file it was made
 * from (its deps) reads as the same kept text object, the include stack above it holds none of
 * them, and its include height fits the nesting bound. Otherwise the loader expands afresh, so a
 * kept source answers exactly as a fresh expansion would.
 *
 * Must not depend on: rt, plan, abi, host (the loader reads; this only remembers).
 */
import { IxErr } from '../errors';
import { Source } from './loader';

/** A file's decoded text, shared by every read of the same bytes (identity means same content). */
export class Text {
  missing: bool = false;
  text: string = '';
  err: IxErr | null = null;
}

class KeptText {
  bytes: Uint8Array;
  text: Text;
  constructor(bytes: Uint8Array, text: Text) { this.bytes = bytes; this.text = text; }
}

class KeptSource {
  src: Source;
  /** The Text each of src.deps was read as, in the same order. */
  texts: Array<Text>;
  maxDepth: i32;
  maxBytes: i32;
  constructor(src: Source, texts: Array<Text>, maxDepth: i32, maxBytes: i32) {
    this.src = src; this.texts = texts; this.maxDepth = maxDepth; this.maxBytes = maxBytes;
  }
}

const texts = new Map<string, KeptText>();
const sources = new Map<string, KeptSource>();

/** The kept Text of `path` if `bytes` are the bytes it was decoded from, else null. */
export function keptText(path: string, bytes: Uint8Array): Text | null {
  if (!texts.has(path)) return null;
  const k = texts.get(path);
  const n = bytes.length;
  if (k.bytes.length != n || memory.compare(k.bytes.dataStart, bytes.dataStart, <usize>n) != 0) return null;
  return k.text;
}

/** Remember `text` as the decoding of `bytes` at `path` (the last read wins). */
export function keepText(path: string, bytes: Uint8Array, text: Text): void {
  texts.set(path, new KeptText(bytes, text));
}

/** The kept source of `path` made under the same bounds, with the Texts it was made from; null when none. */
export function keptSource(path: string, maxDepth: i32, maxBytes: i32): KeptSource | null {
  if (!sources.has(path)) return null;
  const k = sources.get(path);
  return k.maxDepth == maxDepth && k.maxBytes == maxBytes ? k : null;
}

/** Remember a fresh expansion of `path`: `deps` are the Texts of src.deps, in order. */
export function keepSource(path: string, src: Source, deps: Array<Text>, maxDepth: i32, maxBytes: i32): void {
  sources.set(path, new KeptSource(src, deps, maxDepth, maxBytes));
}
