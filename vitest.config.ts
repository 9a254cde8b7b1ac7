import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        // The web client's component tests import .vue files.
        plugins: [vue()],
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.{ts,tsx}'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // Sandboxes are CPU-bound to start and the machines have two cores: files run one at a time.
          fileParallelism: false,
        },
      },
      {
        test: {
          // The TUI in a real pseudo-terminal, and the web client in Chromium, against real mcpd, Docker, Redis and
          // the fake Gemini.
          name: 'e2e',
          include: [
            'test/e2e/chat.test.ts',
            'test/e2e/web.test.ts',
            'test/e2e/hostile.test.ts',
            'test/e2e/web-hostile.test.ts',
            'test/e2e/web-content.test.ts',
            'test/e2e/chat-content.test.ts',
            'test/e2e/grant-*.test.ts',
            'test/e2e/web-rich.test.ts',
            'test/e2e/elicitation.test.ts',
            'test/e2e/web-sampling.test.ts',
            'test/e2e/chat-sampling.test.ts',
          ],
          environment: 'node',
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
