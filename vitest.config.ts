import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'engine/**/*.test.ts', 'hosts/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // Always test the current core: rebuilt when the engine changed, ~0.5 s when not.
    globalSetup: ['test/support/global-setup.ts'],
    // fast-check's seed: fixed under CI, fresh on a developer's machine (FC_SEED replays one).
    setupFiles: ['test/support/fc-seed.ts'],
  },
});
