import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { startServer, type RunningServer, type ServerOptions } from '../../../../server/startServer'
import { createAppCore, type AppCore, type CoreTuning } from '../../../../src/main/core/appCore'
import { RestClient } from '../../../../src/main/core/restClient'
import type { ConnectionStatus } from '../../../../src/shared/ipc'
import type { AnyTidingsEvent } from '../../../../src/shared/events'
import type { Message, User } from '../../../../src/shared/models'
import { fakeSecretStore } from './fakeSecretStore'
import { RecordingOutputs } from './recordingOutputs'

/** Fast, deterministic timing for integration tests (real sockets, real server). */
export const FAST_TUNING: CoreTuning = {
  backoff: { baseMs: 50, capMs: 400 },
  coalesceWindowMs: 300,
  requestTimeoutMs: 5_000,
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

/** The real events server on a free port with its own data folder; restartable on that port. */
export class ServerFixture {
  readonly dataDir = tempDir('tidings-server-')
  server: RunningServer | null = null
  port = 0

  /** `options`: what a test adds to (or changes of) the server's options below (`publicUrls`:
   * other names the server answers to, its Host check, as --public-url). */
  constructor(private readonly options: ServerOptions = {}) {}

  async start(): Promise<RunningServer> {
    this.server = await startServer({
      port: this.port,
      host: '127.0.0.1',
      dataDir: this.dataDir,
      openRegistration: true,
      presenceGraceMs: 0,
      // A cheap hash, as the server harness uses: the production cost (tens of ms of CPU, much
      // more on a busy machine) ran into FAST_TUNING's 5 s request timeout.
      scryptCost: 1024,
      authAttemptsPerMinute: 1000,
      authAttemptsPerAddress: 100_000,
      loginAttemptsPerUsername: 100_000,
      // The test mail servers listen on 127.0.0.1.
      allowPrivateMailHosts: true,
      ...this.options,
    })
    this.port = this.server.port
    return this.server
  }

  get url(): string {
    if (!this.server) throw new Error('server not started')
    return this.server.url
  }

  async stop(): Promise<void> {
    const server = this.server
    this.server = null
    await server?.close()
  }

  async dispose(): Promise<void> {
    await this.stop()
    removeDir(this.dataDir)
  }
}

let names = 0

/**
 * A username no one on this test file's server has yet (`alice3`): with one server per file,
 * each test signs up people of its own.
 */
export function freshName(base: string): string {
  names += 1
  return `${base}${names}`
}

/**
 * The people of each test, by role: `name('alice')` is one fresh username all through a test and
 * another in the next one.
 */
export function namesPerTest(): (base: string) => string {
  let names = new Map<string, string>()
  beforeEach(() => {
    names = new Map()
  })
  return (base) => {
    let name = names.get(base)
    if (name === undefined) names.set(base, (name = freshName(base)))
    return name
  }
}

/**
 * One server for a test file (or a describe block): started before its first test and removed
 * after its last. Tests that share it sign up people of their own (freshName), so none sees
 * another's conversations; only a test about the server's own life (a restart, the first
 * account) needs a server to itself.
 */
export function serverPerFile(): ServerFixture {
  const server = new ServerFixture()
  beforeAll(() => server.start())
  afterAll(() => server.dispose())
  return server
}

/** The app of each test: its user data folder, and starts of the app on it. */
export interface AppPerTest {
  /** This test's user data folder (a fresh one each test). */
  readonly userDataDir: string
  /** Starts the app on this test's folder; again for a restart (the same local store). */
  start(): Promise<CoreFixture>
}

/**
 * One app per test on `server`: a fresh user data folder before each test; after it every app
 * started on it is stopped and the folder removed.
 */
export function appPerTest(server: { readonly url: string }): AppPerTest {
  let userDataDir = ''
  const cores: CoreFixture[] = []
  beforeEach(() => {
    userDataDir = tempDir('tidings-user-')
  })
  afterEach(async () => {
    for (const fixture of cores.splice(0)) await fixture.core.stop()
    removeDir(userDataDir)
  })
  return {
    get userDataDir() {
      return userDataDir
    },
    async start() {
      const fixture = new CoreFixture(userDataDir, server.url)
      cores.push(fixture)
      await fixture.core.start()
      return fixture
    },
  }
}

/** A second person, driven straight over REST (the other side of a conversation). */
export interface Peer {
  user: User
  rest: RestClient
}

export async function registerPeer(
  serverUrl: string,
  username: string,
  displayName = username,
): Promise<Peer> {
  let token: string | null = null
  const rest = new RestClient({ baseUrl: serverUrl, getToken: () => token })
  const result = await rest.register({
    username,
    password: 'correct horse battery',
    display_name: displayName,
  })
  token = result.token
  return { user: result.user, rest }
}

/** Another session of a user who has an account (their other device), over REST. */
export async function signInElsewhere(serverUrl: string, username: string): Promise<RestClient> {
  let token: string | null = null
  const rest = new RestClient({ baseUrl: serverUrl, getToken: () => token })
  token = (await rest.login(username, 'correct horse battery')).token
  return rest
}

/** One app instance: a core on a user data folder, with recorded outputs. */
export class CoreFixture {
  readonly outputs = new RecordingOutputs()
  readonly secrets = fakeSecretStore()
  readonly core: AppCore
  windowFocused = false
  /** What the fake save dialog answers (null: cancelled), and the names it was offered. */
  savePath: string | null = null
  readonly saveDialogs: string[] = []

  constructor(
    readonly userDataDir: string,
    serverUrl: string,
    tuning: CoreTuning = FAST_TUNING,
    /** The OS's languages this app instance is started with. */
    readonly systemLocales: readonly string[] = ['en-US'],
  ) {
    this.core = createAppCore({
      host: {
        userDataDir,
        secretStore: this.secrets,
        isWindowFocused: () => this.windowFocused,
        chooseSavePath: (fileName) => {
          this.saveDialogs.push(fileName)
          return Promise.resolve(this.savePath)
        },
        systemLocales: this.systemLocales,
      },
      outputs: this.outputs,
      serverUrl,
      embedded: false,
      tuning,
    })
  }

  events(): AnyTidingsEvent[] {
    return this.outputs.payloads('events/event')
  }

  /** The states of message `messageId` that message_updated events brought, in order. */
  updatesOf(messageId: number): Message[] {
    return this.events()
      .filter(
        (e): e is Extract<AnyTidingsEvent, { type: 'message_updated' }> =>
          e.type === 'message_updated',
      )
      .flatMap((e) => (e.data.message?.id === messageId ? [e.data.message] : []))
  }

  received(): Extract<AnyTidingsEvent, { type: 'message_received' }>[] {
    return this.events().filter(
      (e): e is Extract<AnyTidingsEvent, { type: 'message_received' }> =>
        e.type === 'message_received',
    )
  }

  /** Waits until the connection state pushed after the n-th push so far reaches `status`. */
  waitForStatus(status: ConnectionStatus, after = 0, timeoutMs = 10_000): Promise<void> {
    return this.outputs.waitFor(
      () =>
        this.outputs.pushes
          .slice(after)
          .some((p) => p.channel === 'connection/state' && p.payload.status === status),
      `connection status ${status}`,
      timeoutMs,
    )
  }

  get pushCount(): number {
    return this.outputs.pushes.length
  }
}
