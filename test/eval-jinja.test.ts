// The evaluator against real Jinja2: every case of test/format/jinja-cases.src.json rendered by
// ix must equal what Jinja2 (trim_blocks + lstrip_blocks, IX loader rules) rendered, stored in
// jinja-cases.expected.json by test/format/jinja_expect.py.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { renderText } from '../engine/eval/index';
import { archRecord } from '../engine/targets';
import { memIO } from './support/memfs';

const dir = join(__dirname, 'format');
const cases = JSON.parse(readFileSync(join(dir, 'jinja-cases.src.json'), 'utf8')) as Record<string, Record<string, string>>;
const expected = JSON.parse(readFileSync(join(dir, 'jinja-cases.expected.json'), 'utf8')) as Record<string, string>;
const linux = archRecord('linux-x86_64');

describe('renders like Jinja2', () => {
  test('every case has an expectation', () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(expected).filter((k) => k !== '_generated').sort());
  });
  for (const [name, files] of Object.entries(cases)) {
    test(name, () => {
      const out = renderText(memIO(files), { name: 'a', flags: {}, host: linux, target: linux });
      expect(out.text).toBe(expected[name]);
    });
  }
});
