import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts', 'test/helpers/prerequisites-setup.ts'],
    // The default output, then one line naming the tests skipped for a missing prerequisite.
    reporters: ['default', './test/helpers/skip-summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
