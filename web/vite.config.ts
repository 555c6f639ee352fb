// Builds the console into web/dist. Assets get content hashes (served with a year-long cache);
// nothing is inlined as a data: URL or an inline script, so the strict CSP of the API holds.

import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Root is this folder (scripts/build-web.mjs passes it; `npx vite web` for a dev server).
export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  // `npx vite web` serves the sources with hot reload against a running Wardwatch (HTTPS by default,
  // with its self-signed certificate) on the default port.
  server: { proxy: { '/api': { target: 'https://127.0.0.1:8080', secure: false } } },
});
