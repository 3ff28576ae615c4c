// safeText (hosts/common/safe-text.ts) skips its password scan in text without '://': the answer
// must be that of both replacements always run, on any text (fast-check), and mask passwords.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { safeText } from '../hosts/common/safe-text';

/** The two replacements, both always run. */
const reference = (s: string) => s
  .replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#\s@'"[\]:]*):[^/?#\s@'"[\]]*@/g, '$1:***@')
  // eslint-disable-next-line no-control-regex
  .replace(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const n = c.charCodeAt(0);
    return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });

describe('safeText', () => {
  test('masks passwords and escapes control characters', () => {
    expect(safeText('download from s3://u:pw@host/b (1 kB)\nbuild x\x1b[31m')).toBe('download from s3://u:***@host/b (1 kB)\nbuild x\\x1b[31m');
    expect(safeText('present lib/z /ix/store/abc-lib-z')).toBe('present lib/z /ix/store/abc-lib-z');
  });

  test('equals both replacements always run (fast-check)', () => {
    const piece = fc.oneof(fc.string(), fc.constantFrom('://', 'http://u:p@h/', 's3://a:b@c', ':', '@', '\n', '\x1b', '\u202e', 'x', '/'));
    fc.assert(fc.property(fc.array(piece, { maxLength: 12 }).map((a) => a.join('')), (s) => {
      expect(safeText(s)).toBe(reference(s));
    }), { numRuns: 2000 });
  });
});
