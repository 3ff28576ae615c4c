/**
 * Golden (expected-output) files for tests. `expectGolden('format/golden/x.txt', actual)` compares
 * `actual` with test/<relPath>, whose first line is a header saying how to regenerate it.
 * Run the tests with UPDATE_GOLDEN=1 to (re)write every golden file they touch.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TEST_DIR = join(REPO, 'test');
const HEADER_START = '# @generated golden file.';

/** The header line written on top of a golden file produced by the running test. */
function header(): string {
  const testPath = expect.getState().testPath;
  const which = testPath ? relative(REPO, testPath) : '<the test that uses it>';
  return `${HEADER_START} To regenerate: UPDATE_GOLDEN=1 npx vitest run ${which}\n`;
}

/** Compare `actual` with the golden file test/<relPath> (or write it under UPDATE_GOLDEN=1). */
export function expectGolden(relPath: string, actual: string): void {
  const file = join(TEST_DIR, relPath);
  const body = actual.endsWith('\n') ? actual : actual + '\n';
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, header() + body);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden file test/${relPath} is missing; run with UPDATE_GOLDEN=1`);
  const text = readFileSync(file, 'utf8');
  const nl = text.indexOf('\n');
  if (!text.startsWith(HEADER_START) || nl < 0) throw new Error(`golden file test/${relPath} lacks its header line`);
  expect(body, `golden test/${relPath} differs (UPDATE_GOLDEN=1 regenerates)`).toBe(text.slice(nl + 1));
}
