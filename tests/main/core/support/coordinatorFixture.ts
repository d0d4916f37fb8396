import {
  createServerCoordinator,
  type BundledServer,
  type ServerCoordinator,
} from '../../../../src/main/core/serverCoordinator'
import type { CoreTuning } from '../../../../src/main/core/coreTuning'
import type { ConnectionStatus, ServerList } from '../../../../src/shared/ipc'
import type { User } from '../../../../src/shared/models'
import { FAST_TUNING, ServerFixture } from './coreFixture'
import { fakeSecretStore } from './fakeSecretStore'
import { RecordingOutputs } from './recordingOutputs'

/** A real server standing in for the bundled one: started and stopped when the core says. */
export class BundledFixture implements BundledServer {
  readonly server = new ServerFixture()
  starts = 0
  stops = 0

  async start(): Promise<string> {
    this.starts += 1
    return (await this.server.start()).url
  }

  async stop(): Promise<void> {
    this.stops += 1
    await this.server.stop()
  }

  dispose(): Promise<void> {
    return this.server.dispose()
  }
}

export interface CoordinatorOptions {
  bundled?: BundledServer
  /** The OS keyring; by default one that is available. */
  secrets?: ReturnType<typeof fakeSecretStore>
  fixedServerUrl?: string
  tuning?: CoreTuning
}

/** The whole app's core on a user data folder, with recorded outputs (as CoreFixture is). */
export class CoordinatorFixture {
  readonly outputs = new RecordingOutputs()
  readonly secrets: ReturnType<typeof fakeSecretStore>
  readonly core: ServerCoordinator
  windowFocused = false

  constructor(
    readonly userDataDir: string,
    options: CoordinatorOptions = {},
  ) {
    this.secrets = options.secrets ?? fakeSecretStore()
    this.core = createServerCoordinator({
      host: {
        userDataDir,
        secretStore: this.secrets,
        isWindowFocused: () => this.windowFocused,
        chooseSavePath: () => Promise.resolve(null),
        systemLocales: ['en-US'],
      },
      outputs: this.outputs,
      fixedServerUrl: options.fixedServerUrl,
      bundledServer: options.bundled,
      tuning: options.tuning ?? FAST_TUNING,
    })
  }

  /** The last server list pushed (servers/changed). */
  lastList(): ServerList | undefined {
    return this.outputs.payloads('servers/changed').at(-1)
  }

  /** The id of the listed server with this address. */
  idOf(url: string): string {
    const id = this.core.findServer(url)
    if (id === null) throw new Error(`${url} is not listed`)
    return id
  }

  /** Registers on the active server and waits until its stream is connected. */
  async register(username: string): Promise<User> {
    const session = await this.core.handle('session/register', {
      username,
      password: 'correct horse battery',
    })
    await this.waitForStatus('connected')
    return session.user!
  }

  /** Waits until the active server's pushed connection state reaches `status`. */
  waitForStatus(status: ConnectionStatus): Promise<void> {
    return this.outputs.waitFor(
      () => this.core.connectionState().status === status,
      `connection status ${status}`,
    )
  }
}
