/**
 * The recipe tree (pkgs/) through the real engine in plain Node: every package plans for
 * linux-x86_64, linux-aarch64 and freebsd-x86_64, and the plans have the structure the execution
 * contract needs (toolchain and libc in every C build, pinned sources, seeds only where allowed,
 * a toolchain id that depends only on its pinned inputs, no host path outside seeds).
 * Reads pkgs/ through an fs-backed HostIO; builds nothing.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IxError, listPackages, plan, render } from '../engine/index';
import type { HostIO, Plan, PlanNode, PlanWire } from '../engine/api';
import { expandPlan } from '../engine/plan/expand';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'pkgs');

const io: HostIO = {
  readFile(p) {
    try {
      return new Uint8Array(fs.readFileSync(path.join(root, p)));
    } catch {
      return undefined;
    }
  },
  listDir(p) {
    try {
      return fs.readdirSync(path.join(root, p), { withFileTypes: true }).map((d) => d.name + (d.isDirectory() ? '/' : ''));
    } catch {
      return undefined;
    }
  },
};

const TARGETS = ['linux-x86_64', 'linux-aarch64', 'freebsd-x86_64'];
const C_PACKAGES = ['lib/z', 'lib/lz4', 'bin/lz4', 'lib/lzma', 'bin/xz', 'lib/bz2', 'bin/bzip2', 'lib/zstd', 'bin/zstd', 'bin/m4', 'bin/sed', 'bin/gzip', 'bin/busybox', 'bin/b64'];

const plans = new Map<string, Plan>();
function planOf(pkgs: string[], target: string): Plan {
  const key = pkgs.join(',') + '@' + target;
  let p = plans.get(key);
  if (!p) {
    p = expandPlan(JSON.parse(new TextDecoder().decode(plan(io, { packages: pkgs, target }))) as PlanWire);
    plans.set(key, p);
  }
  return p;
}

function nodeOf(p: Plan, name: string): PlanNode {
  const ns = p.nodes.filter((n) => n.name === name);
  expect(ns.length, `one node for ${name}`).toBe(1);
  return ns[0];
}

/** The node of `name` whose out is among `of`'s inputs. */
function inputNode(p: Plan, of: PlanNode, name: string): PlanNode {
  const ns = p.nodes.filter((n) => n.name === name && of.inputs.includes(n.out));
  expect(ns.length, `${of.name} has exactly one input built from ${name}`).toBe(1);
  return ns[0];
}

describe('pkgs/ recipe tree', () => {
  it('has at least 15 real packages besides the bootstrap and the templates', () => {
    const all = listPackages(io);
    for (const p of [...C_PACKAGES, 'lib/c', 'bld/boot/tools', 'bld/boot/gcc/x86_64', 'bld/boot/gcc/aarch64', 'bld/cc/linux/x86_64', 'bld/cc/linux/aarch64']) {
      expect(all).toContain(p);
    }
    expect(all.filter((p) => !p.startsWith('bld/') && !p.startsWith('set/')).length).toBeGreaterThanOrEqual(15);
    expect(all.some((p) => p.startsWith('die/'))).toBe(false);
  });

  for (const target of TARGETS) {
    it(`plans every package for ${target}`, () => {
      for (const pkg of listPackages(io)) {
        if (pkg === 'lib/c' && target.startsWith('freebsd')) {
          // no musl for FreeBSD: a clear, one-line error naming the package
          expect(() => planOf([pkg], target)).toThrow(IxError);
          expect(() => planOf([pkg], target)).toThrow(/lib\/c.*freebsd-x86_64/);
          continue;
        }
        if (pkg === 'sys/linux' && target !== 'linux-x86_64') {
          // a kernel configuration exists for x86_64 only: one line naming the package and target
          expect(() => planOf([pkg], target)).toThrow(new RegExp(`sys/linux: no kernel configuration for ${target}`));
          continue;
        }
        const p = planOf([pkg], target);
        expect(p.format).toBe('ix-plan/4-expanded');
        expect(p.target).toBe(target);
        expect(p.roots[0].name).toBe(pkg);
      }
    });

    it(`gives every C package the toolchain and the C library (${target})`, () => {
      const p = planOf(C_PACKAGES, target);
      const [os, arch] = target.split('-');
      for (const name of C_PACKAGES) {
        const n = nodeOf(p, name);
        const cc = inputNode(p, n, `bld/cc/${os}/${arch}`);
        const tools = inputNode(p, n, 'bld/boot/tools');
        expect(tools.seed).toBeUndefined();
        expect(inputNode(p, tools, 'bld/boot/busybox').fixed).toMatch(/^blake3:[0-9a-f]{64}$/);
        inputNode(p, n, 'bld/scripts');
        expect(n.cmd!.env.PATH.split(':')).toContain(cc.out + '/bin');
        if (os === 'linux') {
          const libc = inputNode(p, n, 'lib/c');
          expect(inputNode(p, libc, `bld/boot/gcc/${arch}`).seed).toBeUndefined();
          expect(n.cmd!.env.MIX_T_DIR.split(':')).toContain(libc.out);
          // the toolchain at run time: the compiler seed is in the wrapper's run closure
          expect(cc.runtime.some((r) => /-bin-boot-gcc-/.test(r))).toBe(true);
        } else {
          // no FreeBSD toolchain: its slot plans, and its script stops the build with a message
          expect(p.nodes.some((x) => x.name === 'lib/c')).toBe(false);
          expect(cc.cmd!.stdin).toMatch(/no C toolchain for freebsd-x86_64/);
          expect(cc.cmd!.stdin).toMatch(/exit 1/);
        }
      }
    });
  }

  it('builds zstd against zlib, lz4 and liblzma of the same target', () => {
    for (const target of ['linux-x86_64', 'linux-aarch64']) {
      const p = planOf(['bin/zstd'], target);
      const zstd = nodeOf(p, 'bin/zstd');
      const libc = inputNode(p, zstd, 'lib/c');
      for (const lib of ['lib/z', 'lib/lz4', 'lib/lzma']) {
        const l = inputNode(p, zstd, lib);
        expect(l.flags.target ?? target).toBe(target);
        expect(l.inputs).toContain(libc.out);
        expect(zstd.cmd!.env.MIX_T_DIR.split(':')).toContain(l.out);
      }
    }
  });

  it('cross builds use the aarch64 cross compiler and an aarch64 libc', () => {
    const x = planOf(['bin/zstd'], 'linux-x86_64');
    const a = planOf(['bin/zstd'], 'linux-aarch64');
    const libcX = inputNode(x, nodeOf(x, 'bin/zstd'), 'lib/c');
    const libcA = inputNode(a, nodeOf(a, 'bin/zstd'), 'lib/c');
    expect(libcA.out).not.toBe(libcX.out);
    expect(libcA.cmd!.stdin).toMatch(/CC=aarch64-linux-gnu-gcc-12/);
    expect(a.nodes.some((n) => n.name === 'bld/boot/gcc/x86_64')).toBe(false);
    // the configure packages pass --host only when cross compiling
    expect(nodeOf(planOf(['bin/xz'], 'linux-aarch64'), 'bin/xz').cmd!.stdin).toMatch(/--host=aarch64-linux-musl/);
    expect(nodeOf(planOf(['bin/xz'], 'linux-x86_64'), 'bin/xz').cmd!.stdin).not.toMatch(/--host=/);
  });

  it('toolchain ids depend only on their pinned inputs, not on the target or the request', () => {
    const outs = (p: Plan, name: string) => p.nodes.filter((n) => n.name === name).map((n) => n.out);
    const a = planOf(['bin/zstd'], 'linux-x86_64');
    const b = planOf(['bin/zstd'], 'linux-aarch64');
    const c = planOf(['bin/b64'], 'freebsd-x86_64');
    for (const seed of ['bld/boot/tools', 'bld/scripts']) {
      expect(outs(a, seed)).toHaveLength(1);
      expect(outs(b, seed)).toEqual(outs(a, seed));
      expect(outs(c, seed)).toEqual(outs(a, seed));
    }
    expect(outs(planOf(['bin/b64'], 'linux-x86_64'), 'bld/cc/linux/x86_64')).toEqual(outs(a, 'bld/cc/linux/x86_64'));
    for (const n of a.nodes.filter((x) => x.seed)) {
      // a seed reads nothing but its fetched .debs, and pins the tree hash of what it makes
      expect(n.inputs.every((i) => /-src-[a-z0-9-]+-deb$/.test(i)), n.name).toBe(true);
      expect(n.fixed, n.name).toMatch(/^blake3:[0-9a-f]{64}$/);
    }
  });

  it('pins every source by sha256: upstream URLs for sources, apt: names for the toolchain', () => {
    const p = planOf([...C_PACKAGES, 'bld/cc/linux/aarch64'], 'linux-x86_64');
    const fetches = p.nodes.filter((n) => n.fetch);
    expect(fetches.length).toBeGreaterThan(40);
    for (const f of fetches) {
      expect(f.fetch!.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(f.net).toBe(true);
      for (const u of f.fetch!.urls) expect(u).toMatch(/^(https:\/\/|apt:[a-z0-9.+-]+=[0-9A-Za-z.+:~-]+\/(amd64|all)$)/);
      // never a Debian mirror's host name
      for (const u of f.fetch!.urls) expect(u).not.toMatch(/debian\.org|ubuntu\.com/);
    }
    expect(fetches.filter((f) => f.fetch!.urls[0].startsWith('apt:')).length).toBeGreaterThan(30);
    for (const name of C_PACKAGES.filter((n) => n !== 'bin/b64')) {
      const n = nodeOf(p, name);
      expect(fetches.some((f) => n.inputs.includes(f.out) && f.fetch!.urls[0].startsWith('https://')), name).toBe(true);
    }
  });

  it('lets only the fixed-output busybox seed see the host, and keeps host paths out of every other node', () => {
    for (const target of TARGETS) {
      const p = planOf([...C_PACKAGES.filter((x) => target.startsWith('linux') || x !== 'lib/c'), 'set/compress'], target);
      for (const n of p.nodes.filter((x) => x.cmd)) {
        if (n.seed) {
          expect(n.name).toBe('bld/boot/busybox');
          expect(n.fixed).toMatch(/^blake3:[0-9a-f]{64}$/);
          expect(n.cmd!.argv).toEqual(['/bin/sh', '-s']);
          continue;
        }
        expect(n.fixed).toBeUndefined();
        expect(n.cmd!.argv).toEqual(['sh', '-s']);
        // an absolute host path (not one below a variable: "$root/usr/lib", "$out"/bin/x)
        const text = (n.cmd!.stdin + JSON.stringify(n.cmd!.env)).replace(/"\$\{?\w+\}?"/g, '$VAR');
        expect(text, n.name).not.toMatch(/(^|[\s'"=:(|,])\/(usr|home|etc)\/|#!\/bin\//m);
        expect(n.cmd!.env.PATH.split(':').every((d) => /^\/ix\/store\/[0-9a-z]{32}-[a-z0-9-]+\/bin$/.test(d))).toBe(true);
        // every real build pins the clock; the unsupported-toolchain stub builds nothing
        if (n.name !== 'bld/cc/freebsd/x86_64') expect(n.cmd!.stdin).toMatch(/SOURCE_DATE_EPOCH=/);
      }
    }
  });

  it('inlines the C source that sits beside bin/b64', () => {
    const src = fs.readFileSync(path.join(root, 'bin/b64/b64.c'));
    const d = JSON.parse(render(io, { package: 'bin/b64' })) as { bld: { script: { data: string } } };
    const m = /base64 -d > b64\.c << 'IX_EOF'\n([A-Za-z0-9+/=]+)\n/.exec(d.bld.script.data);
    expect(m).not.toBeNull();
    expect(Buffer.from(m![1], 'base64').equals(src)).toBe(true);
  });

  it('ships the shared shell library as a package, not as text in every script', () => {
    const p = planOf(['bin/zstd'], 'linux-x86_64');
    const lib = fs.readFileSync(path.join(root, 'bld/scripts/ix-build.sh'), 'utf8');
    const zstd = nodeOf(p, 'bin/zstd');
    expect(zstd.cmd!.stdin).toMatch(/^\. ix-build\.sh$/m);
    expect(zstd.cmd!.stdin).not.toContain('ix_unpack() {');
    expect(zstd.cmd!.stdin.length).toBeLessThan(lib.length + 2000);
    expect(nodeOf(p, 'bld/scripts').cmd!.stdin).toContain(Buffer.from(lib).toString('base64'));
  });

  it('runs upstream tests in native builds only', () => {
    const x = nodeOf(planOf(['lib/z'], 'linux-x86_64'), 'lib/z').cmd!.stdin;
    const a = nodeOf(planOf(['lib/z'], 'linux-aarch64'), 'lib/z').cmd!.stdin;
    expect(x).toMatch(/^make -j "\$make_thrs"\s+test$/m);
    expect(a).not.toMatch(/\btest$/m);
    expect(nodeOf(planOf(['bin/gzip'], 'linux-x86_64'), 'bin/gzip').cmd!.stdin).toMatch(/ check$/m);
  });

  it('treats set/compress as a hub of the compression programs', () => {
    const p = planOf(['set/compress'], 'linux-x86_64');
    expect(p.nodes.some((n) => n.name === 'set/compress')).toBe(false);
    const root0 = p.roots[0];
    expect(root0.out).toBeUndefined();
    for (const m of ['bin/zstd', 'bin/xz', 'bin/lz4', 'bin/bzip2', 'bin/gzip']) {
      expect(p.nodes.some((n) => n.name === m)).toBe(true);
    }
    expect(root0.members!.length).toBeGreaterThanOrEqual(5);
  });
});
