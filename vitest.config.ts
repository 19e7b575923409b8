import { defineConfig } from 'vitest/config';

// Config files are the one place a default export is the convention (allowed in eslint.config.js).
export default defineConfig({
  // Project files import 'tandem'; resolve it to the sources, as the CLI does under tsx.
  resolve: { conditions: ['development'] },
  ssr: { resolve: { conditions: ['development'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
