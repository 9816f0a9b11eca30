// Unit tests run in Node; end-to-end browser tests live in test/e2e and have their own config.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    globals: false,
    testTimeout: 30_000,
    coverage: {
      provider: 'v8',
      include: ['src/core/**/*.ts'],
      reporter: ['text-summary', 'text'],
      // The engine is pure and meant to be fully covered: a drop below these fails the run.
      thresholds: { lines: 98, statements: 97, functions: 98, branches: 93 },
    },
  },
});
