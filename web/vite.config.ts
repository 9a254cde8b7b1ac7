import tailwindcss from '@tailwindcss/vite';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

// The browser client: built into web/dist, which mcpd serves (with a strict CSP: no inline scripts, so no
// inlined module preload polyfill either).
export default defineConfig({
  // No node:url here (web/ lints as browser code): a file URL's path, decoded, is the directory.
  root: decodeURIComponent(new URL('.', import.meta.url).pathname),
  base: '/',
  plugins: [vue(), tailwindcss()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
  },
  server: { host: '127.0.0.1' },
});
