// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/results.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // stdout is the protocol in stdio mode: nothing in src/ may print to it.
    files: ['src/**/*.ts'],
    ignores: ['src/cli.ts', 'src/cli/**'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'stdout', message: 'stdout carries the MCP protocol; log to stderr.' },
      ],
    },
  },
  {
    // The board page and the test host run in a browser: browser globals only, nothing of Node's or the server's.
    files: ['src/board/ui/**/*.{ts,tsx}', 'test/board/host/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-globals': ['error', 'process', 'Buffer', 'require', '__dirname', '__filename'],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'The board page runs in a browser.' },
            {
              group: ['**/store/**', '**/tasks/**', '**/runtime/**', '**/mcp/**', '**/transports/**', '**/events/**'],
              message: 'The page knows the server only through the board contract (its JSON), never its code.',
            },
          ],
        },
      ],
    },
  },
);
