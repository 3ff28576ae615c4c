// IX's argument grammar for realm verbs and the spec edits it drives (pure functions).
import { describe, it, expect } from 'vitest';
import { parseRealmArgs } from '../hosts/node/commands/realm-grammar';
import { applyEdits, planRequestOf, EMPTY_SPEC } from '../hosts/node/realm';

const flags = (m: Map<string, string | null>) => Object.fromEntries(m);

describe('realm argument grammar', () => {
  it('classifies realm names, +/-packages and flags; flags attach to the last package, else the realm', () => {
    const a = parseRealmArgs(['demo', '--opt=1', '+bin/a', '--k=v', '--on', 'bin/b(x=1,y)', '-bin/c', '--dry-run', '--recipes', 'dir']);
    expect(a.realms).toEqual(['demo']);
    expect(a.options).toEqual(new Map([['dry-run', '']]));
    expect(a.recipes).toEqual(['dir']);
    expect(a.edits.map((e) => [e.op, 'name' in e ? e.name : '', 'flags' in e ? flags(e.flags) : {}])).toEqual([
      ['realm-flags', '', { opt: '1' }],
      ['add', 'bin/a', { k: 'v', on: '1' }],
      ['add', 'bin/b', { x: '1', y: '1' }],
      ['remove', 'bin/c', {}],
    ]);
  });

  it('rejects flags after a removed package, unknown single-dash options, bad flag keys', () => {
    expect(() => parseRealmArgs(['-bin/c', '--k=v'])).toThrow('flag --k=v follows the removed package bin/c');
    expect(() => parseRealmArgs(['-x'])).toThrow("unknown option '-x'");
    expect(() => parseRealmArgs(['--=v'])).toThrow("bad flag '--=v'");
    expect(() => parseRealmArgs(['--to'])).toThrow('option --to needs a value');
    expect(() => parseRealmArgs(['--dry-run=1'])).toThrow('option --dry-run takes no value');
    expect(() => parseRealmArgs(['--json'])).toThrow("'ix mut' does not take --json (its options: --dry-run,");
    expect(() => parseRealmArgs(['--json'], { verb: 'list' })).not.toThrow();
  });

  it('numbers are words for diff', () => {
    expect(parseRealmArgs(['demo', '1', '2'], { numbers: true })).toMatchObject({ realms: ['demo'], words: ['1', '2'] });
  });

  it('edits merge flags, --k=- removes one, realm-only flags never reach the planner', () => {
    let s = applyEdits(EMPTY_SPEC, parseRealmArgs(['--g=1', 'bin/b', '--k=v', 'bin/a', '--prefer']).edits, 'r');
    expect(s).toEqual({ packages: [{ name: 'bin/a', flags: { prefer: '1' } }, { name: 'bin/b', flags: { k: 'v' } }], flags: { g: '1' } });
    expect(planRequestOf(s)).toEqual({ packages: ['bin/a', 'bin/b(k=v)'], flags: { g: '1' } });
    s = applyEdits(s, parseRealmArgs(['bin/b', '--k=-', '--z=2', '-bin/a']).edits, 'r');
    expect(s.packages).toEqual([{ name: 'bin/b', flags: { z: '2' } }]);
    expect(() => applyEdits(s, parseRealmArgs(['-bin/q']).edits, 'r')).toThrow('realm r has no package bin/q to remove');
    expect(() => planRequestOf(applyEdits(s, parseRealmArgs(['bin/b', '--k=a,b']).edits, 'r'))).toThrow("flag value 'k=a,b' cannot be written in a selector");
  });
});
