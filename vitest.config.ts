import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/helpers/global-setup.ts', 'test/helpers/prerequisites-setup.ts'],
    // The default output, then one line naming the tests skipped for a missing prerequisite.
    reporters: ['default', './test/helpers/skip-summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most of a test's time is spent waiting on brokers, timers and child processes, not on a core: vitest's default
    // (cores - 1, so one worker on CI's two cores) leaves the machine idle; one worker more than cores keeps it busy.
    maxWorkers: availableParallelism() + 1,
    projects: [
      { extends: true, test: { name: 'deskphone', include: ['test/**/*.test.ts'] } },
      // The station-service scenarios once more on a site's own broker: mosquitto with dynamic security (test/helpers/service-harness.ts).
      { extends: true, test: { name: 'mosquitto', include: ['test/service-*.test.ts'], env: { DESKPHONE_TEST_BROKER: 'mosquitto' } } },
    ],
  },
});
