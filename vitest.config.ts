import { defineConfig } from 'vitest/config';

// Config files are the one place a default export is the convention.
// eslint-disable-next-line no-restricted-exports
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
