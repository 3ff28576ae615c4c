// The compiled core bound directly (wasm/direct-core.ts) against the same core bound through
// jco's transpiled glue: for pkgs/ and for generated recipe trees, the same answers (plan bytes,
// renders, package lists, error records) and the same host calls with the same arguments in the
// same order, a cache's puts and gets included (a second plan of each package comes back from the
// plan cache as bytes).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import type { HostIO, PlanRequest, RenderRequest } from '../engine/api';
import { loadCore, type Core } from '../hosts/node/core';
import { fsHostIO } from '../hosts/node/io';
import { outcome, type Outcome } from './support/outcome';
import { treeIO } from './support/browser-host';
import { ensureCoreBuilt, outDir, repoRoot } from './support/cli';
import { world } from './support/fuzz';

const enc = new TextEncoder();
const hex = (b: Uint8Array | undefined | null) => (b ? Buffer.from(b).toString('hex') : String(b));

/** `base` with a cache in memory, logging every call the core makes and what it got. */
function recording(base: HostIO): { io: HostIO; calls: string[] } {
  const calls: string[] = [];
  const cache = new Map<string, Uint8Array>();
  const io: HostIO = {
    readFile: (p) => {
      const r = base.readFile(p);
      calls.push(`read ${p} ${r ? r.length : 'none'}`);
      return r;
    },
    listDir: (p) => {
      const r = base.listDir(p);
      calls.push(`list ${p} ${r ? [...r].sort().join(',') : 'none'}`);
      return r;
    },
    fileDigests: (ps) => {
      const r = ps.map((p) => {
        const b = base.readFile(p);
        return b ? Uint8Array.of(b.length & 0xff, 0x5a, ...enc.encode(p).subarray(0, 3)) : undefined;
      });
      calls.push(`digests ${ps.join(',')} ${r.map(hex).join(',')}`);
      return r;
    },
    cacheGet: (k) => {
      const r = cache.get(k);
      calls.push(`get ${k} ${r ? r.length : 'none'}`);
      return r;
    },
    cachePut: (k, v) => {
      calls.push(`put ${k} ${v.length}`);
      cache.set(k, enc.encode(v));
    },
  };
  return { io, calls };
}

let direct: Core;
let glued: Core;

beforeAll(async () => {
  ensureCoreBuilt();
  let dir = outDir;
  if (JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')).backend !== 'as') dir = join(outDir, 'as');
  if (!existsSync(join(dir, 'manifest.json'))) throw new Error(`the compiled core is not built in ${dir}: run 'node wasm/build.mjs'`);
  direct = await loadCore(dir);
  glued = await loadCore(dir, { viaGlue: true });
  expect(direct).not.toBe(glued);
}, 300_000);

/** The same calls on both bindings, each over its own recording host: the same outcomes and host calls. */
function both(base: () => HostIO, run: (core: Core, io: HostIO) => Outcome[]): Outcome[] {
  const a = recording(base());
  const b = recording(base());
  const got = run(direct, a.io);
  const want = run(glued, b.io);
  expect(got).toEqual(want);
  expect(a.calls).toEqual(b.calls);
  return got;
}

describe('the compiled core bound directly and through the glue', () => {
  test('pkgs/: every package planned twice (fresh, then from the cache), rendered, listed, all in one plan; an unknown name', () => {
    const base = () => fsHostIO([join(repoRoot, 'pkgs')]);
    const names = direct.listPackages(base());
    expect(names.length).toBeGreaterThan(20);
    const got = both(base, (core, io) => {
      const out: Outcome[] = [outcome(() => core.listPackages(io))];
      for (const name of names) {
        const req: PlanRequest = { packages: [name], target: 'linux-x86_64' };
        out.push(outcome(() => core.plan(io, req)), outcome(() => core.plan(io, req)));
        out.push(outcome(() => core.plan(io, { ...req, output: 'roots' })));
        const r: RenderRequest = { package: name, target: 'linux-aarch64' };
        out.push(outcome(() => core.render(io, r)));
      }
      out.push(outcome(() => core.plan(io, { packages: names, target: 'freebsd-x86_64', keepGoing: true })));
      out.push(outcome(() => core.plan(io, { packages: names, target: 'freebsd-x86_64', keepGoing: true, output: 'roots' })));
      out.push(outcome(() => core.plan(io, { packages: ['bin/zstdd'], target: 'linux-x86_64' })));
      return out;
    });
    // each answer of roots only holds the roots of the plan before it and nothing else
    const text = (o: Outcome) => (o.ok ? o.out : '');
    const parse = (o: Outcome) => JSON.parse(text(o)) as { format: string; roots: unknown; nodes?: unknown };
    for (let i = 0; i < names.length; i++) {
      if (!got[1 + 4 * i].ok) {
        expect(got[3 + 4 * i]).toEqual(got[1 + 4 * i]);
        continue;
      }
      const [whole, roots] = [parse(got[1 + 4 * i]), parse(got[3 + 4 * i])];
      expect(roots.format).toBe('ix-plan-roots/1');
      expect(roots.nodes).toBeUndefined();
      expect(roots.roots).toEqual(whole.roots);
    }
    expect(parse(got[got.length - 2]).roots).toEqual(parse(got[got.length - 3]).roots);
    // the cases are real: plans with nodes, and the unknown name's record with its suggestion
    expect(got.filter((o) => o.ok && o.out.includes('"nodes"')).length).toBeGreaterThan(names.length);
    const unknown = got[got.length - 1];
    expect(unknown.ok).toBe(false);
    expect(!unknown.ok && unknown.fields?.suggestions.length).toBeGreaterThan(0);
  }, 300_000);

  test('generated recipe trees: the same plans, renders and one-line errors (file, line, chain)', async () => {
    let errors = 0;
    await fc.assert(fc.asyncProperty(world, async ({ files, req }) => {
      // the glue arms a timer per instance: return to the event loop so they are dropped
      await new Promise((r) => setTimeout(r, 0));
      const name = req.packages[0].replace(/\(.*$/, '');
      const r: RenderRequest = { package: name, ...(req.target ? { target: req.target } : {}), ...(req.flags ? { flags: req.flags } : {}) };
      const got = both(() => treeIO(files), (core, io) => [outcome(() => core.plan(io, req)), outcome(() => core.render(io, r))]);
      errors += got.filter((o) => !o.ok).length;
    }), { numRuns: 300 });
    expect(errors).toBeGreaterThan(0);
  }, 600_000);

  test('a cache answering large entries into the core\'s memory (cacheGet\'s `into`) gives the same answers; a dropped region reads as a miss', () => {
    const base = () => fsHostIO([join(repoRoot, 'pkgs')]);
    const names = direct.listPackages(base());
    /** A host that answers entries over `min` bytes through `into` when given it (`drop`: allocates, then misses). */
    const withInto = (min: number, drop: boolean) => {
      const r = recording(base());
      let used = 0;
      const get = r.io.cacheGet!;
      r.io.cacheGet = (k, into) => {
        const b = get(k);
        if (!b || !into || b.length <= min) return b;
        used++;
        const t = into(b.length);
        t.set(b);
        return drop ? undefined : t;
      };
      return { ...r, used: () => used };
    };
    const run = (core: Core, io: HostIO) => names.flatMap((name) => {
      const req: PlanRequest = { packages: [name], target: 'linux-x86_64' };
      return [outcome(() => core.plan(io, req)), outcome(() => core.plan(io, req))];
    });
    const a = withInto(100, false);
    const b = withInto(100, false);
    const got = run(direct, a.io);
    expect(got).toEqual(run(glued, b.io));
    expect(a.calls).toEqual(b.calls);
    expect(a.used()).toBeGreaterThan(names.length); // the cached plans, descriptors and templates came that way
    expect(b.used()).toBe(0); // the glue never offers `into`
    // every large entry allocated and then dropped: the same answers as a cache that has none of them
    const c = withInto(100, true);
    const small = recording(base());
    const getSmall = small.io.cacheGet!;
    small.io.cacheGet = (k) => {
      const v = getSmall(k);
      return v && v.length > 100 ? undefined : v;
    };
    expect(run(direct, c.io)).toEqual(run(direct, small.io));
    expect(c.used()).toBeGreaterThan(0);
    expect(got.filter((o) => o.ok).length).toBeGreaterThan(names.length);
  }, 300_000);
});
