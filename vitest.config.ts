import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/helpers/global-setup.ts', 'test/helpers/prerequisites-setup.ts'],
    // The default output, then one line naming the tests skipped for a missing prerequisite.
    reporters: ['default', './test/helpers/skip-summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'deskphone', include: ['test/**/*.test.ts'] } },
      // The station-service scenarios once more on a site's own broker: mosquitto with dynamic security (test/helpers/service-harness.ts).
      { extends: true, test: { name: 'mosquitto', include: ['test/service-*.test.ts'], env: { DESKPHONE_TEST_BROKER: 'mosquitto' } } },
    ],
  },
});
