// The compiled core's template evaluator (wasm/as/tpl) against the oracle (engine/eval renderText):
// the same text and files read, or the same one-line error, for hand-written templates of every
// construct and malformed input (test/support/core-tpl-cases.ts), for every pkgs/ package on the
// three targets, and for fast-check recipe trees (test/support/fuzz.ts, IX_FUZZ_RUNS); and the
// same arch records (canonical JSON with their ids) as engine/targets.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { HostIO } from '../engine/api';
import { renderText } from '../engine/eval/index';
import { defaultKind } from '../engine/eval/names';
import { canonicalJson } from '../engine/hash/index';
import { archRecord } from '../engine/targets';
import { IxError } from '../engine/errors';
import { compileEntry } from './support/core-asc';
import { TPL_CASES, type TplCase } from './support/core-tpl-cases';
import { world } from './support/fuzz';

const ROOT = resolve(import.meta.dirname, '..');
const TARGETS = ['linux-x86_64', 'linux-aarch64', 'freebsd-x86_64'];
const RUNS = Number(process.env.IX_FUZZ_RUNS ?? 150);
/** IX_FUZZ_SEED=<seed> runs the generated cases with another seed (a failure prints its seed). */
const SEED = process.env.IX_FUZZ_SEED ? Number(process.env.IX_FUZZ_SEED) : undefined;

/** Pieces of template syntax, well-formed and not, that random templates are joined from. */
const PIECES = ['{{', '}}', '{%', '%}', '{#', '#}', '{%-', '-%}', '-}}', ' ', '\n', 'x', 'if', 'for', 'in', 'endif', 'endfor', 'else',
  'elif', 'set', '=', 'block', 'endblock', 'b', '(', ')', '[', ']', '{', '}', ',', ':', '|', 'upper', '.', "'s'", '"t"', '1',
  '2.5', '-', '+', '*', '/', '//', '%', '**', '~', '==', '!=', '<', '>=', 'not', 'and', 'or', 'is', 'defined', 'none', 'true',
  'loop', 'self', 'super', 'name', 'raw', 'endraw', 'endset', 'extends', 'include', "'//die/i.sh'", 'filter', 'endfilter',
  'range', 'namespace', '\t', 'r/x/', '!', '#', 'x.y', 'nope()',
  // names JavaScript objects inherit: as variables, attributes, items and dict keys they are never found
  'constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', "'__proto__'", "'constructor'"];

const ENTRY = `export { render, targetJson } from '@as/tpl/testing/entry';`;

interface Mod {
  render(name: string, target: string, flags: string, share: boolean): string;
  targetJson(name: string): string;
}

interface Outcome {
  text?: string;
  files?: string[];
  err?: string;
  /** The oracle failed with something that is not an IxError (its bug, exit 70): not compared. */
  bug?: string;
}

let m: Mod;
let files: Record<string, Uint8Array> = {};
let dispose = (): void => {};
beforeAll(async () => {
  const c = await compileEntry<Mod>(ENTRY, { hostImports: true, args: ['--stackSize', '2097152'] });
  m = c.mod;
  dispose = c.dispose;
  c.setHost({
    readFile: (p) => (Object.prototype.hasOwnProperty.call(files, p) ? files[p] : null),
    listDir: () => null,
    cacheGet: () => null,
    cachePut: () => {},
  });
}, 180_000);
afterAll(() => dispose());

const enc = new TextEncoder();

function setTree(tree: Record<string, string | Uint8Array>): HostIO {
  files = {};
  for (const [k, v] of Object.entries(tree)) files[k] = typeof v === 'string' ? enc.encode(v) : v;
  const snapshot = files;
  return { readFile: (p: string) => (Object.prototype.hasOwnProperty.call(snapshot, p) ? snapshot[p] : undefined), listDir: () => undefined };
}

function flagsOf(name: string, target: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, kind: extra.kind ?? defaultKind(name), target };
}

function oracle(io: HostIO, name: string, target: string, flags: Record<string, string>): Outcome {
  try {
    const r = renderText(io, { name, flags, host: archRecord('linux-x86_64'), target: archRecord(target) });
    return { text: r.text, files: r.files };
  } catch (e) {
    return e instanceof IxError ? { err: e.message } : { bug: String(e) };
  }
}

/** Render with the compiled core; `share`: one source cache across calls (as one plan does). */
function core(name: string, target: string, flags: Record<string, string>, share: boolean): Outcome {
  const fl = Object.keys(flags).sort().flatMap((k) => [k, flags[k]]).join('\u0000');
  const [head, fs] = m.render(name, target, fl, share).split('\u0001');
  if (head[0] === 'E') return { err: head.slice(1) };
  return { text: head.slice(1), files: fs === '' ? [] : fs.split('\u0002') };
}

describe('the compiled template evaluator', () => {
  test('hand-written templates: the same text or the same error', () => {
    const bad: string[] = [];
    for (const c0 of TPL_CASES) {
      const c: TplCase = typeof c0 === 'string' ? { files: { 'bin/a/ix.sh': c0 } } : c0;
      const name = c.name ?? 'bin/a';
      const target = c.target ?? 'linux-x86_64';
      const io = setTree(c.files);
      const flags = flagsOf(name, target, c.flags);
      const want = oracle(io, name, target, flags);
      const got = core(name, target, flags, false);
      if (JSON.stringify(got) !== JSON.stringify(want)) bad.push(`${JSON.stringify(c)}\n  oracle ${JSON.stringify(want)}\n  core   ${JSON.stringify(got)}`);
    }
    expect(bad).toEqual([]);
    expect(TPL_CASES.length).toBeGreaterThan(100);
  });

  test('every pkgs/ package on the three targets: the same text and files read', () => {
    const tree: Record<string, Uint8Array> = {};
    const walk = (dir: string, rel: string): void => {
      for (const e of readdirSync(dir)) {
        const p = join(dir, e);
        const r = rel ? `${rel}/${e}` : e;
        if (statSync(p).isDirectory()) walk(p, r);
        else tree[r] = readFileSync(p);
      }
    };
    walk(join(ROOT, 'pkgs'), '');
    const io = setTree(tree);
    const names = Object.keys(tree).filter((f) => f.endsWith('/ix.sh')).map((f) => f.slice(0, -6)).sort();
    expect(names.length).toBeGreaterThan(20);
    const bad: string[] = [];
    let texts = 0;
    for (const target of TARGETS) {
      for (const name of names) {
        const flags = flagsOf(name, target);
        const want = oracle(io, name, target, flags);
        const got = core(name, target, flags, true);
        if (want.text !== undefined) texts++;
        if (JSON.stringify(got) !== JSON.stringify(want)) bad.push(`${name} ${target}: oracle ${JSON.stringify(want).slice(0, 300)} core ${JSON.stringify(got).slice(0, 300)}`);
      }
    }
    expect(bad).toEqual([]);
    expect(texts).toBeGreaterThan(names.length * 2);
  });

  test(`${RUNS} generated recipe trees: the same renders or the same errors`, () => {
    fc.assert(
      fc.property(world, ({ files: tree, req }) => {
        const io = setTree(tree);
        let target = req.target ?? 'linux-x86_64';
        if (!TARGETS.includes(target)) target = 'linux-aarch64';
        for (const f of Object.keys(tree)) {
          if (!f.endsWith('/ix.sh')) continue;
          const name = f.slice(0, -6);
          const flags = flagsOf(name, target, req.flags);
          expect(core(name, target, flags, false)).toEqual(oracle(io, name, target, flags));
        }
      }),
      { numRuns: RUNS, seed: SEED ?? 7 },
    );
  });

  test(`${RUNS * 10} templates of random tags, operators and names: the same text or syntax error`, () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 30 }), (ps) => {
        const io = setTree({ 'bin/a/ix.sh': ps.join(''), 'die/i.sh': 'inc {{ name }}' });
        const flags = flagsOf('bin/a', 'linux-x86_64');
        const want = oracle(io, 'bin/a', 'linux-x86_64', flags);
        // an oracle crash (generated JS it cannot parse, e.g. from `{{+ endif "t" raw}}`) is its bug
        if (want.bug === undefined) expect(core('bin/a', 'linux-x86_64', flags, false)).toEqual(want);
      }),
      { numRuns: RUNS * 10, seed: SEED ?? 11 },
    );
  });

  test('a render records the context names it looked up and the files it read', () => {
    setTree({ 'bin/a/ix.sh': "{% set x = 1 %}{{ x }}{{ name }}{% for i in [1] %}{{ i }}{{ opt }}{% endfor %}{% include 'i.sh' %}", 'bin/a/i.sh': '{{ kind }}' });
    const [head, fs, ns] = m.render('bin/a', 'linux-x86_64', ['kind', 'bin', 'opt', '7', 'target', 'linux-x86_64'].join('\u0000'), false).split('\u0001');
    expect(head).toBe('T1bin/a/ix.sh17bin');
    expect(fs.split('\u0002')).toEqual(['bin/a/i.sh', 'bin/a/ix.sh']);
    expect(ns.split('\u0002')).toEqual(['kind', 'name', 'opt']);
  });

  test('invalid UTF-8 in a recipe file is an error naming the file and the byte', () => {
    setTree({ 'bin/a/ix.sh': "a\n{% include 'i.sh' %}", 'bin/a/i.sh': new Uint8Array([0x62, 0x0a, 0xe2, 0x82, 0x41]) });
    expect(core('bin/a', 'linux-x86_64', flagsOf('bin/a', 'linux-x86_64'), false)).toEqual({ err: 'bin/a/i.sh: invalid UTF-8 at byte 2 (package bin/a)' });
  });

  test('arch records: the same fields, order and ids as engine/targets', () => {
    for (const t of ['linux-x86_64', 'linux-aarch64', 'freebsd-x86_64', 'darwin-arm64', 'linux-armv7-gnueabihf', 'mingw64', 'wasi32', 'linux-riscv64']) {
      expect(m.targetJson(t)).toBe(canonicalJson(archRecord(t)));
    }
    expect(m.targetJson('plan9-mips')).toBe('');
  });
});
