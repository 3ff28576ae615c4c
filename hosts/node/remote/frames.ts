/**
 * Framing of the builder protocol (ix-remote): a byte stream cut into frames, each
 *
 *   u32 big-endian  length of what follows (kind + channel + payload), at most MAX_FRAME
 *   u8              kind: 0x4A 'J' = one JSON message (UTF-8), 0x42 'B' = raw bytes
 *   u32 big-endian  channel: the request this frame belongs to (0 = the connection itself)
 *   payload
 *
 * The very first bytes each side sends are MAGIC, so a peer that is not ix (a shell printing a
 * banner, an old ix printing a usage error) is recognised at once instead of being read as a
 * frame length. Byte payloads (archives, logs) follow the JSON message that announces them on the
 * same channel, so several builds share one SSH session.
 *
 * Must not depend on: the store, the executor, anything Linux-only.
 */
import type { Readable, Writable } from 'node:stream';

/** Sent first by both sides: "IXR" + newline + protocol family version byte 1 + newline. */
export const MAGIC = Buffer.from('IXR\n1\n', 'latin1');
/** 16 MiB: archives are sent in chunks far below this. */
export const MAX_FRAME = 16 << 20;
export const HEADER = 9;

export type Frame = { kind: 'J'; ch: number; msg: Record<string, unknown> } | { kind: 'B'; ch: number; data: Buffer };

export function encodeJson(ch: number, msg: object): Buffer {
  const body = Buffer.from(JSON.stringify(msg), 'utf8');
  return Buffer.concat([head(body.length, 0x4a, ch), body]);
}

export function encodeBytes(ch: number, data: Uint8Array): Buffer[] {
  return [head(data.length, 0x42, ch), Buffer.from(data.buffer, data.byteOffset, data.byteLength)];
}

function head(len: number, kind: number, ch: number): Buffer {
  if (len + 5 > MAX_FRAME) throw new Error(`frame of ${len} bytes is over the ${MAX_FRAME}-byte limit`);
  const h = Buffer.alloc(HEADER);
  h.writeUInt32BE(len + 5, 0);
  h[4] = kind;
  h.writeUInt32BE(ch, 5);
  return h;
}

/** A framing error: the peer sent something that is not this protocol. */
export class FrameError extends Error {}

/**
 * Incremental decoder: push() bytes as they arrive, get whole frames. The magic is checked first;
 * what came instead of it is kept (printable part) for the error message.
 */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);
  private magicSeen = false;

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Frame[] = [];
    if (!this.magicSeen) {
      const n = Math.min(this.buf.length, MAGIC.length);
      if (!this.buf.subarray(0, n).equals(MAGIC.subarray(0, n))) {
        const text = this.buf.toString('utf8').replace(/[^\x20-\x7e]+/g, ' ').trim().slice(0, 120);
        throw new FrameError(`the other side does not speak the ix protocol (it said '${text}')`);
      }
      if (this.buf.length < MAGIC.length) return out;
      this.magicSeen = true;
      this.buf = this.buf.subarray(MAGIC.length);
    }
    for (;;) {
      if (this.buf.length < 4) break;
      const len = this.buf.readUInt32BE(0);
      if (len < 5 || len > MAX_FRAME) throw new FrameError(`bad frame length ${len}`);
      if (this.buf.length < 4 + len) break;
      const kind = this.buf[4];
      const ch = this.buf.readUInt32BE(5);
      const payload = this.buf.subarray(HEADER, 4 + len);
      this.buf = this.buf.subarray(4 + len);
      if (kind === 0x4a) {
        let msg: unknown;
        try {
          msg = JSON.parse(payload.toString('utf8'));
        } catch {
          throw new FrameError('a JSON frame that is not JSON');
        }
        if (!msg || typeof msg !== 'object' || Array.isArray(msg) || typeof (msg as { op?: unknown }).op !== 'string') throw new FrameError('a message without an op');
        out.push({ kind: 'J', ch, msg: msg as Record<string, unknown> });
      } else if (kind === 0x42) {
        out.push({ kind: 'B', ch, data: Buffer.from(payload) });
      } else {
        throw new FrameError(`unknown frame kind ${kind}`);
      }
    }
    return out;
  }

  /** Bytes received but not yet a whole frame (for "closed halfway" messages). */
  get pending(): number {
    return this.buf.length;
  }
}

/**
 * A framed connection over a readable and a writable: send JSON or bytes (respecting the
 * writable's back-pressure), receive frames through `onFrame`, learn of the end through `onEnd`.
 */
export class FramedConnection {
  private readonly dec = new FrameDecoder();
  private ended = false;
  /** Bytes written and read (payload and headers), for "bytes moved" reports. */
  sent = 0;
  received = 0;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly onFrame: (f: Frame) => void,
    private readonly onEnd: (why: Error | undefined) => void,
  ) {
    output.write(MAGIC);
    input.on('data', (c: Buffer) => {
      if (this.ended) return;
      this.received += c.length;
      let frames: Frame[];
      try {
        frames = this.dec.push(c);
      } catch (e) {
        this.end(e as Error);
        return;
      }
      for (const f of frames) {
        if (this.ended) return;
        this.onFrame(f);
      }
    });
    input.on('end', () => this.end(undefined));
    input.on('close', () => this.end(undefined));
    input.on('error', (e) => this.end(e));
    output.on('error', (e) => this.end(e));
  }

  get closed(): boolean {
    return this.ended;
  }

  private end(why: Error | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd(why);
  }

  private async write(parts: Buffer[]): Promise<void> {
    if (this.ended) throw new Error('connection closed');
    let ok = true;
    for (const p of parts) {
      this.sent += p.length;
      ok = this.output.write(p) && ok;
    }
    if (!ok && !this.ended) {
      await new Promise<void>((resolve) => {
        const done = () => { this.output.off('drain', done); this.output.off('close', done); resolve(); };
        this.output.on('drain', done);
        this.output.on('close', done);
      });
    }
  }

  sendJson(ch: number, msg: object): Promise<void> {
    return this.write([encodeJson(ch, msg)]);
  }

  /** Sends `data` as byte frames of at most `chunk` bytes. */
  async sendBytes(ch: number, data: Uint8Array, chunk = 1 << 20): Promise<void> {
    for (let i = 0; i < data.length; i += chunk) await this.write(encodeBytes(ch, data.subarray(i, Math.min(data.length, i + chunk))));
  }

  /** Stop writing (half-close). */
  close(): void {
    this.output.end();
  }
}
