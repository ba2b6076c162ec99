import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'storage/**', 'bin/**', 'tmp-scratch/**', 'vendor/**', '*.config.*'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // One place for each rule: process.env is read in config.ts only, and files are put in
  // place (rename) by storage/ only, which writes atomically with fsync.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/config.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read settings from AppConfig: process.env is parsed in src/config.ts only.',
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/storage/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['fs', 'node:fs', 'fs/promises', 'node:fs/promises'].map((name) => ({
            name,
            importNames: ['rename', 'renameSync'],
            message: 'Write files through storage/files.ts (writeFileAtomic, ctx.write, moveInto).',
          })),
        },
      ],
      'no-restricted-properties': [
        'error',
        ...['rename', 'renameSync'].map((property) => ({
          object: 'fs',
          property,
          message: 'Write files through storage/files.ts (writeFileAtomic, ctx.write, moveInto).',
        })),
      ],
    },
  },
  {
    // The page's plain ES modules, type-checked through web/tsconfig.json (checkJs), which also
    // knows the browser's globals: no-undef would only repeat that check without the types.
    files: ['web/**/*.js'],
    rules: { 'no-undef': 'off' },
  },
);
