// Lint rules, including the architecture's boundaries (see docs/architecture.md):
// - src/ is the shared core: it imports nothing from cli/, daemon/, tui/ or web/, nor Node built-ins; daemon/, tui/ and
//   web/ never import each other nor cli/.
// - cli/ is every mcpgw command: register/ wires commander to them; client/ commands talk to mcpd through the socket
//   client (tui/client) and never import daemon code; local/ commands run sandboxes in-process and never import a
//   client. bin/ holds only the entry points.
// - Clients fold session events through the session core (src/client), not by calling the reducer themselves.
// - In mcpd, a tool call has one owner (daemon/calls): only it emits call events and writes policy, approval and tool
//   audit entries; only daemon/questions emits question events and takes questions; logic talks to storage through
//   the ports (daemon/store/ports.ts): only the composition root builds the Redis store, only tests the in-memory one.
import js from '@eslint/js';
import pluginVue from 'eslint-plugin-vue';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'net', 'http', 'crypto', 'stream'];

/** One no-restricted-imports rule from several boundaries (a later config object would replace, not add to, it). */
const boundaries = (...groups) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: groups.flatMap(({ forbidden = [], message, importNames }) =>
        forbidden.map((group) => ({ group: [group], message, ...(importNames ? { importNames } : {}) })),
      ),
      paths: groups.flatMap(({ paths = [] }) => paths),
    },
  ],
});
const tuiBoundary = {
  forbidden: ['**/daemon/**', '**/web/**', '**/cli/**'],
  message: 'tui/ talks to mcpd over Socket.io; it must not import daemon or command code',
};
// Every string the TUI prints goes through its own Text, which makes server and model text inert (src/text/sanitize.ts).
const inkText = {
  paths: [
    {
      name: 'ink',
      importNames: ['Text', 'Transform'],
      message: 'use Text from tui/components/Text.tsx: it makes untrusted text safe for the terminal',
    },
  ],
};

const daemonBoundary = { forbidden: ['**/tui/**', '**/web/**', '**/cli/**'], message: 'daemon/ must not import a client or a command' };

const memoryStore = { forbidden: ['**/store/memory.js'], message: 'the in-memory store is for tests; mcpd keeps its state in Redis' };
const redisStore = {
  forbidden: ['**/store/store.js'],
  message: 'use the store ports (daemon/store/ports.ts); only daemon/main.ts builds the Redis store',
};
const reducer = {
  forbidden: ['**/src/view/reduce.js', '**/src/view/index.js'],
  importNames: ['applyEvent', 'applyEvents', 'acceptGap', 'skipGap', 'hasGap', 'interruptOpen', 'applySessionInfo', 'createSessionView'],
  message: 'clients follow a session through the session core (src/client), which folds its events',
};

// `events.emit(sessionId, 'tool:…' | 'question:…', …)` and `store.audit({ kind: 'policy' | 'approval' | 'tool' })`.
const callEvent = 'CallExpression[callee.property.name=/^(emit|post)$/][arguments.1.value=/^tool:/]';
const questionEvent = 'CallExpression[callee.property.name=/^(emit|post)$/][arguments.1.value=/^question:/]';
const callAudit =
  "CallExpression[callee.property.name='audit'] > ObjectExpression > Property[key.name='kind'][value.value=/^(policy|approval|tool)$/]";
const questionTake = 'CallExpression[callee.property.name=/^(putQuestion|takeQuestion)$/]';
const ownership = {
  [callEvent]: 'only the tool-call module (daemon/calls) emits tool events; notices go through sessions/notices.ts',
  [questionEvent]: 'only the question service (daemon/questions) emits question events',
  [callAudit]: 'only the tool-call module (daemon/calls) writes policy, approval and tool audit entries',
  [questionTake]: 'only the question service (daemon/questions) puts and takes questions (first answer wins there)',
};
const restrictSyntax = (selectors) => ({
  'no-restricted-syntax': ['error', ...selectors.map((selector) => ({ selector, message: ownership[selector] }))],
});

export default tseslint.config(
  {
    ignores: [
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
  // .vue files: Vue's own rules (layout is prettier's), TypeScript in <script setup lang="ts">; vue-tsc checks types.
  ...pluginVue.configs['flat/recommended'],
  { files: ['**/*.vue'], rules: pluginVue.configs['no-layout-rules'].rules },
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' } },
    // Undefined names are vue-tsc's to find, as tsc's in .ts files (typescript-eslint turns this off there too).
    // No markup from data, ever: model and server text is rendered as text nodes (see web/src/components/MarkdownView.ts).
    rules: { 'no-undef': 'off', 'vue/no-v-html': 'error' },
  },
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      // A callback that refers to the object being built (the runtime's sandbox hooks) is assigned once, after use.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: boundaries(
      {
        forbidden: ['**/cli/**', '**/daemon/**', '**/tui/**', '**/web/**', ...nodeBuiltins],
        message: 'src/ is the shared core: no CLI, daemon, UI or Node-only imports',
      },
      memoryStore,
    ),
  },
  {
    files: ['daemon/**/*.ts'],
    rules: {
      ...boundaries(daemonBoundary, memoryStore, redisStore),
      ...restrictSyntax([callEvent, questionEvent, callAudit, questionTake]),
    },
  },
  {
    // The composition root builds the Redis store; the stores implement the ports they are checked against.
    files: ['daemon/main.ts'],
    rules: boundaries(daemonBoundary, memoryStore),
  },
  { files: ['daemon/store/*.ts'], rules: { 'no-restricted-syntax': 'off' } },
  { files: ['daemon/calls/**/*.ts'], rules: restrictSyntax([questionEvent, questionTake]) },
  { files: ['daemon/questions/**/*.ts'], rules: restrictSyntax([callEvent, callAudit]) },
  // Notices (a crashed sandbox, an image build) are session news on the `tool:output` stream, not a call's.
  { files: ['daemon/sessions/notices.ts'], rules: restrictSyntax([questionEvent, callAudit, questionTake]) },
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
    rules: boundaries(tuiBoundary, inkText, reducer),
  },
  {
    files: ['tui/components/Text.tsx'],
    rules: boundaries(tuiBoundary, reducer),
  },
  {
    files: ['web/**/*.ts', 'web/**/*.vue'],
    rules: boundaries(
      {
        forbidden: ['**/daemon/**', '**/tui/**', '**/cli/**', ...nodeBuiltins],
        message: 'web/ runs in a browser and talks to mcpd over Socket.io',
      },
      reducer,
    ),
  },
  {
    // The commands' shared plumbing (output, options, flags) sits between commander and the commands.
    files: ['cli/*.ts'],
    rules: boundaries({
      forbidden: ['**/daemon/**', '**/tui/**', '**/web/**'],
      message: "cli/'s plumbing serves every command: no daemon or client code",
    }),
  },
  {
    files: ['cli/register/**/*.ts'],
    rules: boundaries({
      forbidden: ['**/daemon/**', '**/tui/**', '**/web/**'],
      message: 'cli/register/ only wires commander to the commands in cli/client and cli/local (the chat is imported lazily)',
    }),
  },
  {
    files: ['cli/client/**/*.ts'],
    rules: boundaries(
      {
        forbidden: ['**/daemon/**', '**/web/**', '**/tui/chat/**', '**/tui/components/**', '**/cli/local/**', '**/cli/register/**'],
        message: 'commands served by mcpd talk to it over Socket.io (tui/client): no daemon code, no Ink',
      },
      reducer,
    ),
  },
  {
    files: ['cli/local/**/*.ts'],
    rules: {
      ...boundaries(
        {
          forbidden: ['**/tui/**', '**/web/**', '**/cli/client/**', '**/cli/register/**'],
          message: 'commands that need no daemon run sandboxes in-process: no client code',
        },
        memoryStore,
        redisStore,
      ),
      ...restrictSyntax([callEvent, questionEvent, callAudit, questionTake]),
    },
  },
  {
    files: ['bin/**/*.ts'],
    rules: boundaries(memoryStore, {
      forbidden: ['**/tui/**', '**/web/**'],
      message: 'bin/ holds entry points only: mcpgw starts cli/register, mcpd starts daemon/main',
    }),
  },
  {
    files: ['bench/**/*.ts'],
    rules: boundaries(memoryStore),
  },
  {
    files: ['bin/**/*.ts', 'test/**/*.ts', 'test/**/*.tsx', 'bench/**/*.ts', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
);
