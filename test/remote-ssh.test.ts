// Remote builders through a real OpenSSH server (test/support/sshd.ts): Debian's sshd on
// 127.0.0.1, a dedicated unprivileged user whose ix root is its own, the restricted
// authorized_keys line, generated host and user keys. The local side is `ix build` in-process
// through the real WASM core, on the recipe tree test/fixtures/remote/recipes.
import { setFlagsFromString } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from '../hosts/node/args';
import type { Context } from '../hosts/node/context';
import { runBuild } from '../hosts/node/commands/build';
import { runLog } from '../hosts/node/commands/log';
import { main } from '../hosts/node/main';
import { openStore, verifyStore } from '../hosts/node/store';
import { removeTreeSync } from '../hosts/common/tree';
import { spawn, spawnSync } from 'node:child_process';
import { copyToSsh } from '../hosts/node/remote';
import { generateKeyFiles } from '../hosts/node/cache/keys';
import { haveBusybox } from './fixtures/hostile/kit';
import { captureContext, repoRoot } from './support/cli';
import { makeSshClient, sshdMissing, startSshd, userProcesses, userProcessesGone, type SshClient, type TestSshd } from './support/sshd';

setFlagsFromString('--experimental-wasm-extended-const'); // the QuickJS core needs it on Node 20

const recipes = fileURLToPath(new URL('./fixtures/remote/recipes', import.meta.url));
const coreBuilt = existsSync(fileURLToPath(new URL('../wasm/out/manifest.json', import.meta.url)));
const missing = sshdMissing() ?? (haveBusybox() ? undefined : 'no busybox') ?? (coreBuilt ? undefined : 'core not built');
if (missing && process.env.CI === 'true') throw new Error(`remote builder tests cannot run: ${missing}`);

type Ctx = Context & { out: string; err: string };

describe.skipIf(missing !== undefined)('remote builders over ssh', () => {
  let client: SshClient;
  let configHome: string;
  const servers: TestSshd[] = [];
  const roots: string[] = [];
  const mounts: string[] = [];
  beforeAll(() => {
    client = makeSshClient();
    configHome = mkdtempSync(join(tmpdir(), 'ix-config-')); // no config file: only --builders
    roots.push(configHome);
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
    for (const m of mounts) spawnSync('umount', [m]);
    for (const r of [...roots, ...servers.map((s) => s.root)]) removeTreeSync(r);
  });

  const sshd = async (name: string, serveArgs?: string, forced?: string) => {
    const s = await startSshd(name, client, { serveArgs, forced });
    servers.push(s);
    return s;
  };
  const newRoot = () => {
    const r = mkdtempSync(join(tmpdir(), 'ix-local-'));
    chmodSync(r, 0o755);
    roots.push(r);
    return r;
  };
  function ctx(root: string, argv: string[], sshConfig = client.sshConfig, config = configHome): Ctx {
    return captureContext(parseArgs(['--recipes', recipes, ...argv], 'build'),
      { IX_ROOT: root, IX_PROGRESS: 'plain', PATH: process.env.PATH, HOME: process.env.HOME, IX_SSH_CONFIG: sshConfig, XDG_CONFIG_HOME: config });
  }
  const events = (c: Ctx) => c.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const hashes = async (root: string, paths: string[]) => {
    const s = await openStore({ root, recover: false });
    return Promise.all(paths.map(async (p) => (await s.record(p))?.hash));
  };

  it('--jobs=0: every build node is built on the builder, bit-identical to a build here; logs come back', async () => {
    const a = await sshd('a');
    const root = newRoot();
    const c = ctx(root, ['--json', '--jobs=0', `--builders=${a.url}?jobs=2`, 'bin/top']);
    expect(await runBuild(c), c.err).toBe(0);
    const ev = events(c);
    const built = ev.filter((e) => e.event === 'done' && e.status === 'built');
    expect(built.map((e) => e.name).sort()).toEqual(['bin/top', 'bld/boot/bb', 'lib/left', 'lib/right']);
    const placed = ev.filter((e) => e.event === 'placed');
    expect(placed.map((e) => e.builder), c.out).toEqual([a.url, a.url, a.url, a.url]);
    const moved = ev.filter((e) => e.event === 'moved');
    expect(moved.every((e) => e.builder === a.url)).toBe(true);
    expect(moved.reduce((s, e) => s + (e.received as number), 0)).toBeGreaterThan(0);
    const outs = built.map((e) => e.out as string);
    // The builder's own store has them, and stays consistent.
    const remote = await openStore({ root: a.root, recover: false });
    for (const p of outs) expect(await remote.isBuilt(p)).toBe(true);
    expect((await verifyStore(a.root)).filter((e) => e.status !== 'ok')).toEqual([]);
    // The same plan built here gives the same bytes.
    const here = newRoot();
    const h = ctx(here, ['--jobs=2', 'bin/top']);
    expect(await runBuild(h), h.err).toBe(0);
    expect(await hashes(root, outs)).toEqual(await hashes(here, outs));
    expect((await hashes(root, outs)).every((x) => typeof x === 'string')).toBe(true);
    // The remote log is kept here.
    const l = ctx(root, [outs[built.findIndex((e) => e.name === 'lib/left')]]);
    expect(await runLog(l), l.err).toBe(0);
    expect(l.out).toContain('building left\nleft done\n');
  }, 120_000);

  it('two builders share a plan with independent branches: both are used, the logs of both are kept', async () => {
    const a = await sshd('a2');
    const b = await sshd('b2');
    const root = newRoot();
    const c = ctx(root, ['--json', '--jobs=0', `--builders=${a.url}?jobs=1,${b.url}?jobs=1`, 'bin/top']);
    expect(await runBuild(c), c.err).toBe(0);
    const ev = events(c);
    const where = Object.fromEntries(ev.filter((e) => e.event === 'placed').map((e) => [e.name, e.builder]));
    expect(new Set([where['lib/left'], where['lib/right']])).toEqual(new Set([a.url, b.url]));
    const outOf = Object.fromEntries(ev.filter((e) => e.event === 'done').map((e) => [e.name, e.out as string]));
    for (const [pkg, line] of [['lib/left', 'left done'], ['lib/right', 'right done']]) {
      const l = ctx(root, [outOf[pkg]]);
      expect(await runLog(l), l.err).toBe(0);
      expect(l.out).toContain(line);
    }
  }, 120_000);

  it.each([
    ['its sshd connection', (k: TestSshd) => k.children()],
    ['its ix', () => userProcesses().filter((p) => p.includes('store serve --stdio')).map((p) => Number(p.split(' ')[0]))],
  ])('a builder killed halfway (%s): the node builds here, one line names the builder and the cause', async (_what, victims) => {
    const k = await sshd('kill');
    const root = newRoot();
    const c = ctx(root, ['--jobs=0', `--builders=${k.url}`, 'bin/slow']);
    const run = runBuild(c);
    const logs = join(root, 'var', 'log', 'v1');
    const halfway = () => existsSync(logs) && readdirSync(logs).some((f) => f.endsWith('.log') && readFileSync(join(logs, f), 'utf8').includes('halfway'));
    for (let i = 0; !halfway(); i++) {
      if (i > 600) throw new Error(`never got halfway: ${c.err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const kids = victims(k);
    expect(kids.length).toBeGreaterThan(0);
    for (const pid of kids) process.kill(pid, 'SIGKILL');
    expect(await run, c.err).toBe(0);
    expect(c.err).toContain(`bin/slow goes to ${k.url}`);
    const down = c.err.split('\n').filter((l) => l.startsWith(`ix: builder ${k.url} failed:`));
    expect(down, c.err).toHaveLength(1);
    const local = await openStore({ root, recover: false });
    const slow = c.out.trim();
    expect(readFileSync(join(local.physical(slow), 'slow.txt'), 'utf8')).toBe('slow\n');
    // Nothing of it on the builder, whose store stays consistent; its ix and its sandbox are gone.
    expect(await userProcessesGone()).toEqual([]);
    const remote = await openStore({ root: k.root, recover: false });
    expect(await remote.isBuilt(slow)).toBe(false);
    expect((await verifyStore(k.root)).filter((e) => e.status !== 'ok')).toEqual([]);
  }, 120_000);

  it('a builder whose disk fills up mid-build: the node builds here, one line says so, its store stays consistent', async () => {
    const k = await sshd('full');
    // The builder's whole ix root on a 12 MB tmpfs: the seed (2 MB) fits, bin/big's 32 MB do not.
    const id = (f: string) => spawnSync('id', [f, 'ixremote-test'], { encoding: 'utf8' }).stdout.trim();
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=12m,mode=0755,uid=${id('-u')},gid=${id('-g')}`, 'tmpfs', k.root], { encoding: 'utf8' });
    expect(m.status, m.stderr).toBe(0);
    mounts.push(k.root);
    const root = newRoot();
    const c = ctx(root, ['--jobs=0', `--builders=${k.url}`, 'bin/big']);
    expect(await runBuild(c), c.err).toBe(0);
    const down = c.err.split('\n').filter((l) => l.startsWith(`ix: builder ${k.url} failed:`));
    expect(down, c.err).toHaveLength(1);
    expect(down[0]).toMatch(/out of disk space/);
    const big = c.out.trim();
    const local = await openStore({ root, recover: false });
    expect(readFileSync(join(local.physical(big), 'big.txt'), 'utf8')).toBe('big\n');
    expect(await userProcessesGone()).toEqual([]);
    const remote = await openStore({ root: k.root, recover: false });
    expect(await remote.isBuilt(big)).toBe(false);
    expect((await verifyStore(k.root)).filter((e) => e.status !== 'ok')).toEqual([]);
  }, 120_000);

  it('a builder that rejects the key, or cannot be reached, is one line each; the build happens here', async () => {
    const r = await sshd('rejects');
    const other = mkdtempSync(join(tmpdir(), 'ix-ssh-other-'));
    roots.push(other);
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(other, 'key')]);
    writeFileSync(join(other, 'ssh_config'), readFileSync(client.sshConfig, 'utf8').replace(join(client.dir, 'user_key'), join(other, 'key')));
    const root = newRoot();
    const c = ctx(root, ['--jobs=0', `--builders=${r.url} ssh://nobody@127.0.0.1:1`, 'lib/left'], join(other, 'ssh_config'));
    expect(await runBuild(c), c.err).toBe(0);
    const down = c.err.split('\n').filter((l) => l.startsWith('ix: builder '));
    expect(down).toHaveLength(2);
    expect(down).toContain(`ix: builder ${r.url} failed: rejected the key: ${r.url.slice(6).replace(/:\d+$/, '')}: Permission denied (publickey).; not using it again in this run`);
    expect(down).toContain('ix: builder ssh://nobody@127.0.0.1:1 failed: unreachable: ssh: connect to host 127.0.0.1 port 1: Connection refused; not using it again in this run');
  }, 120_000);

  it('a builder running another protocol version is one clear line, not a hang', async () => {
    // A stand-in for an ix of another version: the magic, then a hello of ix-remote/9, then silence.
    const dir = mkdtempSync(join(tmpdir(), 'ix-old-'));
    roots.push(dir);
    chmodSync(dir, 0o755);
    const fake = join(dir, 'other-ix.mjs');
    writeFileSync(fake, [
      "const b = Buffer.from(JSON.stringify({ op: 'hello', protocol: 'ix-remote/9', ix: 'ix 9' }));",
      'const h = Buffer.alloc(9); h.writeUInt32BE(b.length + 5, 0); h[4] = 0x4a; h.writeUInt32BE(0, 5);',
      "process.stdout.write(Buffer.concat([Buffer.from('IXR\\n1\\n'), h, b]));",
      'process.stdin.resume();', '',
    ].join('\n'), { mode: 0o644 });
    const o = await sshd('newer', undefined, `exec ${process.execPath} ${fake}`);
    const root = newRoot();
    const c = ctx(root, ['--jobs=0', `--builders=${o.url}`, 'lib/left']);
    expect(await runBuild(c), c.err).toBe(0);
    expect(c.err.split('\n').filter((l) => l.startsWith('ix: builder '))).toEqual([
      `ix: builder ${o.url} failed: speaks ix-remote/9, this ix speaks ix-remote/1 (update ix on one side); not using it again in this run`,
    ]);
  }, 120_000);

  it('a builder (named in the config file) with the wrong host key is refused with one line, and the build happens here', async () => {
    const w = await sshd('wrongkey');
    const root = newRoot();
    const config = mkdtempSync(join(tmpdir(), 'ix-config-'));
    roots.push(config);
    mkdirSync(join(config, 'ix'));
    writeFileSync(join(config, 'ix', 'config.json'), JSON.stringify({ format: 'ix-config/1', builders: [w.url] }));
    const c = ctx(root, ['--jobs=0', 'lib/left'], client.wrongHostKeyConfig, config);
    expect(await runBuild(c), c.err).toBe(0);
    expect(c.err).toContain(`ix: builder ${w.url} failed: host key not trusted: Host key verification failed.; not using it again in this run\n`);
    expect(c.err).not.toContain('goes to');
    expect(readdirSync(join(w.root))).toEqual([]);
  }, 120_000);

  it('Ctrl-C on ix build cancels the remote build: nothing left running or half-built on the builder', async () => {
    const k = await sshd('sigint');
    const root = newRoot();
    const env = { ...ctx(root, []).env, IX_CACHE_DIR: mkdtempSync(join(tmpdir(), 'ix-cache-')) } as NodeJS.ProcessEnv;
    const child = spawn(process.execPath, [join(repoRoot, 'ix'), 'build', '--recipes', recipes, '--jobs=0', `--builders=${k.url}`, 'bin/slow'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => { err += d; });
    const exited = new Promise<number | null>((r) => child.on('exit', (code, sig) => r(code ?? (sig ? 130 : null))));
    for (let i = 0; !err.includes('bin/slow goes to'); i++) {
      if (i > 600) throw new Error(`never started remotely: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 1500)); // the remote sandbox is sleeping now
    child.kill('SIGINT');
    expect(await exited).not.toBe(0);
    expect(await userProcessesGone()).toEqual([]);
    const entries = await verifyStore(k.root);
    expect(entries.filter((e) => e.status !== 'ok')).toEqual([]);
    expect(entries.map((e) => e.path).filter((p) => p.endsWith('-bin-slow'))).toEqual([]);
    expect(entries.map((e) => e.path).filter((p) => p.endsWith('-bin-boot-bb'))).toHaveLength(1);
  }, 120_000);

  it('ix copy --to ssh:// sends a closure over the same protocol, skipping what is there', async () => {
    const c = await sshd('copy');
    const root = newRoot();
    const b = ctx(root, ['--jobs=1', 'bin/top']);
    expect(await runBuild(b), b.err).toBe(0);
    const top = b.out.trim();
    const store = await openStore({ root, recover: false });
    const env = ctx(root, []).env;
    let err = '';
    const base = { env, cwd: process.cwd(), stdout: () => undefined, stderr: (d: string) => { err += d; } };
    expect(await main(['copy', `--to=${c.url}`, top], base), err).toBe(0);
    expect(err).toMatch(new RegExp(`ix: copied [1-9]\\d* paths to ${c.url.replace(/[.]/g, '\\.')} \\(0 already there\\)`));
    const remote = await openStore({ root: c.root, recover: false });
    expect(await remote.isBuilt(top)).toBe(true);
    expect((await remote.record(top))!.hash).toBe((await store.record(top))!.hash);
    const again = await copyToSsh(store, c.url, [top], env);
    expect(again.sent).toBe(0);
  }, 120_000);

  it('a builder required to sign: its signed outputs are accepted; signed by another key, refused with one line', async () => {
    const keys = mkdtempSync(join(tmpdir(), 'ix-keys-'));
    roots.push(keys);
    const mine = await generateKeyFiles('builder-1', keys);
    const other = await generateKeyFiles('someone-else', keys);
    chmodSync(keys, 0o755);
    chmodSync(mine.secretFile, 0o644); // the builder runs as the test user
    const s = await sshd('signs', `--secret-key=${mine.secretFile}`);
    const root = newRoot();
    const ok = ctx(root, ['--json', '--jobs=0', `--builders=${s.url}?trust=${mine.publicFile}`, 'lib/left']);
    expect(await runBuild(ok), ok.err).toBe(0);
    expect(events(ok).filter((e) => e.event === 'placed').map((e) => e.builder)).toEqual([s.url, s.url]);
    const root2 = newRoot();
    const no = ctx(root2, ['--jobs=0', `--builders=${s.url}?trust=${other.publicFile}`, 'lib/left']);
    expect(await runBuild(no), no.err).toBe(0); // built here instead
    const down = no.err.split('\n').filter((l) => l.startsWith(`ix: builder ${s.url} failed:`));
    expect(down).toEqual([expect.stringMatching(/failed: sent \/ix\/store\/\S+-bin-boot-bb: not signed by a trusted key \(signed by builder-1\); not using it again/)]);
  }, 120_000);
});
