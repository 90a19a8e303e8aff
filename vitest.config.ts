import { defineConfig } from 'vitest/config';

// Integration tests start real processes (ffmpeg, mosquitto, sqlite writers), so
// they get generous timeouts; the 2-core box runs files two at a time.
export default defineConfig({
  test: {
    include: ['edge/**/*.test.ts', 'cloud-sync/**/*.test.ts', 'models/**/*.test.ts', 'scripts/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // The JSON report and the unhandled-errors report are what .ci/run counts (vitest's own
    // summary is not read by CI); the JSON report has no field for unhandled errors.
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }], './scripts/ci/unhandled-errors-reporter.ts'],
  },
});
