// The browser end-to-end tests: one at a time (each drives a real Chromium and a real app), with
// ceilings generous enough for a loaded two-core machine. Waiting is always for an element.

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/e2e/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 240_000,
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});
