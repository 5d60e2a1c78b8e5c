import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Starts LocalStack lazily for the tests that ask for it (tests/setup/localstack-env.ts) and stops it
    // at the end if this run started it.
    globalSetup: ['tests/setup/localstack.ts'],
  },
});
