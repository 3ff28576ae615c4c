#!/usr/bin/env node
/**
 * A tiny static file server for the playground (a development tool, not part of ix): serves
 * `--dir=DIR` (default hosts/browser/dist/) on 127.0.0.1 only, `--port=N` (default 8080; 0 picks
 * a free one), GET and HEAD, no directory listings, nothing outside DIR. Also exported for tests.
 *
 * Must not depend on: anything but node:http/fs/path.
 */
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.css': 'text/css' };

/** Starts serving `dir`; resolves with the server and its origin. */
export function serve(dir, port = 0) {
  const base = resolve(dir);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(base, path === '/' ? 'index.html' : path));
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !file.startsWith(base + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    const ext = file.slice(file.lastIndexOf('.'));
    res.writeHead(200, { 'content-type': TYPES[ext] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
  });
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok({ server, origin: `http://127.0.0.1:${server.address().port}` })));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (n) => process.argv.slice(2).find((a) => a.startsWith(`--${n}=`))?.slice(n.length + 3);
  const dir = arg('dir') ?? join(dirname(fileURLToPath(import.meta.url)), 'dist');
  const { origin } = await serve(dir, Number(arg('port') ?? process.env.PORT ?? 8080));
  console.log(`ix playground: ${origin}/  (Ctrl-C stops)`);
}
