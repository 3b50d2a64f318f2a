import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 120_000,
    pool: 'forks',
    // The package is being built; its tests land with its code.
    passWithNoTests: true,
  },
});
