// Lint rules that carry the design (see STYLE.md, "rules a tool enforces"); the import
// boundaries between folders are dependency-cruiser's job (.dependency-cruiser.cjs).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/'] },
  {
    // An eslint-disable comment that disables nothing is an error, so the ones left mean something.
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', module: 'writable' } },
  },
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      // `_name` marks a value left out on purpose (destructuring a field away, an unused parameter).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // Tests and benchmarks: a wrong `!` fails them loudly, and frames are matched with their
    // spaces as drawn (/│  p50/ reads like the screen; / {2}/ does not).
    files: ['test/**/*.{ts,tsx}', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', 'no-regex-spaces': 'off' },
  },
  {
    // Type-aware, so only where it is needed: a promise nobody awaits or handles in the product
    // code loses its error (an unhandled rejection) or its ordering. `void p` says "on purpose".
    files: ['src/**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    // Under Ink a console.log tears the frame; output goes through the io streams the CLI passes.
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/cli.tsx', 'src/commands/headless.ts'],
    rules: { 'no-console': 'error' },
  },
);
