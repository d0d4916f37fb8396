import { defineConfig } from 'vitest/config'

// Unit and integration suites run in Node. Integration suites start the real server on port 0 with
// a real SQLite file in a temporary folder, so they run in forked processes. With
// TIDINGS_TEST_DATABASE=postgres the server suites run on PostgreSQL instead: the global setup
// starts a private server (see tests/support/testDatabase.ts).
export default defineConfig({
  test: {
    include: ['tests/**/*.test.{ts,tsx}'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    globalSetup: ['tests/support/postgresGlobalSetup.ts'],
  },
})
