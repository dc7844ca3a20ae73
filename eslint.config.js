// @ts-check
/**
 * ESLint for the whole repository, run by `pnpm run lint` (and so by the test command).
 *
 * Deliberately small: eslint:recommended's correctness rules, plus a few rules that catch real
 * defects in this code base. typescript-eslint's recommended-type-checked sets are not used: they
 * would bring hundreds of stylistic findings (any, non-null assertions, template types) that the
 * compiler's strict mode already bounds, and drown the findings that matter.
 */
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** Every Node built-in module, by bare name (fs, path, fs/promises, …); `node:*` is refused by pattern. */
const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('_') && !name.startsWith('node:'));

const SANDBOX =
  "Workflow code runs in Temporal's deterministic sandbox, which has no Node built-ins: do the I/O in an activity.";

export default defineConfig(
  {
    // node_modules is ignored by default. .tools is the bootstrap's toolchain, .data the local
    // stack's databases; coverage and dist are outputs.
    ignores: ['.tools/**', '.data/**', '**/coverage/**', '**/dist/**'],
  },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    // base: the parser and the plugin; eslintRecommended: turns off the core rules TypeScript's
    // compiler already enforces (no-undef, no-redeclare, …).
    extends: [tseslint.configs.base, tseslint.configs.eslintRecommended],
    languageOptions: {
      parserOptions: {
        // Type information from the root tsconfig.json; the few .ts files it does not include
        // (infra/test) get a default project with the root tsconfig's compiler options.
        projectService: { allowDefaultProject: ['infra/test/*.ts'], defaultProject: 'tsconfig.json' },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // A promise nobody awaits loses its rejection (an unhandled rejection ends the process) and
      // its ordering: await it, or mark deliberate fire-and-forget with `void` and a reason.
      '@typescript-eslint/no-floating-promises': 'error',
      // An async function where a void callback is expected (an event handler, forEach, an
      // Express-style handler) drops its rejection; a promise in a condition is always truthy.
      '@typescript-eslint/no-misused-promises': 'error',
      // The compiler already checks names (and knows Node's and vitest's globals); eslint's
      // unused-variable check does not understand types, the typescript-eslint one does.
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Workflow code: what the Temporal worker bundles (workflows.ts, bench-workflows.ts and what
    // they import), and the services' test workflows (*.workflow.ts, bundled by their
    // temporal.int.test.ts). worker.ts and schedules.ts run in Node, outside the bundle; add any
    // new Node-side file of workflows/src to this list.
    files: ['workflows/src/**/*.ts', '**/*.workflow.ts'],
    ignores: ['workflows/src/worker.ts', 'workflows/src/schedules.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: SANDBOX,
          })),
          patterns: [
            {
              group: ['node:*'],
              message: SANDBOX,
            },
          ],
        },
      ],
    },
  },
);
