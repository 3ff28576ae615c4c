/**
 * The disk cache's pack format (hosts/node/cache.ts): entries live in append-only packs, one pack
 * per writing process, each with an index file beside it, instead of one file per entry (a cold
 * plan of a whole IX tree made ~22,000 files). This module is the format: encoding a record,
 * parsing indexes, reading one record back and checking it. Writing is cache-writer.ts; merging
 * packs is cache-compact.ts (`ix gc`).
 *
 * Files in a cache directory `<dir>/v4/[<namespace>/]`, for a pack named `<id>`
 * (`<base36 ms>-<pid>-<random hex>`, unique per process):
 *   `<id>.pack`  "ix-pack/2\n", then records back to back, each
 *                `<key> <body length> <seal>\n<body>`; the seal is the CRC-32 (8 lowercase hex
 *                digits) of "ix-pack/2 " + namespace + "\0" + key + "\0" + body.
 *   `<id>.idx`   "ix-pack-index/2\n", then one line per record, appended after the record:
 *                `<key> <offset> <record length> <stamp>\n` (offset and length of the whole
 *                record in the pack, decimal; stamp: the put's time in ms, base 36).
 * A reader believes nothing of an index line until the record it points to parses with the same
 * key and length and its seal matches: a torn tail (a process killed mid-write), a hole, a flipped
 * byte, an entry copied from another key or namespace, all read as misses. Only complete index
 * lines (ending in "\n") count, so a torn index line is ignored too. When a key has several
 * records, the latest stamp wins (ties: the later pack name, then the later line), so a rewritten
 * entry (a descriptor re-rendered after an edit, a refreshed plan-memo head) shadows the older one.
 *
 * Why a CRC and not a cryptographic hash: the seal checks local bytes against accidents (a torn
 * write, a flipped bit, a record copied to the wrong place), not against someone who can write
 * the cache directory, who could recompute any unkeyed hash as well. CRC-32 catches every error
 * burst of up to 32 bits (any single changed byte, any four adjacent ones) and any other damage
 * but for 1 in 2^32; the key is also compared literally and the length must match. It runs at
 * about twice SHA-256's speed with this CPU's SHA extensions (~2.2 against ~1.1 GB/s), and a
 * leaf re-plan of a whole IX tree reads ~230 MB of entries and writes a ~200 MB plan memo body.
 * Packs and indexes of the SHA-256 format (`ix-pack/1`, `ix-pack-index/1`) are not read: their
 * entries are misses, and `ix gc` removes them.
 *
 * Must not depend on: the engine; anything but node:fs and ./crc32.
 */
import { readdirSync, readFileSync, readSync } from 'node:fs';
import { crc32 } from './crc32';

/** Version of the directory layout (`<dir>/v4/`); a new layout gets a new directory. */
export const CACHE_LAYOUT = 'v4';
export const PACK_HEADER = 'ix-pack/2\n';
export const INDEX_HEADER = 'ix-pack-index/2\n';
const SEAL = 'ix-pack/2 ';
/** Keys the cache stores: file-name safe, so they also work as names in tests and tools. */
export const KEY = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{3,199}$/;
/** A pack name: `<base36 ms>-<pid>-<random hex>`. */
const PACK_ID = /^([0-9a-z]+)-(\d+)-([0-9a-f]+)$/;

/** Where one record lives. */
export interface Span {
  pack: string;
  offset: number;
  length: number;
  stamp: number;
}

/** A record's body: its bytes, or parts whose concatenation they are (never copied into one). */
export type Body = Uint8Array | readonly Uint8Array[];
const partsOf = (body: Body): readonly Uint8Array[] => (body instanceof Uint8Array ? [body] : body);

/** CRC-32 (8 lowercase hex digits) over the namespace, the key and the body. */
export function seal(namespace: string, key: string, body: Body): string {
  let c = crc32(Buffer.from(`${SEAL}${namespace}\0${key}\0`, 'latin1'));
  for (const part of partsOf(body)) c = crc32(part, c);
  return c.toString(16).padStart(8, '0');
}

/** The CRC-32 the seal of every record in `namespace` starts from (that of its prefix, before the key). */
export function sealStart(namespace: string): number {
  return crc32(Buffer.from(`${SEAL}${namespace}\0`, 'latin1'));
}

/**
 * Writes the record of `key` whose body is the UTF-8 of `text` (lone surrogates as U+FFFD, as
 * Buffer.from(text, 'utf8')) into `out` from `at`, the same bytes encodeRecord gives; its length.
 * `start` is sealStart(namespace); `out` must have textRecordBound(key, text) bytes from `at`.
 * The body is encoded in place, after room for a head line whose length field has as many digits
 * as text.length (the body's length when it is ASCII, the usual case; else it is moved once), and
 * the seal is taken over the bytes written: no string, buffer or array per record.
 */
export function writeTextRecord(out: Buffer, at: number, start: number, key: string, text: string): number {
  const guess = key.length + 11 + String(text.length).length; // `<key> <length> <8 hex>\n`
  let body = at + guess;
  const n = out.write(text, body, 'utf8');
  const head = key.length + 11 + String(n).length;
  if (head !== guess) {
    out.copyWithin(at + head, body, body + n);
    body = at + head;
  }
  out.write(key, at, 'latin1');
  out[at + key.length] = 0; // the seal's separator, then overwritten by the head line's space
  const c = crc32(out.subarray(body, body + n), crc32(out.subarray(at, at + key.length + 1), start));
  out.write(` ${n} ${c.toString(16).padStart(8, '0')}\n`, at + key.length, 'latin1');
  return head + n;
}

/** Bytes writeTextRecord may need: a head line and 3 bytes a UTF-16 code unit. */
export function textRecordBound(key: string, text: string): number {
  return key.length + 32 + 3 * text.length;
}

/**
 * One record's bytes, as parts to be written in order: its head line, then the body's parts as
 * given (a whole IX tree's plan body is ~200 MB: one more copy of it is one more 200 MB of peak).
 */
export function encodeRecord(namespace: string, key: string, body: Body): Uint8Array[] {
  const parts = partsOf(body);
  const length = parts.reduce((n, p) => n + p.length, 0);
  return [Buffer.from(`${key} ${length} ${seal(namespace, key, parts)}\n`, 'latin1'), ...parts];
}

/** The body of a record read back for `key`, or undefined unless it is exactly that key's sealed entry. */
export function decodeRecord(namespace: string, key: string, rec: Uint8Array): Uint8Array | undefined {
  const nl = rec.indexOf(10);
  if (nl < 0 || nl > 300) return undefined;
  const head = Buffer.from(rec.buffer, rec.byteOffset, nl).toString('latin1').split(' ');
  if (head.length !== 3 || head[0] !== key || head[1] !== String(rec.length - nl - 1)) return undefined;
  const body = new Uint8Array(rec.buffer, rec.byteOffset + nl + 1, rec.length - nl - 1);
  return head[2] === seal(namespace, key, body) ? body : undefined;
}

/** Records up to this size are read into a shared slab of SLAB bytes instead of a buffer each. */
const SLAB_RECORD = 64 << 10;
const SLAB = 1 << 20;
let slab: Buffer | undefined;
let slabUsed = 0;

/**
 * A fresh region of `n` bytes that nothing else will ever be written to. Small ones are cut from
 * a slab: a re-plan reads thousands of entries of a few KB (6,600 for stal-ix set/pg, 33,000 for a
 * whole IX tree), and a buffer each was a native allocation each and more work for the collector.
 * A slab lives as long as any region of it is referenced (the core copies what it gets at once).
 */
function region(n: number): Buffer {
  if (n > SLAB_RECORD) return Buffer.allocUnsafeSlow(n);
  if (!slab || slabUsed + n > SLAB) {
    slab = Buffer.allocUnsafeSlow(SLAB);
    slabUsed = 0;
  }
  slabUsed += n;
  return slab.subarray(slabUsed - n, slabUsed);
}

/** Reads `span` of an open pack; undefined when the pack is shorter (a torn tail) or unreadable. */
export function readSpan(fd: number, span: Span): Uint8Array | undefined {
  try {
    const buf = region(span.length);
    let got = 0;
    while (got < span.length) {
      const n = readSync(fd, buf, got, span.length - got, span.offset + got);
      if (n <= 0) return undefined;
      got += n;
    }
    return buf;
  } catch {
    return undefined;
  }
}

/** Records larger than this are read by readRecordInto straight into the array its caller gives. */
export const INTO_RECORD = SLAB_RECORD;

/** Reads exactly `n` bytes of `fd` at `pos` into `buf` from `at`; false when the file is shorter. */
function readAll(fd: number, buf: Uint8Array, at: number, n: number, pos: number): boolean {
  for (let got = 0; got < n;) {
    const k = readSync(fd, buf, at + got, n - got, pos + got);
    if (k <= 0) return false;
    got += k;
  }
  return true;
}

/**
 * The body of `key`'s sealed record at `span` of an open pack, read into `into(length)` (an array
 * of exactly that length: the core's own memory, so a large entry is not copied again), or
 * undefined unless it is exactly that key's sealed entry (as decodeRecord). `into` is called at
 * most once, and only when the record's head line is the key's; after a failed read or seal its
 * array holds garbage and must be dropped.
 */
export function readRecordInto(fd: number, span: Span, namespace: string, key: string, into: (n: number) => Uint8Array): Uint8Array | undefined {
  try {
    const first = Math.min(span.length, 320); // the head line is at most 300 bytes (decodeRecord)
    const head = Buffer.allocUnsafe(first);
    if (!readAll(fd, head, 0, first, span.offset)) return undefined;
    const nl = head.indexOf(10);
    if (nl < 0 || nl > 300) return undefined;
    const fields = head.toString('latin1', 0, nl).split(' ');
    const n = span.length - nl - 1;
    if (fields.length !== 3 || fields[0] !== key || fields[1] !== String(n)) return undefined;
    const body = into(n);
    if (body.length !== n) return undefined;
    const have = first - nl - 1;
    body.set(head.subarray(nl + 1, first));
    if (!readAll(fd, body, have, n - have, span.offset + first)) return undefined;
    return fields[2] === seal(namespace, key, body) ? body : undefined;
  } catch {
    return undefined;
  }
}

/** The process id a pack name carries, or undefined for a name that is not a pack's. */
export function packPid(id: string): number | undefined {
  const m = PACK_ID.exec(id);
  return m ? Number(m[2]) : undefined;
}

/** Whether span `a` shadows span `b` of the same key (`a` read later when in the same pack). */
export function newer(a: Span, b: Span): boolean {
  if (a.stamp !== b.stamp) return a.stamp > b.stamp;
  if (a.pack !== b.pack) return a.pack > b.pack;
  return a.offset >= b.offset;
}

/**
 * The value of the digits of `text` from `from` to `to` in base 10 or 36 (lowercase), or -1 when
 * that is empty, holds another character, or is not a safe integer.
 */
function digits(text: string, from: number, to: number, base: 10 | 36): number {
  if (from >= to) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    let d = c - 48; // '0'
    if (d < 0 || d > 9) {
      if (base === 10 || c < 97 || c > 122) return -1;
      d = c - 87; // 'a' is 10
    }
    v = v * base + d;
  }
  return Number.isSafeInteger(v) ? v : -1;
}

/**
 * Adds the complete lines of index `text` (pack `pack`) to `into`, latest winning. A line is
 * `<key> <offset> <length> <stamp>`, single spaces, decimal offset and length (length > 0), base-36
 * stamp, as the writer makes them; any other line is skipped. Scanned in place rather than split
 * into fields (a whole IX tree's index has ~41,000 lines; about a third less time).
 */
export function parseIndex(pack: string, text: string, into: Map<string, Span>): number {
  if (!text.startsWith(INDEX_HEADER)) return 0;
  let n = 0;
  for (let at = INDEX_HEADER.length; ;) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) break; // a torn last line is not an entry
    const line = at;
    at = nl + 1;
    const s1 = text.indexOf(' ', line);
    const s2 = s1 < 0 || s1 > nl ? -1 : text.indexOf(' ', s1 + 1);
    const s3 = s2 < 0 || s2 > nl ? -1 : text.indexOf(' ', s2 + 1);
    if (s3 < 0 || s3 > nl || s1 === line) continue;
    const offset = digits(text, s1 + 1, s2, 10);
    const length = digits(text, s2 + 1, s3, 10);
    const stamp = digits(text, s3 + 1, nl, 36); // a fourth space lands here and fails
    if (offset < 0 || length <= 0 || stamp < 0) continue;
    const key = text.slice(line, s1);
    const span = { pack, offset, length, stamp };
    const old = into.get(key);
    if (!old || newer(span, old)) into.set(key, span);
    n++;
  }
  return n;
}

/** The pack names of a cache directory that have an index (sorted), or [] when it does not exist. */
export function packIds(base: string): string[] {
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith('.idx') && packPid(n.slice(0, -4)) !== undefined).map((n) => n.slice(0, -4)).sort();
}

/** Every index of `base` except `skip`'s, merged: key -> its latest span. */
export function loadIndexes(base: string, skip?: string): Map<string, Span> {
  const map = new Map<string, Span>();
  for (const id of packIds(base)) {
    if (id === skip) continue;
    let text: string;
    try {
      text = readFileSync(`${base}/${id}.idx`, 'latin1');
    } catch {
      continue; // removed by a compaction meanwhile
    }
    parseIndex(id, text, map);
  }
  return map;
}
