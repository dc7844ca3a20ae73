import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

/**
 * One test command runs four kinds of test:
 *   unit         *.test.ts          pure rules, no I/O
 *   integration  *.int.test.ts      against a real FerretDB (started by test/setup/backends.ts)
 *   workflows    workflows/test     Temporal's time-skipping test server
 *   e2e          test/e2e           the whole stack through the gateway (test/setup/stack.ts)
 */
/**
 * Node loads graphql's CommonJS build (the package has no "exports"), and so do Apollo's
 * libraries; vite would hand our files the ESM build, a second instance that graphql refuses to
 * mix with the first. Point vitest at the build Node uses.
 */
const graphqlCjs = createRequire(import.meta.url).resolve('graphql');

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlCjs }] },
  test: {
    reporters: ['default', './test/setup/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'common/test/**/*.test.ts',
            'services/*/test/**/*.test.ts',
            'gateway/test/**/*.test.ts',
            'infra/test/**/*.test.ts',
          ],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['services/*/test/**/*.int.test.ts', 'common/test/**/*.int.test.ts'],
          globalSetup: ['test/setup/backends.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'workflows',
          include: ['workflows/test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
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
