// Recipe mounts in the compiled core (wasm/as/mount) against the oracle (engine/mount through the
// interpreted core, wasm/core.ts createCore): for fast-check generated mounts (a mount.py, known
// or not, with or without a BOM; a pypi.json with any keys, duplicates, unicode and lone
// surrogates, bad records; stored files beside generated ones; a mount inside a mount) the same
// package lists, the same renders of every generated recipe (its text raw, as a JSON string, so
// the generated text itself is compared) and the same plans, or the same one-line errors.
// IX_MOUNT_RUNS sets the number of cases (CI: 150; here 60). With IXTREE set to an IX tree's
// pkgs/ (a local check, not CI: IX's files are never in the repository), every pip/ recipe of
// it is compared too.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import type { HostIO, PlanRequest } from '../engine/api';
import { MOUNT_MARKER, mountedIO } from '../engine/mount/index';
import { pureBlake3 as blake3, toHex, utf8Decode } from '../engine/hash/index';
import { buildAsCore } from '../wasm/build-as.mjs';
import { loadCore, type Core } from '../hosts/node/core';
import { fsHostIO } from '../hosts/node/io';
import { createCore } from '../wasm/core';
import { treeIO } from './support/browser-host';
import { ensureCoreBuilt, outDir, recipe, repoRoot, tempDir } from './support/cli';
import { outcome, type Outcome } from './support/outcome';

const RUNS = Number(process.env.IX_MOUNT_RUNS ?? (process.env.CI ? 150 : 60));
const FIXTURE = join(repoRoot, 'test', 'fixtures', 'mount');

let as: Core;
/** The toy entry (wasm/as/abi/toy.ts): its render gives a file's bytes as host.ts reads them, its plan their digests. */
let toy: Core;
beforeAll(async () => {
  ensureCoreBuilt();
  as = await loadCore(outDir);
  expect(as.manifest.backend).toBe('as');
  const dir = tempDir('ix-toy-mount-');
  await buildAsCore(dir, { entry: join(__dirname, '..', 'wasm', 'as', 'abi', 'toy.ts') });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ format: 'ix-core-build/1', backend: 'as', stamp: 'toy', coreWasmBlake3: 'toy', coreWasmBytes: 0 }));
  toy = await loadCore(dir);
}, 300_000);

/** Every answer both cores give for a tree: its package list, each package's render and plan. */
function compare(io: HostIO, what: string, extra: string[] = []): Outcome[] {
  const oracle = () => createCore(io);
  const list = outcome(() => as.listPackages(io));
  expect(list, `${what}: listPackages`).toEqual(outcome(() => oracle().listPackages()));
  const names = [...(list.ok ? list.out.split('\n').filter((n) => n !== '') : []), ...extra];
  const got: Outcome[] = [list];
  for (const name of names) {
    const r = { package: name, target: 'linux-x86_64' };
    const a = outcome(() => as.render(io, r));
    expect(a, `${what}: render ${name}`).toEqual(outcome(() => oracle().render(JSON.stringify(r))));
    got.push(a);
  }
  if (names.length > 0) {
    const req: PlanRequest = { packages: names, target: 'linux-x86_64', keepGoing: true };
    const a = outcome(() => as.plan(io, req));
    const o = outcome(() => { const p = oracle().plan(JSON.stringify(req)); return p.val; });
    expect(a, `${what}: plan`).toEqual(o);
    got.push(a);
  }
  return got;
}

// -- generated mounts --------------------------------------------------------------------------

const piece = fc.constantFrom('{url}', '{sha}', '{run}', '{ur', 'l}', '{{url}}', 'x', ' ', '\n', '\r\n', 'é', '😀', '\\n', '"', "''", '{x}', '{');
/** A template: the generated text, raw, rendered as a JSON string in an object (a render must be one), so renders compare it exactly. */
const raw = (body: string) => `{% set g %}{% raw %}${body}{% endraw %}{% endset %}{"g": {{ g | jd }}}`;
const tmpl = fc.array(piece, { maxLength: 12 }).map((ps) => raw(ps.join('')));
const seg = fc.constantFrom('a', 'b', 't', 'ix.sh', 'é', '😀', '0', '17', '__proto__', 'mount.py', '');
const key = fc.oneof(
  { weight: 4, arbitrary: fc.array(seg, { minLength: 1, maxLength: 3 }).map((s) => `${s.join('/')}/ix.sh`) },
  { weight: 1, arbitrary: fc.array(seg, { minLength: 1, maxLength: 3 }).map((s) => s.join('/')) },
);
/** Any string, lone surrogates included, that cannot close the raw block. */
const text = fc.string({ unit: 'binary', maxLength: 8 }).filter((s) => !s.includes('endraw') && !s.includes("'''"));
const value = fc.oneof(
  { weight: 6, arbitrary: text },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(1, null, true, [], {}) },
);
const run = fc.oneof(
  { weight: 4, arbitrary: fc.array(text, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('pip/a', [1], null, {}) },
);
const record = fc.oneof(
  { weight: 8, arbitrary: fc.record({ url: value, sha: value, run }, { requiredKeys: ['url', 'sha'] }) },
  { weight: 1, arbitrary: fc.record({ url: value, sha: value, run }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 'x', [1], 2) },
);
const index = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.tuple(fc.array(fc.tuple(key, record), { maxLength: 8 }), fc.boolean(), fc.boolean()).map(([es, dup, bom]) => {
      const all = dup && es.length > 0 ? [...es, [es[0][0], { url: 'dup', sha: 'dup' }] as const] : es;
      return (bom ? '\uFEFF' : '') + `{${all.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n')}}`;
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom('[1]', '{', '', 'null', '"x"') },
);
const mountPy = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(tmpl, fc.constantFrom('', '\uFEFF'), fc.constantFrom('\n', '\r\n')).map(([t, bom, nl]) => `${bom}${MOUNT_MARKER}${nl}TMPL = r'''${t}'''\nX = r'''not this'''\n`) },
  { weight: 1, arbitrary: fc.constantFrom('def serve(x):\n    return b""\n', `${MOUNT_MARKER} \nTMPL = r'''x'''\n`, `${MOUNT_MARKER}\nno template\n`, `${MOUNT_MARKER}\nTMPL = r'''open`) },
);
const tree = fc.record({
  dir: fc.constantFrom('pip', 'a/pip'),
  mount: mountPy,
  index: fc.option(index, { freq: 12, nil: undefined }),
  stored: fc.option(fc.tuple(key, tmpl), { nil: undefined }),
  inner: fc.option(fc.tuple(mountPy, index), { freq: 4, nil: undefined }),
}).map(({ dir, mount, index: idx, stored, inner }) => {
  const files: Record<string, string> = { [`${dir}/mount.py`]: mount, 'bin/x/ix.sh': raw('stored') };
  if (idx !== undefined) files[`${dir}/pypi.json`] = idx;
  if (stored) files[`${dir}/${stored[0]}`] = stored[1];
  if (inner) {
    files[`${dir}/a/mount.py`] = inner[0];
    files[`${dir}/a/pypi.json`] = inner[1];
  }
  return files;
});

describe('recipe mounts: the compiled core against the oracle', () => {
  test(`${RUNS} generated mounts: the same lists, renders and plans, or the same one-line errors`, async () => {
    let n = 0;
    let served = 0;
    let faults = 0;
    await fc.assert(fc.asyncProperty(tree, async (files) => {
      // jco's glue keeps each instance until the event loop runs: return to it now and then
      if (++n % 50 === 0) await new Promise((r) => setTimeout(r, 0));
      const dir = Object.keys(files)[0].replace(/\/mount\.py$/, '');
      const got = compare(treeIO(files), JSON.stringify(files), [`${dir}/zz`, `${dir}/a/t`]);
      served += got.slice(1).filter((o) => o.ok).length;
      faults += got.filter((o) => !o.ok && /mount|pypi\.json/.test(o.message)).length;
    }), { numRuns: RUNS });
    // the generator reaches both sides: generated recipes and mount errors
    expect(served).toBeGreaterThan(RUNS);
    expect(faults).toBeGreaterThan(RUNS / 20);
  }, 600_000);

  test(`${RUNS} generated mounts: every generated file's bytes and digest, byte for byte`, async () => {
    let n = 0;
    let files = 0;
    await fc.assert(fc.asyncProperty(tree, async (tr) => {
      if (++n % 50 === 0) await new Promise((r) => setTimeout(r, 0));
      const base = treeIO(tr);
      // the host digests stored files only; the mount digests what it generates
      const io: HostIO = { ...base, fileDigests: (ps) => ps.map((p) => { const b = base.readFile(p); return b && blake3(b); }) };
      const oracle = mountedIO({ ...base, digest: blake3 });
      const dir = Object.keys(tr)[0].replace(/\/mount\.py$/, '');
      const keys = [...Object.keys(tr), ...Object.entries(tr).filter(([k]) => k.endsWith('pypi.json')).flatMap(([k, v]) => {
        try {
          return Object.keys(JSON.parse(v) as object).map((x) => `${k.slice(0, -'pypi.json'.length)}${x}`);
        } catch {
          return [];
        }
      })];
      const paths = new Set(keys.filter((k) => k.endsWith('/ix.sh')).flatMap((k) => [k, k.replace(/\/ix\.sh$/, '/t/ix.sh')]));
      paths.add(`${dir}/zz/ix.sh`);
      for (const path of paths) {
        let want: Uint8Array | undefined;
        try {
          want = oracle.readFile(path);
        } catch {
          want = undefined; // the toy reports any miss as an unknown package
        }
        const pkg = path.slice(0, -'/ix.sh'.length);
        const got = outcome(() => toy.render(io, { package: pkg }));
        expect(got.ok ? got.out : undefined, `${JSON.stringify(tr)}: ${path}`).toBe(want && utf8Decode(want));
        const digest = outcome(() => toy.plan(io, { file: path } as unknown as PlanRequest));
        expect(digest.ok && digest.out.split(' ')[0], `${JSON.stringify(tr)}: digest of ${path}`).toBe(`${path}=${want ? toHex(blake3(want)) : 'none'}`);
        if (want) files++;
      }
    }), { numRuns: RUNS });
    expect(files).toBeGreaterThan(RUNS);
  }, 600_000);

  test('the fixture: generated packages plan through a stored base template, a stored file wins', () => {
    const got = compare(fsHostIO([FIXTURE]), 'fixture');
    const plan = got[got.length - 1];
    expect(plan.ok).toBe(true);
    expect(plan.ok && plan.out).toContain('patch-alpha');
    expect(plan.ok && plan.out).toContain('https://wheels.invalid/beta-2.0-py3-none-any.whl');
  });

  test('an unknown mount.py: the same one line naming it in both cores', () => {
    const files = {
      'pip/mount.py': 'def serve(x):\n    return b""\n',
      'pip/pypi.json': '{"a/ix.sh": {"url": "u", "sha": "s"}}',
      'bin/uses/ix.sh': recipe({ script: 'true', deps: ['pip/a'] }),
      'bin/other/ix.sh': recipe({ script: 'true' }),
    };
    const io = treeIO(files);
    // plans too: the package chain and the keep-going answer are the oracle's
    for (const req of [{ packages: ['pip/a'] }, { packages: ['bin/uses'] }, { packages: ['bin/uses', 'bin/other'], keepGoing: true }]) {
      const got = outcome(() => as.plan(io, req));
      expect(got, JSON.stringify(req)).toEqual(outcome(() => createCore(io).plan(JSON.stringify(req)).val));
      if (!req.keepGoing) expect(!got.ok && got.message).toMatch(/^pip\/mount\.py: unknown recipe mount/);
    }
    const a = outcome(() => as.render(io, { package: 'pip/a' }));
    expect(a).toEqual(outcome(() => createCore(io).render(JSON.stringify({ package: 'pip/a' }))));
    expect(a.ok).toBe(false);
    expect(!a.ok && a.message).toMatch(/^pip\/mount\.py: unknown recipe mount \(BLAKE3 [0-9a-f]{64}\): ix serves generated recipes only for the mounts it knows/);
    expect(!a.ok && a.message).not.toContain('\n');
  });

  test('a kept instance (renders) follows edits of mount.py and pypi.json between calls', () => {
    const mount = `${MOUNT_MARKER}\nTMPL = r'''${raw('{url} {sha}')}'''\n`;
    const files: Record<string, string> = { 'pip/mount.py': mount, 'pip/pypi.json': '{"a/ix.sh": {"url": "u1", "sha": "s"}}' };
    const io = treeIO(files);
    const r = () => outcome(() => as.render(io, { package: 'pip/a' }));
    const want = () => outcome(() => createCore(io).render(JSON.stringify({ package: 'pip/a' })));
    const steps: [string, string][] = [
      ['pip/pypi.json', '{"a/ix.sh": {"url": "u1", "sha": "s"}}'],
      ['pip/pypi.json', '{"a/ix.sh": {"url": "u2", "sha": "s"}}'],
      ['pip/mount.py', 'print(1)\n'],
      ['pip/mount.py', mount],
      ['pip/pypi.json', '{"a/ix.sh": {"url": "u3", "sha": "s"}, }'],
      ['pip/pypi.json', '{"a/ix.sh": {"url": "u4", "sha": "s"}}'],
    ];
    const seen: Outcome[] = [];
    for (const [path, text] of steps) {
      files[path] = text;
      const got = r();
      expect(got, `${path}: ${text}`).toEqual(want());
      seen.push(got);
    }
    expect(seen.map((o) => (o.ok ? o.out : o.message.replace(/BLAKE3 \w+/, 'BLAKE3 …').slice(0, 40)))).toEqual([
      '{"g": "u1 s"}', '{"g": "u2 s"}', 'pip/mount.py: unknown recipe mount (BLAK', '{"g": "u2 s"}', 'pip/pypi.json: not valid JSON', '{"g": "u4 s"}',
    ]);
  });

  // A local check, defined only when a tree is given: IX's files are never in the repository, so
  // CI has nothing to run it on (and must not report it as a skipped prerequisite).
  const ixtree = process.env.IXTREE;
  if (ixtree !== undefined) test('every pip/ recipe of the IX tree in IXTREE (local check)', () => {
    const root = ixtree!;
    expect(existsSync(join(root, 'pip', 'mount.py'))).toBe(true);
    const io = fsHostIO([root]);
    const names = as.listPackages(io).filter((n) => n.startsWith('pip/'));
    expect(names).toEqual(createCore(io).listPackages().filter((n) => n.startsWith('pip/')));
    const keys = Object.keys(JSON.parse(readFileSync(join(root, 'pip', 'pypi.json'), 'utf8')) as object);
    expect(names.length).toBeGreaterThanOrEqual(keys.length);
    for (const name of names) {
      const r = { package: name, target: 'linux-x86_64' };
      expect(outcome(() => as.render(io, r)), name).toEqual(outcome(() => createCore(io).render(JSON.stringify(r))));
    }
    const req: PlanRequest = { packages: names, target: 'linux-x86_64', keepGoing: true };
    expect(outcome(() => as.plan(io, req))).toEqual(outcome(() => createCore(io).plan(JSON.stringify(req)).val));
  }, 1_800_000);
});
