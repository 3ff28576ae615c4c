// The compiled core's planner (wasm/as/plan) against the oracle (engine/plan, engine/eval/
// normalise.ts): selectors, descriptor normalisation, and whole plans of generated recipe trees
// whose ix.sh files are descriptors written out as JSON (a stand-in evaluator on both sides, so
// the graph, closures, node ids, fetch and fixed-output nodes, order, errors, cycles and
// keep-going are compared without templates), byte for byte.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PlanRequest } from '../engine/api';
import { IxError } from '../engine/errors';
import { canonicalJson } from '../engine/hash/index';
import { normaliseDescriptor, parseDescriptorJson } from '../engine/eval/normalise';
import { answerOf, makePlan } from '../engine/plan/index';
import { PLACEHOLDER } from '../engine/plan/node';
import { parseSelector } from '../engine/plan/selector';
import { listPackages } from '../engine/plan/packages';
import type { Evaluator } from '../engine/plan/types';
import { archRecord } from '../engine/targets';
import type { ArchRecord } from '../engine/targets';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { HostIO } from '../engine/api';
import { plan as enginePlan, render as engineRender } from '../engine/index';
import { compileEntry } from './support/core-asc';
import type { TestHost } from './support/core-asc';
import { memIO } from './support/memfs';

const ENTRY = `
import { IxErr } from '@as/errors';
import * as host from '@as/host';
import { utf8Decode, StrBuilder, writeStr } from '@as/hash/index';
import { Flags } from '@as/plan/flags';
import { Graph } from '@as/plan/graph';
import { Renderer, RenderOut } from '@as/plan/graph-hooks';
import { parseSelector } from '@as/plan/selector';
import { normalise, writeDescriptor } from '@as/plan/descriptor';
import { planRequest } from '@as/plan/planner';
import { setupCore, TplRenderer } from '@as/plan/evaluator';
import { renderRequest } from '@as/plan/planner';
import { listPackages } from '@as/plan/packages';
import { ByteBuilder } from '@as/hash/bytes';

/** Descriptors written out as JSON: the text is the file. */
class RawRenderer extends Renderer {
  render(g: Graph, name: string, flags: Flags, target: string): RenderOut {
    const out = new RenderOut();
    const b = host.readFile(name + '/ix.sh');
    if (b === null) out.err = new IxErr('raw: no ' + name + '/ix.sh');
    else {
      out.text = utf8Decode(b);
      out.files = [name + '/ix.sh'];
    }
    return out;
  }
}

function errText(e: IxErr): string {
  return (e.internal ? 'INTERNAL ' : 'ERR ') + e.format();
}

export function sel(text: string): string {
  const s = parseSelector(text);
  if (s.err !== null) return errText(s.err!);
  const sb = new StrBuilder();
  sb.str('{"flags":');
  s.flags.writeJson(sb);
  sb.str(',"name":');
  writeStr(sb, s.name);
  sb.str(',"removed":[');
  for (let i = 0; i < s.removed.length; i++) {
    if (i > 0) sb.ch(44);
    writeStr(sb, s.removed[i]);
  }
  sb.str(']}');
  return sb.toString();
}

export function norm(text: string): string {
  const r = normalise(text, 'p');
  if (r.err !== null) return errText(r.err!);
  const sb = new StrBuilder();
  writeDescriptor(sb, r.d!);
  return sb.toString();
}

export function planRaw(req: string, cache: bool): string {
  setupCore();
  const o = planRequest(req, new RawRenderer(), cache);
  if (o.err !== null) return errText(o.err!);
  if (o.bytes !== null) return utf8Decode(o.bytes!);
  return o.text!;
}

export function planTpl(req: string, cache: bool): string {
  setupCore();
  const o = planRequest(req, new TplRenderer(), cache);
  if (o.err !== null) return errText(o.err!);
  if (o.bytes !== null) return utf8Decode(o.bytes!);
  return o.text!;
}

export function renderTpl(req: string): string {
  setupCore();
  const o = renderRequest(req, new TplRenderer(), false);
  if (o.err !== null) return errText(o.err!);
  return o.text!;
}

/** \`a\` then \`b\` appended to a ByteBuilder (the plan's writer) from a small capacity, as hex. */
export function utf8Bytes(a: string, b: string): string {
  const bb = new ByteBuilder(16);
  bb.str(a);
  bb.ch(44);
  const sb = new StrBuilder(4);
  sb.str(b);
  bb.text(sb);
  const x = bb.bytes();
  let h = '';
  for (let i = 0; i < x.length; i++) h += (<i32>x[i] < 16 ? '0' : '') + (<i32>x[i]).toString(16);
  return h;
}

export function packages(): string {
  return listPackages().join('\\n');
}
`;

interface Mod {
  sel(text: string): string;
  norm(text: string): string;
  planRaw(req: string, cache: boolean): string;
  packages(): string;
  utf8Bytes(a: string, b: string): string;
  planTpl(req: string, cache: boolean): string;
  renderTpl(req: string): string;
}

let m: Mod;
let setHost: (h: TestHost) => void = () => {};
let dispose = (): void => {};
beforeAll(async () => {
  const c = await compileEntry<Mod>(ENTRY, { hostImports: true });
  m = c.mod;
  setHost = c.setHost;
  dispose = c.dispose;
}, 300_000);
afterAll(() => dispose());

const oracleErr = (e: unknown): string => {
  if (e instanceof IxError) return `ERR ${e.message}`;
  throw e;
};

describe('selectors', () => {
  test('parse as engine/plan/selector.ts parses them', () => {
    const fixed = ['bin/x', 'bin/x(k=v)', 'lib/z(kind=lib,a=1,a=-,b)', 'bld/python/', 'lib//trim', '/x', 'a/../b', 'x y', 'bin/x(', 'bin/x)', 'bin/x(k=v)y',
      'bin/x()', 'bin/x( )', 'bin/x(,)', 'bin/x(=v)', 'bin/x(1k=v)', 'etc/s(cmd=chown x /var; exec /bin/x)', 'bin/x(f=g(a,b),c=d)', 'bin/x(k=-,k=2)', '', 'a/./b', '.x/y', 'x/.y',
      'bin/x( k = v )', 'bin/x(k=\u00a0v\u00a0)', 'bin/x(target=-)', 'bin/x(k)'];
    for (const t of fixed) {
      let want: string;
      try {
        const s = parseSelector(t);
        const flags: Record<string, string> = {};
        for (const k of Object.keys(s.flags).sort()) flags[k] = s.flags[k];
        want = canonicalJson({ flags, name: s.name, removed: s.removed });
      } catch (e) {
        want = oracleErr(e);
      }
      expect(m.sel(t), JSON.stringify(t)).toBe(want);
    }
    const part = fc.constantFrom('bin', 'lib', 'x', '.', '..', '', 'a b', 'k', 'v', '=', '-', ',', '(', ')', ' ', '/', 'é', '\t', 'a.b', '_');
    fc.assert(fc.property(fc.array(part, { maxLength: 12 }), (parts) => {
      const t = parts.join('');
      let want: string;
      try {
        const s = parseSelector(t);
        const flags: Record<string, string> = {};
        for (const k of Object.keys(s.flags).sort()) flags[k] = s.flags[k];
        want = canonicalJson({ flags, name: s.name, removed: s.removed });
      } catch (e) {
        want = oracleErr(e);
      }
      expect(m.sel(t)).toBe(want);
    }), { numRuns: 5000 });
  });
});

describe('the plan writer (hash/bytes.ts)', () => {
  test('encodes as Buffer does, lone surrogates as U+FFFD, across its growth', () => {
    const unit = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme-ascii', maxLength: 200 }),
      fc.constantFrom('\ud800', '\udc00x', '\ud83d\ude00', 'é€', '\u07ff\u0800\uffff', 'a\ud800'));
    fc.assert(fc.property(unit, unit, (a, b) => {
      expect(m.utf8Bytes(a, b)).toBe(Buffer.from(a + ',' + b, 'utf8').toString('hex'));
    }), { numRuns: 2000 });
    // SIMD: sixteen code units a step; one non-ASCII unit at every offset of lengths 0-40
    for (let len = 0; len <= 40; len++) {
      const fill = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ'.slice(0, len);
      for (const prefix of ['', 'p'.repeat(len % 19)]) {
        expect(m.utf8Bytes(prefix, fill)).toBe(Buffer.from(prefix + ',' + fill, 'utf8').toString('hex'));
        for (let at = 0; at < len; at++) {
          for (const c of ['\u0080', '\u00e9', '\u20ac', '\ud800', '\udc00', '\uffff']) {
            const s = fill.slice(0, at) + c + fill.slice(at + 1);
            expect(m.utf8Bytes(s, prefix)).toBe(Buffer.from(s + ',' + prefix, 'utf8').toString('hex'));
            expect(m.utf8Bytes(prefix, s)).toBe(Buffer.from(prefix + ',' + s, 'utf8').toString('hex'));
          }
        }
      }
    }
  });
});

/** Oracle: normalised descriptor as canonical JSON, or the error line. */
function oracleNorm(text: string): string {
  try {
    return canonicalJson(normaliseDescriptor(parseDescriptorJson(text, 'p'), 'p'));
  } catch (e) {
    return oracleErr(e);
  }
}

const SHA = 'a'.repeat(64);
const anyJson = fc.oneof(fc.constant(null), fc.boolean(), fc.integer({ min: -3, max: 3 }), fc.constantFrom('', 'x', 'sh', 'cpu', 'full'), fc.constant([]), fc.constant({}), fc.constant(['a', 1]), fc.constant(['a', 'b']));
const fetchItem = fc.oneof(
  fc.record({ url: fc.constantFrom('https://h/a.tgz', 'https://h/b.tgz?x=1', 'apt:n=1:2/amd64'), sha256: fc.constantFrom(SHA, 'sha:' + SHA, 'SHA256:' + SHA.toUpperCase(), 'md5:x', 'b'.repeat(32), 'zz') }, { requiredKeys: [] }),
  fc.record({ url: fc.constant('https://h/c.tgz'), md5: fc.constantFrom('sha:' + SHA, null), name: fc.constantFrom('c.tgz', '', 'a/b', 1) }, { requiredKeys: ['url'] }),
  anyJson,
);
const descriptor = fc.record({
  bld: fc.oneof(anyJson, fc.record({
    fetch: fc.oneof(fc.array(fetchItem, { maxLength: 3 }), anyJson),
    script: fc.oneof(anyJson, fc.record({ kind: anyJson, data: anyJson, args: anyJson }, { requiredKeys: [] })),
    deps: anyJson, host_libs: anyJson, target_libs: anyJson, data: anyJson,
  }, { requiredKeys: [] })),
  run: fc.oneof(anyJson, fc.record({ deps: anyJson, data: anyJson }, { requiredKeys: [] })),
  lib: fc.oneof(anyJson, fc.record({ deps: anyJson }, { requiredKeys: [] })),
  ind: anyJson, fix: anyJson, net: anyJson, tmpfs: anyJson, isolate: anyJson, seed: anyJson, fixed: anyJson, task_pool: anyJson,
  predict_outputs: fc.oneof(anyJson, fc.array(fc.oneof(fc.record({ path: fc.constantFrom('a', 'b/c'), sum: fc.constantFrom(SHA, 'x') }), anyJson), { maxLength: 3 })),
  repo: fc.oneof(anyJson, fc.record({ name: anyJson, version: anyJson })),
}, { requiredKeys: [] });

describe('descriptor normalisation', () => {
  test('equals normaliseDescriptor on generated descriptors (errors included)', () => {
    fc.assert(fc.property(descriptor, (d) => {
      const text = JSON.stringify(d, null, 1);
      expect(m.norm(text)).toBe(oracleNorm(text));
    }), { numRuns: 5000 });
  });
  test('broken and non-object texts', () => {
    for (const t of ['', '[]', '1', 'null', '{"bld":', '{\n "a": tru\n}', '{"bld":{"script":{"data":"x"}}}x']) expect(m.norm(t), t).toBe(oracleNorm(t));
  });
});

/** The stand-in evaluator of the oracle: the ix.sh file is the descriptor text. */
const rawEv: Evaluator<ArchRecord> = {
  arch: archRecord,
  render: (io, input) => {
    const text = new TextDecoder().decode(io.readFile(`${input.name}/ix.sh`));
    return { text, descriptor: normaliseDescriptor(parseDescriptorJson(text, input.name), input.name), files: [`${input.name}/ix.sh`] };
  },
};

function hostOf(tree: Record<string, string>, cache?: Map<string, Uint8Array>): TestHost {
  const io = memIO(tree);
  return {
    readFile: (p) => io.readFile(p) ?? null,
    listDir: (p) => io.listDir(p) ?? null,
    cacheGet: (k) => cache?.get(k) ?? null,
    cachePut: (k, v) => {
      cache?.set(k, new TextEncoder().encode(v));
    },
  };
}

function oraclePlan(tree: Record<string, string>, req: PlanRequest): string {
  try {
    return canonicalJson(answerOf(makePlan(memIO(tree), req, rawEv), req));
  } catch (e) {
    return oracleErr(e);
  }
}

const NAMES = ['bin/a', 'bin/b', 'bin/c', 'lib/x', 'lib/y', 'lib/z', 'aux/d', 'bld/boot/s', 'set/h', 'etc/e', 'bin/missing', 'lib/xx'];
const GOOD = NAMES.filter((n) => n !== 'bin/missing');
/**
 * Selectors of the packages after index `i` (so the graph is mostly acyclic), now and then with a
 * flag; rarely a mistake or a package before `i` (a possible cycle).
 */
const selectorAfter = (i: number) => {
  const later = GOOD.slice(i + 1);
  const pool = later.length ? later : ['bin/missing'];
  return fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...pool) },
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...pool), fc.constantFrom('(k=v)', '(kind=lib)', '(k=-)', '(boot=)', '(target=linux-aarch64)', '/ix.sh', '(kind=bin,z=1)', '(setx)')).map(([n, f]) => n + f) },
    { weight: 1, arbitrary: fc.constantFrom('bin/missing', 'bin/x(', 'lib/y(target=nope)', 'one', 'bin/a(k=1)x', ...GOOD) },
  );
};
const depsAfter = (i: number) => fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(selectorAfter(i), { maxLength: 2 }) });
const recipe = (i: number) => {
  const deps = depsAfter(i);
  const bld = fc.record({
    script: fc.constantFrom({ data: 'echo $out\n' }, { data: 'echo $out\n' }, { data: 'cc -o $out/bin/x' }, { data: 'make' }, { data: '' }, {}, { data: 'y', args: ['bash', '-e'] }),
    deps, host_libs: deps, target_libs: deps, data: deps,
    fetch: fc.oneof({ weight: 2, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(fc.record({ url: fc.constantFrom('https://h/a.tgz', 'https://m/a.tgz', 'https://h/b.zip#f', 'apt:p=1:2/amd64'), sha256: fc.constantFrom(SHA, 'sha:' + 'b'.repeat(64)) }), { maxLength: 2 }) }),
  }, { requiredKeys: ['script'] });
  const sane = fc.record({
    bld,
    run: fc.record({ deps, data: deps }, { requiredKeys: [] }),
    lib: fc.record({ deps }, { requiredKeys: [] }),
    ind: fc.record({ deps }, { requiredKeys: [] }),
    task_pool: fc.constantFrom('cpu', 'full', 'slot', ''),
  }, { requiredKeys: ['bld'] });
  // the rarer parts: fixed-output builds, seeds, pins, and their mistakes
  const wild = fc.record({
    bld: fc.record({
      script: fc.constantFrom({ data: 'x', kind: 'py' }, { data: 'z' }),
      fetch: fc.constantFrom([], [{ url: 'https://h/', sha256: SHA }]),
    }),
    task_pool: fc.constantFrom('cpu', 'bad', 'constructor'),
    net: fc.boolean(),
    seed: fc.boolean(),
    fixed: fc.constantFrom(undefined, 'blake3:' + 'c'.repeat(64), 'blake3:x'),
    predict_outputs: fc.constantFrom(undefined, [{ path: 'share/f', sum: SHA.toUpperCase() }], [{ path: 'b', sum: 'x' }, { path: 'a', sum: SHA }], [{ path: 'a', sum: 'x' }, { path: 'a/b', sum: 'y' }], [{ path: '../a', sum: 'x' }], [{ path: 'a', sum: 'x' }, { path: 'a', sum: 'y' }]),
  }, { requiredKeys: ['bld'] });
  return fc.oneof({ weight: 12, arbitrary: sane }, { weight: 1, arbitrary: wild });
};
/** Every package present (now and then one missing), each with a generated recipe. */
const tree = fc.tuple(fc.tuple(...GOOD.map((_, i) => recipe(i))), fc.array(fc.boolean(), { minLength: GOOD.length, maxLength: GOOD.length })).map(([rs, drop]) => {
  const t: Record<string, string> = {};
  GOOD.forEach((n, i) => {
    if (!(drop[i] && i % 4 === 0)) t[`${n}/ix.sh`] = JSON.stringify(rs[i], null, 1);
  });
  return t;
});
const request = fc.record({
  packages: fc.array(fc.oneof({ weight: 8, arbitrary: selectorAfter(-1) }, { weight: 1, arbitrary: fc.constantFrom('bin/missing', 'bin/a(') }), { minLength: 1, maxLength: 3 }),
  target: fc.constantFrom(undefined, 'linux-x86_64', 'linux-aarch64', 'freebsd-x86_64'),
  keepGoing: fc.boolean(),
  flags: fc.constantFrom(undefined, {}, { k: 'v' }, { target: 'linux-aarch64' }, { setx: '1' }),
  output: fc.constantFrom(undefined, 'plan' as const, 'roots' as const),
}, { requiredKeys: ['packages'] });

describe('whole plans of generated JSON recipe trees', () => {
  test('equal makePlan byte for byte (errors, cycles and keep-going included)', () => {
    let plans = 0;
    let errors = 0;
    let tl = 0;
    let hl = 0;
    let src = 0;
    let hubs = 0;
    fc.assert(fc.property(tree, request, (t, req) => {
      setHost(hostOf(t));
      const want = oraclePlan(t, req as PlanRequest);
      const got = m.planRaw(JSON.stringify(req), false);
      if (want.startsWith('ERR ')) errors++;
      else plans++;
      if (/"MIX_T_DIR":"[^"]/.test(want)) tl++;
      if (/"MIX_H_DIR":"[^"]/.test(want)) hl++;
      if (/"src":"/.test(want)) src++;
      if (/"members":\["/.test(want)) hubs++;
      expect(got).toBe(want);
    }), { numRuns: 3000 });
    // both kinds of outcome were compared
    console.log('COUNTS', plans, errors, tl, hl, src, hubs);
    expect(plans).toBeGreaterThan(300);
    expect(errors).toBeGreaterThan(300);
    // plans with target and host libraries, sources and hubs were among them
    for (const n of [tl, hl, src, hubs]) expect(n).toBeGreaterThan(20);
  });
  test("the node's own id where a recipe spells its placeholder: script, argv, flags, env", () => {
    // each field the node's JSON fills with its id, and its script's hex from the filled text
    const t: Record<string, string> = {
      'bin/a/ix.sh': JSON.stringify({ bld: { script: { data: `echo ${PLACEHOLDER} $out\n`, args: ['sh', '-c', `x${PLACEHOLDER}y`] }, deps: ['lib/x'], target_libs: ['lib/x'] } }),
      'lib/x/ix.sh': JSON.stringify({ bld: { script: { data: `make ${PLACEHOLDER}${PLACEHOLDER}` } } }),
      'bin/b/ix.sh': JSON.stringify({ bld: { script: { data: 'make' }, deps: ['bin/a', 'lib/x(k=v)'] } }),
    };
    setHost(hostOf(t));
    for (const req of [{ packages: ['bin/a', 'bin/b'] }, { packages: ['bin/b'], flags: { k: `${PLACEHOLDER}-${PLACEHOLDER}` } }]) {
      const want = oraclePlan(t, req);
      expect(want.startsWith('{')).toBe(true);
      expect(want).not.toContain(PLACEHOLDER);
      expect(m.planRaw(JSON.stringify(req), false)).toBe(want);
    }
  });
  test('a dependency whose name spells the placeholder: its out (own id filled) in the env, PATH and dir lists', () => {
    // a build node's out never holds the placeholder (its own id replaced it), so the core
    // writes dependencies' outs without filling them; the oracle fills every env value
    const dep = `lib/p${PLACEHOLDER}q`;
    const t: Record<string, string> = {
      [`${dep}/ix.sh`]: JSON.stringify({ bld: { script: { data: `make ${PLACEHOLDER}` } } }),
      'bin/c/ix.sh': JSON.stringify({ bld: { script: { data: 'make' }, deps: [`${dep}(kind=bin)`], target_libs: [dep], host_libs: [dep] } }),
    };
    setHost(hostOf(t));
    const req = { packages: ['bin/c'] };
    const want = oraclePlan(t, req);
    expect(want.startsWith('{')).toBe(true);
    // the name and store name keep it; every out has the dependency's own id in its place
    expect(want).toContain(`"storeName":"lib-p${PLACEHOLDER}q"`);
    expect(want).toMatch(/"MIX_T_DIR":"\/ix\/store\/[a-z0-9]{32}-lib-p[a-z0-9]{32}q"/);
    expect(m.planRaw(JSON.stringify(req), false)).toBe(want);
  });
  test('a long chain and a cycle through a long chain', () => {
    const t: Record<string, string> = {};
    for (let i = 0; i < 300; i++) t[`lib/n${i}/ix.sh`] = JSON.stringify({ bld: { script: { data: `make ${i}` } }, lib: { deps: i < 299 ? [`lib/n${i + 1}`] : [] } });
    setHost(hostOf(t));
    const want = oraclePlan(t, { packages: ['lib/n0'] });
    expect(want.startsWith('{')).toBe(true);
    expect(m.planRaw(JSON.stringify({ packages: ['lib/n0'] }), false)).toBe(want);
    t['lib/n299/ix.sh'] = JSON.stringify({ bld: { script: { data: 'x' } }, lib: { deps: ['lib/n7'] } });
    setHost(hostOf(t));
    const cyc = oraclePlan(t, { packages: ['lib/n0'] });
    expect(cyc).toContain('dependency cycle');
    expect(m.planRaw(JSON.stringify({ packages: ['lib/n0'] }), false)).toBe(cyc);
    // a failure deep down names the chain that led to it, elided in the middle
    t['lib/n299/ix.sh'] = JSON.stringify({ bld: { script: { data: 'x' } }, lib: { deps: ['lib/nope'] } });
    setHost(hostOf(t));
    const deep = oraclePlan(t, { packages: ['lib/n0'] });
    expect(deep).toContain(' -> ... -> ');
    expect(m.planRaw(JSON.stringify({ packages: ['lib/n0'] }), false)).toBe(deep);
  });
  test('a failure below a node whose closure holds it twice names the oracle\'s chain', () => {
    const t: Record<string, string> = {
      'bin/b/ix.sh': JSON.stringify({ bld: { script: { data: 'e' } }, run: { deps: ['bld/boot/s'] } }),
      'bld/boot/s/ix.sh': JSON.stringify({ bld: { script: { data: 'e' } }, run: { data: ['set/h'] } }),
      'set/h/ix.sh': JSON.stringify({ bld: { script: { data: 'e' }, target_libs: ['lib/xx(k=v)'] } }),
      'lib/xx/ix.sh': JSON.stringify({ bld: { script: { data: 'e' }, host_libs: ['bin/missing'] } }),
    };
    setHost(hostOf(t));
    const want = oraclePlan(t, { packages: ['bin/b'] });
    expect(want).toBe("ERR unknown package 'bin/missing' (package bin/b -> bld/boot/s -> set/h -> lib/xx)");
    expect(m.planRaw(JSON.stringify({ packages: ['bin/b'] }), false)).toBe(want);
  });
  test('an unknown package gets the oracle suggestion; listPackages equals the oracle', () => {
    const t: Record<string, string> = { 'bin/zstd/ix.sh': '{"bld":{"script":{"data":"x"}}}', 'lib/z/ix.sh': '{}', 'die/x/ix.sh': '{}', 'bin/zstd/sub/ix.sh': '{}' };
    setHost(hostOf(t));
    for (const p of ['bin/zstf', 'lib/zz', 'bin/q', 'x', 'zstd', 'sub', 'z(kind=bin)']) expect(m.planRaw(JSON.stringify({ packages: [p] }), false)).toBe(oraclePlan(t, { packages: [p] }));
    expect(m.planRaw(JSON.stringify({ packages: ['sub'] }), false)).toContain('(did you mean bin/zstd/sub?)');
    expect(m.packages()).toBe(listPackages(memIO(t)).join('\n'));
  });
  test('the caches give the same bytes, warm, and see an edited recipe', () => {
    const t: Record<string, string> = {
      'bin/a/ix.sh': JSON.stringify({ bld: { script: { data: 'a' }, deps: ['bin/b'] }, lib: { deps: ['lib/x'] } }),
      'bin/b/ix.sh': JSON.stringify({ bld: { script: { data: 'b' } } }),
      'lib/x/ix.sh': JSON.stringify({ bld: { script: { data: 'x' } } }),
    };
    const cache = new Map<string, Uint8Array>();
    const req = JSON.stringify({ packages: ['bin/a'] });
    setHost(hostOf(t, cache));
    const want = oraclePlan(t, { packages: ['bin/a'] });
    expect(m.planRaw(req, true)).toBe(want);
    // no whole-plan entry (a host keeps that): descriptors and nodes
    expect([...cache.keys()].some((k) => k.startsWith('as-plan'))).toBe(false);
    expect([...cache.keys()].filter((k) => k.startsWith('as-node1-')).length).toBe(3);
    expect([...cache.keys()].filter((k) => k.startsWith('as-desc1-')).length).toBe(3);
    expect(m.planRaw(req, true)).toBe(want);
    t['bin/b/ix.sh'] = JSON.stringify({ bld: { script: { data: 'b2' } } });
    setHost(hostOf(t, cache));
    const want2 = oraclePlan(t, { packages: ['bin/a'] });
    expect(want2).not.toBe(want);
    expect(m.planRaw(req, true)).toBe(want2);
    // another request over the same descriptors: descriptor cache hits only
    expect(m.planRaw(JSON.stringify({ packages: ['bin/a', 'lib/x'] }), true)).toBe(oraclePlan(t, { packages: ['bin/a', 'lib/x'] }));
  });
  test('the node memo writes each store path of a node once; its entries give the same bytes, a bad token is a miss', () => {
    const t: Record<string, string> = {
      'bin/a/ix.sh': JSON.stringify({ bld: { script: { data: 'a' }, deps: ['bin/b', 'bin/c'] }, lib: { deps: ['lib/x'] } }),
      'bin/b/ix.sh': JSON.stringify({ bld: { script: { data: 'b' }, deps: ['bin/c'] } }),
      'bin/c/ix.sh': JSON.stringify({ bld: { script: { data: 'c' } } }),
      'lib/x/ix.sh': JSON.stringify({ bld: { script: { data: 'x' }, deps: ['bin/c'] } }),
    };
    const cache = new Map<string, Uint8Array>();
    const req = JSON.stringify({ packages: ['bin/a'] });
    setHost(hostOf(t, cache));
    const want = oraclePlan(t, { packages: ['bin/a'] });
    expect(m.planRaw(req, true)).toBe(want);
    const entries = [...cache.entries()].filter(([k]) => k.startsWith('as-node1-'));
    expect(entries.length).toBe(4);
    let tokens = 0;
    for (const [, v] of entries) {
      const text = new TextDecoder().decode(v);
      expect(text.startsWith('ix-as-node-memo/3\n')).toBe(true);
      const paths = text.match(/\/ix\/store\/[a-z0-9]{32}-[A-Za-z0-9._+-]+/g) ?? [];
      expect(new Set(paths).size).toBe(paths.length);
      tokens += text.split('\x01').length - 1;
    }
    // bin/a's node names bin/c's out in its env, PATH and MIX_B_DIR: references after the first
    expect(tokens).toBeGreaterThan(4);
    expect(m.planRaw(req, true)).toBe(want);
    // a token past the paths defined before it (each node names its own out twice): misses, built again
    for (const [k, v] of entries) {
      const text = new TextDecoder().decode(v);
      const at = text.indexOf('\x01');
      expect(at).toBeGreaterThan(0);
      cache.set(k, new TextEncoder().encode(`${text.slice(0, at)}\x01ooo${text.slice(at + 4)}`));
    }
    expect(m.planRaw(req, true)).toBe(want);
    for (const [k] of entries) expect(new TextDecoder().decode(cache.get(k)!).includes('\x01ooo')).toBe(false);
  });
  test('the node memo refers to a path met before only where the whole path run is that path', () => {
    // its own out, then argv naming a longer path with the same id (a prefix met before, not a
    // reference) and the out followed by '/' (a reference): a reference is never followed by a
    // path character, and each distinct path is written out once
    const own = `/ix/store/${PLACEHOLDER}-bin-a`;
    const t: Record<string, string> = {
      'bin/a/ix.sh': JSON.stringify({ bld: { script: { data: 'a', args: ['sh', `${own}-longer.x`, `${own}/bin`, `${own}`, `${own}_z`] } } }),
    };
    const cache = new Map<string, Uint8Array>();
    const req = JSON.stringify({ packages: ['bin/a'] });
    setHost(hostOf(t, cache));
    const want = oraclePlan(t, { packages: ['bin/a'] });
    expect(m.planRaw(req, true)).toBe(want);
    const entries = [...cache.entries()].filter(([k]) => k.startsWith('as-node1-'));
    expect(entries.length).toBe(1);
    const text = new TextDecoder().decode(entries[0][1]);
    const defs = text.split('\x02').slice(1).map((d) => /^\/ix\/store\/[a-z0-9]{32}-[A-Za-z0-9._+-]+/.exec(d)?.[0] ?? '');
    expect(new Set(defs).size).toBe(defs.length);
    expect(defs.some((d) => d.endsWith('-bin-a-longer.x'))).toBe(true);
    expect(defs.some((d) => d.endsWith('-bin-a_z'))).toBe(true);
    const refs = text.split('\x01').slice(1);
    expect(refs.length).toBeGreaterThan(1);
    for (const r of refs) {
      expect(r).toMatch(/^[0-o]{3}/);
      expect(r.slice(3, 4)).not.toMatch(/[A-Za-z0-9._+-]/);
    }
    expect(m.planRaw(req, true)).toBe(want);
  });
  test('an answer of roots only is the whole plan\'s roots, and leaves the caches a whole plan leaves', () => {
    const t: Record<string, string> = {
      'bin/a/ix.sh': JSON.stringify({ bld: { script: { data: 'a' }, deps: ['bin/b'], fetch: [{ url: 'https://h/a', sha256: SHA }] }, lib: { deps: ['lib/x'] } }),
      'bin/b/ix.sh': JSON.stringify({ bld: { script: { data: 'b' } } }),
      'lib/x/ix.sh': JSON.stringify({ bld: { script: { data: 'x' } } }),
      'set/h/ix.sh': JSON.stringify({ run: { deps: ['bin/a', 'bin/b'] } }),
    };
    const packages = ['bin/a', 'set/h', 'bin/missing', 'lib/x'];
    const full = { packages, keepGoing: true };
    const roots = { ...full, output: 'roots' as const };
    const a = new Map<string, Uint8Array>();
    const b = new Map<string, Uint8Array>();
    const same = () => {
      expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
      for (const [k, v] of a) expect(Buffer.from(v).equals(Buffer.from(b.get(k)!)), k).toBe(true);
    };
    const step = () => {
      const want = oraclePlan(t, full);
      const wantRoots = oraclePlan(t, roots);
      expect(JSON.parse(wantRoots)).toEqual({ format: 'ix-plan-roots/1', host: 'linux-x86_64', roots: JSON.parse(want).roots, target: 'linux-x86_64' });
      setHost(hostOf(t, a));
      expect(m.planRaw(JSON.stringify(roots), true)).toBe(wantRoots);
      setHost(hostOf(t, b));
      expect(m.planRaw(JSON.stringify(full), true)).toBe(want);
      // the node memo and the kept graph are written as for the whole plan
      same();
    };
    step(); // cold
    step(); // every root reused from the kept graph
    t['lib/x/ix.sh'] = JSON.stringify({ bld: { script: { data: 'x2' } } });
    step(); // an edit below some roots
    // a whole plan after roots only: from the kept graph the roots-only plan left
    setHost(hostOf(t, a));
    expect(m.planRaw(JSON.stringify(full), true)).toBe(oraclePlan(t, full));
    t['bin/b/ix.sh'] = JSON.stringify({ bld: { script: { data: 'b2' } } });
    setHost(hostOf(t, a));
    expect(m.planRaw(JSON.stringify(roots), true)).toBe(oraclePlan(t, roots));
    expect(m.planRaw(JSON.stringify(full), true)).toBe(oraclePlan(t, full));
  });
  test('an output other than plan or roots is a malformed request in both', () => {
    setHost(hostOf({ 'bin/b/ix.sh': JSON.stringify({ bld: { script: { data: 'b' } } }) }));
    const req = { packages: ['bin/b'], output: 'nodes' };
    expect(() => makePlan(memIO({}), req as unknown as PlanRequest, rawEv)).toThrow("plan request field output must be 'plan' or 'roots'");
    expect(m.planRaw(JSON.stringify(req), false)).toBe("INTERNAL plan request field output must be 'plan' or 'roots'");
  });
});

// ---- real recipes through the template evaluator (wasm/as/tpl) ----

/** A HostIO over a directory (the repository's pkgs/). */
function dirIO(root: string): HostIO {
  return {
    readFile: (p) => {
      const f = join(root, p);
      return existsSync(f) && statSync(f).isFile() ? new Uint8Array(readFileSync(f)) : undefined;
    },
    listDir: (p) => {
      const d = join(root, p);
      if (!existsSync(d) || !statSync(d).isDirectory()) return undefined;
      return readdirSync(d, { withFileTypes: true }).map((e) => (e.isDirectory() ? `${e.name}/` : e.name));
    },
  };
}

const PKGS = join(import.meta.dirname, '../pkgs');
const TARGETS = ['linux-x86_64', 'linux-aarch64', 'freebsd-x86_64'];

describe('the repository\'s recipes through the template evaluator', () => {
  const io = dirIO(PKGS);
  const host: TestHost = { readFile: (p) => io.readFile(p) ?? null, listDir: (p) => io.listDir(p) ?? null, cacheGet: () => null, cachePut: () => {} };
  const oracle = (req: PlanRequest): string => {
    try {
      return new TextDecoder().decode(enginePlan(io, req));
    } catch (e) {
      return oracleErr(e);
    }
  };
  test('every package plans byte-identically on linux-x86_64, linux-aarch64 and freebsd-x86_64', () => {
    setHost(host);
    const names = listPackages(io);
    expect(names.length).toBeGreaterThan(20);
    const bad: string[] = [];
    let same = 0;
    let planned = 0;
    for (const target of TARGETS) {
      for (const name of names) {
        const req = { packages: [name], target, keepGoing: true };
        const want = oracle(req);
        const got = m.planTpl(JSON.stringify(req), false);
        if (want.startsWith('{') && !want.includes('"error":')) planned++;
        if (got === want) same++;
        else bad.push(`${target} ${name}: ${got.slice(0, 300)}`);
      }
    }
    console.log(`pkgs/ plans byte-identical: ${same} of ${names.length * TARGETS.length} (${planned} without errors)`);
    expect(bad).toEqual([]);
    expect(planned).toBeGreaterThan(names.length * 2);
  });
  test('every package\'s answer of roots only is its plan\'s roots, in both engines, on every target', () => {
    setHost(host);
    const names = listPackages(io);
    let hubs = 0;
    let errors = 0;
    for (const target of TARGETS) {
      for (const name of names) {
        const req: PlanRequest = { packages: [name], target, keepGoing: true };
        const whole = JSON.parse(oracle(req)) as { host: string; target: string; roots: unknown[] };
        const want = oracle({ ...req, output: 'roots' });
        expect(JSON.parse(want), `${target} ${name}`).toEqual({ format: 'ix-plan-roots/1', host: whole.host, roots: whole.roots, target: whole.target });
        expect(want).toBe(canonicalJson(JSON.parse(want)));
        expect(m.planTpl(JSON.stringify({ ...req, output: 'roots' }), false), `${target} ${name}`).toBe(want);
        if (want.includes('"members":')) hubs++;
        if (want.includes('"error":')) errors++;
      }
    }
    // hubs and failed roots were among them
    expect(hubs).toBeGreaterThan(0);
    expect(errors).toBeGreaterThan(0);
  });
  test('all packages in one plan, cold and warm through the caches, equal the oracle', () => {
    const cache = new Map<string, Uint8Array>();
    setHost({ ...host, cacheGet: (k) => cache.get(k) ?? null, cachePut: (k, v) => void cache.set(k, new TextEncoder().encode(v)) });
    const names = listPackages(io);
    for (const target of TARGETS) {
      const req = { packages: names, target, keepGoing: true };
      const want = oracle(req);
      expect(m.planTpl(JSON.stringify(req), true)).toBe(want);
      // another request over the same descriptors (descriptor cache), then the same one again
      // through the descriptor cache and the node memo (no whole-plan cache in the core)
      const one = { packages: [names[0]], target };
      expect(m.planTpl(JSON.stringify(one), true)).toBe(oracle(one));
      expect(m.planTpl(JSON.stringify(req), true)).toBe(want);
    }
  });
  test('all packages in one plan for roots only, cold and through the kept graph, equal the oracle and write its caches', () => {
    const names = listPackages(io);
    const target = 'linux-aarch64';
    const full: PlanRequest = { packages: names, target, keepGoing: true };
    const roots: PlanRequest = { ...full, output: 'roots' };
    const want = oracle(full);
    const wantRoots = oracle(roots);
    const a = new Map<string, Uint8Array>();
    const b = new Map<string, Uint8Array>();
    const on = (c: Map<string, Uint8Array>) => setHost({ ...host, cacheGet: (k) => c.get(k) ?? null, cachePut: (k, v) => void c.set(k, new TextEncoder().encode(v)) });
    for (let i = 0; i < 2; i++) {
      on(a);
      expect(m.planTpl(JSON.stringify(roots), true)).toBe(wantRoots);
      on(b);
      expect(m.planTpl(JSON.stringify(full), true)).toBe(want);
      expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
      for (const [k, v] of a) expect(Buffer.from(v).equals(Buffer.from(b.get(k)!)), k).toBe(true);
    }
    on(a);
    expect(m.planTpl(JSON.stringify(full), true)).toBe(want);
  });
  test('every package renders as the oracle renders it (text and normalised)', () => {
    setHost(host);
    const names = listPackages(io);
    let same = 0;
    for (const target of TARGETS) {
      for (const name of names) {
        for (const normalised of [false, true]) {
          const req = { package: name, target, normalised };
          let want: string;
          try {
            want = engineRender(io, req);
          } catch (e) {
            want = oracleErr(e);
          }
          expect(m.renderTpl(JSON.stringify(req)), `${target} ${name} ${normalised}`).toBe(want);
          same++;
        }
      }
    }
    expect(same).toBe(names.length * TARGETS.length * 2);
  });
});
