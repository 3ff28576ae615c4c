/**
 * Body of bench/remote.mjs (bundled by it with esbuild): starts a loopback builder (Debian's sshd
 * on 127.0.0.1 as the test user, test/support/sshd.ts), then times, each on fresh ix roots:
 *   here    `ix build --jobs=J PKGS` on this machine;
 *   remote  `ix build --jobs=0 --builders=ssh://…?jobs=J PKGS` (every node built by the builder,
 *           outputs sent back and verified);
 *   fetch   the same again against a builder that has everything (only outputs come back);
 *   send    `ix copy --to ssh://…` of every path the local build made (inputs a builder needs).
 * The three builds run twice: as the ix launcher starts them (WebAssembly on V8's baseline tier
 * only, which hash-wasm's BLAKE3 feels) and with IX_WASM_TIERUP=1.
 * Prints one JSON line per measurement. Argv: repo, recipes dir ('' for pkgs/), jobs, runs, tiers
 * ('' and/or '1', comma-separated), PKGS…
 *
 * Must not depend on: the network (loopback only); writes under bench/.tmp/ and the test user's home.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { closureOf, copyToSsh } from '../hosts/node/remote/copy';
import { openStore } from '../hosts/node/store';
import { makeSshClient, startSshd } from '../test/support/sshd';

const [repo, recipes, jobsText, runsText, tiersText, ...pkgs] = process.argv.slice(2);
const tiers = tiersText.split(',').map((t) => (t === '1' ? '1' : ''));
const jobs = Number(jobsText);
const runs = Number(runsText);
const tmp = join(repo, 'bench', '.tmp', 'remote');
mkdirSync(tmp, { recursive: true });
const now = () => Number(process.hrtime.bigint()) / 1e6;
const fresh = (name: string) => {
  const d = mkdtempSync(join(tmp, `${name}-`));
  chmodSync(d, 0o755);
  return d;
};

function build(root: string, extra: string[], env: Record<string, string>): { ms: number; out: string } {
  const t = now();
  const r = spawnSync(process.execPath, [join(repo, 'ix'), 'build', ...(recipes ? ['--recipes', recipes] : []), ...extra, ...pkgs], {
    encoding: 'utf8', env: { ...process.env, IX_ROOT: root, IX_PROGRESS: 'plain', XDG_CONFIG_HOME: join(tmp, 'no-config'), ...env }, maxBuffer: 1 << 26,
  });
  const ms = now() - t;
  if (r.status !== 0) throw new Error(`ix build failed: ${r.stderr.split('\n').slice(-5).join('\n')}`);
  if (process.env.IX_BENCH_VERBOSE) process.stderr.write(r.stderr);
  return { ms, out: r.stdout };
}

const client = makeSshClient();
const ssh = { IX_SSH_CONFIG: client.sshConfig };
const emit = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
const cache = fresh('cache');
/**
 * IX_BENCH_FROM_ROOT=DIR: start both sides of each run from a copy of a built root DIR without the
 * requested packages' own outputs, so only those nodes build: here, or on a fresh builder that is
 * first sent every input (the closure of a real toolchain). Then the builds are not toy-sized.
 */
const from = process.env.IX_BENCH_FROM_ROOT;
function seeded(name: string): string {
  const root = fresh(name);
  spawnSync('cp', ['-a', `${from}/store`, `${from}/var`, root]);
  for (const line of spawnSync(process.execPath, [join(repo, 'ix'), 'plan', ...(recipes ? ['--recipes', recipes] : []), ...pkgs], { encoding: 'utf8', env: { ...process.env, IX_CACHE_DIR: cache } }).stdout.trim().split('\n')) {
    const m = /^\/ix\/store\/([0-9a-z]{32})-(.+)$/.exec(line);
    if (!m) continue;
    rmSync(join(root, 'var', 'db', 'v1', `${m[1]}.json`), { force: true });
    spawnSync('chmod', ['-R', 'u+w', join(root, 'store', `${m[1]}-${m[2]}`)]);
    rmSync(join(root, 'store', `${m[1]}-${m[2]}`), { recursive: true, force: true });
  }
  return root;
}
if (from) {
  for (let i = 0; i < runs; i++) {
    const env = { ...ssh, IX_CACHE_DIR: cache };
    const here = () => emit({ run: i, tier: '', kind: 'here', ms: build(seeded('here'), [`--jobs=${jobs}`], env).ms });
    if (i % 2 === 0) here(); // alternate which goes first: the machine's load drifts
    const b = await startSshd(`benchz${i}`, client);
    const t = now();
    const r = build(seeded('via'), ['--json', '--jobs=0', `--builders=${b.url}?jobs=${jobs}`], env);
    const moved = r.out.trim().split('\n').map((l) => JSON.parse(l) as { event: string; sent?: number; received?: number }).filter((e) => e.event === 'moved');
    emit({ run: i, tier: '', kind: 'remote', ms: now() - t, sent: moved.reduce((a, e) => a + (e.sent ?? 0), 0), received: moved.reduce((a, e) => a + (e.received ?? 0), 0) });
    await b.stop();
    rmSync(b.root, { recursive: true, force: true });
    if (i % 2 === 1) here();
  }
  // The time to send the whole closure to a fresh builder (`ix copy --to ssh://`), from DIR itself.
  const c = await startSshd('benchzcopy', client);
  const store = await openStore({ root: from, recover: false });
  const all = readdirSync(store.layout.store).filter((e) => /^[0-9a-z]{32}-/.test(e)).map((e) => `/ix/store/${e}`);
  const t = now();
  const rep = await copyToSsh(store, c.url, all, { ...process.env, ...ssh });
  const ms = now() - t;
  let tree = 0;
  for (const p of all) tree += (await store.record(p))!.size;
  emit({ run: 0, tier: '', kind: 'send', ms, paths: rep.sent, bytes: rep.bytes, tree });
  await c.stop();
  rmSync(c.root, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
  process.exit(0);
}

// Fills the plan cache; on pkgs/ (a real closure, minutes a build) by planning only.
if (recipes) build(fresh('warmup'), [`--jobs=${jobs}`], { IX_CACHE_DIR: cache });
else spawnSync(process.execPath, [join(repo, 'ix'), 'plan', ...pkgs], { env: { ...process.env, IX_CACHE_DIR: cache }, stdio: 'ignore' });
for (let i = 0; i < runs; i++) {
  // tier: the client with V8's optimising tier for WebAssembly (hash-wasm); the builder always has it.
  for (const tier of tiers) {
    const env = { ...ssh, IX_CACHE_DIR: cache, IX_WASM_TIERUP: tier };
    const here = fresh('here');
    // The machine's load drifts: with IX_BENCH_REMOTE_FIRST=1 the builder's runs go first.
    const buildHere = () => emit({ run: i, tier, kind: 'here', ms: build(here, [`--jobs=${jobs}`], env).ms });
    if (!process.env.IX_BENCH_REMOTE_FIRST) buildHere();
    const b = await startSshd(`bench${i}${tier}`, client);
    const r = build(fresh('via'), ['--jobs=0', `--builders=${b.url}?jobs=${jobs}`], env);
    emit({ run: i, tier, kind: 'remote', ms: r.ms });
    const f = build(fresh('fetch'), ['--jobs=0', `--builders=${b.url}?jobs=${jobs}`], env);
    emit({ run: i, tier, kind: 'fetch', ms: f.ms });
    await b.stop();
    rmSync(b.root, { recursive: true, force: true });
    if (process.env.IX_BENCH_REMOTE_FIRST) buildHere();
    if (tier) continue;
    // Sending inputs: every path the local build made (what a builder would need), in-process.
    const c = await startSshd(`benchcopy${i}`, client);
    const store = await openStore({ root: here, recover: false });
    const all = readdirSync(store.layout.store).filter((e) => /^[0-9a-z]{32}-/.test(e)).map((e) => `/ix/store/${e}`);
    const t = now();
    const rep = await copyToSsh(store, c.url, all, { ...process.env, ...ssh });
    const ms = now() - t;
    let tree = 0;
    for (const p of await closureOf(store, all)) tree += (await store.record(p))!.size;
    emit({ run: i, tier, kind: 'send', ms, paths: rep.sent, bytes: rep.bytes, tree });
    await c.stop();
    rmSync(c.root, { recursive: true, force: true });
  }
}
rmSync(tmp, { recursive: true, force: true });
