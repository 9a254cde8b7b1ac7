import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

// The web client's tests until they join the root vitest.config.ts: components need the Vue plugin (the root
// config has none), and the browser test needs real mcpd, Docker, Redis and Chromium (/usr/bin/chromium).
export default defineConfig({
  test: {
    root: decodeURIComponent(new URL('..', import.meta.url).pathname),
    projects: [
      {
        plugins: [vue()],
        test: {
          name: 'web',
          include: ['test/unit/web/**/*.test.ts'],
          environment: 'happy-dom',
        },
      },
      {
        test: {
          name: 'web-e2e',
          include: ['test/e2e/web.test.ts'],
          environment: 'node',
          // Builds the sandbox images once, like the integration and TUI e2e projects.
          globalSetup: ['test/e2e/web-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
