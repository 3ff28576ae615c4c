/**
 * Real servers for the binary cache tests, on 127.0.0.1 at free ports, each stopped by its pid:
 * Debian's nginx with WebDAV PUT (its own config, prefix, temp dirs and pid file; `daemon off`
 * so the process we start is the one we stop) and s3rver as a separate Node process. Under
 * CI=true a missing server is an error; elsewhere `available()` lets a suite skip.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const NGINX = '/usr/sbin/nginx';
export const S3RVER = path.resolve(__dirname, '../../node_modules/s3rver/bin/s3rver.js');

/** True when the server can run here; under CI=true a missing one throws instead. */
export function available(bin: string, what: string): boolean {
  if (existsSync(bin)) return true;
  if (process.env.CI === 'true') throw new Error(`${what} (${bin}) is missing; run npm run setup`);
  return false;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Spawn a server that also dies if the test process is killed before it can stop it: setpriv
 * (util-linux) sets the parent-death signal to KILL. Normal stops still go by pid.
 */
function spawnServer(cmd: string, args: string[], env?: NodeJS.ProcessEnv): ChildProcess {
  const wrap = existsSync(SETPRIV) ? [SETPRIV, '--pdeathsig', 'KILL', '--', cmd, ...args] : [cmd, ...args];
  return spawn(wrap[0], wrap.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env });
}
const SETPRIV = '/usr/bin/setpriv';

export interface Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function waitListening(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((r) => {
      const c = net.connect(port, '127.0.0.1', () => (c.end(), r(true)));
      c.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server did not listen on ${port}: ${log()}`);
}

function started(child: ChildProcess, url: string): Server {
  return {
    url,
    pid: child.pid!,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      process.kill(child.pid!, 'SIGTERM');
    }),
  };
}

function capture(child: ChildProcess): () => string {
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  return () => out.slice(-2000);
}

/** nginx serving `root` with WebDAV PUT at http://127.0.0.1:PORT/. */
export async function startNginx(work: string, root: string): Promise<Server> {
  const port = await freePort();
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi', 'logs']) mkdirSync(path.join(work, d), { recursive: true });
  mkdirSync(root, { recursive: true });
  const user = process.getuid?.() === 0 ? 'user root root;\n' : '';
  const conf = path.join(work, 'nginx.conf');
  writeFileSync(conf, `${user}daemon off;
worker_processes 1;
pid ${work}/nginx.pid;
error_log ${work}/logs/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${work}/body;
  proxy_temp_path ${work}/proxy;
  fastcgi_temp_path ${work}/fastcgi;
  uwsgi_temp_path ${work}/uwsgi;
  scgi_temp_path ${work}/scgi;
  client_max_body_size 0;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location / {
      dav_methods PUT;
      create_full_put_path on;
      dav_access user:rw group:r all:r;
    }
  }
}
`);
  const child = spawnServer(NGINX, ['-p', work, '-c', conf, '-e', `${work}/logs/error.log`]);
  const log = capture(child);
  await waitListening(port, child, log);
  return started(child, `http://127.0.0.1:${port}/cache`);
}

export const S3_BUCKET = 'ix-test';

/** s3rver storing under `dir`, with bucket S3_BUCKET; credentials S3RVER/S3RVER (its defaults). */
export async function startS3rver(dir: string): Promise<Server> {
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  const child = spawnServer(process.execPath, [S3RVER, '-d', dir, '-a', '127.0.0.1', '-p', String(port), '--configure-bucket', S3_BUCKET, '--no-vhost-buckets', '-s'], { ...process.env, NODE_EXTRA_CA_CERTS: '' });
  const log = capture(child);
  await waitListening(port, child, log);
  return started(child, `s3://${S3_BUCKET}/cache?endpoint=http://127.0.0.1:${port}&region=us-east-1`);
}

/** Point the AWS SDK's default credential chain at s3rver's fixed credentials. */
export function useS3rverCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  delete process.env.AWS_PROFILE;
}

/** A TCP proxy on a free port in front of 127.0.0.1:`port` that cuts the first PUT's connection. */
export interface ResettingProxy {
  port: number;
  /** How many connections it cut so far. */
  resets(): number;
  stop(): Promise<void>;
}

export async function resetFirstPut(port: number): Promise<ResettingProxy> {
  let cut = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    client.once('data', (first: Buffer) => {
      if (cut === 0 && first.subarray(0, 4).toString('latin1') === 'PUT ') {
        cut++;
        client.resetAndDestroy();
        return;
      }
      const up = net.connect(port, '127.0.0.1');
      sockets.add(up);
      up.on('close', () => (sockets.delete(up), client.destroy()));
      up.on('error', () => client.destroy());
      client.on('close', () => up.destroy());
      up.write(first);
      client.pipe(up).pipe(client);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    resets: () => cut,
    stop: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
