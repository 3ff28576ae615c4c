/**
 * A cache on a plain HTTP(S) server: GET/HEAD read, PUT writes (nginx with WebDAV PUT, or any
 * server that stores a PUT body whole before showing it, as nginx does with its temp files).
 * Credentials come from netrc (netrc.ts) as HTTP Basic authentication.
 *
 * Every request has an idle time-out (connect, headers, and each gap between body bytes); a 5xx
 * answer, a reset or a time-out is retried a bounded number of times with a short back-off. A
 * body that breaks after it started surfaces as a stream error (the caller may retry the whole
 * object, transfer.ts does). 404 and 410 mean "not there"; other 4xx fail at once.
 *
 * Must not depend on: the store, records, archives, the CLI.
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { netrcLogin } from './netrc';
import { CacheError, checkKey, openBody, sleep, type Body, type CacheBackend, type NetOptions } from './types';

export interface HttpOptions extends NetOptions {
  /** A netrc file; default $NETRC, else ~/.netrc. */
  netrc?: string;
}

class Retryable extends Error {}

export class HttpBackend implements CacheBackend {
  private readonly base: URL;
  private readonly auth?: string;
  private readonly timeoutMs: number;
  private readonly retries: number;

  constructor(readonly url: string, opts: HttpOptions = {}) {
    this.base = new URL(url.endsWith('/') ? url : `${url}/`);
    const login = netrcLogin(this.base.hostname, opts.netrc, opts.env ?? {});
    if (login) this.auth = `Basic ${Buffer.from(`${login.login}:${login.password}`).toString('base64')}`;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.retries = opts.retries ?? 3;
  }

  /** One request; resolves with the response (body unread) or rejects (Retryable for 5xx/reset/time-out). */
  private once(method: string, key: string, body?: Body, size?: number): Promise<http.IncomingMessage> {
    const u = new URL(checkKey(this.url, key), this.base);
    const lib = u.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = {};
      if (this.auth) headers.authorization = this.auth;
      if (size !== undefined) headers['content-length'] = size;
      const req = lib.request(u, { method, headers });
      req.setTimeout(this.timeoutMs, () => req.destroy(new Retryable(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (e) => reject(e instanceof Retryable ? e : new Retryable((e as NodeJS.ErrnoException).code ?? e.message)));
      req.on('response', (res) => {
        const s = res.statusCode ?? 0;
        if (s >= 500) {
          res.resume();
          return reject(new Retryable(`HTTP ${s}`));
        }
        // Idle time-out while the body flows: the caller sees a stream error.
        res.on('error', () => undefined);
        resolve(res);
      });
      if (body === undefined) req.end();
      else {
        const b = openBody(body);
        if (b instanceof Uint8Array) req.end(b);
        else b.on('error', (e) => req.destroy(e)).pipe(req);
      }
    });
  }

  /** once() with bounded retries; the last failure becomes a CacheError. */
  private async request(method: string, key: string, body?: Body, size?: number): Promise<http.IncomingMessage> {
    let last = '';
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (attempt > 0) await sleep(Math.min(2000, 100 * 2 ** (attempt - 1)));
      try {
        return await this.once(method, key, body, size);
      } catch (e) {
        if (!(e instanceof Retryable)) throw new CacheError(this.url, `${method} ${key}: ${(e as Error).message}`);
        last = e.message;
      }
    }
    throw new CacheError(this.url, `${method} ${key}: ${last} (after ${this.retries + 1} attempts)`);
  }

  private unexpected(method: string, key: string, res: http.IncomingMessage): CacheError {
    res.resume();
    return new CacheError(this.url, `${method} ${key}: HTTP ${res.statusCode}${res.statusCode === 401 || res.statusCode === 403 ? ' (check the netrc entry for this host)' : ''}`);
  }

  async get(key: string): Promise<Readable | undefined> {
    const res = await this.request('GET', key);
    if (res.statusCode === 404 || res.statusCode === 410) {
      res.resume();
      return undefined;
    }
    if (res.statusCode !== 200) throw this.unexpected('GET', key, res);
    res.setTimeout(this.timeoutMs, () => res.destroy(new Error(`GET ${key}: no data for ${this.timeoutMs} ms`)));
    return res;
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    const res = await this.request('HEAD', key);
    res.resume();
    if (res.statusCode === 404 || res.statusCode === 410) return undefined;
    if (res.statusCode !== 200) throw this.unexpected('HEAD', key, res);
    const n = Number(res.headers['content-length']);
    return { size: Number.isSafeInteger(n) ? n : -1 };
  }

  async put(key: string, body: Body, size: number): Promise<void> {
    const res = await this.request('PUT', key, body, size);
    if (res.statusCode !== 200 && res.statusCode !== 201 && res.statusCode !== 204) throw this.unexpected('PUT', key, res);
    res.resume();
  }
}
