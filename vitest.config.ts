import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The container test builds and runs the Docker image (minutes): only when asked for, as .ci/run does.
    exclude: process.env.FACEMATCH_DOCKER_TEST
      ? configDefaults.exclude
      : [...configDefaults.exclude, 'test/docker/**'],
    // The dashboard's browser tests need ui/dist/ built from the current ui/ sources.
    globalSetup: ['test/support/buildDashboardOnce.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores in CI: more workers than that only adds contention.
    maxWorkers: 2,
    // Pact's native core would otherwise phone home on every run; there is no network here or in most CI.
    env: { PACT_DO_NOT_TRACK: '1' },
  },
});
