/**
 * Streaming zstd over a binding that only has a buffer API (@mongodb-js/zstd 1.2.2:
 * compress(buffer, level) / decompress(buffer); no streaming classes). Packing cuts the input into fixed-size chunks and
 * compresses each into its own zstd frame; concatenated frames are one valid zstd stream (RFC 8878
 * section 3.1), so `zstd -d` reads it like any other. Unpacking finds frame boundaries by reading
 * frame and block headers (RFC 8878 3.1.1), refuses a frame whose header does not state its
 * content size or states more than MAX_FRAME_OUT BEFORE decompressing it (libzstd then checks the
 * output against that size), and hands whole frames to the binding.
 *
 * Same input, same chunk size, same level, same libzstd => same bytes: chunk boundaries depend on
 * byte offsets only, and up to PARALLEL (3) chunks compress at once but are emitted in order (with
 * 2 in flight, tar generation stalled waiting for the first; 3 keeps 2 cores busy).
 *
 * Must not depend on: the store, the cache backends, the CLI.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { createRequire } from 'node:module';

/**
 * The native binding itself: the package's index.js wrapper drops the level argument (it always
 * compresses at libzstd's default level 3); bindings.js is its own loader of the per-platform
 * prebuilt module, whose compress(data, level) honours the level.
 */
const zstd = createRequire(import.meta.url)('@mongodb-js/zstd/bindings.js') as {
  compress(data: Buffer, level: number): Promise<Buffer>;
  decompress(data: Buffer): Promise<Buffer>;
};
const compress = async (data: Buffer, level: number) => withContentSize(await zstd.compress(data, level), data.length);
const decompress = (data: Buffer) => zstd.decompress(data);

/** Uncompressed bytes per frame when packing. */
export const ZSTD_CHUNK = 4 << 20;
/** Largest decompressed frame accepted when unpacking (frames we write hold ZSTD_CHUNK bytes). */
const MAX_FRAME_OUT = 16 << 20;
const PARALLEL = 3;
const MAGIC = 0xfd2fb528;

/** A zstd stream that is not one this reader accepts; `message` is one line. */
export class ZstdFrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZstdFrameError';
  }
}

/**
 * The binding compresses through libzstd's streaming API, so its frames do not state their
 * content size. A reader needs that size to bound a frame before decompressing it, so we write it
 * into the frame header (RFC 8878 3.1.1.1: Frame_Content_Size_Flag 2, a 4-byte field after the
 * window descriptor); the blocks are untouched and libzstd checks the size when decompressing.
 */
export function withContentSize(frame: Buffer, size: number): Buffer {
  if (frame.readUInt32LE(0) !== MAGIC) throw new ZstdFrameError('zstd binding returned no frame');
  const fhd = frame[4];
  if (fhd >> 6 !== 0) return frame;
  if ((fhd & 0x2b) !== 0 || size > 0xffffffff) throw new ZstdFrameError(`unexpected zstd frame header ${fhd.toString(16)}`);
  const fcs = Buffer.alloc(4);
  fcs.writeUInt32LE(size);
  const head = Buffer.from([...frame.subarray(0, 4), fhd | 0x80, frame[5]]);
  return Buffer.concat([head, fcs, frame.subarray(6)]);
}

/** Compress a byte stream into concatenated zstd frames of ZSTD_CHUNK input bytes each. */
export function zstdCompressStream(level: number): Transform {
  let parts: Buffer[] = [];
  let have = 0;
  const queue: Promise<Buffer>[] = [];
  const drainTo = async (t: Transform, keep: number) => {
    while (queue.length > keep) t.push(await queue.shift()!);
  };
  const cut = (all: boolean) => {
    const buf = Buffer.concat(parts, have);
    let off = 0;
    while (buf.length - off >= ZSTD_CHUNK || (all && off < buf.length)) {
      const end = Math.min(off + ZSTD_CHUNK, buf.length);
      queue.push(compress(buf.subarray(off, end), level));
      off = end;
    }
    parts = off < buf.length ? [buf.subarray(off)] : [];
    have = buf.length - off;
  };
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      parts.push(chunk);
      have += chunk.length;
      if (have < ZSTD_CHUNK) return cb();
      cut(false);
      drainTo(this, PARALLEL - 1).then(() => cb(), cb);
    },
    flush(cb: TransformCallback) {
      cut(true);
      drainTo(this, 0).then(() => cb(), cb);
    },
  });
}

/**
 * Length in bytes of the complete frame at the start of `b`, and a bound on its decompressed size;
 * or, when `b` does not yet hold the whole frame, how many bytes are needed at least before asking
 * again. Throws ZstdFrameError on malformed input.
 */
export function frameExtent(b: Buffer): { length: number; maxOut: number; skippable: boolean } | { need: number } {
  if (b.length < 8) return { need: 8 };
  const magic = b.readUInt32LE(0);
  if ((magic & 0xfffffff0) === 0x184d2a50) {
    const len = 8 + b.readUInt32LE(4);
    return b.length >= len ? { length: len, maxOut: 0, skippable: true } : { need: len };
  }
  if (magic !== MAGIC) throw new ZstdFrameError('not a zstd stream (bad frame magic)');
  const fhd = b[4];
  const fcsFlag = fhd >> 6;
  const single = (fhd >> 5) & 1;
  if ((fhd >> 3) & 1) throw new ZstdFrameError('zstd frame header has its reserved bit set');
  const checksum = (fhd >> 2) & 1;
  if ((fhd & 3) !== 0) throw new ZstdFrameError('zstd frame needs a dictionary');
  const fcsSize = [single ? 1 : 0, 2, 4, 8][fcsFlag];
  if (fcsSize === 0) throw new ZstdFrameError('zstd frame does not state its content size');
  const fcsAt = 5 + (single ? 0 : 1);
  if (b.length < fcsAt + fcsSize) return { need: fcsAt + fcsSize };
  const maxOut = fcsSize === 1 ? b[fcsAt] : fcsSize === 2 ? b.readUInt16LE(fcsAt) + 256 : fcsSize === 4 ? b.readUInt32LE(fcsAt) : Number(b.readBigUInt64LE(fcsAt));
  if (maxOut > MAX_FRAME_OUT) throw new ZstdFrameError(`zstd frame of ${maxOut} bytes (more than ${MAX_FRAME_OUT})`);
  let pos = fcsAt + fcsSize;
  for (;;) {
    if (b.length < pos + 3) return { need: pos + 3 };
    const h = b[pos] | (b[pos + 1] << 8) | (b[pos + 2] << 16);
    const type = (h >> 1) & 3;
    if (type === 3) throw new ZstdFrameError('zstd block of the reserved type');
    pos += 3 + (type === 1 ? 1 : h >>> 3);
    if (h & 1) break;
  }
  pos += checksum ? 4 : 0;
  return b.length >= pos ? { length: pos, maxOut, skippable: false } : { need: pos };
}

/**
 * Decompress concatenated zstd frames, whole frames at a time: up to PARALLEL frames decompress
 * at once (the binding runs them on libuv's pool) while the consumer takes the previous output,
 * emitted in order. Memory: a few frames.
 */
export function zstdDecompressStream(): Transform {
  let pending = Buffer.alloc(0);
  let parts: Buffer[] = [];
  let have = 0;
  let need = 8;
  const queue: Promise<Buffer>[] = [];
  const start = (frame: Buffer, size: number) => {
    const p = decompress(frame).then((out) => {
      if (out.length !== size) throw new ZstdFrameError('zstd frame decompressed to another size than its header states');
      return out;
    });
    p.catch(() => undefined);
    queue.push(p);
  };
  const split = (final: boolean) => {
    if (have < need && !final) return;
    if (parts.length) pending = Buffer.concat([pending, ...parts]);
    parts = [];
    have = 0;
    for (;;) {
      const ext = frameExtent(pending);
      if ('need' in ext) {
        need = ext.need - pending.length;
        break;
      }
      const frame = pending.subarray(0, ext.length);
      pending = pending.subarray(ext.length);
      if (!ext.skippable) start(frame, ext.maxOut);
    }
    if (final && pending.length > 0) throw new ZstdFrameError(`zstd stream ends inside a frame (${pending.length} bytes left)`);
  };
  const drain = async (t: Transform, keep: number) => {
    while (queue.length > keep) t.push(await queue.shift()!);
  };
  const fail = (e: unknown) => (e instanceof ZstdFrameError ? e : new ZstdFrameError(`zstd: ${(e as Error).message}`));
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      parts.push(chunk);
      have += chunk.length;
      try {
        split(false);
      } catch (e) {
        return cb(fail(e));
      }
      drain(this, PARALLEL - 1).then(() => cb(), (e) => cb(fail(e)));
    },
    flush(cb: TransformCallback) {
      try {
        split(true);
      } catch (e) {
        return cb(fail(e));
      }
      drain(this, 0).then(() => cb(), (e) => cb(fail(e)));
    },
  });
}
