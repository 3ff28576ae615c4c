#!/usr/bin/env node
/**
 * Top-down substitution, measured: realising bin/zstd on an empty root from a binary cache that
 * holds only its runtime closure (what `ix copy --to URL bin/zstd` uploads), against building it
 * (target: at most 2% of the build's time), and how many cache requests `ix build --dry-run
 * bin/zstd` makes for the 60-node closure when the cache holds the runtime closure, the build
 * closure without lib/lz4 and bin/zstd, or nothing at all.
 * Steps, each a fresh `./ix`:
 *   1. machine A: `ix build bin/zstd` into an empty root (timed; the build), or --root=DIR: an
 *      already built root (then no build time unless --build-ms=N gives one from the same hour);
 *   2. caches filled from A with `ix copy --to` (runtime closure) and `--build-closure`;
 *   3. machine B, an empty root trusting A's key: `ix build bin/zstd` from the runtime-closure
 *      cache (a directory), --rounds=N times (default 3), each on a new root;
 *   4. dry runs against each cache served over HTTP by a loopback server that counts requests.
 * Prints JSON and Markdown lines for BENCHMARKS.md; asserts nothing. --keep leaves the files.
 *
 * Must not depend on: the network beyond 127.0.0.1; writes only under bench/.tmp/topdown.
 */
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, copyFileSync, createReadStream, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { join, normalize } from 'node:path';
import { repo, tmpDir } from './shadow.mjs';

const args = process.argv.slice(2);
const opt = (k) => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const flag = (k) => args.includes(`--${k}`);
const log = (m) => console.error(`bench: ${m}`);
const dir = join(tmpDir, 'topdown');
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

/** `ix` as a child process without blocking this one (the counting server answers meanwhile). */
function ixAsync(argv, env) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [ixBin, ...argv], {
      cwd: repo, env: { ...process.env, IX_PROGRESS: 'plain', IX_CACHE_DIR: join(dir, 'plan-cache'), NODE_EXTRA_CA_CERTS: '', ...env },
    });
    let err = '';
    p.stderr.on('data', (d) => { err += d; });
    p.stdout.resume();
    p.on('close', (code) => (code === 0 ? resolve({ err }) : reject(new Error(`ix ${argv.join(' ')} exited ${code}:\n${err.slice(-3000)}`))));
  });
}

/** A static file server over `root` on 127.0.0.1 that counts the requests it answers. */
function countingServer(root) {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    const p = normalize(join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/cache\//, '')));
    if (!p.startsWith(root) || !existsSync(p) || !statSync(p).isFile()) return res.writeHead(404).end();
    res.writeHead(200, { 'content-length': statSync(p).size });
    if (req.method === 'HEAD') return res.end();
    createReadStream(p).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}/cache`,
    count: () => requests,
    reset: () => { requests = 0; },
    stop: () => new Promise((r) => server.close(r)),
  })));
}

/** A fresh machine B trusting `pub`, substituting from `url` only, with no source cache. */
function machine(name, url, pub) {
  const m = join(dir, name);
  rmSync(m, { recursive: true, force: true });
  mkdirSync(join(m, 'config', 'ix'), { recursive: true });
  mkdirSync(join(m, 'no-sources'));
  chmodSync(m, 0o755);
  writeFileSync(join(m, 'config', 'ix', 'config.json'), JSON.stringify({ format: 'ix-config/1', substituters: [url], 'trusted-public-keys': [pub] }));
  return { IX_ROOT: join(m, 'root'), XDG_CONFIG_HOME: join(m, 'config'), IX_SYSTEM_CONFIG: join(m, 'none.json'), IX_SOURCE_CACHE: join(m, 'no-sources') };
}

const summary = (err) => /^done: .*$/m.exec(err)?.[0] ?? '';

rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
chmodSync(dir, 0o755);
const kp = generateKeyPairSync('ed25519');
const seed = kp.privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
const pub = `bench-a:${kp.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64')}`;
const secret = join(dir, 'bench-a.secret');
writeFileSync(secret, `bench-a:${seed.toString('base64')}\n`, { mode: 0o600 });
const result = { date: new Date().toISOString(), loadBefore: loadavg().map((x) => +x.toFixed(1)) };

const rootA = opt('root') ?? join(dir, 'machine-a');
const sources = process.env.IX_SOURCE_CACHE
  ?? (process.getuid?.() === 0 ? '/ix/cache/sources' : join(process.env.XDG_DATA_HOME ?? join(process.env.HOME ?? '/', '.local', 'share'), 'ix', 'cache', 'sources'));
const envA = { IX_ROOT: rootA, IX_SOURCE_CACHE: sources };
const plan = JSON.parse(ix(['plan', 'bin/zstd', '--json'], envA).out);
result.nodes = plan.nodes.length;
if (opt('root')) {
  if (opt('build-ms')) result.buildMs = Number(opt('build-ms'));
  log(`reusing machine A at ${rootA}`);
} else {
  log('machine A: building bin/zstd into an empty root (minutes)');
  const b = ix(['build', 'bin/zstd'], envA);
  result.buildMs = Math.round(b.ms);
  result.build = summary(b.err);
}

const caches = { runtime: join(dir, 'cache-runtime'), build: join(dir, 'cache-build'), lacking: join(dir, 'cache-lacking'), empty: join(dir, 'cache-empty') };
ix(['copy', `--to=file://${caches.runtime}`, 'bin/zstd', `--secret-key=${secret}`], envA);
ix(['copy', `--to=file://${caches.build}`, '--build-closure', 'bin/zstd', `--secret-key=${secret}`], envA);
spawnSync('cp', ['-al', caches.build, caches.lacking]);
for (const pkg of ['lib/lz4', 'bin/zstd']) {
  const out = ix(['plan', pkg], envA).out.trim();
  rmSync(join(caches.lacking, 'records', `${out.slice('/ix/store/'.length, '/ix/store/'.length + 32)}.json`));
}
mkdirSync(caches.empty, { recursive: true });
copyFileSync(join(caches.runtime, 'ix-cache-info'), join(caches.empty, 'ix-cache-info'));

const rounds = Number(opt('rounds') ?? 3);
result.realiseMs = [];
for (let i = 0; i < rounds; i++) {
  log(`machine B: bin/zstd from the runtime-closure cache (round ${i + 1} of ${rounds})`);
  const r = ix(['build', 'bin/zstd'], machine(`machine-b-${i}`, `file://${caches.runtime}`, pub));
  result.realiseMs.push(Math.round(r.ms));
  result.realise = summary(r.err);
}
result.loadAfterRealise = loadavg().map((x) => +x.toFixed(1));

result.dryRunRequests = {};
for (const which of ['runtime', 'lacking', 'empty']) {
  const s = await countingServer(caches[which]);
  try {
    const r = await ixAsync(['build', '--dry-run', 'bin/zstd'], machine(`machine-dry-${which}`, s.url, pub));
    result.dryRunRequests[which] = { requests: s.count(), says: r.err.trim().split('\n').at(-1) };
  } finally {
    await s.stop();
  }
}
writeFileSync(join(dir, 'results.json'), `${JSON.stringify(result, null, 1)}\n`);
console.log(JSON.stringify(result, null, 1));
const median = [...result.realiseMs].sort((a, b) => a - b)[Math.floor(result.realiseMs.length / 2)];
const pct = result.buildMs ? ` (${((100 * median) / result.buildMs).toFixed(2)}% of the build's ${(result.buildMs / 1000).toFixed(0)} s)` : '';
console.log(`| bin/zstd from a cache holding only its runtime closure, empty root | ${(median / 1000).toFixed(2)} s median of ${result.realiseMs.length}${pct} | ${result.realise} |`);
for (const [k, v] of Object.entries(result.dryRunRequests)) console.log(`| dry run, cache holding the ${k} set | ${v.requests} requests | ${v.says} |`);
if (!flag('keep')) {
  spawnSync('chmod', ['-R', 'u+w', dir]);
  for (const d of Object.values(caches)) rmSync(d, { recursive: true, force: true });
  for (let i = 0; i < rounds; i++) rmSync(join(dir, `machine-b-${i}`), { recursive: true, force: true });
  if (!opt('root')) rmSync(rootA, { recursive: true, force: true });
}
