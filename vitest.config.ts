import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One PostgreSQL for the run (or the reason there is none): test/setup/postgres.ts.
    globalSetup: ['test/setup/postgres.ts'],
    setupFiles: ['test/setup/stdout-guard.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
