import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'conformance/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Many test files wait on child processes (the CLI, Chromium, npm, exec drivers): two forks keep both cores
    // busy even on a two-core CI machine, where the default would be one.
    poolOptions: { forks: { minForks: 1, maxForks: 2 } },
  },
});
