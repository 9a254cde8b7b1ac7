import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The e2e project until it joins vitest.config.ts: the TUI in a real pty against real mcpd, Docker and Redis.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    name: 'e2e',
    include: ['test/e2e/chat.test.ts'],
    environment: 'node',
    // Builds the sandbox images once (as for integration tests); each test checks it left no container behind.
    globalSetup: ['test/e2e/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
