/**
 * One download attempt into a local file, hashing (sha256) while writing: http(s):// with Node's
 * fetch, file:// from the local filesystem, and apt:NAME=VERSION/ARCH through the ordinary Debian
 * client (`apt-get download NAME:ARCH=VERSION`, run in a private temp dir). No retries, no cache,
 * no verification here (index.ts decides); it reports whether a failure is worth retrying.
 *
 * Must not depend on: the engine's evaluator, the store's internals, the sandbox or executor.
 */
import fs from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Progress of one download; `total` is undefined when the server does not say. */
export interface FetchProgress {
  url: string;
  file: string;
  received: number;
  total?: number;
  done: boolean;
}

/** A failed attempt: `retry` for transient failures (5xx, 429, network, timeouts). */
export class AttemptError extends Error {
  constructor(message: string, readonly retry: boolean) {
    super(message);
  }
}

export interface AttemptOptions {
  /** Abort a download that receives nothing for this long (ms). */
  stallMs: number;
  /** Progress sink (already throttled by the caller's wishes: see progressEvery). */
  onProgress?: (p: FetchProgress) => void;
  /** Only report progress for downloads of at least this size (or of unknown size). */
  progressMinBytes: number;
  /** apt-get executable. */
  aptGet: string;
  /** Where apt-get may create its private temp dirs. */
  scratch: string;
  file: string;
}

const PROGRESS_INTERVAL_MS = 250;

/** Copy `chunks` to `dest` computing sha256; returns the hex digest and byte count. */
async function sink(chunks: AsyncIterable<Uint8Array>, dest: string, url: string, total: number | undefined, o: AttemptOptions) {
  const hash = createHash('sha256');
  const out = createWriteStream(dest, { mode: 0o644 });
  const report = o.onProgress && (total === undefined || total >= o.progressMinBytes) ? o.onProgress : undefined;
  let received = 0;
  let last = 0;
  try {
    for await (const c of chunks) {
      hash.update(c);
      received += c.length;
      if (!out.write(c)) await new Promise<void>((r) => out.once('drain', () => r()));
      const now = Date.now();
      if (report && now - last >= PROGRESS_INTERVAL_MS) {
        last = now;
        report({ url, file: o.file, received, total, done: false });
      }
    }
  } finally {
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
  report?.({ url, file: o.file, received, total, done: true });
  return { sha256: hash.digest('hex'), bytes: received };
}

async function viaHttp(url: string, dest: string, o: AttemptOptions) {
  const ctl = new AbortController();
  let timer = setTimeout(() => ctl.abort(), o.stallMs);
  const poke = () => {
    clearTimeout(timer);
    timer = setTimeout(() => ctl.abort(), o.stallMs);
  };
  try {
    let res: Response;
    try {
      res = await fetch(url, { signal: ctl.signal, redirect: 'follow' });
    } catch (e) {
      throw new AttemptError(`${url}: ${ctl.signal.aborted ? 'timed out' : causeOf(e)}`, true);
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      throw new AttemptError(`${url}: HTTP ${res.status}`, res.status >= 500 || res.status === 429 || res.status === 408);
    }
    const len = Number(res.headers.get('content-length'));
    const body = res.body;
    async function* chunks() {
      for await (const c of body as unknown as AsyncIterable<Uint8Array>) {
        poke();
        yield c;
      }
    }
    try {
      return await sink(chunks(), dest, url, Number.isFinite(len) && len > 0 ? len : undefined, o);
    } catch (e) {
      throw new AttemptError(`${url}: ${ctl.signal.aborted ? 'stalled' : causeOf(e)}`, true);
    }
  } finally {
    clearTimeout(timer);
  }
}

function causeOf(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  return err.cause?.code ?? err.cause?.message ?? err.message ?? String(e);
}

async function viaFile(url: string, dest: string, o: AttemptOptions) {
  let p: string;
  try {
    p = fileURLToPath(url);
  } catch (e) {
    throw new AttemptError(`${url}: ${(e as Error).message}`, false);
  }
  const st = await fs.stat(p).catch(() => undefined);
  if (!st?.isFile()) throw new AttemptError(`${url}: no such file`, false);
  return sink(createReadStream(p), dest, url, st.size, o);
}

/** apt:NAME=VERSION/ARCH */
export const APT_URL = /^apt:([a-z0-9][a-z0-9+.-]*)=([A-Za-z0-9.+~:-]+)\/([a-z0-9-]+)$/;

async function viaApt(url: string, dest: string, o: AttemptOptions) {
  const m = APT_URL.exec(url);
  if (!m) throw new AttemptError(`${url}: not of the form apt:NAME=VERSION/ARCH`, false);
  const dir = await fs.mkdtemp(path.join(o.scratch, `apt-${process.pid}-`));
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(o.aptGet, ['download', `${m[1]}:${m[3]}=${m[2]}`], { cwd: dir, maxBuffer: 1 << 24 }, (err, _out, stderr) => {
        if (!err) return resolve();
        const line = String(stderr).trim().split('\n').filter((l) => l.startsWith('E:')).pop() ?? err.message.split('\n')[0];
        // A version the archive does not list will not appear on a retry (the snapshot archive is next).
        reject(new AttemptError(`${url}: apt-get download failed: ${line}`, !/was not found|Unable to locate|Can't find/i.test(line)));
      });
    });
    const debs = (await fs.readdir(dir)).filter((n) => n.endsWith('.deb'));
    if (debs.length !== 1) throw new AttemptError(`${url}: apt-get download produced ${debs.length} .deb files`, false);
    const st = await fs.stat(path.join(dir, debs[0]));
    return await sink(createReadStream(path.join(dir, debs[0])), dest, url, st.size, o);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Fetch `url` into `dest` (overwritten). Throws AttemptError. */
export async function attempt(url: string, dest: string, o: AttemptOptions): Promise<{ sha256: string; bytes: number }> {
  if (url.startsWith('http://') || url.startsWith('https://')) return viaHttp(url, dest, o);
  if (url.startsWith('file://')) return viaFile(url, dest, o);
  if (url.startsWith('apt:')) return viaApt(url, dest, o);
  throw new AttemptError(`${url}: unsupported URL scheme (http, https, file, apt)`, false);
}
