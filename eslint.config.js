// Lint rules, including the architecture's import boundaries (DESIGN.md §2): src/ is the shared core and imports
// nothing from daemon/, tui/ or web/, nor Node built-ins; daemon/, tui/ and web/ never import each other.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'net', 'http', 'crypto', 'stream'];
const boundary = (forbidden, message, paths = []) => ({
  'no-restricted-imports': ['error', { patterns: forbidden.map((group) => ({ group: [group], message })), paths }],
});
const TUI_BOUNDARY = ['**/daemon/**', '**/web/**'];
const TUI_MESSAGE = 'tui/ talks to mcpd over Socket.io; it must not import daemon code';
// Every string the TUI prints goes through its own Text, which makes server and model text inert (src/text/sanitize.ts).
const INK_TEXT = [
  {
    name: 'ink',
    importNames: ['Text', 'Transform'],
    message: 'use Text from tui/components/Text.tsx: it makes untrusted text safe for the terminal',
  },
];

export default tseslint.config(
  // .vue files are checked by vue-tsc (npm run typecheck); eslint has no Vue parser here.
  {
    ignores: [
      'web/**/*.vue',
      'dist/',
      'web/dist/',
      'node_modules/',
      'coverage/',
      '.tmp/',
      'test/fixtures/test-server/',
      'test/fixtures/hostile-server/',
      'bench/results/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      // Late-bound references used by callbacks (wired before the object exists) are assigned once, after use.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: boundary(
      ['**/daemon/**', '**/tui/**', '**/web/**', ...nodeBuiltins],
      'src/ is the shared core: no daemon, UI or Node-only imports',
    ),
  },
  {
    files: ['daemon/**/*.ts'],
    rules: boundary(['**/tui/**', '**/web/**'], 'daemon/ must not import a client'),
  },
  {
    // The egress gateway runs alone in its container, which holds node and these files only.
    files: ['daemon/egress/gateway/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!node:|\\./)',
              allowTypeImports: true,
              message: 'the gateway image holds only node built-ins and the files next to it (type imports are fine)',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['tui/**/*.ts', 'tui/**/*.tsx'],
    rules: boundary(TUI_BOUNDARY, TUI_MESSAGE, INK_TEXT),
  },
  {
    files: ['tui/components/Text.tsx'],
    rules: boundary(TUI_BOUNDARY, TUI_MESSAGE),
  },
  {
    files: ['web/**/*.ts'],
    rules: boundary(['**/daemon/**', '**/tui/**', ...nodeBuiltins], 'web/ runs in a browser and talks to mcpd over Socket.io'),
  },
  {
    files: ['bin/**/*.ts', 'test/**/*.ts', 'test/**/*.tsx', 'bench/**/*.ts', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
);
