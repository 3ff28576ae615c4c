/**
 * A real package built on a remote builder, registered as a test inside
 * test/real-builds.test.ts: the client is machine A (the root that file built the toolchain in);
 * the builder is Debian's sshd on 127.0.0.1 (test/support/sshd.ts) as another unprivileged user
 * (not test/remote-ssh.test.ts's, which may run at the same time) with its own, empty ix root.
 * `ix build --jobs=0 --builders=ssh://… bin/zpack` (the fixture of test/fixtures/real/recipes,
 * which A did not build) sends the builder every input of that one
 * node as archives (the relocated toolchain, musl, lib/z), the builder builds it in its sandbox,
 * and the output comes back: the same tree hash and bytes in both stores, bit-identical to a
 * rebuild here (`ix build --check`) and, when the rootless story ran, to that user's build; the
 * builder's `ix store verify` passes afterwards. A small package: well under two minutes.
 *
 * Must not depend on: ix's internals beyond the store layout and the --json events.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { diffTrees } from '../../hosts/node/exec/check';
import { removeTreeSync } from '../../hosts/common/tree';
import { repoRoot } from './cli';
import { checkZpack, events, REAL_FIXTURES, type ZpackBuild } from './rootless-story';
import { missing } from './prereq';
import { makeSshClient, sshdMissing, startSshd, STORY_SSH_USER } from './sshd';

export interface RemoteClient {
  /** A's ix root (the toolchain built, bin/zpack not). */
  rootA(): string;
  /** Scratch directory of the test file. */
  work(): string;
  /** Runs ./ix on A with extra env. */
  ix(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }>;
  /** Awaited before the story: A's x86 build. */
  ready(): Promise<unknown>;
  /** Another machine's build of the same plan to compare with, if one was made. */
  reference?(): ZpackBuild | undefined;
}

const record = (root: string, path: string) => JSON.parse(readFileSync(join(root, 'var', 'db', 'v1', `${path.slice(10, 42)}.json`), 'utf8')) as { hash: string; refs: string[] };

export function registerRemoteStory(m: RemoteClient): void {
  const why = sshdMissing();
  test.skipIf(missing(why ?? 'sshd', why === undefined))('ix build --jobs=0 --builders=ssh://…: a real package built on a separate user\'s store, its toolchain sent as archives, the output bit-identical to a build here', async () => {
    await m.ready();
    const client = makeSshClient();
    const b = await startSshd('real', client, { user: STORY_SSH_USER });
    try {
      // only --builders: no config file of this machine's user
      const config = mkdtempSync(join(m.work(), 'remote-client-config-'));
      const env = { IX_SSH_CONFIG: client.sshConfig, XDG_CONFIG_HOME: config, IX_SYSTEM_CONFIG: join(config, 'none.json') };
      const r = await m.ix(['build', '--json', '--jobs=0', `--builders=${b.url}?jobs=2`, '--recipes', REAL_FIXTURES, 'bin/zpack'], env);
      expect(r.code, r.err.slice(-3000)).toBe(0);
      const ev = events(r.out);
      const done = ev.filter((e) => e.event === 'done');
      expect(done.filter((e) => e.status === 'built').map((e) => e.name)).toEqual(['bin/zpack']);
      expect(done.filter((e) => e.status !== 'built' && e.status !== 'cached')).toEqual([]);
      expect(ev.filter((e) => e.event === 'placed').map((e) => [e.name, e.builder])).toEqual([['bin/zpack', b.url]]);
      const moved = ev.filter((e) => e.event === 'moved');
      expect(new Set(moved.map((e) => `${e.name as string} ${e.builder as string}`))).toEqual(new Set([`bin/zpack ${b.url}`]));
      // the inputs went as archives (the toolchain: megabytes); the log and output came back
      const sum = (k: string) => moved.reduce((a, e) => a + (e[k] as number), 0);
      expect(sum('sent')).toBeGreaterThan(5e6);
      expect(sum('received')).toBeGreaterThan(0);
      const path = (ev.at(-1) as { paths: string[] }).paths[0];
      expect(path).toMatch(/^\/ix\/store\/[0-9a-z]{32}-bin-zpack$/);
      const here = join(m.rootA(), 'store', path.slice('/ix/store/'.length));
      const there = join(b.root, 'store', path.slice('/ix/store/'.length));

      // The builder's store has it: the same record and the same bytes as A's.
      expect(record(b.root, path)).toEqual(record(m.rootA(), path));
      expect(diffTrees(here, there)).toEqual([]);
      checkZpack(join(here, 'bin', 'zpack'), (input) => spawnSync(join(here, 'bin', 'zpack'), [], { input }));
      // The builder's store stays consistent (checked as its own user, as it would be there).
      const v = spawnSync('runuser', ['-u', b.user, '--', process.execPath, join(repoRoot, 'ix'), 'store', 'verify'], { encoding: 'utf8', cwd: '/', env: { PATH: process.env.PATH, IX_ROOT: b.root } });
      expect(v.status, v.stderr).toBe(0);
      expect(v.stderr).toMatch(/: all intact$/m);
      // A rebuild here gives the same bytes.
      const check = await m.ix(['build', '--check', '--recipes', REAL_FIXTURES, 'bin/zpack'], env);
      expect(check.code, check.err.slice(-3000)).toBe(0);
      expect(check.err).toMatch(/check bin\/zpack: rebuilt bit-identical \(/);
      // And so did the rootless user's build, on another store with the toolchain from a cache.
      const ref = m.reference?.();
      if (ref) {
        expect(ref.path).toBe(path);
        expect(ref.hash).toBe(record(m.rootA(), path).hash);
        expect(diffTrees(ref.dir, here)).toEqual([]);
      }
      rmSync(config, { recursive: true, force: true });
    } finally {
      await b.stop();
      removeTreeSync(b.root);
      rmSync(client.dir, { recursive: true, force: true });
    }
  }, 5 * 60_000);
}
