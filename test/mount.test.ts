// Recipe mounts (engine/mount): the pypi-template/1 generator's spec, a tree whose pip/ recipes are
// generated (test/fixtures/mount: a mount.py stand-in of our own, marked, and an index of our own)
// read, listed, planned and cached like stored files, and an unknown mount.py as one line; the
// CLI and `ix lsp` (both on the compiled core) resolve them.
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Plan, PlanWire } from '../engine/api';
import { expandPlan } from '../engine/plan/expand';
import { IxError } from '../engine/errors';
import { utf8Decode } from '../engine/hash/index';
import { listPackages, plan } from '../engine/index';
import { mountedIO } from '../engine/mount/index';
import { pypiMount, templateOf, type PypiMount } from '../engine/mount/pypi';
import { diskCache } from '../hosts/node/cache';
import { loadDigest, type Digest } from '../hosts/node/digest';
import { fsHostIO } from '../hosts/node/io';
import { memIO } from './support/memfs';
import type { Hover } from 'vscode-languageserver-types';
import { ensureCoreBuilt, ix, repoRoot, tempDir } from './support/cli';
import { startLsp, uriOf } from './support/lsp-client';

const FIXTURE = join(repoRoot, 'test', 'fixtures', 'mount');
const MOUNT = `# ix-mount: pypi-template/1\nTMPL = r'''\nA {url} B {sha} C\n{run}\nD \\n {x}'''\nother = r'''not this'''\n`;

const served = (m: PypiMount, rel: string) => m.serve(rel);
const ok = (mount: string, index: unknown): PypiMount => {
  const m = pypiMount(mount, JSON.stringify(index));
  if ('message' in m) throw new Error(m.message);
  return m;
};

describe('the pypi-template/1 generator (spec in engine/mount/pypi.ts)', () => {
  test('template: between the first TMPL literal and the next triple quote, raw', () => {
    expect(templateOf(MOUNT)).toBe('\nA {url} B {sha} C\n{run}\nD \\n {x}');
    expect(templateOf('x = 1')).toBeUndefined();
    expect(pypiMount('x = 1', '{}')).toEqual({ file: 'mount', message: "no TMPL = r'''...''' template" });
  });

  test('replacements in order, literal, run members each + /ix.sh joined by newlines', () => {
    const m = ok(MOUNT, { 'a/ix.sh': { url: 'u{sha}$&', sha: 's', run: ['pip/x', 'pip/y'] } });
    // {url} first, so a "{sha}" inside the url is replaced too; "$&" stays literal
    expect(served(m, 'a/ix.sh')).toBe('\nA us$& B s C\npip/x/ix.sh\npip/y/ix.sh\nD \\n {x}');
    const none = ok(MOUNT, { 'b/ix.sh': { url: 'u', sha: 's' } });
    expect(served(none, 'b/ix.sh')).toBe('\nA u B s C\n\nD \\n {x}');
  });

  test('the t/ variant, misses, and bad records', () => {
    const m = ok(MOUNT, {
      'a/ix.sh': { url: 'u', sha: 's' },
      'a/t/ix.sh': { url: 'only-via-t-t', sha: 's' },
      'nourl/ix.sh': { sha: 's' },
      'bad/ix.sh': { url: 'u', sha: 's', run: 'pip/x' },
      'num/ix.sh': { url: 1, sha: 's' },
    });
    expect(served(m, 'a/t/ix.sh')).toBe(served(m, 'a/ix.sh'));
    expect(served(m, 'a/t/t/ix.sh')).toContain('only-via-t-t'); // one left-to-right replacement
    expect(served(m, 'nourl/ix.sh')).toBeUndefined();
    expect(served(m, 'missing/ix.sh')).toBeUndefined();
    expect(served(m, '__proto__')).toBeUndefined();
    expect(() => served(m, 'bad/ix.sh')).toThrow('entry "bad/ix.sh": run must be a list of strings');
    expect(() => served(m, 'num/ix.sh')).toThrow('url and sha must be strings');
    expect(m.paths()).toEqual(['a/ix.sh', 'a/t/ix.sh', 'a/t/t/ix.sh', 'bad/ix.sh', 'bad/t/ix.sh', 'num/ix.sh', 'num/t/ix.sh']);
    expect(pypiMount(MOUNT, '[1]')).toEqual({ file: 'index', message: 'not a JSON object' });
    expect(pypiMount(MOUNT, '{')).toEqual({ file: 'index', message: 'not valid JSON' });
  });
});

describe('a recipe root with a mount', () => {
  let digest: Digest;
  beforeAll(async () => {
    digest = await loadDigest();
  });
  const decode = (b: Uint8Array): Plan => expandPlan(JSON.parse(utf8Decode(b)) as PlanWire);

  test('generated files read and list beside stored ones; stored files win', () => {
    const io = mountedIO(fsHostIO([FIXTURE], { digest }));
    const beta = utf8Decode(io.readFile('pip/beta/ix.sh')!);
    expect(beta).toContain("{% extends '//die/wheel.json' %}");
    expect(beta).toContain('https://wheels.invalid/beta-2.0-py3-none-any.whl\n' + '2'.repeat(64));
    expect(beta).toContain('pip/alpha/ix.sh\npip/gamma/ix.sh');
    expect(utf8Decode(io.readFile('pip/beta/t/ix.sh')!)).toBe(beta);
    expect(utf8Decode(io.readFile('pip/alpha/ix.sh')!)).toContain("extends '//pip/alpha/t/ix.sh'");
    expect(io.readFile('pip/nourl/ix.sh')).toBeUndefined();
    expect(io.readFile('pip/zeta/ix.sh')).toBeUndefined();
    expect([...io.listDir('pip/')!].sort()).toEqual(['alpha/', 'badrun/', 'beta/', 'gamma/', 'mount.py', 'nested/', 'pypi.json']);
    expect([...io.listDir('pip/beta/')!].sort()).toEqual(['ix.sh', 't/']);
    expect(io.listDir('pip/nested/delta/t/')).toEqual(['ix.sh']);
    expect(io.listDir('pip/zeta/')).toBeUndefined();
    const [a, b] = io.fileDigests!(['pip/beta/t/ix.sh', 'pip/zeta/ix.sh']) ?? [];
    expect(a).toEqual(digest(io.readFile('pip/beta/t/ix.sh')!));
    expect(b).toBeUndefined();
  });

  test('listPackages and plans include generated packages', () => {
    const io = fsHostIO([FIXTURE], { digest });
    expect(listPackages(io)).toEqual([
      'bin/tool', 'pip/alpha', 'pip/alpha/t', 'pip/badrun', 'pip/badrun/t', 'pip/beta', 'pip/beta/t',
      'pip/gamma', 'pip/gamma/t', 'pip/nested/delta', 'pip/nested/delta/t',
    ]);
    const p = decode(plan(io, { packages: ['bin/tool'] }));
    const names = p.nodes.map((n) => n.name);
    for (const n of ['bin/tool', 'pip/beta', 'pip/alpha', 'pip/gamma']) expect(names).toContain(n);
    const alpha = p.nodes.find((n) => n.name === 'pip/alpha')!;
    expect(JSON.stringify(alpha)).toContain('patch-alpha');
    expect(JSON.stringify(alpha)).toContain('unpack-wheel');
    const bad = (() => {
      try {
        plan(io, { packages: ['pip/badrun'] });
      } catch (e) {
        expect(e).toBeInstanceOf(IxError);
        return (e as Error).message;
      }
      return 'planned';
    })();
    expect(bad).toMatch(/^pip\/pypi\.json: entry "badrun\/ix\.sh": run must be a list of strings/);
  });

  test('cached plans follow edits of the index (generated files are validated by content)', () => {
    const dir = tempDir('ix-mount-');
    cpSync(FIXTURE, dir, { recursive: true });
    const cache = diskCache(tempDir('ix-mount-cache-'), 'ns');
    const warm = () => fsHostIO([dir], { digest, cache });
    const cold = () => fsHostIO([dir], { digest });
    const req = { packages: ['bin/tool'] };
    expect(plan(warm(), req)).toEqual(plan(cold(), req));
    expect(plan(warm(), req)).toEqual(plan(cold(), req));
    const before = plan(cold(), req);
    const idx = join(dir, 'pip', 'pypi.json');
    writeFileSync(idx, readFileSync(idx, 'utf8').replace('3'.repeat(64), '8'.repeat(64)));
    const after = plan(warm(), req);
    expect(after).toEqual(plan(cold(), req));
    expect(after).not.toEqual(before);
    expect(utf8Decode(after)).toContain('8'.repeat(64));
    rmSync(dir, { recursive: true, force: true });
  });

  test('an unknown mount.py is one line naming it, only for packages under it', () => {
    const io = memIO({
      'pip/mount.py': 'def serve(x):\n    return b""\n',
      'pip/pypi.json': '{}',
      'bin/tool/ix.sh': readFileSync(join(FIXTURE, 'bin/tool/ix.sh'), 'utf8').replace('pip/beta', ''),
      'die/wheel.json': readFileSync(join(FIXTURE, 'die/wheel.json'), 'utf8'),
    });
    expect(listPackages(io)).toEqual(['bin/tool']);
    expect(decode(plan(io, { packages: ['bin/tool'] })).nodes.map((n) => n.name)).toContain('bin/tool');
    let msg = '';
    try {
      plan(io, { packages: ['pip/beta'] });
    } catch (e) {
      expect(e).toBeInstanceOf(IxError);
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/^pip\/mount\.py: unknown recipe mount \(BLAKE3 [0-9a-f]{64}\): ix serves generated recipes only for the mounts it knows/);
    expect(msg).not.toContain('\n');
  });
});

describe('the CLI', () => {
  beforeAll(() => ensureCoreBuilt());
  test('plans a generated package, and names an unknown mount in one line (exit 2)', () => {
    const good = ix(['plan', 'pip/beta', '--recipes', FIXTURE]);
    expect(good.err).toBe('');
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/^\/ix\/store\/[a-z0-9]{32}-pip-beta\n$/);
    const dir = tempDir('ix-mount-');
    cpSync(FIXTURE, dir, { recursive: true });
    writeFileSync(join(dir, 'pip', 'mount.py'), readFileSync(join(dir, 'pip', 'mount.py'), 'utf8').replace('# ix-mount: pypi-template/1\n', ''));
    const bad = ix(['plan', 'pip/beta', '--recipes', dir]);
    expect(bad.code).toBe(2);
    expect(bad.err.trim().split('\n')).toHaveLength(1);
    expect(bad.err).toMatch(/pip\/mount\.py: unknown recipe mount \(BLAKE3 [0-9a-f]{64}\)/);
    expect(ix(['plan', 'bin/tool', '--recipes', dir]).code).toBe(2); // depends on pip/beta
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('ix lsp', () => {
  test('resolves a generated package as the CLI plans it, and shows an unknown mount as one line', async () => {
    ensureCoreBuilt();
    const env = { IX_CACHE_DIR: tempDir('ix-mount-lsp-cache-'), NODE_EXTRA_CA_CERTS: '' };
    const dir = tempDir('ix-mount-lsp-');
    cpSync(FIXTURE, dir, { recursive: true });
    // a stored recipe extending a generated one: the extends target is a package to hover
    const tool = join(dir, 'pip', 'alpha', 'ix.sh');
    const text = readFileSync(tool, 'utf8');
    const at = text.indexOf('pip/alpha/t');
    const position = { line: text.slice(0, at).split('\n').length - 1, character: at - (text.lastIndexOf('\n', at) + 1) + 2 };
    const c = await startLsp(repoRoot, ['--recipes', dir, '--no-watch'], { env });
    try {
      c.open(uriOf(tool), text);
      const hover = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri: uriOf(tool) }, position });
      const md = (hover?.contents as { value: string } | undefined)?.value ?? '';
      const want = ix(['plan', 'pip/alpha/t', '--recipes', dir], { env });
      expect(want.code).toBe(0);
      expect(/store path: `([^`]+)`/.exec(md)?.[1]).toBe(want.out.trim());
      const mountPy = join(dir, 'pip', 'mount.py');
      writeFileSync(mountPy, readFileSync(mountPy, 'utf8').replace('# ix-mount: pypi-template/1\n', ''));
      await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(mountPy), type: 2 }] });
      const ds = await c.waitDiagnostics(uriOf(mountPy), (x) => x.some((d) => d.message.includes('unknown recipe mount')));
      const d = ds.find((x) => x.message.includes('unknown recipe mount'))!;
      // the diagnostic sits in the file the error names: the mount.py itself
      expect(d.message).toMatch(/unknown recipe mount \(BLAKE3 [0-9a-f]{64}\)/);
      expect(d.message).not.toContain('\n');
    } finally {
      await c.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
