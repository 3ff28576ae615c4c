/**
 * The binary-cache story of issue 7 (item 7), registered as tests inside test/real-builds.test.ts
 * so that machine A is the root that file already builds (no second build of the toolchain):
 * A built bin/zstd with `--push-to` into three caches (a directory, nginx with WebDAV PUT,
 * s3rver); for each cache, machine B (another empty ix root whose config trusts only A's public
 * key and names only that cache) runs `ix build bin/zstd --json`: zero nodes built, every
 * output bit-identical to A's (tree hash and bytes), `ix store verify` passes, `ix log` names the
 * cache, and `ix run zstd --help` works. `ix build --dry-run` on an empty root says which nodes
 * would be downloaded, and from where.
 *
 * Must not depend on: ix's internals beyond the store layout (it drives the CLI like a user).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { diffTrees } from '../../hosts/node/exec/check';

export interface StoryMachine {
  /** A's ix root (with a completed bin/zstd build). */
  rootA(): string;
  /** Runs ./ix with extra env (IX_ROOT etc. given here override the test's). */
  ix(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }>;
  /** Scratch directory of the test file. */
  work(): string;
  /** A's public key text ("NAME:base64"). */
  publicKey(): string;
  /** The caches A pushed to, by label; env to reach them (S3 credentials and endpoint). */
  caches(): { label: string; url: string; env: Record<string, string> }[];
  /** Awaited before the story: A's bin/zstd path (the build that pushed). */
  zstd(): Promise<string>;
}

const MIN = 60_000;

/** A fresh machine B: its own root, a config trusting only A's key and naming only `url`. */
function machineB(m: StoryMachine, label: string, url: string, extra: Record<string, string>): Record<string, string> {
  const dir = mkdtempSync(join(m.work(), `machine-b-${label}-`));
  mkdirSync(join(dir, 'config', 'ix'), { recursive: true });
  writeFileSync(join(dir, 'config', 'ix', 'config.json'), JSON.stringify({ format: 'ix-config/1', substituters: [url], 'trusted-public-keys': [m.publicKey()] }));
  mkdirSync(join(dir, 'no-sources'));
  return {
    IX_ROOT: join(dir, 'root'), XDG_CONFIG_HOME: join(dir, 'config'), IX_SYSTEM_CONFIG: join(dir, 'no-system-config.json'),
    // B has no source cache: every fetch node must come from the binary cache too
    IX_SOURCE_CACHE: join(dir, 'no-sources'),
    ...extra,
  };
}

function events(out: string): Record<string, unknown>[] {
  return out.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function registerCacheStory(m: StoryMachine, labels = ['file', 'nginx', 's3']): void {
  test('ix build --dry-run on an empty root says each node would be downloaded, from which cache and how many bytes', async () => {
    await m.zstd();
    const c = m.caches()[0];
    const env = machineB(m, 'dry', c.url, c.env);
    const r = await m.ix(['build', '--dry-run', 'bin/zstd'], env);
    expect(r.code, r.err).toBe(0);
    expect(r.out.trim()).toBe(await m.zstd());
    const lines = r.err.trim().split('\n');
    expect(lines.some((l) => l.startsWith('build '))).toBe(false);
    expect(r.err).toMatch(new RegExp(`^download bin/zstd /ix/store/\\S+ from ${c.url.replace(/[.?*+/]/g, '\\$&')} \\(\\d+(\\.\\d)? [kMG]?B\\)$`, 'm'));
    expect(existsSync(join(env.IX_ROOT, 'store')) ? readdirSync(join(env.IX_ROOT, 'store')) : []).toEqual([]);
  }, 5 * MIN);

  for (const label of labels) {
    test(`machine B gets bin/zstd from A's ${label} cache: nothing built, every output bit-identical, verify and run work`, async () => {
      await m.zstd();
      const c = m.caches().find((x) => x.label === label)!;
      const env = machineB(m, label, c.url, c.env);
      const r = await m.ix(['build', 'bin/zstd', '--json'], env);
      expect(r.code, r.err.slice(-3000)).toBe(0);
      const ev = events(r.out);
      const done = ev.filter((e) => e.event === 'done');
      expect(done.filter((e) => e.status === 'built').map((e) => e.name)).toEqual([]);
      expect(done.length).toBeGreaterThan(10);
      expect(done.every((e) => e.status === 'substituted' && e.cache === c.url)).toBe(true);
      expect(ev.find((e) => e.event === 'end')).toMatchObject({ ok: true, built: 0, failed: 0 });
      expect(ev.at(-1)).toEqual({ event: 'outputs', paths: [await m.zstd()] });
      // every output: the same tree hash in both stores' records, and the same bytes
      const rootB = env.IX_ROOT;
      const entries = readdirSync(join(rootB, 'store')).sort();
      expect(entries.length).toBe(done.length);
      for (const e of entries) {
        const id = e.slice(0, 32);
        const recA = JSON.parse(readFileSync(join(m.rootA(), 'var', 'db', 'v1', `${id}.json`), 'utf8'));
        const recB = JSON.parse(readFileSync(join(rootB, 'var', 'db', 'v1', `${id}.json`), 'utf8'));
        expect(recB.hash, e).toBe(recA.hash);
        expect(recB.refs, e).toEqual(recA.refs);
        expect(diffTrees(join(m.rootA(), 'store', e), join(rootB, 'store', e)), e).toEqual([]);
      }
      const verify = await m.ix(['store', 'verify'], env);
      expect(verify.code, verify.err).toBe(0);
      const log = await m.ix(['log', 'bin/zstd'], env);
      expect(log.code).toBe(0);
      expect(log.out).toContain(`substituted from ${c.url}`);
      const run = await m.ix(['run', 'zstd', '--help'], env);
      expect(run.code, run.err).toBe(0);
      expect(run.out + run.err).toMatch(/Usage:/);
      expect(run.err).not.toMatch(/\bbuilt\b.*bin\/zstd/);
    }, 10 * MIN);
  }
}
