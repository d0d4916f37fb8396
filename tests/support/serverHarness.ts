import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { startServer, type RunningServer, type ServerOptions } from '../../server/startServer'
import { dropStorageFor, storageOptionsFor } from './testDatabase'

/**
 * Starts the real events server for integration tests: port 0 on 127.0.0.1, a fresh temporary data
 * folder (a real SQLite file, or with TIDINGS_TEST_DATABASE=postgres a database of its own on the
 * test PostgreSQL: see testDatabase.ts), a short presence grace period and quiet logs. Call `stop()` in
 * `afterEach`/`afterAll`; it closes the server and removes the data folder.
 *
 *   const harness = await startHarness()
 *   const rest = new RestClient(harness.url)
 *   const client = await WsTestClient.connect(harness.url, token)
 *   await harness.restart()          // same data folder, same port
 *   await harness.stop()
 */
export interface TestServer {
  /** The running server; replaced by `restart()`. */
  readonly server: RunningServer
  /** http://127.0.0.1:<port> of the current server. */
  readonly url: string
  readonly port: number
  readonly dataDir: string
  /** Closes the server (sockets get 1001) and starts it again on the same data folder and port. */
  restart(overrides?: ServerOptions): Promise<RunningServer>
  /** Closes the server without removing the data folder (for restart-by-hand scenarios). */
  close(): Promise<void>
  /** Starts the server again after `close()` on the same data folder (and port unless overridden). */
  start(overrides?: ServerOptions): Promise<RunningServer>
  /** Closes the server if running and removes the data folder. Safe to call twice. */
  stop(): Promise<void>
}

/** Defaults used by every harness; `options` override them. */
export const TEST_SERVER_DEFAULTS: ServerOptions = {
  port: 0,
  host: '127.0.0.1',
  presenceGraceMs: 200,
  logLevel: 'silent',
  // Registrations and logins by the dozen: a cheap hash (each stores its own parameters).
  scryptCost: 1024,
  // ... all from 127.0.0.1, often for one username: the limits per address and per username are
  // out of the way (tests/security tries them); the one per address and username stays.
  authAttemptsPerAddress: 100_000,
  loginAttemptsPerUsername: 100_000,
}

/** A fresh temporary folder for a data directory; removed by the harness's `stop()`. */
export function makeDataDir(prefix = 'tidings-test-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix))
}

export async function startHarness(options: ServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await makeDataDir())
  const base: ServerOptions = {
    ...TEST_SERVER_DEFAULTS,
    ...(await storageOptionsFor(dataDir)),
    ...options,
    dataDir,
  }
  let current: RunningServer | undefined = await startServer(base)
  let lastPort = current.port
  let removed = false

  const running = (): RunningServer => {
    if (!current) throw new Error('The test server is not running.')
    return current
  }
  const close = async () => {
    const server = current
    current = undefined
    await server?.close()
  }
  const start = async (overrides: ServerOptions = {}) => {
    if (current) throw new Error('The test server is already running.')
    current = await startServer({ ...base, port: lastPort, ...overrides, dataDir })
    lastPort = current.port
    return current
  }

  return {
    get server() {
      return running()
    },
    get url() {
      return running().url
    },
    get port() {
      return running().port
    },
    dataDir,
    close,
    start,
    async restart(overrides = {}) {
      await close()
      return start(overrides)
    },
    async stop() {
      await close()
      if (!removed) {
        removed = true
        await fs.rm(dataDir, { recursive: true, force: true })
        await dropStorageFor(dataDir)
      }
    },
  }
}
