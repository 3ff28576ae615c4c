/**
 * The order vitest hands test files to its workers: the long files first, in a fixed order, then
 * the rest as vitest's own sequencer orders them (failed first, then longest, from its results
 * cache; by size on a fresh clone). With two workers the longest file, test/real-builds.test.ts
 * (real compiles, ~14 minutes), starts at once on one worker while the other runs everything else
 * beside it; started late, it alone would set the run's wall time.
 *
 * Must not depend on: anything but vitest's sequencer API (no test code, no ix module).
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Longest first (BENCHMARKS.md, "The test command's wall time"); paths relative to the checkout. */
export const LONG_FILES = ['test/real-builds.test.ts', 'test/core-parity.test.ts'];

/** A file's rank in LONG_FILES, or LONG_FILES.length when it is not one of them. */
function rank(spec: TestSpecification): number {
  const path = spec.moduleId.replace(/\\/g, '/');
  const i = LONG_FILES.findIndex((f) => path.endsWith(`/${f}`));
  return i < 0 ? LONG_FILES.length : i;
}

export default class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    // Array.prototype.sort is stable: the rest keeps vitest's order
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}
