// hosts/linux-sandbox/fill-source-cache.sh for pinned .debs the ordinary archive no longer has:
// a stand-in apt-get (first on PATH) that fails as apt does for a dropped version, and a
// snapshot-shaped tree on disk as Debian's snapshot archive (IX_DEBIAN_SNAPSHOT=file://...).
// The .deb comes from the snapshot, checked by its pinned sha256; when nothing matches, one line
// names the package, the sum it needs and every place tried.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import { repoRoot, tempDir, writeTree } from './support/cli';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');
const DEB = Buffer.from('!<arch>\nan old libc6\n');
const PIN = `apt:libc6=2.36-9+deb12u1/amd64 sha:${sha256(DEB)}`;

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

/** A recipe tree pinning one .deb, a failing apt-get, a snapshot tree with `files`; runs the script. */
function run(files: Record<string, Buffer | string>, snapshots?: (tree: string) => string) {
  const dir = tempDir('ix-fill-');
  dirs.push(dir);
  const pkgs = writeTree({ 'bld/boot/x/ix.sh': `{% block fetch %}\n${PIN}\n{% endblock %}\n` }, join(dir, 'pkgs'));
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'apt-get'), "#!/bin/sh\n[ \"$1\" = download ] || exit 0\necho \"E: Version '2.36-9+deb12u1' for 'libc6' was not found\" >&2\nexit 100\n", { mode: 0o755 });
  const tree = join(dir, 'snapshot');
  for (const [p, body] of Object.entries(files)) {
    mkdirSync(dirname(join(tree, p)), { recursive: true });
    writeFileSync(join(tree, p), body);
  }
  const cache = join(dir, 'sources');
  const r = spawnSync('sh', [join(repoRoot, 'hosts/linux-sandbox/fill-source-cache.sh'), pkgs], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, IX_SOURCE_CACHE: cache, IX_DEBIAN_SNAPSHOT: snapshots ? snapshots(pathToFileURL(tree).href) : pathToFileURL(tree).href },
  });
  return { ...r, cache, tree: pathToFileURL(tree).href };
}

const index = (hash: string, arch = 'amd64') => JSON.stringify({ _comment: 'foo', binary: 'libc6', result: [{ architecture: arch, hash }] });

test('a pinned .deb the archive dropped comes from the snapshot archive, checked by sha256', () => {
  const r = run({ 'mr/binary/libc6/2.36-9+deb12u1/binfiles': index(sha1(DEB)), [`file/${sha1(DEB)}`]: DEB });
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(`fill-source-cache: libc6=2.36-9+deb12u1 from ${r.tree}/file/${sha1(DEB)}\n`);
  expect(r.status).toBe(0);
  expect(readFileSync(join(r.cache, 'sha256', sha256(DEB)))).toEqual(DEB);
});

test('when nothing matches, one line names the package, the sum and every place tried', () => {
  const wrong = Buffer.from('!<arch>\na rebuilt libc6\n');
  const r = run({ 'mr/binary/libc6/2.36-9+deb12u1/binfiles': index(sha1(wrong)), [`file/${sha1(wrong)}`]: wrong }, (t) => `${t}/absent ${t}`);
  expect(r.status).toBe(1);
  expect(r.stderr).toBe(
    `fill-source-cache: libc6=2.36-9+deb12u1 (amd64): no place has the .deb with sha256 ${sha256(DEB)} (tried: ` +
      `apt-get download libc6:amd64=2.36-9+deb12u1 (Version '2.36-9+deb12u1' for 'libc6' was not found); ` +
      `snapshot ${r.tree}/absent/mr/binary/libc6/2.36-9%2Bdeb12u1/binfiles: no such file; ` +
      `${r.tree}/file/${sha1(wrong)} (sha256 ${sha256(wrong)}))\n`,
  );
  expect(() => readFileSync(join(r.cache, 'sha256', sha256(DEB)))).toThrow();
});

test('IX_DEBIAN_SNAPSHOT=none: the archive alone, and the error says so', () => {
  const r = run({}, () => 'none');
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/^fill-source-cache: libc6=2\.36-9\+deb12u1 \(amd64\): no place has the \.deb with sha256 [0-9a-f]{64} \(tried: apt-get download libc6:amd64=2\.36-9\+deb12u1 \(Version .* was not found\)\)\n$/);
});
