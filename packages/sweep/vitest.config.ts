import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The integration tests run 2 training processes each and time a worker's lock expiry: one file at a
    // time keeps them from competing for the 2 cores of a CI machine.
    fileParallelism: false,
  },
});
