// The bubblewrap runner: host probe (real and simulated restricted hosts), node checks, the bwrap
// argv, and real runs of small busybox nodes (environment, identity, filesystem, exit codes, timeout).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Layout } from '../hosts/common';
import { probe, checkNode, bwrapArgs, machine, runNode, requireSandbox, type ProbeHost } from '../hosts/linux-sandbox/sandbox';
import { removeTreeSync } from '../hosts/common/tree';
import { BB, haveBusybox, makeStore, processesWith, shNode } from './fixtures/hostile/kit';
import { missing } from './support/prereq';

function fakeHost(over: Partial<ProbeHost> & { sysctl?: Record<string, string>; trial?: number; bins?: string[] }): ProbeHost {
  return {
    env: { PATH: '/usr/bin:/bin' },
    uid: 1000,
    readSysctl: (p) => over.sysctl?.[p],
    isExecutable: (p) => (over.bins ?? ['/usr/bin/bwrap']).includes(p),
    run: (argv) => (argv[1] === '--version' ? { status: 0, stdout: 'bubblewrap 0.8.0\n', stderr: '' }
      : { status: over.trial ?? 0, stdout: '', stderr: over.trial ? 'bwrap: setting up uid map: Permission denied\n' : '' }),
    ...over,
  };
}

describe('probe', () => {
  it('accepts this machine', () => {
    const p = probe(machine(process.env));
    expect(p).toMatchObject({ ok: true });
    expect(requireSandbox(process.env)).toMatch(/bwrap$/);
  });
  it("finds bwrap on the invocation's PATH, not the process's", () => {
    const real = requireSandbox(process.env);
    const env = { ...process.env, IX_BWRAP: undefined };
    expect(() => requireSandbox({ ...env, PATH: '/nonexistent-ix-path' })).toThrow(/bubblewrap \(bwrap\) is not installed or not on PATH/);
    const dir = mkdtempSync(join(tmpdir(), 'ix-path-'));
    try {
      chmodSync(dir, 0o755); // as root, the trial runs as the build user, who must reach it
      symlinkSync(real, join(dir, 'bwrap'));
      expect(requireSandbox({ ...env, PATH: `/nonexistent-ix-path:${dir}` })).toBe(join(dir, 'bwrap'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('says how to install bwrap when it is missing', () => {
    const p = probe(fakeHost({ bins: [] }));
    expect(p.ok).toBe(false);
    if (!p.ok) {
      expect(p.reason).toContain('not installed');
      expect(p.fix).toContain('apt-get install bubblewrap');
    }
  });
  it('names the sysctl that blocks user namespaces', () => {
    const cases: [Record<string, string>, string][] = [
      [{ '/proc/sys/user/max_user_namespaces': '0' }, 'user.max_user_namespaces=15000'],
      [{ '/proc/sys/kernel/unprivileged_userns_clone': '0' }, 'kernel.unprivileged_userns_clone=1'],
      [{ '/proc/sys/kernel/apparmor_restrict_unprivileged_userns': '1' }, 'apparmor_restrict_unprivileged_userns=0'],
    ];
    for (const [sysctl, fix] of cases) {
      const p = probe(fakeHost({ sysctl, trial: 1 }));
      expect(p.ok).toBe(false);
      if (!p.ok) {
        expect(p.fix).toContain(fix);
        expect(p.reason).toContain('Permission denied');
      }
    }
  });
  it('as root, tries the build user and explains when only root can sandbox', () => {
    const h = fakeHost({ uid: 0 });
    h.run = (argv, uid) => (argv[1] === '--version' ? { status: 0, stdout: 'bubblewrap 0.8.0', stderr: '' } : { status: uid === 30000 ? 1 : 0, stdout: '', stderr: 'denied' });
    const p = probe(h);
    expect(p.ok).toBe(false);
    if (!p.ok) {
      expect(p.reason).toBe('the build user (uid 30000) cannot start the sandbox, root can');
      expect(p.fix).toContain('IX_BUILD_UID=0');
    }
    expect(probe({ ...h, env: { ...h.env, IX_BUILD_UID: '0' } }).ok).toBe(true);
    expect(probe({ ...h, env: { ...h.env, IX_BUILD_UID: 'x' } })).toMatchObject({ ok: false, reason: 'IX_BUILD_UID=x is not a uid' });
  });
  it('reports a failing trial even when sysctls look fine, and throws a one-line error', () => {
    const h = fakeHost({ trial: 1 });
    const p = probe(h);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.reason).toContain('trial sandbox failed');
    expect(() => requireSandbox(h.env, h)).toThrow(/^sandbox unavailable: .*\n?$/);
  });
});

describe('checkNode', () => {
  const good = shNode('a'.repeat(32), 'bin/x', 'true');
  it('accepts a node', () => expect(checkNode(JSON.parse(JSON.stringify(good)))).toEqual(good));
  it('rejects bad nodes with one line naming the problem and file', () => {
    expect(() => checkNode({ ...good, out: '/tmp/x' }, 'n.json')).toThrow(/^n\.json: invalid plan node: "out" must be \/ix\/store\/a+-<name>, got \/tmp\/x \(package bin\/x\)$/);
    expect(() => checkNode({ ...good, inputs: ['/etc'] })).toThrow('input is not a store path: /etc');
    expect(() => checkNode({ ...good, inputs: ['/ix/store/../../etc'] })).toThrow('input is not a store path');
    expect(() => checkNode({ ...good, net: true })).toThrow('network is only allowed for fixed-output');
    expect(() => checkNode({ ...good, cmd: undefined })).toThrow('neither "cmd" nor "fetch"');
    expect(() => checkNode([1])).toThrow('not a JSON object');
    expect(() => checkNode({ ...good, seed: 'yes' })).toThrow('"seed" must be true or false');
    expect(() => checkNode({ ...good, fixed: `blake3:${'0'.repeat(64)}` })).toThrow('"fixed" is only allowed on seed nodes');
    expect(() => checkNode({ ...good, seed: true, fixed: 'sha256:00' })).toThrow('"fixed" must be blake3:<64 hex digits>');
    expect(checkNode({ ...good, seed: true, fixed: `blake3:${'0'.repeat(64)}` }).fixed).toBe(`blake3:${'0'.repeat(64)}`);
  });
});

describe('bwrapArgs', () => {
  const node = shNode('b'.repeat(32), 'bin/y', 'true');
  const dirs = { storeDir: (e: string) => `/r/store/${e}`, outDir: '/r/build/o', tmpDir: '/r/build/t', seedDirs: [{ path: '/usr' }, { path: '/bin', symlinkTo: 'usr/bin' }] };
  it('unshares everything, mounts inputs read-only and out/tmp read-write, sets exactly the env', () => {
    const a = bwrapArgs(node, dirs, `${BB}/bin/sh`, 7).join(' ');
    expect(a).toContain('--unshare-all --die-with-parent --new-session --clearenv --uid 1000 --gid 1000 --hostname ix');
    expect(a).toContain(`--ro-bind /r/store/${BB.slice(10)} ${BB}`);
    expect(a).toContain(`--bind /r/build/o ${node.out} --bind /r/build/t /ix/build/${node.id}`);
    expect(a).toContain('--proc /proc --ro-bind /proc/sys /proc/sys --dev /dev --tmpfs /tmp');
    expect(a).toContain(`--remount-ro / --chdir /ix/build/${node.id}`);
    expect(a).toContain(`--setenv PATH ${BB}/bin --setenv out ${node.out} --setenv tmp /ix/build/${node.id} --setenv make_thrs 7 -- ${BB}/bin/sh -s`);
    expect(a).not.toContain('--share-net');
    expect(a).not.toContain('/usr');
  });
  it('shows host tool dirs to seed nodes only', () => {
    const a = bwrapArgs({ ...node, seed: true }, dirs, 'sh', 1).join(' ');
    expect(a).toContain('--ro-bind /usr /usr --symlink usr/bin /bin');
  });
});

describe.skipIf(missing('busybox (Debian busybox-static)', haveBusybox()))('runNode', () => {
  let l: Layout;
  beforeAll(async () => { l = (await makeStore()).layout; });
  afterAll(() => removeTreeSync(l.root));

  async function run(node: ReturnType<typeof shNode>, extra: Partial<Parameters<typeof runNode>[1]> = {}) {
    const outDir = l.tmpOut(node.id);
    removeTreeSync(outDir);
    mkdirSync(outDir, { recursive: true });
    let log = '';
    const r = await runNode(node, { env: process.env, layout: l, outDir, output: (c) => { log += c.toString(); }, cores: 3, ...extra });
    return { r, log, outDir };
  }

  it('gives the program exactly cmd.env plus make_thrs (and PWD = $tmp)', async () => {
    const n = shNode('c'.repeat(32), 'bin/env', '');
    n.cmd = { ...n.cmd!, argv: ['env'], env: { ...n.cmd!.env, ZED: 'z y' } };
    const { r, log } = await run(n);
    expect(r.ok).toBe(true);
    expect(log.trim().split('\n').sort()).toEqual([`PATH=${BB}/bin`, `PWD=/ix/build/${n.id}`, 'ZED=z y', 'make_thrs=3', `out=${n.out}`, `tmp=/ix/build/${n.id}`].sort());
  });

  it('runs as uid 1000 on host ix in $tmp with only lo, the declared inputs and a minimal /dev', async () => {
    const n = shNode('d'.repeat(32), 'bin/who', 'id -u; id -g; hostname; pwd; ls /; ls /ix/store | wc -l; ls /sys/class/net 2>/dev/null || ip -o link | cut -d: -f2; ls /dev | tr "\\n" " "; echo hello > $out/f\n');
    const { r, log, outDir } = await run(n);
    expect(r.ok).toBe(true);
    const lines = log.split('\n');
    expect(lines.slice(0, 4)).toEqual(['1000', '1000', 'ix', `/ix/build/${n.id}`]);
    expect(log).not.toMatch(/^(usr|etc|home|bin|lib)$/m);
    expect(lines[8]).toBe('2'); // busybox + own output
    expect(log).toMatch(/^ ?lo$/m);
    expect(log).not.toMatch(/eth|ens/);
    expect(log).toContain('null');
    expect(readFileSync(join(outDir, 'f'), 'utf8')).toBe('hello\n');
  });

  it.skipIf(missing('root (the build user is only used as root)', process.getuid?.() === 0))('as root, runs the sandbox as the unprivileged build user and hands $out back', async () => {
    const { statSync } = await import('node:fs');
    const n = shNode('k'.repeat(32), 'bin/uid', 'echo x > $out/f; echo ready; (echo 1 > /proc/sys/vm/swappiness) 2>&1; sleep 1\n');
    const outDir = l.tmpOut(n.id);
    removeTreeSync(outDir);
    mkdirSync(outDir, { recursive: true });
    let log = '';
    let ownerWhileRunning = -1;
    const r = await runNode(n, { env: process.env, layout: l, outDir, output: (c) => {
      log += c.toString();
      if (ownerWhileRunning < 0 && log.includes('ready')) ownerWhileRunning = statSync(join(outDir, 'f')).uid;
    } });
    expect(r.ok).toBe(true);
    expect(ownerWhileRunning).toBe(30000);
    expect(log).toContain('Read-only file system');
    expect(statSync(join(outDir, 'f')).uid).toBe(0);
  });

  it('reports a failing script with its exit code', async () => {
    const { r, log } = await run(shNode('f'.repeat(32), 'bin/fail', 'echo about to fail; exit 3\n'));
    expect(r).toMatchObject({ ok: false, exitCode: 3, reason: 'exit code 3', timedOut: false });
    expect(log).toContain('about to fail');
  });

  it('kills a node at its timeout, with every process in it', async () => {
    const n = shNode('g'.repeat(32), 'bin/slow', 'sleep 5811 & sleep 5812\n');
    const { r } = await run(n, { timeoutMs: 400 });
    expect(r).toMatchObject({ ok: false, timedOut: true });
    expect(r.reason).toMatch(/timed out/);
    // gone within seconds (the kill is reaped asynchronously; a loaded machine is slow), not 5811 s
    for (let i = 0; i < 100 && processesWith('sleep 581').length > 0; i++) await new Promise((res) => setTimeout(res, 100));
    expect(processesWith('sleep 581')).toEqual([]);
  });

  it('fails clearly when the program or an input is missing', async () => {
    const n = shNode('h'.repeat(32), 'bin/noprog', '');
    n.cmd!.argv = ['gcc'];
    await expect(run(n)).rejects.toThrow(/program 'gcc' not found in the sandbox .*\(package bin\/noprog\)/);
    const m = shNode('i'.repeat(32), 'bin/noinput', '', { inputs: [BB, `/ix/store/${'j'.repeat(32)}-lib-z`] });
    await expect(run(m)).rejects.toThrow(/input \/ix\/store\/j+-lib-z is not in the store/);
  });
});
