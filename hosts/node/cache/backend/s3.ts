/**
 * A cache in S3 or a compatible store (AWS, R2, MinIO, Ceph) through the AWS SDK for JavaScript:
 *   s3://BUCKET/PREFIX?endpoint=http://host:port&region=R
 * Credentials and the default region come from the SDK's usual chain (environment, ~/.aws, SSO,
 * instance roles). The client uses path-style addressing (`forcePathStyle`), which every
 * S3-compatible server accepts, and computes or checks checksums only when an operation requires
 * them (`WHEN_REQUIRED`), since many compatible servers predate the newer checksum headers.
 * Only whole-object PUT/GET/HEAD are used (no multipart upload); a PUT object becomes visible
 * only once complete. The SDK is loaded on first use, so `ix` without s3:// caches never pays
 * for it. Retries: the SDK's own, bounded by `retries`; time-outs by the request handler. The SDK
 * cannot send a stream twice, so a streamed PUT that fails on a reset, a time-out or a 5xx is
 * retried here with a fresh stream from the body's factory, within the same bound.
 *
 * Must not depend on: the store, records, archives, the CLI.
 */
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { CacheError, checkKey, openBody, sleep, type Body, type CacheBackend, type NetOptions } from './types';

type Sdk = typeof import('@aws-sdk/client-s3');

const quiet = (): void => undefined;
const SILENT = { trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet };

export class S3Backend implements CacheBackend {
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly endpoint?: string;
  private readonly region: string;
  private client?: Promise<{ sdk: Sdk; s3: S3Client }>;

  constructor(readonly url: string, private readonly opts: NetOptions = {}) {
    const u = new URL(url);
    this.bucket = u.hostname;
    if (!this.bucket) throw new CacheError(url, 'an s3:// cache URL needs a bucket: s3://BUCKET/PREFIX');
    const p = decodeURIComponent(u.pathname).replace(/^\/+|\/+$/g, '');
    this.prefix = p ? `${p}/` : '';
    this.endpoint = u.searchParams.get('endpoint') ?? undefined;
    this.region = u.searchParams.get('region') ?? opts.env?.AWS_REGION ?? opts.env?.AWS_DEFAULT_REGION ?? 'us-east-1';
  }

  private connect(): Promise<{ sdk: Sdk; s3: S3Client }> {
    this.client ??= import('@aws-sdk/client-s3').then((sdk) => {
      const timeout = this.opts.timeoutMs ?? 30_000;
      const s3 = new sdk.S3Client({
        region: this.region,
        endpoint: this.endpoint,
        forcePathStyle: true,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        maxAttempts: (this.opts.retries ?? 3) + 1,
        requestHandler: { connectionTimeout: timeout, requestTimeout: timeout },
        // The SDK would warn on our stderr; every failure reaches the user once, as a CacheError.
        logger: SILENT,
      });
      return { sdk, s3 };
    });
    return this.client;
  }

  private fail(op: string, key: string, e: unknown): CacheError {
    const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = err.$metadata?.httpStatusCode;
    return new CacheError(this.url, `${op} ${key}: ${err.name ?? 'error'}${status ? ` (HTTP ${status})` : ''}: ${(err.message ?? '').split('\n')[0]}`);
  }

  private static missing(e: unknown): boolean {
    const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
    return err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata?.httpStatusCode === 404;
  }

  async get(key: string): Promise<Readable | undefined> {
    const { sdk, s3 } = await this.connect();
    try {
      const r = await s3.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + checkKey(this.url, key) }));
      return r.Body as Readable;
    } catch (e) {
      if (S3Backend.missing(e)) return undefined;
      throw this.fail('GET', key, e);
    }
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    const { sdk, s3 } = await this.connect();
    try {
      const r = await s3.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: this.prefix + checkKey(this.url, key) }));
      return { size: r.ContentLength ?? -1 };
    } catch (e) {
      if (S3Backend.missing(e)) return undefined;
      throw this.fail('HEAD', key, e);
    }
  }

  /** A failure worth another attempt: a reset or timed-out connection, or the server's 5xx. */
  private static transient(e: unknown): boolean {
    const err = e as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
    const status = err.$metadata?.httpStatusCode ?? 0;
    return status >= 500 || err.name === 'TimeoutError' || ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED'].includes(err.code ?? '');
  }

  async put(key: string, body: Body, size: number): Promise<void> {
    const { sdk, s3 } = await this.connect();
    const Key = this.prefix + checkKey(this.url, key);
    // A byte body is retried by the SDK itself; a streamed one only here.
    const attempts = body instanceof Uint8Array ? 1 : (this.opts.retries ?? 3) + 1;
    for (let attempt = 1; ; attempt++) {
      try {
        await s3.send(new sdk.PutObjectCommand({ Bucket: this.bucket, Key, Body: openBody(body), ContentLength: size }));
        return;
      } catch (e) {
        if (attempt >= attempts || !S3Backend.transient(e)) throw this.fail('PUT', key, e);
        await sleep(Math.min(2000, 100 * 2 ** (attempt - 1)));
      }
    }
  }
}
