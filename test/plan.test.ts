// The planner (engine/plan) through the real evaluator: selectors, kinds, flag propagation (§5),
// hubs, nodes and ids (§6), fetch nodes, order, errors, the descriptor cache, listPackages.
import { createBLAKE3 } from 'hash-wasm';
import { beforeAll, describe, expect, test } from 'vitest';
import { listPackages, plan, render, evaluator } from '../engine/index';
import type { Plan, PlanNode, PlanWire } from '../engine/api';
import { expandPlan } from '../engine/plan/expand';
import { IxError } from '../engine/errors';
import { base32, canonicalJson, pureBlake3, toHex, utf8, utf8Decode } from '../engine/hash/index';
import { makePlan } from '../engine/plan/index';
import { Graph } from '../engine/plan/graph';
import { PLACEHOLDER } from '../engine/plan/node';
import { parseSelector } from '../engine/plan/selector';
import type { Evaluator } from '../engine/plan/types';
import type { ArchRecord } from '../engine/targets';
import { memIO } from './support/memfs';

/** A recipe: a template rendering a full descriptor; strings may hold template expressions. */
function recipe(o: {
  script?: string; args?: string[]; deps?: string[]; target_libs?: string[]; host_libs?: string[]; data?: string[];
  fetch?: { url: string; sha256: string; name?: string }[]; run?: string[]; run_data?: string[]; lib?: string[]; ind?: string[];
  net?: boolean; pool?: string; seed?: boolean; fixed?: unknown;
}): string {
  const d: Record<string, unknown> = {
    bld: {
      fetch: o.fetch ?? [],
      script: o.script === undefined ? {} : { kind: 'sh', data: o.script, ...(o.args ? { args: o.args } : {}) },
      deps: o.deps ?? [], host_libs: o.host_libs ?? [], target_libs: o.target_libs ?? [], data: o.data ?? [],
    },
    run: { deps: o.run ?? [], data: o.run_data ?? [] },
    lib: { deps: o.lib ?? [] }, ind: { deps: o.ind ?? [] }, fix: { deps: [] },
    net: o.net ?? false, task_pool: o.pool ?? 'slot',
  };
  if (o.seed) d.seed = true;
  if (o.fixed !== undefined) d.fixed = o.fixed;
  return JSON.stringify(d) + '\n';
}

const SHA = (c: string): string => c.repeat(64);
const decode = (b: Uint8Array): Plan => expandPlan(JSON.parse(utf8Decode(b)) as PlanWire);
const planOf = (io: ReturnType<typeof memIO>, packages: string[], more: Partial<Parameters<typeof plan>[1]> = {}): Plan =>
  decode(plan(io, { packages, ...more }));
const byName = (p: Plan, name: string): PlanNode[] => p.nodes.filter((n) => n.name === name);
const one = (p: Plan, name: string): PlanNode => {
  const l = byName(p, name);
  expect(l, name).toHaveLength(1);
  return l[0];
};
const err = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(IxError);
    return (e as Error).message;
  }
  throw new Error('expected an IxError');
};

/** The real evaluator, counting renders per (name, flags). */
function counting(): Evaluator<ArchRecord> & { renders: string[] } {
  const renders: string[] = [];
  return {
    renders,
    arch: evaluator.arch,
    render: (io, input) => {
      renders.push(`${input.name} ${canonicalJson(input.flags)}`);
      return evaluator.render(io, input);
    },
  };
}

// A small world: a program with a tool, libraries, a run dep, data, a hub.
const world = {
  'bin/app/ix.sh': recipe({
    script: 'echo building app opt={{ opt }} verbose={{ verbose }}',
    deps: ['bld/tool'], lib: ['lib/z'], host_libs: ['lib/h'], data: ['aux/d'], run: ['bin/helper'],
    fetch: [{ url: 'https://example.org/app-1.0.tar.gz', sha256: SHA('a') }],
  }),
  'bld/tool/ix.sh': recipe({ script: 'echo tool opt={{ opt }}', ind: ['lib/rt'], run: ['bin/toolrun'] }),
  'bin/toolrun/ix.sh': recipe({ script: 'echo toolrun' }),
  'lib/z/ix.sh': recipe({ script: 'echo z opt={{ opt }} verbose={{ verbose }}', lib: ['lib/zz'] }),
  'lib/zz/ix.sh': recipe({ script: 'echo zz {{ target.name }}', run_data: ['aux/zzdata'] }),
  'lib/rt/ix.sh': recipe({ script: 'echo rt' }),
  'lib/h/ix.sh': recipe({ script: 'echo h' }),
  'aux/d/ix.sh': recipe({ script: 'echo d' }),
  'aux/zzdata/ix.sh': recipe({ script: 'echo zzdata' }),
  'bin/helper/ix.sh': recipe({ script: 'echo helper opt={{ opt }}' }),
  'set/all/ix.sh': recipe({ run: ['bin/app', 'bin/helper'] }),
  'die/base.sh': 'not a package\n',
};

describe('selectors', () => {
  test('name(k=v,k2=v2), a bare key means k=1', () => {
    expect(parseSelector('bin/x(k=v, k2=v2,k3)')).toEqual({ name: 'bin/x', flags: { k: 'v', k2: 'v2', k3: '1' }, removed: [] });
    expect(parseSelector('lib/c++')).toEqual({ name: 'lib/c++', flags: {}, removed: [] });
  });
  for (const bad of ['bin/x(', 'bin/x(a=1))', 'bin/x(=1)', 'bin/x(a=1)junk', '/bin/x', 'bin/../x', 'bin/./x', 'bin/x y', '']) {
    test(`malformed selector '${bad}' is an IxError`, () => {
      expect(err(() => plan(memIO(world), { packages: [bad] }))).toMatch(/malformed package (selector|name)/);
    });
  }
});

describe("IX's path names (selectors written with an empty variable)", () => {
  const io = memIO({
    'bld/python/ix.sh': recipe({ script: 'echo python' }),
    'etc/ix.sh': recipe({ run: ['etc/core'] }),
    'etc/core/ix.sh': recipe({ script: 'echo core' }),
    'bin/user/ix.sh': recipe({ script: 'echo user', deps: ['bld/python{{ python_ver }}/'], run: ['etc'] }),
    'bin/gone/ix.sh': recipe({ script: 'x', lib: ['lib/{{ allocator }}/trim'] }),
  });

  test("'bld/python/' is bld/python, and a dependency on the one-component 'etc' takes its user's kind", () => {
    const p = planOf(io, ['bin/user', 'bld/python']);
    expect(one(p, 'bin/user').inputs).toContain(one(p, 'bld/python').out);
    expect(p.roots.map((r) => r.name)).toEqual(['bin/user', 'bld/python']);
    expect(one(p, 'bin/user').runtime).toContain(one(p, 'etc/core').out);
    expect(planOf(io, ['etc(kind=bin)']).roots[0].members).toEqual([one(p, 'etc/core').out]);
  });

  test("'lib//trim' is lib/trim, which may not exist; a top-level name without kind fails as in IX", () => {
    expect(err(() => plan(io, { packages: ['bin/gone'] }))).toBe("unknown package 'lib/trim' (package bin/gone)");
    expect(err(() => plan(io, { packages: ['etc'] }))).toBe(
      "package 'etc' has no '/', so its kind cannot come from its path: give it one (etc(kind=bin)), or depend on it from a package of that kind (package etc)");
  });
});

describe('kinds, platforms and flag propagation', () => {
  test('default host and target are linux-x86_64; kind comes from the first path component', () => {
    const p = planOf(memIO(world), ['bin/app']);
    expect([p.host, p.target]).toEqual(['linux-x86_64', 'linux-x86_64']);
    const app = one(p, 'bin/app');
    expect(app.flags).toEqual({ kind: 'bin', target: 'linux-x86_64' });
    expect(app.out).toMatch(/^\/ix\/store\/[0-9a-z]{32}-bin-app$/);
    expect(one(p, 'bld/tool').storeName).toBe('bin-tool');
    expect(one(p, 'aux/d').storeName).toBe('aux-d');
  });

  test('a flag overrides the kind', () => {
    const p = planOf(memIO(world), ['lib/z(kind=bin)']);
    expect(one(p, 'lib/z').storeName).toBe('bin-z');
  });

  test('each edge type gives its dependency the flags of the table in pkgs/README.md §5', () => {
    const p = planOf(memIO(world), ['bin/app(opt=1,verbose=1)'], { target: 'linux-aarch64' });
    const app = one(p, 'bin/app');
    expect(app.flags).toEqual({ kind: 'bin', opt: '1', target: 'linux-aarch64', verbose: '1' });
    expect(app.cmd!.stdin).toBe('echo building app opt=1 verbose=1');
    // target libs: parent's flags minus one-level ones, kind=lib, parent's target
    expect(one(p, 'lib/z').flags).toEqual({ kind: 'lib', opt: '1', target: 'linux-aarch64' });
    expect(one(p, 'lib/z').cmd!.stdin).toBe('echo z opt=1 verbose=');
    expect(one(p, 'lib/zz').flags).toEqual({ kind: 'lib', opt: '1', target: 'linux-aarch64' });
    expect(one(p, 'lib/zz').cmd!.stdin).toBe('echo zz linux-aarch64');
    // ind deps of a tool land in its users' target libs, with the user's flags
    expect(one(p, 'lib/rt').flags).toEqual({ kind: 'lib', opt: '1', target: 'linux-aarch64' });
    // tools: host bins, no inherited flags
    expect(one(p, 'bld/tool').flags).toEqual({ kind: 'bin', target: 'linux-x86_64' });
    expect(one(p, 'bin/toolrun').flags).toEqual({ kind: 'bin', target: 'linux-x86_64' });
    // host libs
    expect(one(p, 'lib/h').flags).toEqual({ kind: 'lib', target: 'linux-x86_64' });
    // data: host aux
    expect(one(p, 'aux/d').flags).toEqual({ kind: 'aux', target: 'linux-x86_64' });
    // run deps: target bins, no flags from a buildable parent
    expect(one(p, 'bin/helper').flags).toEqual({ kind: 'bin', target: 'linux-aarch64' });
  });

  test('a hub passes its own flags to run deps and tools', () => {
    const p = planOf(memIO(world), ['set/all(opt=7)']);
    const helpers = byName(p, 'bin/helper').map((n) => [n.flags, n.cmd!.stdin]);
    // once from the hub (with its flags), once as the run dep of the buildable bin/app (without)
    expect(helpers).toContainEqual([{ kind: 'bin', opt: '7', target: 'linux-x86_64' }, 'echo helper opt=7']);
    expect(helpers).toContainEqual([{ kind: 'bin', target: 'linux-x86_64' }, 'echo helper opt=']);
    expect(one(p, 'bin/app').flags).toEqual({ kind: 'bin', opt: '7', target: 'linux-x86_64' });
    expect(p.roots[0].members).toContain(one(p, 'bin/app').out);
  });

  test('flags in a dependency selector override inherited ones', () => {
    const io = memIO({ 'bin/app/ix.sh': recipe({ script: 'x', lib: ['lib/z(opt=2,extra=e)'] }) }, world);
    const p = planOf(io, ['bin/app(opt=1)']);
    expect(one(p, 'lib/z').flags).toEqual({ extra: 'e', kind: 'lib', opt: '2', target: 'linux-x86_64' });
    expect(one(p, 'lib/zz').flags).toEqual({ extra: 'e', kind: 'lib', opt: '2', target: 'linux-x86_64' });
  });

  test('request flags apply to every requested package; selector flags win', () => {
    const p = planOf(memIO(world), ['bin/helper', 'bin/toolrun(opt=3)'], { flags: { opt: '1' } });
    expect(one(p, 'bin/helper').flags.opt).toBe('1');
    expect(one(p, 'bin/toolrun').flags.opt).toBe('3');
  });

  test('each distinct (name, flags) is rendered once', () => {
    const ev = counting();
    const io = memIO(world);
    delete io.cacheGet;
    makePlan(io, { packages: ['bin/app', 'set/all', 'bin/app', 'lib/z'] }, ev);
    expect(ev.renders.length).toBe(new Set(ev.renders).size);
    expect(ev.renders.filter((r) => r.startsWith('bin/app '))).toHaveLength(1);
  });
});

describe('closures and hubs', () => {
  test('build inputs: tools with their run closures, data, target and host lib closures, sources', () => {
    const p = planOf(memIO(world), ['bin/app']);
    const app = one(p, 'bin/app');
    const outs = (...names: string[]): string[] => names.map((n) => one(p, n).out);
    const fetch = one(p, 'fetch:app-1.0.tar.gz');
    expect(app.inputs).toEqual([...outs('bld/tool', 'bin/toolrun', 'aux/d', 'lib/z', 'lib/zz', 'lib/rt', 'lib/h'), fetch.out].sort());
    // run closure: run deps (and theirs) and the run data of the target libs; not the libs of a program
    expect(app.runtime).toEqual(outs('bin/helper', 'aux/zzdata').sort());
    // a library's run closure holds its lib closure and its libs' run data
    expect(one(p, 'lib/z').runtime).toEqual(outs('lib/zz', 'aux/zzdata').sort());
  });

  test('a hub has no node; dependents get its members', () => {
    const io = memIO({
      'set/tools/ix.sh': recipe({ run: ['bld/tool', 'bin/helper'] }),
      'bin/user/ix.sh': recipe({ script: 'use', deps: ['set/tools'] }),
    }, world);
    const p = planOf(io, ['bin/user', 'set/tools']);
    expect(byName(p, 'set/tools')).toEqual([]);
    const user = one(p, 'bin/user');
    // the hub's members are tools here; bld/tool's ind dep lib/rt lands in bin/user's target libs
    const members = [one(p, 'bld/tool').out, one(p, 'bin/toolrun').out, one(p, 'bin/helper').out];
    expect(user.inputs).toEqual([...members, one(p, 'lib/rt').out].sort());
    expect(user.cmd!.env.PATH.split(':')).toEqual(members.map((m) => m + '/bin'));
    expect(p.roots[1]).toEqual({ request: 'set/tools', name: 'set/tools', members: [...members].sort() });
    expect(p.roots[1].out).toBeUndefined();
  });

  test('roots keep request order and every node of their closures is in the plan', () => {
    const p = planOf(memIO(world), ['bin/helper', 'bin/app']);
    expect(p.roots.map((r) => r.name)).toEqual(['bin/helper', 'bin/app']);
    const outs = new Set(p.nodes.map((n) => n.out));
    for (const n of p.nodes) for (const i of [...n.inputs, ...n.runtime]) expect(outs.has(i)).toBe(true);
  });
});

describe('nodes', () => {
  test('env: out, tmp, uid, src, PATH from tools, one <uniq_id>=<out> per dependency', () => {
    const p = planOf(memIO(world), ['bin/app']);
    const app = one(p, 'bin/app');
    const env = app.cmd!.env;
    expect(env.out).toBe(app.out);
    expect(env.tmp).toBe(`/ix/build/${app.id}`);
    expect(env.uid).toBe(app.id);
    expect(env.src).toBe(one(p, 'fetch:app-1.0.tar.gz').out);
    expect(env.PATH).toBe(`${one(p, 'bld/tool').out}/bin:${one(p, 'bin/toolrun').out}/bin`);
    expect(env.lib_z).toBe(one(p, 'lib/z').out);
    expect(env.bin_tool).toBe(one(p, 'bld/tool').out);
    expect(env.aux_d).toBe(one(p, 'aux/d').out);
    expect(app.cmd!.argv).toEqual(['sh', '-s']);
    expect(app.pool).toBe('cpu');
    expect(app.net).toBe(false);
    expect(app.seed).toBeUndefined();
    for (const l of [app.inputs, app.runtime]) expect(l).toEqual([...l].sort());
  });

  test('the id is the hash of the node with its own id as a placeholder, substituted back everywhere', () => {
    const w = JSON.parse(utf8Decode(plan(memIO(world), { packages: ['bin/app'] }))) as PlanWire;
    const app = w.nodes.find((n) => n.name === 'bin/app')!;
    const json = canonicalJson(app).split(app.id).join(PLACEHOLDER);
    const { id: _id, ...rest } = JSON.parse(json);
    expect(_id).toBe(PLACEHOLDER);
    // the script is named by the hex BLAKE3 of its text; the plan holds the text once
    expect(w.scripts[app.cmd!.script]).toBe('echo building app opt= verbose=');
    expect(toHex(pureBlake3(utf8(w.scripts[app.cmd!.script])))).toBe(app.cmd!.script);
    expect(base32(pureBlake3(utf8(canonicalJson({ format: 'ix-node/2', node: rest }))), 32)).toBe(app.id);
    expect(JSON.stringify(w)).not.toContain(PLACEHOLDER);
  });

  test('a change in a dependency cascades to dependents and leaves the rest alone', () => {
    const a = planOf(memIO(world), ['bin/app', 'bin/toolrun']);
    const b = planOf(memIO({ 'lib/zz/ix.sh': recipe({ script: 'echo zz changed', run_data: ['aux/zzdata'] }) }, world), ['bin/app', 'bin/toolrun']);
    expect(one(b, 'lib/zz').out).not.toBe(one(a, 'lib/zz').out);
    expect(one(b, 'lib/z').out).not.toBe(one(a, 'lib/z').out);
    expect(one(b, 'bin/app').out).not.toBe(one(a, 'bin/app').out);
    for (const same of ['bld/tool', 'bin/toolrun', 'lib/rt', 'aux/d', 'bin/helper']) expect(one(b, same).out).toBe(one(a, same).out);
  });

  test('script args, pools and seeds', () => {
    const io = memIO({
      'bin/a/ix.sh': recipe({ script: 'print(1)', args: ['python3', '-'], pool: 'full' }),
      'bld/boot/seed/ix.sh': recipe({ script: 'unpack', seed: true }),
    });
    const p = planOf(io, ['bin/a', 'bld/boot/seed']);
    expect(one(p, 'bin/a').cmd!.argv).toEqual(['python3', '-']);
    expect(one(p, 'bin/a').pool).toBe('full');
    expect(one(p, 'bld/boot/seed').seed).toBe(true);
  });

  test('network only for fixed-output nodes; bad pools and misplaced seeds are errors', () => {
    const io = memIO({
      'bin/net/ix.sh': recipe({ script: 'curl x', net: true }),
      'bin/pool/ix.sh': recipe({ script: 'x', pool: 'huge' }),
      'bin/seed/ix.sh': recipe({ script: 'x', seed: true }),
    });
    expect(err(() => plan(io, { packages: ['bin/net'] }))).toBe(
      'asks for network access but is not fixed-output (only fetch sources and builds that declare their output files with predict_outputs may use the network) (package bin/net)',
    );
    expect(err(() => plan(io, { packages: ['bin/pool'] }))).toMatch(/unknown task_pool 'huge'.*\(package bin\/pool\)/);
    expect(err(() => plan(io, { packages: ['bin/seed'] }))).toMatch(/only allowed for bld\/boot/);
  });
});

describe('fixed-output seeds', () => {
  const TREE = (c: string) => `blake3:${c.repeat(64)}`;
  const seedIO = (script: string, fixed: unknown, more: Record<string, string> = {}) => memIO({
    'bld/boot/bb/ix.sh': recipe({ script, seed: true, fixed, fetch: [{ url: 'apt:bb=1/amd64', sha256: SHA('a') }] }),
    ...more,
  });

  test('the id depends on the store name and the pinned tree hash only, not on the script or its inputs', () => {
    const a = one(planOf(seedIO('dpkg-deb -x', TREE('1')), ['bld/boot/bb']), 'bld/boot/bb');
    const b = one(planOf(memIO({
      'bld/boot/bb/ix.sh': recipe({ script: 'ar x; tar -x', seed: true, fixed: TREE('1'), fetch: [{ url: 'apt:bb=2/amd64', sha256: SHA('b') }] }),
    }), ['bld/boot/bb']), 'bld/boot/bb');
    const c = one(planOf(seedIO('dpkg-deb -x', TREE('2')), ['bld/boot/bb']), 'bld/boot/bb');
    expect(a.fixed).toBe(TREE('1'));
    expect(a.seed).toBe(true);
    expect(b.id).toBe(a.id);
    expect(c.id).not.toBe(a.id);
    // the node still sees its own output path
    expect(a.cmd!.env.out).toBe(a.out);
    expect(a.out).toBe(`/ix/store/${a.id}-${a.storeName}`);
    expect(JSON.stringify(a)).not.toContain(PLACEHOLDER);
  });

  test('a dependent of a fixed seed changes only when the pinned hash does', () => {
    const user = { 'bin/u/ix.sh': recipe({ script: 'use', deps: ['bld/boot/bb'] }) };
    const a = one(planOf(seedIO('one way', TREE('1'), user), ['bin/u']), 'bin/u');
    const b = one(planOf(seedIO('another way', TREE('1'), user), ['bin/u']), 'bin/u');
    const c = one(planOf(seedIO('one way', TREE('3'), user), ['bin/u']), 'bin/u');
    expect(b.id).toBe(a.id);
    expect(c.id).not.toBe(a.id);
  });

  test('"fixed" needs a seed and a well-formed tree hash', () => {
    const io = memIO({
      'bld/boot/nofix/ix.sh': recipe({ script: 'x', fixed: TREE('1') }),
      'bld/boot/short/ix.sh': recipe({ script: 'x', seed: true, fixed: 'blake3:12' }),
      'bld/boot/num/ix.sh': recipe({ script: 'x', seed: true, fixed: 12 }),
    });
    expect(err(() => plan(io, { packages: ['bld/boot/nofix'] }))).toMatch(/"fixed".*only allowed on seeds.*\(package bld\/boot\/nofix\)/);
    expect(err(() => plan(io, { packages: ['bld/boot/short'] }))).toMatch(/"fixed" must be blake3:<64 hex digits>, got 'blake3:12'/);
    expect(err(() => plan(io, { packages: ['bld/boot/num'] }))).toMatch(/fixed must be a string/);
  });
});

describe('fetch nodes', () => {
  const src = (url: string, sha = SHA('b'), name?: string) => ({ url, sha256: sha, ...(name ? { name } : {}) });
  test('fixed-output: the id depends on file name and sha256 only, never on the URL', () => {
    const a = one(planOf(memIO({ 'bin/a/ix.sh': recipe({ script: 'x', fetch: [src('https://one.example/f-1.tar.xz')] }) }), ['bin/a']), 'fetch:f-1.tar.xz');
    const b = one(planOf(memIO({ 'bin/a/ix.sh': recipe({ script: 'x', fetch: [src('https://mirror.example/pub/f-1.tar.xz')] }) }), ['bin/a']), 'fetch:f-1.tar.xz');
    const c = one(planOf(memIO({ 'bin/a/ix.sh': recipe({ script: 'x', fetch: [src('https://one.example/f-1.tar.xz', SHA('c'))] }) }), ['bin/a']), 'fetch:f-1.tar.xz');
    expect(a.id).toBe(b.id);
    expect(a.id).not.toBe(c.id);
    expect(a).toMatchObject({ pool: 'net', net: true, inputs: [], fetch: { urls: ['https://one.example/f-1.tar.xz'], sha256: SHA('b'), file: 'f-1.tar.xz' } });
    expect(a.cmd).toBeUndefined();
  });

  test('one node per source; URLs of the same source are merged; several sources go into src', () => {
    const io = memIO({
      'bin/a/ix.sh': recipe({ script: 'x', fetch: [src('https://one.example/f-1.tar.xz'), src('https://one.example/p.diff', SHA('d'))] }),
      'bin/b/ix.sh': recipe({ script: 'y', fetch: [src('https://two.example/f-1.tar.xz')] }),
    });
    const p = planOf(io, ['bin/a', 'bin/b']);
    const f = one(p, 'fetch:f-1.tar.xz');
    expect(f.fetch!.urls).toEqual(['https://one.example/f-1.tar.xz', 'https://two.example/f-1.tar.xz']);
    expect(one(p, 'bin/a').cmd!.env.src).toBe(`${f.out} ${one(p, 'fetch:p.diff').out}`);
    expect(one(p, 'bin/b').inputs).toEqual([f.out]);
  });

  test('a given name wins; apt: URLs are stored as apt-get names', () => {
    const io = memIO({
      'bin/a/ix.sh': recipe({ script: 'x', fetch: [src('https://x.example/download?id=3', SHA('1'), 'x-3.tgz'), src('apt:dash=0.5.12-2/amd64', SHA('2'))] }),
    });
    const p = planOf(io, ['bin/a']);
    expect(p.nodes.filter((n) => n.fetch).map((n) => n.fetch!.file).sort()).toEqual(['dash_0.5.12-2_amd64.deb', 'x-3.tgz']);
  });
});

describe('order and determinism', () => {
  test('nodes come after everything they use; ties are broken by out path', () => {
    const p = planOf(memIO(world), ['bin/app', 'set/all']);
    const pos = new Map(p.nodes.map((n, i) => [n.out, i]));
    for (const [i, n] of p.nodes.entries()) for (const d of [...n.inputs, ...n.runtime]) expect(pos.get(d)!).toBeLessThan(i);
    // the leaves (no deps) come first, sorted by out path
    const leaves = p.nodes.filter((n) => n.inputs.length === 0 && n.runtime.length === 0).map((n) => n.out);
    expect(p.nodes.slice(0, 1).map((n) => n.out)).toEqual([[...leaves].sort()[0]]);
  });

  test('the same bytes whatever the request order, file order or listDir order', () => {
    const shuffled: Record<string, string> = {};
    for (const k of Object.keys(world).reverse()) shuffled[k] = world[k as keyof typeof world];
    const a = planOf(memIO(world), ['bin/app', 'set/all']);
    const b = planOf(memIO(shuffled), ['set/all', 'bin/app']);
    expect(b.nodes).toEqual(a.nodes);
    expect(b.roots).toEqual([a.roots[1], a.roots[0]]);
    const bytes = plan(memIO(world), { packages: ['bin/app'] });
    expect(plan(memIO(shuffled), { packages: ['bin/app'] })).toEqual(bytes);
    expect(utf8Decode(bytes)).toBe(canonicalJson(JSON.parse(utf8Decode(bytes))));
  });
});

describe('errors', () => {
  test('a dependency cycle is reported with its path', () => {
    const io = memIO({
      'bin/a/ix.sh': recipe({ script: 'a', lib: ['lib/b'] }),
      'lib/b/ix.sh': recipe({ script: 'b', lib: ['lib/c'] }),
      'lib/c/ix.sh': recipe({ script: 'c', lib: ['lib/b'] }),
      'bin/t/ix.sh': recipe({ script: 't', deps: ['bin/u'] }),
      'bin/u/ix.sh': recipe({ script: 'u', deps: ['bin/t'] }),
      'bin/r/ix.sh': recipe({ script: 'r', run: ['bin/r'] }),
    });
    expect(err(() => plan(io, { packages: ['bin/a'] }))).toBe('dependency cycle: lib/b -> lib/c -> lib/b');
    expect(err(() => plan(io, { packages: ['bin/t'] }))).toBe('dependency cycle: bin/t -> bin/u -> bin/t');
    expect(err(() => plan(io, { packages: ['bin/r'] }))).toBe('dependency cycle: bin/r -> bin/r');
  });

  test('an unknown package gets a suggestion; an unknown dependency names who needs it', () => {
    const io = memIO({ 'bin/zstd/ix.sh': recipe({ script: 'z' }), 'bin/b/ix.sh': recipe({ script: 'b', lib: ['lib/zstdd'] }), 'lib/zstd/ix.sh': recipe({ script: 'l' }) });
    expect(err(() => plan(io, { packages: ['bin/zstdd'] }))).toBe("unknown package 'bin/zstdd' (did you mean bin/zstd?)");
    expect(err(() => plan(io, { packages: ['bin/qqqqqqqqqq'] }))).toBe("unknown package 'bin/qqqqqqqqqq'");
    expect(err(() => plan(io, { packages: ['bin/b'] }))).toBe("unknown package 'lib/zstdd' (did you mean lib/zstd?) (package bin/b)");
  });

  test('evaluator errors name the package and the chain that needed it', () => {
    const io = memIO({
      'bin/a/ix.sh': recipe({ script: 'a', lib: ['lib/b'] }),
      'lib/b/ix.sh': recipe({ script: 'b', lib: ['lib/bad'] }),
      'lib/bad/ix.sh': '{% if %}\n',
      'lib/json/ix.sh': '{"bld": \n',
    });
    const m = err(() => plan(io, { packages: ['bin/a'] }));
    expect(m).toMatch(/^lib\/bad\/ix\.sh:1: .*\(package bin\/a -> lib\/b -> lib\/bad\)$/);
    expect(err(() => plan(io, { packages: ['lib/json'] }))).toMatch(/not valid JSON.*\(package lib\/json\)$/);
  });

  test('bad flags, unknown targets and too large graphs are errors', () => {
    expect(err(() => plan(memIO(world), { packages: ['bin/app'], flags: { x: 1 as unknown as string } }))).toBe("flag 'x' must be a string");
    expect(err(() => plan(memIO(world), { packages: ['bin/app'], target: 'plan9-mips' }))).toMatch(/unknown target 'plan9-mips'/);
    const g = new Graph(memIO(world), evaluator, 'linux-x86_64', 3);
    const app = g.instance('bin/app', {});
    expect(err(() => g.runClosure(app))).toMatch(/plan too large: more than 3 distinct package instances/);
  });
});

describe('descriptor cache', () => {
  const tree = (): Record<string, string> => ({
    'die/base.sh': recipe({ script: '{% block build %}{% endblock %} v1' }),
    'bin/c/ix.sh': "{% extends '//die/base.sh' %}\n{% block build %}echo c{% endblock %}\n",
    'bin/d/ix.sh': recipe({ script: 'd', deps: ['bin/c'] }),
  });

  test('a warm re-plan renders nothing and gives the same bytes', () => {
    const io = memIO(tree());
    const ev = counting();
    const cold = canonicalJson(makePlan(io, { packages: ['bin/d'] }, ev));
    expect(ev.renders).toHaveLength(2);
    const ev2 = counting();
    expect(canonicalJson(makePlan(io, { packages: ['bin/d'] }, ev2))).toBe(cold);
    expect(ev2.renders).toEqual([]);
    expect([...io.cache.keys()].every((k) => /^(desc1|node1)-[0-9a-f]{64}$/.test(k) || k.startsWith('tpl'))).toBe(true);
    // both nodes were built once, by the cold plan (engine/plan/node-memo.ts)
    expect([...io.cache.keys()].filter((k) => k.startsWith('node1-'))).toHaveLength(2);
  });

  test('a change in a file the chain read (here an extended template) invalidates the entry', () => {
    const files = tree();
    const io = memIO(files);
    const before = makePlan(io, { packages: ['bin/d'] }, counting());
    files['die/base.sh'] = recipe({ script: '{% block build %}{% endblock %} v2' });
    const ev = counting();
    const after = makePlan(io, { packages: ['bin/d'] }, ev);
    expect(ev.renders.map((r) => r.split(' ')[0])).toEqual(['bin/c']);
    const c = (p: PlanWire) => expandPlan(p).nodes.find((n) => n.name === 'bin/c')!;
    expect(c(after).cmd!.stdin).toBe('echo c v2');
    expect(c(after).out).not.toBe(c(before).out);
  });

  test('an entry of another format or garbage is ignored', () => {
    const io = memIO(tree());
    const cold = canonicalJson(makePlan(io, { packages: ['bin/d'] }, counting()));
    for (const k of io.cache.keys()) if (k.startsWith('desc1-')) io.cache.set(k, utf8('{"format":"ix-descriptor-cache/0"}'));
    const ev = counting();
    expect(canonicalJson(makePlan(io, { packages: ['bin/d'] }, ev))).toBe(cold);
    expect(ev.renders).toHaveLength(2);
    for (const k of io.cache.keys()) if (k.startsWith('desc1-')) io.cache.set(k, Uint8Array.of(0xff, 0x00));
    expect(canonicalJson(makePlan(io, { packages: ['bin/d'] }, counting()))).toBe(cold);
  });

  test('the flags the chain read, target and host are part of the key; other flags are not', () => {
    const files = { ...tree(), 'bin/e/ix.sh': "{% extends '//die/base.sh' %}\n{% block build %}echo {{ x }}{% endblock %}\n" };
    const io = memIO(files);
    makePlan(io, { packages: ['bin/c', 'bin/e'] }, counting());
    for (const req of [{ packages: ['bin/e(x=1)'] }, { packages: ['bin/c'], target: 'linux-aarch64' }, { packages: ['bin/c'], host: 'linux-aarch64' }]) {
      const ev = counting();
      makePlan(io, req, ev);
      expect(ev.renders).toHaveLength(1);
    }
    // bin/c never looks x up: its render is the one already stored, though its node differs
    const ev = counting();
    const p = makePlan(io, { packages: ['bin/c(x=1)'] }, ev);
    expect(ev.renders).toEqual([]);
    expect(p.nodes[0].out).not.toBe(makePlan(io, { packages: ['bin/c'] }, counting()).nodes[0].out);
    expect(canonicalJson(p)).toBe(canonicalJson(makePlan(memIO(files), { packages: ['bin/c(x=1)'] }, counting(), { shareRenders: false })));
  });

  test('one plan renders a package once per distinct value of the flags its chain read', () => {
    const files = {
      ...tree(),
      'bin/e/ix.sh': "{% extends '//die/base.sh' %}\n{% block build %}echo {% if y %}{{ x }}{% endif %}{% endblock %}\n",
      'set/s/ix.sh': recipe({ script: '', run: ['bin/e(x=1)', 'bin/e(x=2)', 'bin/e(x=1,z=3)', 'bin/e(x=1,y=1)', 'bin/e(x=2,y=1)', 'bin/e(x=2,y=1,z=4)'] }),
    };
    const ev = counting();
    const shared = makePlan(memIO(files), { packages: ['set/s'] }, ev);
    // no y: x is never read, one render; with y: one per value of x
    expect(ev.renders.filter((r) => r.startsWith('bin/e '))).toHaveLength(3);
    const all = counting();
    const alone = makePlan(memIO(files), { packages: ['set/s'] }, all, { shareRenders: false });
    expect(all.renders.filter((r) => r.startsWith('bin/e '))).toHaveLength(6);
    expect(canonicalJson(shared)).toBe(canonicalJson(alone));
    expect(new Set(shared.nodes.filter((n) => n.name === 'bin/e').map((n) => n.out)).size).toBe(6);
  });
});

describe('listPackages and render', () => {
  test('every directory holding ix.sh, without die/, sorted', () => {
    const io = memIO({ 'bin/z/ix.sh': '', 'bin/a/ix.sh': '', 'bin/a/sub/ix.sh': '', 'lib/c++/ix.sh': '', 'die/c/ix.sh': '', 'bin/a/patch.diff': '', 'README': '' });
    expect(listPackages(io)).toEqual(['bin/a', 'bin/a/sub', 'bin/z', 'lib/c++']);
    expect(listPackages(memIO({}))).toEqual([]);
  });

  test('render returns exactly the text the chain rendered, for the requested flags and target', () => {
    const io = memIO({ 'bin/r/ix.sh': '{"bld": {"script": {"kind": "sh", "data": "{{ target.name }} {{ x }}"}}}\n\n\n\n' });
    expect(render(io, { package: 'bin/r(x=1)', target: 'linux-aarch64' })).toBe('{"bld": {"script": {"kind": "sh", "data": "linux-aarch64 1"}}}\n\n');
    expect(render(io, { package: 'bin/r', flags: { x: '2' } })).toBe('{"bld": {"script": {"kind": "sh", "data": "linux-x86_64 2"}}}\n\n');
    expect(err(() => render(io, { package: 'bin/q' }))).toMatch(/unknown package 'bin\/q'/);
  });
});

describe('scale', () => {
  let blake3: Awaited<ReturnType<typeof createBLAKE3>>;
  beforeAll(async () => {
    blake3 = await createBLAKE3();
  });
  test('5,000 distinct packages sharing one die template plan in a few seconds', () => {
    const files: Record<string, string> = {
      'die/base.sh': recipe({ script: '{% block build %}{% endblock %}', deps: ['bld/cc'] }).replace('"lib":{"deps":[]}', '"lib":{"deps":[{% block libs %}{% endblock %}]}'),
      'bld/cc/ix.sh': recipe({ script: 'cc', ind: ['lib/c'] }),
      'lib/c/ix.sh': recipe({ script: 'libc' }),
    };
    // 100 groups of 50 libraries; inside a group each depends on up to three earlier ones
    const N = 5000;
    for (let i = 0; i < N; i++) {
      const deps = [1, 7, 20].map((k) => i - k).filter((j) => j >= 0 && Math.floor(j / 50) === Math.floor(i / 50));
      files[`lib/p${i}/ix.sh`] = `{% extends '//die/base.sh' %}\n{% block build %}make p${i}{% endblock %}\n{% block libs %}${deps.map((j) => `"lib/p${j}"`).join(',')}{% endblock %}\n`;
    }
    const tops = Array.from({ length: 100 }, (_, g) => `lib/p${g * 50 + 49}`);
    files['bin/top/ix.sh'] = recipe({ script: 'top', lib: tops });
    const io = memIO(files);
    // as the Node host does: a fast native-speed BLAKE3 (hash-wasm), equal to the pure one (hash.test.ts)
    io.digest = (d) => blake3.init().update(d).digest('binary');
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const p = planOf(io, ['bin/top']);
    const cold = performance.now() - t0;
    const coldCpu = process.cpuUsage(c0).user / 1000;
    expect(p.nodes).toHaveLength(N + 3);
    expect(one(p, "bin/top").inputs).toHaveLength(N);
    const c1 = process.cpuUsage();
    const t1 = performance.now();
    expect(planOf(io, ['bin/top'])).toEqual(p);
    const warm = performance.now() - t1;
    const warmCpu = process.cpuUsage(c1).user / 1000;
    const ms = (x: number): string => `${Math.round(x)} ms`;
    console.log(`5000-package plan: cold ${ms(cold)} (cpu ${ms(coldCpu)}), warm ${ms(warm)} (cpu ${ms(warmCpu)})`);
    // CPU time, not wall time: this machine is shared; generous bounds, real numbers in the log
    expect(coldCpu).toBeLessThan(20_000);
    expect(warmCpu).toBeLessThan(coldCpu);
  });

  test('a 3,000-deep chain of tools plans without exhausting the JS stack', () => {
    const files: Record<string, string> = { 'bld/t0/ix.sh': recipe({ script: 't0' }) };
    for (let i = 1; i < 3000; i++) files[`bld/t${i}/ix.sh`] = recipe({ script: `t${i}`, deps: [`bld/t${i - 1}`] });
    const p = planOf(memIO(files), ['bld/t2999']);
    expect(p.nodes).toHaveLength(3000);
    expect(p.nodes.map((n) => n.name).slice(0, 3)).toEqual(['bld/t0', 'bld/t1', 'bld/t2']);
  });
});

describe('IX trees: whole-tree planning, intro(), template-path names', () => {
  const files = {
    'bin/ok/ix.sh': recipe({ script: 'echo ok', lib: ['lib/dep/ix.sh'] }),
    'lib/dep/ix.sh': recipe({ script: 'echo dep' }),
    'bin/bad/ix.sh': recipe({ script: 'echo bad', deps: ['bin/missing'] }),
    'bin/undef/ix.sh': '{{ nothing.attr }}',
    'etc/svc/ix.sh': recipe({ script: "dep-id={{ intro('lib/dep').uid }} {{ intro(srv) | string | length > 0 }}" }),
  };

  test('keepGoing: every package plans or carries its one-line error; without it the first error fails the plan', () => {
    const p = planOf(memIO(files), ['bin/ok', 'bin/bad', 'bin/undef', 'bin/ok'], { keepGoing: true });
    expect(p.roots.map((r) => [r.request, r.out !== undefined, r.error])).toEqual([
      ['bin/ok', true, undefined],
      ['bin/bad', false, "unknown package 'bin/missing' (package bin/bad)"],
      ['bin/undef', false, "bin/undef/ix.sh:1: attribute 'attr' of an undefined value (package bin/undef)"],
      ['bin/ok', true, undefined],
    ]);
    expect(() => planOf(memIO(files), ['bin/ok', 'bin/bad'])).toThrow(/unknown package 'bin\/missing'/);
  });

  test('a dependency named by its template path (lib/dep/ix.sh) is the package lib/dep', () => {
    const p = planOf(memIO(files), ['bin/ok', 'lib/dep']);
    expect(p.nodes.filter((n) => n.name === 'lib/dep')).toHaveLength(1);
  });

  test('intro(selector).uid is the store id of that package as planned with this package\'s flags', () => {
    const p = planOf(memIO(files), ['etc/svc(srv=bin/ok)', 'lib/dep'], { target: 'linux-x86_64' });
    const svc = p.nodes.find((n) => n.name === 'etc/svc')!;
    // lib/dep with etc/svc's own flags (srv, and its kind): neither the requested lib/dep nor
    // the one bin/ok links (intro(srv) plans bin/ok with those flags too)
    const deps = p.nodes.filter((n) => n.name === 'lib/dep');
    expect(deps).toHaveLength(3);
    const dep = deps.find((n) => n.flags.srv === 'bin/ok' && n.flags.kind === svc.flags.kind)!;
    expect(svc.cmd!.stdin).toContain(`dep-id=${dep.id} True`);
    expect(() => render(memIO(files), { package: 'etc/svc', flags: { srv: 'bin/ok' } })).not.toThrow();
  });

  test('libraries of a buildable bootstrap package render with boot=True, as IX marks them', () => {
    const io = memIO({
      'bld/boot/t/ix.sh': recipe({ script: 'echo t', lib: ['lib/y'] }),
      'bin/n/ix.sh': recipe({ script: 'echo n', lib: ['lib/y'] }),
      'lib/y/ix.sh': recipe({ script: 'echo boot=[{{ boot }}] setx=[{{ setx }}]' }),
    });
    const p = planOf(io, ['bld/boot/t', 'bin/n']);
    const ys = p.nodes.filter((n) => n.name === 'lib/y').map((n) => [n.flags.boot, n.cmd!.stdin]);
    expect(ys.sort()).toEqual([['True', 'echo boot=[True] setx=[1]'], [undefined, 'echo boot=[False] setx=[]']].sort());
    expect(p.nodes.find((n) => n.name === 'bld/boot/t')!.flags.boot).toBeUndefined();
  });
});

describe('IX build nodes that use the network', () => {
  test('net with predict_outputs is a fixed-output build node (test/fixed-output.test.ts); the prediction must be well-formed', () => {
    const withPredict = recipe({ script: 'git fetch', net: true }).replace('"net":true', '"net":true,"predict_outputs":[{"path":"share/x.pzd","sum":"' + SHA('A') + '"}]');
    expect(one(planOf(memIO({ 'aux/x/ix.sh': withPredict }), ['aux/x']), 'aux/x')).toMatchObject({ net: true, pool: 'net', fixedFiles: [{ path: 'share/x.pzd', sha256: SHA('a') }] });
    const bad = recipe({ script: 'x' }).replace('"net":false', '"net":false,"predict_outputs":[{"path":1}]');
    expect(() => planOf(memIO({ 'aux/y/ix.sh': bad }), ['aux/y'])).toThrow(/predict_outputs must be a list of \{path, sum\} strings/);
  });
});
