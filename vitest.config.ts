import { defineConfig } from 'vitest/config'

// Unit and integration suites run in Node. Integration suites start the real server on port 0 with
// a real SQLite file in a temporary folder, so they run in forked processes. With
// TIDINGS_TEST_DATABASE=postgres the server suites run on PostgreSQL instead: the global setup
// starts a private server (see tests/support/testDatabase.ts).
//
// Two projects, one pool:
// - `isolated`: each file in a fresh process with fresh modules. For the suites that replace
//   modules (vi.mock('electron') in tests/main/electron and tests/preload) and for the renderer's
//   module-level zustand stores, where one file's state must not reach the next.
// - `shared`: the server, core, security, email, cluster, config and shared suites keep no state
//   in modules (each test file starts servers of its own on fresh folders and ports), so a worker
//   runs file after file on modules it has loaded once: loading the server's graph (Fastify,
//   TypeBox schemas, kysely, pg) again for every file was a fifth of the suite's CPU time.
//
// TIDINGS_TEST_CPU_LOG=<file> appends one line of CPU time per test file (tests/support/cpuLog.ts).
const cpuLog = process.env.TIDINGS_TEST_CPU_LOG ? ['tests/support/cpuLog.ts'] : []

const ISOLATED = ['tests/main/electron/**', 'tests/preload/**', 'tests/renderer/**']

export default defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    globalSetup: ['tests/support/postgresGlobalSetup.ts'],
    setupFiles: cpuLog,
    projects: [
      {
        extends: true,
        test: {
          name: 'isolated',
          include: ISOLATED.map((folder) => `${folder}/*.test.{ts,tsx}`),
        },
      },
      {
        extends: true,
        test: {
          name: 'shared',
          include: ['tests/**/*.test.{ts,tsx}'],
          exclude: ISOLATED,
          isolate: false,
        },
      },
    ],
  },
})
