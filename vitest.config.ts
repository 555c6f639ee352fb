import { defineConfig } from 'vitest/config';

// Two cores: keep worker count at two so that peer processes (DCMTK, snmpd...) get CPU too.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The console's browser tests (test/e2e) run here too; each builds web/dist first when stale.
    exclude: ['node_modules/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: ['default'],
  },
});
