/**
 * Recipe mounts: directories whose recipes are generated rather than stored, as IX's tree has them
 * (`pip/mount.py` + `pip/pypi.json` serve `pip/<name>/ix.sh` and `pip/<name>/t/ix.sh`).
 * `mountedIO(io)` is a HostIO in which those generated files read, list and digest like files.
 *
 * Where IX looks for a mount (and so do we): a file read that no recipe root has falls to the
 * shallowest proper ancestor directory `D` holding a `D/mount.py` (the recipe root itself is never
 * a mount); that mount alone decides whether it serves the rest of the path. A stored file always
 * wins over a generated one (IX's `pip/certifi/ix.sh` extends the generated `pip/certifi/t/ix.sh`).
 * A directory listing merges the stored entries with what the mount under it serves.
 *
 * Which mounts ix serves: ix runs no Python, so it must know what a mount.py does. A mount.py is
 * known when (1) its BLAKE3 is one of the IX releases listed in KNOWN (their code is the
 * `pypi-template/1` generator of ./pypi.ts, the template being the file's own `TMPL` literal), or
 * (2) its first line is exactly `# ix-mount: pypi-template/1`, a tree's declaration that the file
 * follows that spec. Any other mount.py is unknown: reading a path under it is one IxError
 * naming the mount.py and its BLAKE3 (listing skips it, so whole-tree planning fails only on
 * the packages under it). A hash, not a look at the code: any edit to the Python makes a
 * program whose behaviour ix cannot vouch for.
 *
 * What it reads of the host: `D/mount.py` and `D/pypi.json` (through `io`, so a host that records
 * reads for a memo or a cache sees them), and the probe `D/mount.py` for each ancestor of a missing
 * file. Results are memoised for the life of the wrapper (one core call).
 *
 * This is the oracle of the compiled core's port (wasm/as/mount/): a change here is made there too
 * (test/core-mount.test.ts compares them).
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import type { HostIO } from '../api';
import { IxError } from '../errors';
import { toHex, utf8, utf8Decode } from '../hash/index';
import { hostDigest } from '../host-digest';
import { MountError, pypiMount, type PypiMount } from './pypi';

/** BLAKE3 (hex) of IX's `pip/mount.py` versions that are `pypi-template/1` generators. */
const KNOWN = new Set([
  'f8c63b9d08305a01c1666c8656eaea68438ea2d3aa85399c8ddcc560ac29a77f', // pg83/ix and stal-ix/ix, 2025-06
  '06e1df4e449526b9ae00b1f8c2799337cc915c950580253092cd63f58f7aca00', // pg83/ix, 2025-06 (`sha:` prefix)
]);
/** The first line by which a mount.py declares that it follows `pypi-template/1`. */
export const MOUNT_MARKER = '# ix-mount: pypi-template/1';

type Mount =
  | { dir: string; ok: PypiMount }
  | { dir: string; fail: IxError };

/** `io` with the generated files of every recipe mount under its roots. */
export function mountedIO(io: HostIO): HostIO {
  const digest = hostDigest(io);
  const mounts = new Map<string, Mount | null>();

  const mountAt = (dir: string): Mount | null => {
    const hit = mounts.get(dir);
    if (hit !== undefined) return hit;
    const file = `${dir}/mount.py`;
    const src = io.readFile(file);
    let m: Mount | null = null;
    if (src !== undefined) m = parse(dir, file, src);
    mounts.set(dir, m);
    return m;
  };

  const parse = (dir: string, file: string, src: Uint8Array): Mount => {
    const sum = toHex(digest(src));
    let text: string;
    try {
      text = utf8Decode(src);
    } catch {
      text = '';
    }
    const firstLine = text.split('\n', 1)[0].replace(/\r$/, '');
    if (!KNOWN.has(sum) && firstLine !== MOUNT_MARKER) {
      return { dir, fail: new IxError(`unknown recipe mount (BLAKE3 ${sum}): ix serves generated recipes only for the mounts it knows (IX's pip/mount.py, or a first line '${MOUNT_MARKER}')`, { file }) };
    }
    const indexFile = `${dir}/pypi.json`;
    const index = io.readFile(indexFile);
    if (index === undefined) return { dir, fail: new IxError(`missing: the recipe mount ${file} serves from it`, { file: indexFile }) };
    let indexText: string;
    try {
      indexText = utf8Decode(index);
    } catch {
      return { dir, fail: new IxError('file is not valid UTF-8', { file: indexFile }) };
    }
    const got = pypiMount(text, indexText);
    if ('message' in got) return { dir, fail: new IxError(got.message, { file: got.file === 'mount' ? file : indexFile }) };
    return { dir, ok: got };
  };

  /** The mount deciding `path` (a file or a directory ending in "/"), with the rest of the path. */
  const owner = (path: string, isDir: boolean): { m: Mount; rel: string } | undefined => {
    if (path.startsWith('/') || path.split('/').some((p) => p === '..' || p === '.')) return undefined;
    const parts = (isDir ? path.slice(0, -1) : path).split('/');
    const last = isDir ? parts.length : parts.length - 1;
    for (let i = 1; i <= last; i++) {
      const m = mountAt(parts.slice(0, i).join('/'));
      if (m) return { m, rel: parts.slice(i).join('/') };
    }
    return undefined;
  };

  const generate = (path: string): Uint8Array | undefined => {
    const o = owner(path, false);
    if (!o) return undefined;
    if ('fail' in o.m) throw o.m.fail;
    const indexFile = `${o.m.dir}/pypi.json`;
    try {
      const text = o.m.ok.serve(o.rel);
      return text === undefined ? undefined : utf8(text);
    } catch (e) {
      if (e instanceof MountError) throw new IxError(e.message, { file: indexFile });
      throw e;
    }
  };

  const out: HostIO = {
    readFile(path) {
      const stored = io.readFile(path);
      return stored !== undefined ? stored : generate(path);
    },
    listDir(path) {
      const stored = io.listDir(path);
      if (path === '' || !path.endsWith('/')) return stored;
      const o = owner(path, true);
      if (!o || 'fail' in o.m) return stored;
      const prefix = o.rel === '' ? '' : o.rel + '/';
      const names = new Set(stored ?? []);
      let any = false;
      for (const p of o.m.ok.paths()) {
        if (!p.startsWith(prefix)) continue;
        const rest = p.slice(prefix.length);
        const slash = rest.indexOf('/');
        names.add(slash < 0 ? rest : rest.slice(0, slash + 1));
        any = true;
      }
      return stored === undefined && !any ? undefined : [...names];
    },
  };
  if (io.digest) out.digest = (d) => io.digest!(d);
  if (io.digestText) out.digestText = (s) => io.digestText!(s);
  if (io.fileDigests) {
    out.fileDigests = (paths) => {
      const got = io.fileDigests!(paths);
      if (!got) return got;
      return got.map((d, i) => {
        if (d !== undefined) return d;
        let bytes: Uint8Array | undefined;
        try {
          bytes = generate(paths[i]);
        } catch {
          return undefined; // reading it reports the error
        }
        return bytes === undefined ? undefined : digest(bytes);
      });
    };
  }
  if (io.cacheGet) out.cacheGet = (k) => io.cacheGet!(k);
  if (io.cachePut) out.cachePut = (k, v) => io.cachePut!(k, v);
  return out;
}
