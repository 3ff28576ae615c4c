// The plan scanner (hosts/node/plan-scan.ts) keeps exactly what JSON.parse of the whole plan gives
// for the fields the memo head and the summary read: over generated plans (any JSON around the
// kept fields, any string contents, escapes, whitespace) and over the core's real plans of the
// pkgs/ tree, where the summary made from the scan equals the summary made from the parsed plan.
// Malformed bytes give undefined (the caller then parses), never a wrong answer.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import type { PlanWire } from '../engine/api';
import { expandPlan } from '../engine/plan/expand';
import { scanPlan } from '../hosts/node/plan-scan';
import { decodeSummary, encodeSummary } from '../hosts/node/plan-summary';
import { ensureCoreBuilt, ix, repoRoot } from './support/cli';

const KEPT = ['id', 'name', 'out', 'fixed', 'deps', 'libs', 'runDeps', 'libDeps'] as const;
const enc = (s: string) => new TextEncoder().encode(s);

/** What the scanner must give for `text`: the kept fields of JSON.parse's plan of its UTF-8 bytes. */
function expected(text: string) {
  const p = JSON.parse(new TextDecoder().decode(enc(text))) as PlanWire;
  return {
    host: p.host, target: p.target, roots: p.roots,
    nodes: p.nodes.map((n) => Object.fromEntries(KEPT.filter((k) => n[k] !== undefined).map((k) => [k, n[k]]))),
  };
}

const str = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('', '"', '\\', '\\"', 'a\\\\', '\u0000\n\t', '\u2028', '😀'));
const list = fc.array(str, { maxLength: 4 });
// JSON values the scanner steps over: every kind, nested
const { other } = fc.letrec((tie) => ({
  other: fc.oneof({ depthSize: 'small' }, str, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.boolean(), fc.constant(null),
    fc.array(tie('other'), { maxLength: 3 }), fc.dictionary(str, tie('other'), { maxKeys: 3 })),
}));
const node = fc.record({
  id: str, name: str, out: str, fixed: fc.option(str, { nil: undefined }), deps: list, libs: list, runDeps: list, libDeps: list,
  storeName: str, flags: fc.dictionary(str, other, { maxKeys: 3 }), pool: str, net: fc.boolean(),
  cmd: fc.record({ argv: list, script: str, env: fc.dictionary(str, str, { maxKeys: 4 }) }),
  extra: other,
}, { requiredKeys: ['id', 'name', 'out', 'deps', 'libs', 'runDeps', 'libDeps'] });
const plan = fc.record({
  format: fc.constant('ix-plan/4'), host: str, target: str,
  roots: fc.array(fc.record({ request: str, name: str, out: str, members: list, error: str }, { requiredKeys: ['request', 'name'] }), { maxLength: 4 }),
  nodes: fc.array(node, { maxLength: 6 }),
  scripts: fc.dictionary(str, str, { maxKeys: 4 }),
  zz: other,
});

/** JSON text of `v` with its keys in random order and random whitespace between tokens. */
function loose(v: unknown, ws: () => string): string {
  if (Array.isArray(v)) return '[' + ws() + v.map((x) => loose(x, ws)).join(ws() + ',' + ws()) + ws() + ']';
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).reverse();
    return '{' + ws() + keys.map((k) => JSON.stringify(k) + ws() + ':' + ws() + loose((v as Record<string, unknown>)[k], ws)).join(ws() + ',' + ws()) + ws() + '}';
  }
  return JSON.stringify(v);
}

describe('plan scanner', () => {
  test('gives what JSON.parse gives, canonical or not (fast-check)', () => {
    fc.assert(fc.property(plan, fc.infiniteStream(fc.constantFrom('', '', ' ', '\n', '\t\r ')), (p, wss) => {
      const canonical = canonicalize(p) as string;
      const it = wss[Symbol.iterator]();
      const text = loose(p, () => it.next().value as string);
      // the scanner (as for large plans) and the whole parse (small plans) alike
      for (const parseBelow of [0, Infinity]) {
        expect(scanPlan(enc(canonical), parseBelow)).toEqual(expected(canonical));
        expect(scanPlan(enc(' \n' + text + '\n'), parseBelow)).toEqual(expected(text));
      }
    }), { numRuns: 300 });
  });

  test('malformed bytes or missing fields give undefined, never a wrong answer (fast-check)', () => {
    fc.assert(fc.property(plan, fc.nat(), fc.constantFrom('', '}', ']', ',', ':', '"', '\\', 'x', '-', '0', 't'), (p, at, junk) => {
      const text = canonicalize(p) as string;
      const i = at % (text.length + 1);
      const broken = text.slice(0, i) + junk + text.slice(i + 1);
      let want: unknown;
      try {
        want = expected(broken);
      } catch {
        want = undefined;
      }
      // refused, or exactly what a parse gives (the contents of a skipped string are not checked,
      // so a bad escape there may pass: a full parse still rejects it)
      const got = scanPlan(enc(broken), 0);
      if (got !== undefined && want !== undefined) expect(got).toEqual(want);
      // parsed whole: exactly what the parse gives, or refused when it fails
      const parsed = scanPlan(enc(broken), Infinity);
      if (want === undefined) expect(parsed).toBeUndefined();
      else if (parsed !== undefined) expect(parsed).toEqual(want);
    }), { numRuns: 500 });
    const ok = '{"format":"ix-plan/4","host":"h","nodes":[],"roots":[],"scripts":{},"target":"t"}';
    expect(scanPlan(enc(ok))).toEqual({ host: 'h', target: 't', roots: [], nodes: [] });
    for (const bad of [ok.replace('ix-plan/4', 'ix-plan/3'), ok.replace('"host":"h",', ''), ok + 'x', ok.slice(0, -1), ok.replace('[]', '[{"id":"a"}]'),
      ok.replace('"nodes":[]', '"nodes":{}'), '[' + ok + ']', '', ok.replace(':{}', ':{"a":01}'), ok.replace(':{}', ':{"a":tru}'), ok.replace(':{}', ':{"a":1.}'),
      ok.replace(':{}', ':{"a":[1,]}'), ok.replace(':{}', ':{"a":"\\"}')]) {
      for (const parseBelow of [0, Infinity]) expect(scanPlan(enc(bad), parseBelow), bad).toBeUndefined();
    }
  });

  describe('real plans of the pkgs/ tree', () => {
    beforeAll(() => ensureCoreBuilt());
    const packages = (dir: string, prefix = ''): string[] => readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      return e.isDirectory() ? packages(dir, rel) : e.name === 'ix.sh' && prefix.includes('/') ? [prefix] : [];
    });

    test('the summary from the scan equals the summary from the parsed plan, on two targets', () => {
      const names = packages(join(repoRoot, 'pkgs'));
      expect(names.length).toBeGreaterThan(10);
      for (const target of ['linux-x86_64', 'linux-aarch64']) {
        const r = ix(['plan', '--json', '--keep-going', `--target=${target}`, ...names]);
        const text = r.out.slice(0, -1);
        const bytes = enc(text);
        const scan = scanPlan(bytes, 0)!;
        expect(scan).toEqual(expected(text));
        expect(scanPlan(bytes, Infinity)).toEqual(scan);
        expect(scan.nodes.length).toBeGreaterThan(20);
        const plan = expandPlan(JSON.parse(text) as PlanWire);
        const fromScan = encodeSummary(scan)!;
        expect(fromScan).toEqual(encodeSummary(plan));
        const s = decodeSummary(fromScan, scan.roots, scan.nodes.map((n) => n.out))!;
        expect(s.nodes.map((n) => [n.id, n.name, n.out, n.fixed, n.inputs, n.runtime])).toEqual(plan.nodes.map((n) => [n.id, n.name, n.out, n.fixed, n.inputs, n.runtime]));
      }
    });
  });
});
