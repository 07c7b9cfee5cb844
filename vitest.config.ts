import { defineConfig } from 'vitest/config';

// One database engine per worker (PGlite takes seconds to start); each test file gets a fresh
// migrated database from test/support/database.ts, so files can share a worker without isolation.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'eslint-rules/**/*.test.ts'],
    pool: 'forks',
    isolate: false,
    fileParallelism: true,
    maxWorkers: 2,
    // Generous: a loaded 2-core machine runs property tests several times slower; these are safety nets, not timings.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
