/**
 * Cache servers for tests, each a real process on 127.0.0.1 at a free port, stopped by its pid:
 * Debian's nginx serving a directory with WebDAV PUT (an HTTP binary cache), and s3rver (npm)
 * speaking the S3 protocol. Under CI=true a missing nginx is an error, not a skip.
 *
 * Must not depend on: ix's code (tests decide what to point at these servers).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join, resolve } from 'node:path';

export interface Server {
  /** Base URL of the cache (http://127.0.0.1:PORT/ or s3://BUCKET/PREFIX?...). */
  url: string;
  port: number;
  /** For S3: the endpoint to give the client (http://127.0.0.1:PORT). */
  endpoint?: string;
  pid: number;
  stop(): Promise<void>;
}

const repoRoot = resolve(__dirname, '..', '..');

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

async function waitForPort(port: number, p: ChildProcess, what: string, ms = 15_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (p.exitCode !== null) throw new Error(`${what} exited with ${p.exitCode} before listening on 127.0.0.1:${port}`);
    const ok = await new Promise<boolean>((res) => {
      const c = connect(port, '127.0.0.1');
      c.on('connect', () => { c.destroy(); res(true); });
      c.on('error', () => res(false));
    });
    if (ok) return;
    if (Date.now() - t0 > ms) throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stopper(p: ChildProcess): () => Promise<void> {
  return () => new Promise<void>((res) => {
    if (p.exitCode !== null || p.signalCode !== null) return res();
    p.once('exit', () => res());
    process.kill(p.pid!, 'SIGTERM');
    setTimeout(() => { if (p.exitCode === null && p.signalCode === null) process.kill(p.pid!, 'SIGKILL'); }, 5000).unref();
  });
}

export function nginxPath(): string | undefined {
  for (const p of ['/usr/sbin/nginx', '/sbin/nginx']) if (existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** nginx in the foreground serving `dir/www` read-write (GET, HEAD, PUT, DELETE). */
export async function startNginx(dir: string): Promise<Server> {
  const bin = nginxPath();
  if (!bin) throw new Error('nginx is not installed (Debian nginx-light, listed in .ci/apt-packages)');
  const port = await freePort();
  const www = join(dir, 'www');
  for (const d of [www, join(dir, 'tmp'), join(dir, 'logs')]) mkdirSync(d, { recursive: true });
  chmodSync(dir, 0o755);
  const conf = join(dir, 'nginx.conf');
  // As root nginx would switch its worker to "nobody", who cannot write the test's directory.
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  writeFileSync(conf, `${user}worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${www};
    client_max_body_size 0;
    location / {
      dav_methods PUT DELETE;
      create_full_put_path on;
      dav_access user:rw group:r all:r;
    }
  }
}
`);
  const p = spawn(bin, ['-c', conf, '-p', dir, '-e', `${dir}/logs/error.log`, '-g', 'daemon off;'], { stdio: 'ignore' });
  await waitForPort(port, p, 'nginx');
  return { url: `http://127.0.0.1:${port}/cache`, port, pid: p.pid!, stop: stopper(p) };
}

/** s3rver with one bucket, data under `dir`; the URL names the bucket and a prefix. */
export async function startS3rver(dir: string, bucket = 'ix-cache'): Promise<Server> {
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  const bin = join(repoRoot, 'node_modules', 's3rver', 'bin', 's3rver.js');
  const p = spawn(process.execPath, [bin, '-d', dir, '-a', '127.0.0.1', '-p', String(port), '--silent', '--configure-bucket', bucket], { stdio: 'ignore' });
  await waitForPort(port, p, 's3rver');
  return { url: `s3://${bucket}/ix`, endpoint: `http://127.0.0.1:${port}`, port, pid: p.pid!, stop: stopper(p) };
}
