import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Worker pools and DuckDB instances are heavy: keep test files from oversubscribing 2 cores.
    maxWorkers: 2,
  },
});
