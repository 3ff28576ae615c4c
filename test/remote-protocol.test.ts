// The builder protocol without SSH: builder specs, framing, and a real `ix store serve --stdio`
// child spoken to through its pipes (hello, have, put, build with its log, get), a peer of
// another protocol version, a peer that is not ix at all, and a builder that takes inputs from
// its own trusted binary cache so the client sends only the rest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { Layout } from '../hosts/common';
import { FrameDecoder, FrameError, MAGIC, encodeJson, parseBuilders, resolveBuilders, RemoteBuilder, Session, packForWire, PROTOCOL, sshCause } from '../hosts/node/remote';
import { generateKeyFiles, openCache, pushPath, readSecretKey } from '../hosts/node/cache/index';
import { openStore, verifyStore, type Store } from '../hosts/node/store';
import { collectGarbage } from '../hosts/node/gc';
import { removeTreeSync } from '../hosts/common/tree';
import { BB, haveBusybox, makeStore, shNode } from './fixtures/hostile/kit';
import { execute, plainReporter, ttyReporter, type ExecEvent } from '../hosts/node/exec';
import { sandboxRunner } from '../hosts/linux-sandbox';

/** The Linux runner for this test process's environment (its PATH finds bwrap). */
const runNode = sandboxRunner(process.env);
import { repoRoot } from './support/cli';

describe('builder specs', () => {
  it('parses several specs separated by spaces or commas, with their parameters', () => {
    const b = parseBuilders('ssh://ix@build1?jobs=4&targets=linux-x86_64,linux-aarch64&speed=2, ssh://b2:2222 ssh://root@[::1]:22?ix=/opt/ix/ix');
    expect(b.map((x) => [x.name, x.destination, x.port, x.jobs, x.targets, x.speed, x.ix])).toEqual([
      ['ssh://ix@build1', 'ix@build1', undefined, 4, ['linux-aarch64', 'linux-x86_64'], 2, 'ix'],
      ['ssh://b2:2222', 'b2', 2222, 1, ['linux-x86_64'], 1, 'ix'],
      ['ssh://root@[::1]:22', 'root@::1', 22, 1, ['linux-x86_64'], 1, '/opt/ix/ix'],
    ]);
  });
  it('rejects a bad spec with one line naming it', () => {
    expect(() => parseBuilders('ssh://h?jobs=0')).toThrow("--builders: bad builder 'ssh://h?jobs=0': jobs must be a whole number of at least 1, got '0'");
    expect(() => parseBuilders('ssh://h?cores=2')).toThrow("unknown parameter 'cores'");
    expect(() => parseBuilders('http://h')).toThrow('a builder is written ssh://');
    expect(() => parseBuilders('ssh://h ssh://h')).toThrow('builder ssh://h is named twice');
    expect(() => parseBuilders('ssh://h?targets=x86')).toThrow("targets are written os-arch (linux-x86_64), got 'x86'");
    const cfg = { specs: ['ssh://h?jobs=x'], file: '/etc/ix/config.json' };
    expect(() => resolveBuilders(undefined, cfg)).toThrow(`/etc/ix/config.json: key "builders": bad builder 'ssh://h?jobs=x'`);
    expect(resolveBuilders('', cfg)).toEqual([]); // --builders= with nothing: none, whatever the file says
    expect(resolveBuilders(undefined, { specs: ['ssh://a', 'ssh://b?jobs=2'], file: 'f' }).map((b) => b.name)).toEqual(['ssh://a', 'ssh://b']);
  });
});

describe('frames', () => {
  it('decodes frames cut at any byte, and names a peer that is not ix', () => {
    const bytes = Buffer.concat([MAGIC, encodeJson(3, { op: 'have', paths: ['a'] }), encodeJson(0, { op: 'bye' })]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const d = new FrameDecoder();
      const f = [...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))];
      expect(f).toEqual([{ kind: 'J', ch: 3, msg: { op: 'have', paths: ['a'] } }, { kind: 'J', ch: 0, msg: { op: 'bye' } }]);
    }
    expect(() => new FrameDecoder().push(Buffer.from('Welcome to host!\n'))).toThrow("does not speak the ix protocol (it said 'Welcome to host!')");
    const huge = Buffer.concat([MAGIC, Buffer.from([0x7f, 0, 0, 0])]);
    expect(() => new FrameDecoder().push(huge)).toThrow('bad frame length');
  });
  it('random bytes after the magic are frames or one FrameError, never another exception (fast-check)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 50 }), (junk, cut) => {
      const d = new FrameDecoder();
      const bytes = Buffer.concat([MAGIC, Buffer.from(junk)]);
      try {
        for (let i = 0; i < bytes.length; i += cut) d.push(bytes.subarray(i, i + cut));
      } catch (e) {
        expect(e).toBeInstanceOf(FrameError);
      }
    }), { numRuns: 500 });
    fc.assert(fc.property(fc.array(fc.record({ ch: fc.nat(1000), op: fc.constantFrom('have', 'put', 'end'), x: fc.string() }), { maxLength: 20 }), fc.integer({ min: 1, max: 64 }), (msgs, cut) => {
      const bytes = Buffer.concat([MAGIC, ...msgs.map((m) => encodeJson(m.ch, { op: m.op, x: m.x }))]);
      const d = new FrameDecoder();
      const got = [];
      for (let i = 0; i < bytes.length; i += cut) got.push(...d.push(bytes.subarray(i, i + cut)));
      expect(got).toEqual(msgs.map((m) => ({ kind: 'J', ch: m.ch, msg: { op: m.op, x: m.x } })));
    }), { numRuns: 300 });
  });
  it('names ssh failures by their cause', () => {
    expect(sshCause(255, null, 'Host key verification failed.\n')).toBe('host key not trusted: Host key verification failed.');
    expect(sshCause(255, null, 'ixremote-test@127.0.0.1: Permission denied (publickey).\n')).toMatch(/^rejected the key: /);
    expect(sshCause(255, null, 'ssh: connect to host 127.0.0.1 port 1: Connection refused\n')).toMatch(/^unreachable: /);
    expect(sshCause(2, null, "ix: error: 'ix store' knows one sub-command: verify (got 'serve')\n")).toBe("no ix serving the builder protocol there: ix: error: 'ix store' knows one sub-command: verify (got 'serve')");
    expect(sshCause(127, null, 'sh: 1: ix: not found\n')).toBe('ssh exited with code 127: sh: 1: ix: not found');
  });
});

describe('progress of remote nodes', () => {
  it('plain lines name the builder and the bytes moved; a failed builder is one line; the live display shows the builder', () => {
    let text = '';
    const r = plainReporter({ write: (x) => (text += x) });
    r.emit({ event: 'begin', format: 'ix-events/1', total: 2, cores: 2 });
    r.emit({ event: 'placed', id: 'a', name: 'bin/a', builder: 'ssh://b1' });
    r.emit({ event: 'moved', id: 'a', name: 'bin/a', builder: 'ssh://b1', sent: 1_500_000, received: 20_000 });
    r.emit({ event: 'done', id: 'a', name: 'bin/a', out: '/ix/store/a', status: 'built', ms: 1200 });
    r.emit({ event: 'builder', builder: 'ssh://b2', status: 'down', reason: 'unreachable: Connection refused', name: 'bin/c' });
    expect(text).toBe('[0/2] bin/a goes to ssh://b1\n[1/2] built bin/a /ix/store/a (1.2 s on ssh://b1, 1500 kB sent, 20 kB received)\n'
      + 'ix: builder ssh://b2 failed: unreachable: Connection refused; not using it again in this run (bin/c goes elsewhere)\n');
    let tty = '';
    const t = ttyReporter({ write: (x) => (tty += x), isTTY: true, columns: 100 }, () => 0, 1e9);
    t.emit({ event: 'begin', format: 'ix-events/1', total: 1, cores: 2 });
    t.emit({ event: 'start', id: 'a', name: 'bin/a', out: '/o', pool: 'cpu', log: '/l' });
    t.emit({ event: 'placed', id: 'a', name: 'bin/a', builder: 'ssh://b1' });
    t.close();
    expect(tty).toContain('  bin/a on ssh://b1 0.0 s');
  });
});

describe('sessions with a peer of another version', () => {
  it('a builder that speaks another version is one clear line, not a hang', async () => {
    const toPeer = new PassThrough();
    const fromPeer = new PassThrough();
    fromPeer.write(Buffer.concat([MAGIC, encodeJson(0, { op: 'hello', protocol: 'ix-remote/2', ix: 'ix 9' })]));
    await expect(Session.over('ssh://old', fromPeer, toPeer, 5000)).rejects.toThrow(`speaks ix-remote/2, this ix speaks ${PROTOCOL} (update ix on one side)`);
  });
  it('a builder that goes silent times out with one line instead of hanging', async () => {
    const fromPeer = new PassThrough();
    fromPeer.write(Buffer.concat([MAGIC, encodeJson(0, { op: 'hello', protocol: PROTOCOL, ix: 'ix' })]));
    const s = await Session.over('ssh://silent', fromPeer, new PassThrough(), 1500);
    await expect(s.have([BB])).rejects.toThrow('no answer for 2 s (time-out)');
    expect(s.alive).toBe(false);
  });
  it('a peer that is not ix is named as such', async () => {
    const fromPeer = new PassThrough();
    fromPeer.write('Last login: yesterday\n');
    await expect(Session.over('ssh://shell', fromPeer, new PassThrough(), 5000)).rejects.toThrow("does not speak the ix protocol (it said 'Last login: yesterday')");
  });
});

if (!haveBusybox() && process.env.CI === 'true') throw new Error('the builder protocol tests need busybox-static (/bin/busybox)');

describe.skipIf(!haveBusybox())('ix store serve --stdio (a real builder process)', () => {
  let local: Store;
  let remoteRoot: string;
  let child: ChildProcess;
  let s: Session;
  beforeAll(async () => {
    local = await makeStore();
    remoteRoot = mkdtempSync(join(tmpdir(), 'ix-remote-'));
    chmodSync(remoteRoot, 0o755);
    child = spawn(process.execPath, [join(repoRoot, 'ix'), 'store', 'serve', '--stdio'], { env: { ...process.env, IX_ROOT: remoteRoot }, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr!.resume();
    s = await Session.over('serve', child.stdout!, child.stdin!, 60_000);
  });
  afterAll(async () => {
    await s?.close();
    removeTreeSync(local.layout.root);
    removeTreeSync(remoteRoot);
  });

  it('refuses an input whose archive is longer than its record says, or altered; nothing enters its store', async () => {
    const bb = await packForWire(local, BB);
    await expect(s.put(bb.record, Buffer.concat([bb.bytes, Buffer.alloc(10)]))).rejects.toThrow(`${BB}: more archive bytes than the ${bb.bytes.length} its record names`);
    const altered = Buffer.from(bb.bytes);
    altered[altered.length - 5] ^= 0xff;
    await expect(s.put(bb.record, altered)).rejects.toThrow(/does not match its record|hash/);
    expect([...(await s.have([BB]))]).toEqual([]);
    expect(s.alive).toBe(true);
  }, 60_000);

  it('answers have, takes an input archive, builds a node streaming its log, and sends the output back', async () => {
    expect(s.peer?.protocol).toBe(PROTOCOL);
    expect([...(await s.have([BB]))]).toEqual([]);
    const bb = await packForWire(local, BB);
    await s.put(bb.record, bb.bytes);
    expect([...(await s.have([BB]))]).toEqual([BB]);
    // The builder's gc keeps what a live session received (its gc hold), though nothing roots it.
    const gc = await collectGarbage(new Layout(remoteRoot), { dryRun: false });
    expect(gc.paths.map((d) => d.path)).not.toContain(BB);
    expect(await (await openStore({ root: remoteRoot, recover: false })).isBuilt(BB)).toBe(true);
    const n = shNode('a'.repeat(32), 'bin/remote', 'echo hello from the builder; echo x > $out/x\n');
    const log: Buffer[] = [];
    const r = await s.build(n, (b) => log.push(b), new AbortController().signal);
    expect(Buffer.concat(log).toString()).toBe('hello from the builder\n');
    expect(r.ok).toBe(true);
    const remote = await openStore({ root: remoteRoot, recover: false });
    expect(r.hash).toBe((await remote.record(n.out))!.hash);
    const got = await s.get(n.out);
    expect((got.record as { treeHash: string }).treeHash).toBe(r.hash);
    expect(readFileSync(join(remote.physical(n.out), 'x'), 'utf8')).toBe('x\n');
    const bad = shNode('b'.repeat(32), 'bin/bad', 'echo oops >&2; exit 3\n');
    expect(await s.build(bad, () => undefined, new AbortController().signal)).toEqual({ ok: false, reason: 'exit code 3' });
    const lacking = shNode('c'.repeat(32), 'bin/lacking', 'true', { inputs: [BB, `/ix/store/${'d'.repeat(32)}-nothere`] });
    await expect(s.build(lacking, () => undefined, new AbortController().signal)).rejects.toThrow('inputs missing here');
    expect((await verifyStore(remoteRoot)).filter((e) => e.status !== 'ok')).toEqual([]);
  }, 60_000);

  it('once the session is over, its hold is gone: the same gc removes what it had received', async () => {
    await s.close();
    await new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
    expect(child.exitCode).toBe(0);
    const gc = await collectGarbage(new Layout(remoteRoot), { dryRun: false });
    expect(gc.paths.map((d) => d.path)).toContain(BB);
  }, 60_000);
});

// A builder whose own configuration trusts a binary cache: before a client sends inputs, the
// builder takes what that cache holds, and the client sends only the rest.
describe.skipIf(!haveBusybox())('a builder substitutes inputs from its own trusted caches', () => {
  let local: Store;
  let work: string;
  let child: ChildProcess;
  let stderr = '';
  beforeAll(async () => {
    local = await makeStore();
    work = mkdtempSync(join(tmpdir(), 'ix-remote-subst-'));
    chmodSync(work, 0o755);
    const keys = await generateKeyFiles('cache-owner', work);
    const cacheUrl = `file://${join(work, 'cache')}`;
    await pushPath(local, BB, openCache(cacheUrl), await readSecretKey(keys.secretFile));
    mkdirSync(join(work, 'config', 'ix'), { recursive: true });
    writeFileSync(join(work, 'config', 'ix', 'config.json'), JSON.stringify({ format: 'ix-config/1', substituters: [cacheUrl], 'trusted-public-keys': [keys.publicKey] }));
    child = spawn(process.execPath, [join(repoRoot, 'ix'), 'store', 'serve', '--stdio'], {
      env: { ...process.env, IX_ROOT: join(work, 'builder'), XDG_CONFIG_HOME: join(work, 'config'), IX_SYSTEM_CONFIG: join(work, 'none.json') },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  });
  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGTERM');
    removeTreeSync(local.layout.root);
    removeTreeSync(work);
  });

  it('the client sends only the input the cache lacks; the other comes from the cache, verified', async () => {
    // an input only the client has, built here
    const mine = shNode('m'.repeat(32), 'lib/mine', 'echo mine > $out/mine\n');
    expect((await execute([mine], { store: local, run: runNode })).ok).toBe(true);
    const n = shNode('n'.repeat(32), 'bin/uses', `cat ${mine.out}/mine > $out/got\n`, { inputs: [BB, mine.out].sort() });
    const spec = parseBuilders('ssh://in-process')[0];
    const rb = new RemoteBuilder(spec, {
      store: local, paths: [BB, mine.out, n.out], env: {},
      connect: () => Session.over('ssh://in-process', child.stdout!, child.stdin!, 60_000),
    });
    const events: ExecEvent[] = [];
    const r = await execute([n], { store: local, run: runNode, builders: [rb], localSlots: 0, fallbackHere: false, reporter: { emit: (e) => events.push(e), close() {} } });
    expect(r.ok, JSON.stringify(events.filter((e) => e.event === 'done'))).toBe(true);
    const log = readFileSync(join(local.layout.logs, `${n.id}.log`), 'utf8');
    expect(log).toContain('ssh://in-process has 1 of the 2 inputs it lacked');
    expect(log).toContain('sending 1 input to ssh://in-process');
    expect(stderr).toContain('1 of 2 inputs from this machine\'s binary caches');
    // what crossed the connection: the small input, not busybox (about a megabyte)
    const sent = events.filter((e) => e.event === 'moved').reduce((t, e) => t + (e.event === 'moved' ? e.sent : 0), 0);
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(100_000);
    expect(readFileSync(join(local.physical(n.out), 'got'), 'utf8')).toBe('mine\n');
    const builder = await openStore({ root: join(work, 'builder'), recover: false });
    expect(await builder.isBuilt(BB)).toBe(true);
    expect((await builder.record(BB))!.hash).toBe((await local.record(BB))!.hash);
    await rb.close();
  }, 60_000);
});
