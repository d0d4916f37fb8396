import os from 'node:os'
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
// One worker per core: vitest's default leaves a core to its own process, which only collects
// results, so on a 2-core machine (CI's) the suite ran one file at a time with a core idle. The
// tests start their servers in the worker, so a worker is one busy core.
//
// The PostgreSQL pass (npm run test:postgres) runs the server suites again on the other engine,
// except the files below, which never reach the engine the harness picks: they test code without
// storage, or open SQLite themselves. They run once, in the SQLite pass.
//
// TIDINGS_TEST_CPU_LOG=<file> appends one line of CPU time per test file (tests/support/cpuLog.ts).
const cpuLog = process.env.TIDINGS_TEST_CPU_LOG ? ['tests/support/cpuLog.ts'] : []

const ISOLATED = ['tests/main/electron/**', 'tests/preload/**', 'tests/renderer/**']

const ENGINE_INDEPENDENT = [
  // No storage at all.
  'tests/server/connectionHub.test.ts',
  'tests/server/heartbeat.test.ts',
  'tests/server/limitFlags.test.ts',
  'tests/server/linkPreviewFetch.test.ts',
  'tests/server/passwords.test.ts',
  'tests/server/sessionCache.test.ts',
  'tests/server/textFrame.test.ts',
  'tests/email/threading.test.ts',
  'tests/security/publicAddressGuard.test.ts',
  // SQLite opened by the test itself, or the CLI on a SQLite data folder.
  'tests/server/checkpointer.test.ts',
  'tests/server/cli.test.ts',
  'tests/server/eventPrune.test.ts',
  'tests/server/unitOfWork.test.ts',
  'tests/security/durability.test.ts',
]
const onPostgres = process.env.TIDINGS_TEST_DATABASE === 'postgres'

export default defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    maxWorkers: os.availableParallelism(),
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
          exclude: [...ISOLATED, ...(onPostgres ? ENGINE_INDEPENDENT : [])],
          isolate: false,
        },
      },
    ],
  },
})
