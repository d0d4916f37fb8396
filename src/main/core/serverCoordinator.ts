import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { normalizeServerUrl } from '../../shared/deepLinks'
import { needsUnencryptedConfirmation } from '../../shared/serverAddress'
import {
  isAppChannel,
  isInvokeChannel,
  type ConnectionState,
  type ConnectionStatus,
  type InvokeChannel,
  type InvokeRequest,
  type InvokeResponse,
  type LinkPrefill,
  type PushChannel,
  type PushMap,
  type ServerList,
  type ServerSummary,
  type SessionState,
} from '../../shared/ipc'
import type { Branding } from '../../shared/models'
import type { UpdateState } from '../../shared/updates'
import { SIGNED_OUT_STATE } from './accountSession'
import { createAppCore, type AppCore } from './appCore'
import { CoreError, CoreErrorCode } from './coreError'
import type { CoreHost, CoreOutputs, NativeNotificationRequest } from './coreHost'
import type { CoreTuning } from './coreTuning'
import type { AppHandlers } from './handlers'
import { assertValidRequest } from './ipcRequests'
import { takeOverLegacyServerData } from './legacyServerData'
import { LocalStore } from './localStore'
import { PreferencesStore } from './preferencesStore'
import { RestClient } from './restClient'
import {
  BUNDLED_SERVER_ID,
  readServerList,
  serverStoreDir,
  storedServer,
  writeServerList,
  type StoredServer,
} from './serverList'
import { ServerPreferencesStore, moveLegacyConversationLists } from './serverPreferences'

/** The bundled server, as the Electron layer runs it (a utility process). */
export interface BundledServer {
  /** Starts it; resolves with its loopback http URL. */
  start(): Promise<string>
  stop(): Promise<void>
}

/** The updater (updates.ts's Updater) as the windows reach it. */
export interface UpdateControl {
  getState(): UpdateState
  restartToUpdate(): boolean
}

/** What updates/get answers before the updater started (or where there is none). */
export const NO_UPDATER: UpdateState = { status: 'disabled', reason: 'unsupported' }

export interface ServerCoordinatorOptions {
  /**
   * The platform; `userDataDir` is the app's folder: its own local store (the server list, the
   * device's preferences) and, in `servers/<id>/`, each server's.
   */
  host: CoreHost
  /** To the windows, the notifications and the badge. */
  outputs: CoreOutputs
  /** --server-url or TIDINGS_SERVER_URL: that server alone, and the list cannot change. */
  fixedServerUrl?: string | null
  /** Runs the bundled server; absent: this app has none to offer. */
  bundledServer?: BundledServer
  tuning?: CoreTuning
}

/** The core of the whole app: the server list around one AppCore per server. */
export interface ServerCoordinator extends AppCore {
  serverList(): ServerList
  /** The listed server with this (normalized) address; the bundled server has none. */
  findServer(url: string): string | null
  /** Shows another server in the windows (its session, preferences, branding, conversations). */
  activate(serverId: string): Promise<ServerList>
  /**
   * Adds a server (null: the bundled one) once it answers, and shows it. A plain-http server on
   * another machine needs `unencryptedConfirmed` (the user said to use it anyway).
   */
  add(url: string | null, unencryptedConfirmed?: boolean): Promise<ServerList>
  /** Signs out of a server and forgets it; the last one stays. */
  remove(serverId: string): Promise<ServerList>
  /** A notification was clicked: its server is shown, then its conversation. */
  openNotification(request: NativeNotificationRequest): Promise<void>
  /** Shows a conversation of the active server (navigation/openConversation). */
  openConversation(conversationId: number): void
  /** The updater, once it runs: updates/get and updates/restart answer from it. */
  setUpdates(control: UpdateControl): void
  /**
   * Once started: the plain-http remote servers the stored list (or an earlier version's
   * preferences) named without the user's confirmation, which were left out (main says so).
   */
  refusedAtStart(): readonly string[]
}

export function createServerCoordinator(options: ServerCoordinatorOptions): ServerCoordinator {
  return new Coordinator(options)
}

/** One listed server and what the list shows of it. */
interface RunningServer {
  entry: StoredServer
  core: AppCore
  unread: number
  signedIn: boolean
  status: ConnectionStatus
  /** The organization's name, once its branding was loaded. */
  name: string | null
}

/**
 * Several servers at once, as Mattermost Desktop and Slack have them: each server has its own
 * AppCore (session, local store in its own folder, events client, outbox, unread tracker,
 * notifications) and keeps running while another is shown, so its unread count and its
 * notifications still arrive. The windows show one, the active server: its pushes reach them,
 * the others' stay here, where their unread counts are summed for the badge and the tray and
 * listed (servers/changed) for the switcher. Switching pushes the newly active server's session,
 * connection, preferences and branding, and the windows reload from it. A notification carries
 * its server, and a click shows that server before its conversation.
 *
 * The list (serverList.ts) starts from the one server earlier versions used, and each server's
 * store takes over what those kept of it (legacyServerData.ts). The device's preferences are
 * shared; each server keeps its own muted and pinned conversations (serverPreferences.ts).
 * Changes to the list (add, remove, activate) run one at a time.
 */
class Coordinator implements ServerCoordinator {
  private readonly options: ServerCoordinatorOptions
  private appStore: LocalStore | null = null
  private device: PreferencesStore | null = null
  /** The list, in order; a server is in `running` once its core exists. */
  private order: StoredServer[] = []
  private readonly running = new Map<string, RunningServer>()
  private activeId = ''
  private started: Promise<void> | null = null
  private stopped = false
  private bundledStarted = false
  private changes: Promise<unknown> = Promise.resolve()
  private updates: UpdateControl | null = null
  private lastTotal: number | null = null
  private refused: readonly string[] = []
  private readonly fixedUrl: string | null
  private readonly appHandlers: AppHandlers

  constructor(options: ServerCoordinatorOptions) {
    this.options = options
    const fixed = options.fixedServerUrl ?? null
    this.fixedUrl = fixed === null ? null : (normalizeServerUrl(fixed) ?? fixed.replace(/\/+$/, ''))
    this.appHandlers = {
      'servers/list': () => this.serverList(),
      'servers/activate': (body) => this.activate(body.server_id),
      'servers/add': (body) => this.add(body.url, body.unencrypted_confirmed === true),
      'servers/remove': (body) => this.remove(body.server_id),
      'updates/get': () => this.updates?.getState() ?? NO_UPDATER,
      'updates/restart': () => ({ restarting: this.updates?.restartToUpdate() ?? false }),
    }
  }

  // ---- Lifecycle ---------------------------------------------------------------------------

  start(): Promise<void> {
    this.started ??= this.open()
    return this.started
  }

  private async open(): Promise<void> {
    const { host } = this.options
    this.appStore = new LocalStore(host.userDataDir, host.secretStore)
    this.device = new PreferencesStore(this.appStore)
    const { list, migrated, refused } = readServerList(this.appStore)
    this.refused = refused
    if (this.fixedUrl !== null) {
      const fixed = storedServer(this.fixedUrl)
      this.order = [fixed]
      this.activeId = fixed.id
    } else {
      this.order = list.servers
      this.activeId = list.active_id
    }
    // The one server of an earlier version keeps its muted and pinned conversations.
    const legacyId = migrated ? list.servers[0]!.id : null
    await Promise.all(this.order.map((entry) => this.run(entry, entry.id === legacyId)))
    this.publishTotal()
  }

  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    const servers = [...this.running.values()]
    this.running.clear()
    await Promise.all(servers.map((server) => server.core.stop()))
    if (this.bundledStarted) await this.options.bundledServer?.stop()
    this.appStore?.close()
  }

  reconnectNow(): void {
    for (const { core } of this.running.values()) core.reconnectNow()
  }

  setNetworkOnline(online: boolean): void {
    // The bundled server is on this computer: the network going does not take it away.
    for (const { entry, core } of this.running.values()) {
      if (entry.url !== null) core.setNetworkOnline(online)
    }
  }

  connectionState(): ConnectionState {
    return this.running.get(this.activeId)?.core.connectionState() ?? SIGNED_OUT_STATE
  }

  sessionState(): SessionState {
    return this.activeServer().core.sessionState()
  }

  currentBranding(): Branding | null {
    return this.running.get(this.activeId)?.core.currentBranding() ?? null
  }

  // ---- Invoke channels ---------------------------------------------------------------------

  async handle<C extends InvokeChannel>(
    channel: C,
    request: InvokeRequest<C>,
  ): Promise<InvokeResponse<C>> {
    if (!isInvokeChannel(channel)) {
      throw new CoreError(CoreErrorCode.UnknownChannel, `Unknown channel ${String(channel)}`)
    }
    if (this.started === null) {
      throw new CoreError(CoreErrorCode.NotRunning, 'The application has not started')
    }
    await this.started
    if (this.stopped) throw new CoreError('stopped', 'The application is shutting down')
    if (!isAppChannel(channel)) return this.activeServer().core.handle(channel, request)
    assertValidRequest(channel, request)
    const handler = this.appHandlers[channel] as (request: unknown) => unknown
    return (await handler(request)) as InvokeResponse<C>
  }

  // ---- The list ----------------------------------------------------------------------------

  serverList(): ServerList {
    return {
      servers: this.order.map((entry) => this.summary(entry)),
      active_id: this.activeId,
      can_change: this.fixedUrl === null,
      can_add_bundled:
        this.fixedUrl === null &&
        this.options.bundledServer !== undefined &&
        !this.order.some((entry) => entry.url === null),
    }
  }

  findServer(url: string): string | null {
    return this.order.find((entry) => entry.url === url)?.id ?? null
  }

  activate(serverId: string): Promise<ServerList> {
    return this.change(async () => {
      await this.show(serverId)
      return this.serverList()
    })
  }

  add(url: string | null, unencryptedConfirmed = false): Promise<ServerList> {
    return this.change(async () => {
      this.refuseIfFixed()
      const address = this.address(url)
      const unencrypted = address !== null && needsUnencryptedConfirmation(address)
      const entry = storedServer(address, unencrypted)
      if (!this.running.has(entry.id)) {
        // The network between could read the password and every message: the user's word first.
        if (unencrypted && !unencryptedConfirmed) {
          throw new CoreError(
            CoreErrorCode.UnencryptedServer,
            `${address} is not encrypted (http://): confirm that you want to use it anyway, or ` +
              'use an https:// address.',
          )
        }
        if (entry.url !== null) await this.checkServer(entry.url)
        this.order.push(entry)
        try {
          await this.run(entry, false)
        } catch (error) {
          this.order = this.order.filter((e) => e.id !== entry.id)
          throw error
        }
        this.save()
      }
      await this.show(entry.id)
      return this.serverList()
    })
  }

  remove(serverId: string): Promise<ServerList> {
    return this.change(async () => {
      this.refuseIfFixed()
      const server = this.require(serverId)
      if (this.order.length === 1) {
        throw new CoreError(
          CoreErrorCode.LastServer,
          'Tidings needs a server: add another one before removing this one.',
        )
      }
      if (serverId === this.activeId) {
        await this.show(this.order.find((entry) => entry.id !== serverId)!.id)
      }
      this.order = this.order.filter((entry) => entry.id !== serverId)
      this.running.delete(serverId)
      this.save()
      this.publishTotal()
      this.pushServers()
      // Signed out there (the server revokes the token) when it answers; what this computer kept
      // of it goes either way. Its pushes no longer reach anyone: it is out of `running`.
      if (server.core.sessionState().user !== null) {
        await server.core.handle('session/logout', undefined).catch(() => undefined)
      }
      await server.core.stop()
      if (server.entry.url === null && this.bundledStarted) {
        this.bundledStarted = false
        await this.options.bundledServer?.stop()
      }
      rmSync(serverStoreDir(this.options.host.userDataDir, serverId), {
        recursive: true,
        force: true,
      })
      return this.serverList()
    })
  }

  // ---- What main asks of the active server --------------------------------------------------

  async openNotification(request: NativeNotificationRequest): Promise<void> {
    const serverId = request.server_id
    if (serverId !== undefined && serverId !== this.activeId && this.running.has(serverId)) {
      await this.activate(serverId)
    }
    if (request.conversation_id !== null) this.openConversation(request.conversation_id)
  }

  openConversation(conversationId: number): void {
    if (!this.stopped) {
      this.options.outputs.push('navigation/openConversation', { conversation_id: conversationId })
    }
  }

  /** The active server's core holds the form for its signed-out view (links/takePrefill). */
  offerLinkForm(prefill: LinkPrefill): void {
    if (!this.stopped) this.activeServer().core.offerLinkForm(prefill)
  }

  setUpdates(control: UpdateControl): void {
    this.updates = control
  }

  refusedAtStart(): readonly string[] {
    return this.refused
  }

  // ---- Inside ------------------------------------------------------------------------------

  /** Makes the server's core (and the bundled server, for it), and starts it. */
  private async run(entry: StoredServer, legacy: boolean): Promise<void> {
    const { host, tuning } = this.options
    const url = entry.url ?? (await this.startBundled())
    const dir = serverStoreDir(host.userDataDir, entry.id)
    const device = this.device!
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true })
      const store = new LocalStore(dir, host.secretStore)
      try {
        // A token taken over is kept as the device's `unencrypted_sign_in` says.
        store.setPlainSecretsAllowed(device.get().unencrypted_sign_in)
        if (entry.url !== null) takeOverLegacyServerData(this.appStore!, store, entry.url)
        if (legacy) moveLegacyConversationLists(device, store)
      } finally {
        store.close()
      }
    }
    const core = createAppCore({
      host: { ...host, userDataDir: dir },
      outputs: this.outputsOf(entry.id),
      serverUrl: url,
      embedded: entry.url === null,
      storeKey: entry.url ?? BUNDLED_SERVER_ID,
      preferences: (store) => new ServerPreferencesStore(device, store),
      tuning,
    })
    if (this.stopped) return
    this.running.set(entry.id, {
      entry,
      core,
      unread: 0,
      signedIn: false,
      status: 'signed_out',
      name: null,
    })
    await core.start()
    // Its name for the list; GET /branding needs no sign-in.
    void core.handle('branding/get', undefined).catch(() => undefined)
  }

  private async startBundled(): Promise<string> {
    const bundled = this.options.bundledServer
    if (!bundled) {
      throw new CoreError(
        CoreErrorCode.InvalidRequest,
        'This copy of Tidings has no built-in server.',
      )
    }
    this.bundledStarted = true
    return bundled.start()
  }

  /** A server's outputs: every push observed for the list, only the active one's passed on. */
  private outputsOf(serverId: string): CoreOutputs {
    const { outputs } = this.options
    return {
      push: <C extends PushChannel>(channel: C, payload: PushMap[C]) => {
        const server = this.running.get(serverId)
        if (!server) return
        if (this.observe(server, channel, payload)) this.pushServers()
        if (serverId === this.activeId) outputs.push(channel, payload)
      },
      notify: (request) => {
        if (!this.running.has(serverId)) return
        // Tags are per conversation, and conversation ids per server.
        outputs.notify({ ...request, tag: `${serverId}/${request.tag}`, server_id: serverId })
      },
      unreadCount: (count) => {
        const server = this.running.get(serverId)
        if (!server || server.unread === count) return
        server.unread = count
        this.publishTotal()
        this.pushServers()
      },
    }
  }

  /** Notes what the list shows of a server; true when it changed. */
  private observe<C extends PushChannel>(
    server: RunningServer,
    channel: C,
    payload: PushMap[C],
  ): boolean {
    const before = [server.signedIn, server.status, server.name]
    if (channel === 'session/changed') {
      server.signedIn = (payload as PushMap['session/changed']).user !== null
    } else if (channel === 'connection/state') {
      server.status = (payload as PushMap['connection/state']).status
    } else if (channel === 'branding/changed') {
      server.name = (payload as PushMap['branding/changed']).organization_name || null
    }
    return before.some((value, i) => value !== [server.signedIn, server.status, server.name][i])
  }

  /** Pushes the newly active server's state: the windows reload from it. */
  private async show(serverId: string): Promise<void> {
    const server = this.require(serverId)
    if (serverId === this.activeId) return
    const previous = this.running.get(this.activeId)
    this.activeId = serverId
    this.save()
    // The window no longer shows the previous server's conversation: it notifies again.
    void previous?.core
      .handle('conversations/focus', { conversation_id: null })
      .catch(() => undefined)
    const { core } = server
    const { outputs } = this.options
    outputs.push('session/changed', core.sessionState())
    outputs.push('connection/state', core.connectionState())
    const preferences = await core.handle('settings/get', undefined)
    if (this.activeId !== serverId) return
    outputs.push('settings/changed', preferences)
    const branding = core.currentBranding()
    if (branding) outputs.push('branding/changed', branding)
    else void core.handle('branding/get', undefined).catch(() => undefined)
    this.pushServers()
  }

  private summary(entry: StoredServer): ServerSummary {
    const server = this.running.get(entry.id)
    return {
      id: entry.id,
      url: entry.url,
      name: server?.name ?? (entry.url === null ? 'Built-in server' : new URL(entry.url).host),
      unread: server?.unread ?? 0,
      signed_in: server?.signedIn ?? false,
      status: server?.status ?? 'connecting',
    }
  }

  private pushServers(): void {
    if (!this.stopped && this.order.length > 0) {
      this.options.outputs.push('servers/changed', this.serverList())
    }
  }

  /** The badge and the tray: the unread messages of every server. */
  private publishTotal(): void {
    let total = 0
    for (const server of this.running.values()) total += server.unread
    if (total === this.lastTotal || this.stopped) return
    this.lastTotal = total
    this.options.outputs.unreadCount(total)
  }

  private save(): void {
    if (this.fixedUrl === null && this.appStore && !this.stopped) {
      writeServerList(this.appStore, { servers: this.order, active_id: this.activeId })
    }
  }

  private activeServer(): RunningServer {
    const server = this.running.get(this.activeId)
    if (!server) throw new CoreError(CoreErrorCode.NotRunning, 'No server is running')
    return server
  }

  private require(serverId: string): RunningServer {
    const server = this.running.get(serverId)
    if (!server) throw new CoreError(CoreErrorCode.UnknownServer, 'That server is not in the list.')
    return server
  }

  private refuseIfFixed(): void {
    if (this.fixedUrl !== null) {
      throw new CoreError(
        CoreErrorCode.ServersFixed,
        `Tidings was started for ${this.fixedUrl} (--server-url or TIDINGS_SERVER_URL), so it ` +
          'cannot add or remove servers.',
      )
    }
  }

  private address(url: string | null): string | null {
    if (url === null) {
      if (this.options.bundledServer === undefined) {
        throw new CoreError(
          CoreErrorCode.InvalidRequest,
          'This copy of Tidings has no built-in server.',
        )
      }
      return null
    }
    const address = normalizeServerUrl(url.trim())
    if (address === null) {
      throw new CoreError(CoreErrorCode.InvalidRequest, 'Enter an http:// or https:// address.')
    }
    return address
  }

  /** A server is added only once it answers as a Tidings server. */
  private async checkServer(url: string): Promise<void> {
    const rest = new RestClient({
      baseUrl: url,
      getToken: () => null,
      timeoutMs: this.options.tuning?.requestTimeoutMs ?? 10_000,
      fetchImpl: this.options.tuning?.fetchImpl,
    })
    try {
      await rest.authStatus()
    } catch {
      throw new CoreError(
        CoreErrorCode.ServerUnreachable,
        `No Tidings server answered at ${url}. Check the address and your connection.`,
      )
    }
  }

  /** Runs list changes one at a time; a failed one does not stop the next. */
  private change<T>(run: () => Promise<T>): Promise<T> {
    const next = this.changes.then(async () => {
      if (this.started === null) {
        throw new CoreError(CoreErrorCode.NotRunning, 'The application has not started')
      }
      await this.started
      return run()
    })
    this.changes = next.catch(() => undefined)
    return next
  }
}
