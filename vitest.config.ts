import { defineConfig } from 'vitest/config';

// One database engine per worker (PGlite takes seconds to start); each test file gets a fresh
// migrated database from test/support/database.ts, so files can share a worker without isolation.
// The browser tests run after everything else, one file at a time: a Chromium, a server and the
// page's clock competing with database-heavy files on two cores made them time out.
export default defineConfig({
  test: {
    pool: 'forks',
    isolate: false,
    // Generous: a loaded 2-core machine runs property tests several times slower; these are safety nets, not timings.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    globalSetup: ['test/support/global-setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'eslint-rules/**/*.test.ts'],
          exclude: ['test/e2e/**'],
          fileParallelism: true,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
