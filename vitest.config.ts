import { defineConfig } from 'vitest/config'

// Unit and integration suites run in Node. Integration suites start the real server on port 0 with
// a real SQLite file in a temporary folder, so they run in forked processes.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.{ts,tsx}'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
