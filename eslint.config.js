// ESLint flat config: typescript-eslint recommended, the house rules from STYLE.md, and the local
// module-boundaries rule.
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';
import moduleBoundaries from './eslint-rules/module-boundaries.js';

// Type-aware rules cost a full TypeScript program: ~70 s of CPU for the repo already (vs ~15 s
// without), and `npm run lint` runs tsc anyway. Opt in with ESLINT_TYPE_AWARE=1 for a deeper pass.
const typeAware = process.env.ESLINT_TYPE_AWARE === '1';

// Files the root tsconfig.json covers; everything else (web/*, eslint-rules, *.mjs) is linted without types.
const typedFiles = ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', '*.ts', 'eslint-rules/**/*.ts'];
const testFiles = ['**/*.test.ts', '**/*.test.tsx', '**/*.spec.ts', 'test/**/*.ts', 'web/**/e2e/**/*.ts'];

export default defineConfig(
  globalIgnores(['**/node_modules/', 'web/**/dist/', '.tmp/', 'data/', 'artifacts/', 'coverage/', 'drizzle/meta/']),
  {
    files: ['**/*.{ts,tsx,mts,cts}'],
    extends: [tseslint.configs.recommended],
  },
  typeAware
    ? {
        files: typedFiles,
        extends: [tseslint.configs.recommendedTypeCheckedOnly],
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
      }
    : {},
  {
    files: ['**/*.{ts,tsx,mts,cts}'],
    plugins: { local: { rules: { 'module-boundaries': moduleBoundaries } } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      // `_name` marks a binding kept on purpose (a destructured secret left out of a summary).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
      'local/module-boundaries': 'error',
    },
  },
  typeAware
    ? {
        files: typedFiles,
        rules: {
          // Fastify handlers and plugins are async by contract: `async () => value` is the idiom, await or not.
          '@typescript-eslint/require-await': 'off',
        },
      }
    : {},
  {
    files: ['**/*.{js,mjs,cjs}'],
    plugins: { local: { rules: { 'module-boundaries': moduleBoundaries } } },
    rules: { 'local/module-boundaries': 'error' },
  },
  {
    files: testFiles,
    rules: {
      // A focused or skipped test silently shrinks the suite; vitest has no CI guard of its own here.
      'no-restricted-syntax': [
        'error',
        {
          selector: 'MemberExpression[object.name=/^(it|test|describe|suite)$/][property.name=/^(only|skip|todo)$/]',
          message: 'No .only/.skip/.todo in committed tests: fix or delete the test instead.',
        },
        {
          selector: 'MemberExpression[object.type="MemberExpression"][object.object.name=/^(it|test|describe|suite)$/][property.name=/^(only|skip|todo)$/]',
          message: 'No .only/.skip/.todo in committed tests: fix or delete the test instead.',
        },
      ],
    },
  },
);
