#!/usr/bin/env node
/**
 * Realising the bin/zstd closure on an empty root from a loopback binary cache, against building
 * it (target: under 5% of the build's time). Steps, each a fresh `./ix`:
 *   1. machine A: `ix build bin/zstd --push-to=file://DIR` into an empty root (the build time),
 *      or with --root=DIR an already built root whose plan outputs are copied with `ix copy --to`;
 *   2. machine B: `ix build bin/zstd` on an empty root trusting A's key, from the directory cache;
 *   3. the same from nginx (WebDAV, on 127.0.0.1) after `ix copy --to` filled it.
 * Prints JSON and a Markdown line for BENCHMARKS.md; asserts nothing. Options: --root=DIR
 * (reuse A), --keep (leave bench/.tmp/subst for inspection), --no-nginx.
 *
 * Must not depend on: the network beyond 127.0.0.1; writes only under bench/.tmp/subst.
 */
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { repo, tmpDir } from './shadow.mjs';

const args = process.argv.slice(2);
const opt = (k) => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const flag = (k) => args.includes(`--${k}`);
const log = (m) => console.error(`bench: ${m}`);
const dir = join(tmpDir, 'subst');
const ixBin = join(repo, 'ix');

function ix(argv, env) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [ixBin, ...argv], {
    cwd: repo, encoding: 'utf8', maxBuffer: 1 << 28,
    env: { ...process.env, IX_PROGRESS: 'plain', IX_CACHE_DIR: join(dir, 'plan-cache'), NODE_EXTRA_CA_CERTS: '', ...env },
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`ix ${argv.join(' ')} exited ${r.status}:\n${r.stderr.slice(-3000)}`);
  return { ms, out: r.stdout, err: r.stderr };
}

function freePort() {
  return new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
}

async function nginx(root) {
  const port = await freePort();
  for (const d of ['www', 'tmp', 'logs']) mkdirSync(join(root, d), { recursive: true });
  const conf = join(root, 'nginx.conf');
  writeFileSync(conf, `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1; pid ${root}/nginx.pid; error_log ${root}/logs/error.log;
events { worker_connections 64; }
http { access_log off; client_body_temp_path ${root}/tmp/body; proxy_temp_path ${root}/tmp/p; fastcgi_temp_path ${root}/tmp/f; uwsgi_temp_path ${root}/tmp/u; scgi_temp_path ${root}/tmp/s;
  server { listen 127.0.0.1:${port}; root ${root}/www; client_max_body_size 0;
    location / { dav_methods PUT; create_full_put_path on; } } }
`);
  const p = spawn('nginx', ['-c', conf, '-p', root, '-e', `${root}/logs/error.log`, '-g', 'daemon off;'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try { await fetch(`http://127.0.0.1:${port}/`); break; } catch { await new Promise((r) => setTimeout(r, 50)); }
  }
  return { url: `http://127.0.0.1:${port}/cache`, stop: () => process.kill(p.pid, 'SIGTERM') };
}

/** A fresh machine B trusting `pub`, substituting from `url` only; returns its env. */
function machine(name, url, pub) {
  const m = join(dir, name);
  rmSync(m, { recursive: true, force: true });
  mkdirSync(join(m, 'config', 'ix'), { recursive: true });
  mkdirSync(join(m, 'no-sources'));
  chmodSync(m, 0o755);
  writeFileSync(join(m, 'config', 'ix', 'config.json'), JSON.stringify({ format: 'ix-config/1', substituters: [url], 'trusted-public-keys': [pub] }));
  return { IX_ROOT: join(m, 'root'), XDG_CONFIG_HOME: join(m, 'config'), IX_SYSTEM_CONFIG: join(m, 'none.json'), IX_SOURCE_CACHE: join(m, 'no-sources') };
}

const counts = (err) => /done: (\d+) built, (?:(\d+) substituted, )?/.exec(err)?.slice(1).map((x) => Number(x ?? 0)) ?? [];

rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
chmodSync(dir, 0o755);
// A signing key in the text form of hosts/node/cache/keys.ts (NAME:<base64 of the 32-byte seed or public key>).
const kp = generateKeyPairSync('ed25519');
const seed = kp.privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
const pub = `bench-a:${kp.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64')}`;
const secret = join(dir, 'bench-a.secret');
writeFileSync(secret, `bench-a:${seed.toString('base64')}\n`, { mode: 0o600 });
const fileCache = `file://${join(dir, 'cache-dir')}`;
const result = { date: new Date().toISOString() };

const rootA = opt('root') ?? join(dir, 'machine-a');
// A builds from the machine's filled source cache (as `npm run setup` left it), not from its own root's.
const sources = process.env.IX_SOURCE_CACHE
  ?? (process.getuid?.() === 0 ? '/ix/cache/sources' : join(process.env.XDG_DATA_HOME ?? join(process.env.HOME ?? '/', '.local', 'share'), 'ix', 'cache', 'sources'));
const envA = { IX_ROOT: rootA, IX_SOURCE_CACHE: sources };
const plan = JSON.parse(ix(['plan', 'bin/zstd', '--json'], envA).out);
const allOuts = plan.nodes.map((n) => n.out);
result.nodes = allOuts.length;
if (opt('root')) {
  log(`reusing machine A at ${rootA}; copying its ${allOuts.length} plan outputs to ${fileCache}`);
  const c = ix(['copy', `--to=${fileCache}`, `--secret-key=${secret}`, ...allOuts], envA);
  result.copyToDirMs = Math.round(c.ms);
} else {
  log('machine A: building bin/zstd into an empty root, pushing to the directory cache (minutes)');
  const b = ix(['build', 'bin/zstd', `--push-to=${fileCache}`, `--secret-key=${secret}`], envA);
  result.buildMs = Math.round(b.ms);
  result.buildCounts = counts(b.err);
}

log('machine B: bin/zstd from the directory cache');
const fromDir = ix(['build', 'bin/zstd'], machine('machine-b-dir', fileCache, pub));
result.substDirMs = Math.round(fromDir.ms);
result.substDirCounts = counts(fromDir.err);

if (!flag('no-nginx')) {
  const n = await nginx(join(dir, 'nginx'));
  try {
    const c = ix(['copy', `--to=${n.url}`, `--secret-key=${secret}`, ...allOuts], envA);
    result.copyToNginxMs = Math.round(c.ms);
    log('machine B: bin/zstd from nginx on 127.0.0.1');
    const fromHttp = ix(['build', 'bin/zstd'], machine('machine-b-http', n.url, pub));
    result.substHttpMs = Math.round(fromHttp.ms);
    result.substHttpCounts = counts(fromHttp.err);
  } finally {
    n.stop();
  }
}
const du = spawnSync('du', ['-sb', join(dir, 'cache-dir')], { encoding: 'utf8' }).stdout.split('\t')[0];
result.cacheBytes = Number(du);
writeFileSync(join(dir, 'results.json'), `${JSON.stringify(result, null, 1)}\n`);
console.log(JSON.stringify(result, null, 1));
if (result.buildMs) {
  const pct = (ms) => `${((100 * ms) / result.buildMs).toFixed(1)}%`;
  console.log(`| bin/zstd closure (${result.nodes} nodes, ${(result.cacheBytes / 1e6).toFixed(0)} MB in the cache) | build ${(result.buildMs / 1000).toFixed(0)} s | from a directory ${(result.substDirMs / 1000).toFixed(1)} s (${pct(result.substDirMs)}) | from nginx ${result.substHttpMs ? `${(result.substHttpMs / 1000).toFixed(1)} s (${pct(result.substHttpMs)})` : '-'} |`);
}
if (!flag('keep')) {
  spawnSync('chmod', ['-R', 'u+w', dir]);
  for (const d of ['machine-b-dir', 'machine-b-http', 'nginx', 'cache-dir', ...(opt('root') ? [] : ['machine-a'])]) rmSync(join(dir, d), { recursive: true, force: true });
}
if (!existsSync(join(dir, 'results.json'))) process.exit(1);
