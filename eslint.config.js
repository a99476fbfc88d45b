import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/.test-build/**',
      '**/node_modules/**',
      '**/.turbo/**',
      // The NestJS matrix's suite belongs to no project where it lies: each nestNN/ compiles it
      // through its test/ link, against its own NestJS major. `pnpm run lint` lints it as
      // packages/nest/matrix/nest12/test (ESLint does not follow the link by itself).
      'packages/nest/matrix/suite/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        fetch: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        queueMicrotask: 'readonly',
        setImmediate: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      // A value, or a promise of it when it had to wait (core's Maybe<T>), keeps a synchronous
      // answer synchronous: Promise.all over such a mix is deliberate.
      '@typescript-eslint/await-thenable': ['error', { allowMixedPromiseArrays: true }],
      // node:test's test() and describe() return promises its runner awaits and reports on.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] },
          ],
        },
      ],
    },
  },
  {
    // Not in type-tests/tsconfig.json: the global entry has a program of its own.
    files: ['type-tests/src/global/**'],
    languageOptions: {
      parserOptions: { projectService: false, project: './type-tests/tsconfig.global.json' },
    },
  },
  {
    // Type-checked only where scripts/pack-smoke.mjs installs the packed tarballs: in the
    // workspace its imports do not resolve, so type-aware rules would see nothing but errors.
    files: ['scripts/pack-smoke/src/**'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Plain scripts (and this file) belong to no tsconfig: no rule that needs types for them.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/test/**', '**/*.test.ts', '**/*.test.cts', 'bench/**', 'examples/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
);
