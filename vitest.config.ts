import { defineConfig } from 'vitest/config';

/**
 * One test command runs four kinds of test:
 *   unit         *.test.ts          pure rules, no I/O
 *   integration  *.int.test.ts      against a real FerretDB (started by test/setup/backends.ts)
 *   workflows    workflows/test     Temporal's time-skipping test server
 *   e2e          test/e2e           the whole stack through the gateway (test/setup/stack.ts)
 */
export default defineConfig({
  test: {
    reporters: process.env['CI'] ? ['default'] : ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['common/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'gateway/test/**/*.test.ts', 'infra/test/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['services/*/test/**/*.int.test.ts', 'common/test/**/*.int.test.ts'],
          globalSetup: ['test/setup/backends.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'workflows',
          include: ['workflows/test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/setup/stack.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
