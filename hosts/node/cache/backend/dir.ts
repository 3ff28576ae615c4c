/**
 * A cache in a directory (`file:///srv/cache`): a shared disk or a USB stick. Objects are files
 * under the directory; put() writes a temp file beside the target, fsyncs it and renames it, so
 * an object is never visible half-written.
 *
 * Must not depend on: the store, records, archives, the CLI.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CacheError, checkKey, type Body, type CacheBackend } from './types';

export class DirBackend implements CacheBackend {
  constructor(readonly url: string, readonly dir: string) {}

  private file(key: string): string {
    return path.join(this.dir, ...checkKey(this.url, key).split('/'));
  }

  private fail(op: string, key: string, e: unknown): CacheError {
    return new CacheError(this.url, `${op} ${key}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }

  async get(key: string): Promise<Readable | undefined> {
    const file = this.file(key);
    let fh;
    try {
      fh = await fs.open(file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.fail('read', key, e);
    }
    return fh.createReadStream();
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    try {
      const st = await fs.stat(this.file(key));
      return st.isFile() ? { size: st.size } : undefined;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.fail('stat', key, e);
    }
  }

  async put(key: string, body: Body, size: number): Promise<void> {
    const file = this.file(key);
    const tmp = path.join(path.dirname(file), `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      await fs.mkdir(path.dirname(file), { recursive: true });
      const fh = await fs.open(tmp, 'wx', 0o644);
      try {
        if (body instanceof Uint8Array) await fh.writeFile(body);
        else for await (const chunk of body()) await fh.write(chunk as Uint8Array);
        const st = await fh.stat();
        if (st.size !== size) throw new Error(`wrote ${st.size} bytes, expected ${size}`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fs.rename(tmp, file);
      const d = await fs.open(path.dirname(file), 'r');
      await d.sync().finally(() => d.close());
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw this.fail('write', key, e);
    }
  }
}
