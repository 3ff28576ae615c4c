/**
 * A real package built rootless, registered as a test inside
 * test/real-builds.test.ts so the toolchain comes from what that run already built: machine A
 * pushed its linux-x86_64 build to a file:// cache. An unprivileged user (test/support/
 * unprivileged.ts) with its own HOME, whose ~/.config/ix/config.json trusts only A's key and names
 * only that cache, builds bin/zpack (test/fixtures/real/recipes: a small C program linked with
 * lib/z that A did not build) with `ix build --json`: its inputs are substituted (top-down: none
 * of their own build inputs), exactly that one is built, in the rootless sandbox, into the
 * user's store under ~/.local/share/ix; the
 * binary is a static x86-64 ELF that runs and writes a zlib stream Node inflates back.
 *
 * Must not depend on: ix's internals beyond the store layout (it drives the CLI like a user).
 */
import { chownSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { expect, test } from 'vitest';
import { repoRoot } from './cli';
import { missing } from './prereq';
import { canRunUnprivileged, unprivilegedUser } from './unprivileged';

/** The fixture recipe tree (on top of pkgs/) with bin/zpack. */
export const REAL_FIXTURES = join(repoRoot, 'test', 'fixtures', 'real', 'recipes');

export interface RootlessMachine {
  /** Scratch directory of the test file (the user must be able to enter it). */
  work(): string;
  /** A's public key text ("NAME:base64"). */
  publicKey(): string;
  /** A's file:// cache, which A's x86 build pushed every path to. */
  cacheUrl(): string;
  /** Awaited before the story: A's x86 build (the one that pushed). */
  ready(): Promise<unknown>;
}

/** What the user's build made: the logical path, where it lives, its tree hash. */
export interface ZpackBuild { path: string; dir: string; hash: string }

export const events = (out: string): Record<string, unknown>[] =>
  out.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

/** Checks a zpack binary: static x86-64 ELF (no interpreter) that packs stdin into a zlib stream. */
export function checkZpack(bin: string, run: (input: Buffer) => { status: number | null; stdout: Buffer; stderr: Buffer }): void {
  const b = readFileSync(bin);
  expect(b.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])), `${bin} is ELF`).toBe(true);
  expect(b.readUInt16LE(18)).toBe(62); // EM_X86_64
  const phoff = Number(b.readBigUInt64LE(32));
  const types = Array.from({ length: b.readUInt16LE(56) }, (_, i) => b.readUInt32LE(phoff + i * b.readUInt16LE(54)));
  expect(types.includes(3) || types.includes(2), 'no PT_INTERP or PT_DYNAMIC: static').toBe(false);
  const data = Buffer.from('zpack packs this line, and this line, and this line again.\n'.repeat(200));
  const r = run(data);
  expect(r.status, r.stderr.toString()).toBe(0);
  expect(r.stdout[0]).toBe(0x78); // zlib header
  expect(r.stdout.length).toBeLessThan(data.length / 10);
  expect(inflateSync(r.stdout).equals(data)).toBe(true);
}

/** Registers the story; the returned function gives the user's build once the test passed. */
export function registerRootlessStory(m: RootlessMachine): () => ZpackBuild | undefined {
  let result: ZpackBuild | undefined;
  test.skipIf(missing('root, setpriv and useradd (to build as an unprivileged user)', canRunUnprivileged()))('an unprivileged user builds a real C package rootless: the toolchain substituted from A\'s cache, only that package built, and its static binary runs', async () => {
    await m.ready();
    const user = unprivilegedUser(m.work());
    const config = join(user.home, '.config', 'ix');
    mkdirSync(config, { recursive: true });
    writeFileSync(join(config, 'config.json'), JSON.stringify({ format: 'ix-config/1', substituters: [m.cacheUrl()], 'trusted-public-keys': [m.publicKey()] }));
    mkdirSync(join(user.home, 'no-sources'));
    // written by this (root) process: the user's own from here on
    for (const f of ['.config', '.config/ix', '.config/ix/config.json', 'no-sources']) chownSync(join(user.home, f), user.uid, user.gid);
    const env = {
      IX_SYSTEM_CONFIG: join(user.home, 'no-system-config.json'),
      // no source cache: every fetch node of the toolchain must come from A's cache too
      IX_SOURCE_CACHE: join(user.home, 'no-sources'),
      IX_PROGRESS: 'plain',
    };
    const r = await user.runAsync([process.execPath, join(repoRoot, 'ix'), 'build', '--json', '--recipes', REAL_FIXTURES, 'bin/zpack'], env);
    expect(r.code, r.err.slice(-3000)).toBe(0);
    const ev = events(r.out);
    const done = ev.filter((e) => e.event === 'done');
    expect(done.filter((e) => e.status === 'built').map((e) => e.name)).toEqual(['bin/zpack']);
    const rest = done.filter((e) => e.name !== 'bin/zpack');
    // top-down: bin/zpack's inputs (the toolchain, musl, lib/z), none of their own build inputs
    expect(rest.map((e) => e.name).sort()).toEqual(['bld/boot/gcc/x86_64', 'bld/boot/tools', 'bld/cc/linux/x86_64', 'bld/scripts', 'lib/c', 'lib/z']);
    expect(rest.filter((e) => e.status !== 'substituted' || e.cache !== m.cacheUrl())).toEqual([]);
    expect(ev.find((e) => e.event === 'end')).toMatchObject({ ok: true, built: 1, failed: 0 });
    const path = (ev.at(-1) as { paths: string[] }).paths[0];
    expect(path).toMatch(/^\/ix\/store\/[0-9a-z]{32}-bin-zpack$/);

    // The user's own store, under ~/.local/share/ix, owned by the user.
    const root = join(user.home, '.local', 'share', 'ix');
    const dir = join(root, 'store', path.slice('/ix/store/'.length));
    expect(statSync(dir).uid).toBe(user.uid);
    const v = user.ix(['store', 'verify'], env);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stderr).toMatch(new RegExp(`^ix: ${done.length} store paths checked in ${root}: all intact$`, 'm'));
    checkZpack(join(dir, 'bin', 'zpack'), (input) => user.run([join(dir, 'bin', 'zpack')], {}, input));
    const record = JSON.parse(readFileSync(join(root, 'var', 'db', 'v1', `${path.slice(10, 42)}.json`), 'utf8')) as { hash: string };
    result = { path, dir, hash: record.hash };
  }, 15 * 60_000);
  return () => result;
}
