// ESLint flat config: typescript-eslint for every package, the React hooks rules for the web app,
// and import boundaries that keep the API's layering visible. Formatting is Prettier's job
// (eslint-config-prettier turns off the rules that would fight it).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/build/**', 'coverage/**', '**/*.d.ts', 'apps/web/build/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2024, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      'no-control-regex': 'off',
    },
  },
  {
    files: ['apps/web/src/**/*.{ts,tsx}', 'apps/web/e2e/**/*.{ts,tsx}', 'apps/web/test/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  // API layering (issue 11). Infrastructure (common/, infra/) imports no feature.
  {
    files: ['apps/api/src/common/**/*.ts', 'apps/api/src/infra/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)modules(/|$)',
              message:
                'common/ and infra/ are infrastructure: they import no feature (apps/api/src/modules/). Move the code into the feature, or pass it in.',
            },
          ],
        },
      ],
    },
  },
  // A feature reaches another feature through its service or published module, never its repository
  // (from any depth: a provider adapter in modules/telephony/twilio/ is held to it too; infra/ and
  // common/ repositories are infrastructure, open to every feature).
  {
    files: ['apps/api/src/modules/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(?!infra/|common/)[^./][^/]*/([^/]+/)*[^/]+\\.repository$',
              message: "Another feature's repository: go through that feature's service or published interface.",
            },
          ],
        },
      ],
    },
  },
  // SQL lives in repositories (and migrations): not in services, controllers, workers or anything else.
  {
    files: ['apps/api/src/**/*.ts'],
    ignores: [
      'apps/api/src/**/*.repository.ts',
      'apps/api/src/database/**',
      // The pool/transaction helper and the job queue's pass-through of pg-boss's own statements.
      'apps/api/src/common/database.ts',
      'apps/api/src/infra/jobs/job-queue.ts',
    ],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/^(query|createQueryBuilder|getRepository|getCustomRepository)$/]',
          message: 'SQL goes in a *.repository.ts file (services hold rules and access checks).',
        },
        {
          selector: 'TemplateElement[value.raw=/^\\s*(SELECT|INSERT\\s+INTO|UPDATE|DELETE\\s+FROM|WITH)\\s/]',
          message: 'SQL text goes in a *.repository.ts file (services hold rules and access checks).',
        },
        {
          selector: 'Literal[value=/^\\s*(SELECT|INSERT\\s+INTO|UPDATE|DELETE\\s+FROM|WITH)\\s/]',
          message: 'SQL text goes in a *.repository.ts file (services hold rules and access checks).',
        },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  prettier,
);
