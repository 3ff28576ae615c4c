// A flag named `__proto__` is a flag like any other. The engine's selector grammar keeps it
// (`bin/x(__proto__=1)`), and so must every host path that turns flags into a request: global
// flags on the command line, `ix render`, a realm's package and realm flags. An assignment
// `obj[k] = v` with k = '__proto__' sets the prototype instead and silently drops the flag,
// giving another store id than the engine's.
import { beforeAll, describe, expect, test } from 'vitest';
import type { PlanRequest } from '../engine/api';
import { parseArgs, selection } from '../hosts/node/args';
import { loadCore, type Core } from '../hosts/node/core';
import { applyEdits, EMPTY_SPEC, planRequestOf } from '../hosts/node/realm/spec';
import { treeIO } from './support/browser-host';
import { ensureCoreBuilt, ix, outDir, recipe, writeTree } from './support/cli';

const FILES = { 'bin/lone/ix.sh': recipe({ script: 'echo lone {{ __proto__ }}' }) };
const storeId = (plan: string) => /\/ix\/store\/[0-9a-z]+-bin-lone/.exec(plan)?.[0];

let core: Core;
let root: string;
/** The engine's id for a request written as JSON (JSON.parse makes `__proto__` an own key). */
const engineId = (json: string) => storeId(new TextDecoder().decode(core.plan(treeIO(FILES), JSON.parse(json) as PlanRequest)));
const cliId = (...args: string[]) => {
  const r = ix(['plan', ...args, '--recipes', root]);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return storeId(r.out);
};

beforeAll(async () => {
  ensureCoreBuilt();
  core = await loadCore(outDir);
  root = writeTree(FILES);
});

describe('a flag named __proto__', () => {
  test('the engine keeps it, as a package flag and as a global flag', () => {
    const none = engineId('{"packages":["bin/lone"]}');
    const own = engineId('{"packages":["bin/lone(__proto__=1)"]}');
    expect(own).toBeDefined();
    expect(own).not.toBe(none);
    expect(engineId('{"packages":["bin/lone"],"flags":{"__proto__":"1"}}')).toBe(own);
  });

  test('the command line keeps it as an own key of the request', () => {
    const global = selection(parseArgs(['--__proto__=1', 'bin/lone'], 'plan'));
    expect(Object.keys(global.flags)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(global.flags)).toBe(Object.prototype);
    expect(selection(parseArgs(['bin/lone', '--__proto__=1'], 'plan')).packages).toEqual(['bin/lone(__proto__=1)']);
  });

  test('ix plan gives the engine\'s store id, however the flag is written', () => {
    const want = engineId('{"packages":["bin/lone(__proto__=1)"]}');
    expect(cliId('--__proto__=1', 'bin/lone')).toBe(want);
    expect(cliId('bin/lone', '--__proto__=1')).toBe(want);
    expect(cliId('bin/lone(__proto__=1)')).toBe(want);
    expect(cliId('bin/lone')).not.toBe(want);
  });

  test('ix render hands it to the template', () => {
    const render = (...args: string[]) => ix(['render', ...args, '--recipes', root]).out;
    expect(render('--__proto__=1', 'bin/lone')).toContain('"data":"echo lone 1"');
    expect(render('bin/lone', '--__proto__=1')).toContain('"data":"echo lone 1"');
    expect(render('bin/lone')).toContain('"data":"echo lone "');
  });

  test('a realm keeps it on a package and as a realm flag, and can remove it', () => {
    const want = engineId('{"packages":["bin/lone(__proto__=1)"]}');
    const pkg = planRequestOf(applyEdits(EMPTY_SPEC, [{ op: 'add', name: 'bin/lone', flags: new Map([['__proto__', '1']]) }], 'r'));
    expect(pkg.packages).toEqual(['bin/lone(__proto__=1)']);
    expect(engineId(JSON.stringify(pkg))).toBe(want);
    const realm = planRequestOf(applyEdits(EMPTY_SPEC, [
      { op: 'add', name: 'bin/lone', flags: new Map() },
      { op: 'realm-flags', flags: new Map([['__proto__', '1']]) },
    ], 'r'));
    expect(Object.keys(realm.flags ?? {})).toEqual(['__proto__']);
    expect(engineId(JSON.stringify(realm))).toBe(want);
    const spec = applyEdits(EMPTY_SPEC, [{ op: 'add', name: 'bin/lone', flags: new Map([['__proto__', '1'], ['k', 'v']]) }], 'r');
    const removed = applyEdits(spec, [{ op: 'add', name: 'bin/lone', flags: new Map([['__proto__', null]]) }], 'r');
    expect(removed.packages[0].flags).toEqual({ k: 'v' });
  });
});
