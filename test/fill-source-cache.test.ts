// hosts/linux-sandbox/fill-source-cache.sh for pinned files the ordinary archive no longer has:
// a stand-in apt-get (first on PATH) that fails as apt does for a dropped version, and a
// snapshot-shaped tree on disk as Debian's snapshot archive (IX_DEBIAN_SNAPSHOT=file://...).
// A .deb or an original tarball comes from the snapshot, checked by its pinned sha256; when
// nothing matches, one line names the package, the sum it needs and every place tried.
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
function run(files: Record<string, Buffer | string>, snapshots?: (tree: string) => string, pin = PIN) {
  const dir = tempDir('ix-fill-');
  dirs.push(dir);
  const pkgs = writeTree({ 'bld/boot/x/ix.sh': `{% block fetch %}\n${pin}\n{% endblock %}\n` }, join(dir, 'pkgs'));
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'apt-get'), "#!/bin/sh\ncase $1 in download|source) ;; *) exit 0 ;; esac\necho \"E: Version '2.36-9+deb12u1' for 'libc6' was not found\" >&2\nexit 100\n", { mode: 0o755 });
  // The archive lists one version of musl's source package (whose files it no longer serves).
  writeFileSync(join(dir, 'bin', 'apt-cache'), '#!/bin/sh\n[ "$1 $2" = "showsrc musl" ] && printf "Package: musl\\nVersion: 1.2.3-1\\n"\nexit 0\n', { mode: 0o755 });
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

test("an original tarball whose version the archive lists but no longer serves comes from the snapshot's srcfiles", () => {
  const orig = Buffer.from('musl 1.2.3 tarball bytes');
  const other = Buffer.from('musl_1.2.3-1.debian.tar.xz bytes');
  const srcfiles = JSON.stringify({ result: [{ hash: sha1(other) }, { hash: sha1(orig) }], fileinfo: {
    [sha1(other)]: [{ name: 'musl_1.2.3-1.debian.tar.xz', archive_name: 'debian' }],
    [sha1(orig)]: [{ name: 'musl_1.2.3.orig.tar.gz', archive_name: 'debian' }],
  } });
  const pin = `https://musl.libc.org/releases/musl-1.2.3.tar.gz sha:${sha256(orig)}`;
  const r = run({ 'mr/package/musl/1.2.3-1/srcfiles': srcfiles, [`file/${sha1(orig)}`]: orig, [`file/${sha1(other)}`]: other }, undefined, pin);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe('fill-source-cache: musl=1.2.3-1\n');
  expect(r.status).toBe(0);
  expect(readFileSync(join(r.cache, 'sha256', sha256(orig)))).toEqual(orig);

  const bad = run({ 'mr/package/musl/1.2.3-1/srcfiles': srcfiles, [`file/${sha1(orig)}`]: Buffer.from('tampered') }, undefined, pin);
  expect(bad.status).toBe(1);
  expect(bad.stderr).toBe(`fill-source-cache: source package musl: no version's original tarball has a pinned sha256 (tried: 1.2.3-1 (snapshot: ${bad.tree}/file/${sha1(orig)}: the bytes do not have that SHA-1); got: nothing downloaded); still needed: ${sha256(orig)} \n`);
});
