/**
 * A cache in S3 or a compatible store (AWS, R2, MinIO, Ceph) through the AWS SDK for JavaScript:
 *   s3://BUCKET/PREFIX?endpoint=http://host:port&region=R
 * Credentials and the default region come from the SDK's usual chain (environment, ~/.aws, SSO,
 * instance roles). The client uses path-style addressing (`forcePathStyle`), which every
 * S3-compatible server accepts, and computes or checks checksums only when an operation requires
 * them (`WHEN_REQUIRED`), since many compatible servers predate the newer checksum headers.
 * Only whole-object PUT/GET/HEAD are used (no multipart upload); a PUT object becomes visible
 * only once complete. The SDK is loaded on first use, so `ix` without s3:// caches never pays
 * for it. Retries: the SDK's own, bounded by `retries`; time-outs by the request handler.
 *
 * Must not depend on: the store, records, archives, the CLI.
 */
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { CacheError, checkKey, openBody, type Body, type CacheBackend, type NetOptions } from './types';

type Sdk = typeof import('@aws-sdk/client-s3');

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

  async put(key: string, body: Body, size: number): Promise<void> {
    const { sdk, s3 } = await this.connect();
    try {
      await s3.send(new sdk.PutObjectCommand({ Bucket: this.bucket, Key: this.prefix + checkKey(this.url, key), Body: openBody(body), ContentLength: size }));
    } catch (e) {
      throw this.fail('PUT', key, e);
    }
  }
}
