import { defineConfig } from 'vitest/config';
import LongFirstSequencer from './test/support/sequencer.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'engine/**/*.test.ts', 'hosts/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // Two files at a time (vitest's default is one on 2 cores): test/real-builds.test.ts (real
    // compiles, ~14 minutes) runs first and the other files, mostly one busy thread each, run
    // beside it instead of after it (BENCHMARKS.md, "The test command's wall time").
    // VITEST_MAX_WORKERS=1 gives the old one-file-at-a-time run.
    maxWorkers: 2,
    sequence: { sequencer: LongFirstSequencer },
    // Always test the current core: rebuilt when the engine changed, ~0.5 s when not.
    globalSetup: ['test/support/global-setup.ts'],
    // fast-check's seed: fixed under CI, fresh on a developer's machine (FC_SEED replays one).
    setupFiles: ['test/support/fc-seed.ts'],
  },
});
